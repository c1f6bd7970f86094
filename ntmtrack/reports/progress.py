"""A plan's indicator targets on the day: baseline, actual, goal, share done, expected by now,
state — with roll-up rows for the units above them (sum or mean, as the indicator says).

Baselines: the plan's, else the unit's value on the plan's start; else 0 for an `up` target
and for any increase, and for a `down` level (bring down to at most) the unit's value — its
own or rolled up from below, as its actual value is — on the first day inside the plan with an
observation of it or below it: a falling rate measured from 0 would look done before it starts.
"""

from __future__ import annotations

from datetime import date

from ..locale import _
from ..model import NtmError, ProgressRow, Scope
from ..register.tree import Tree
from ..store import observations as store_obs
from ..store import plans as store_plans
from . import scope as scoping
from . import state, targets

ADMIN_KINDS = ("province", "district", "cluster", "commune", "town", "ward")


def progress(conn, scope: Scope, tree: Tree | None = None) -> list[ProgressRow]:
    """Each indicator target of the scope's plan (scope.plan_id is required), with roll-ups.
    `tree`: the caller's, when it has loaded one already (holding the scope's subtree)."""
    if not scope.plan_id:
        raise NtmError(_("progress needs a plan"))
    plan = scoping.plans(conn, scope)[0]
    narrow = tree is None   # values read for the tree's units only (a tree of the scope)
    if tree is None:
        # Under a unit: its subtree. The whole register: the plan's units with those below
        # them (values roll up) and above them (roll-up rows, paths), not every village.
        tree = (Tree.load(conn, scope.under_id) if scope.under_id else Tree.around(
            conn, sorted({t["unit_id"] for t in store_plans.targets(conn, plan["id"]) if t["kind"] != "criteria"})))
    wanted = [t for t in scoping.targets(conn, scope, tree, plan) if t["kind"] != "criteria"]
    codes = sorted({t["indicator"] for t in wanted})
    definitions = {c: store_plans.indicator(conn, c) or {} for c in codes}
    start = date.fromisoformat(plan["start"])
    now_values = values_in(conn, scope.as_of, tree, codes, narrow)
    start_values = values_in(conn, start, tree, codes, narrow)
    firsts = FirstValues(conn, tree, plan, scope.as_of, narrow)
    rows: list[ProgressRow] = []
    for code in codes:
        definition = definitions[code]
        direction = definition.get("direction") or "up"
        by_unit = {}
        for t in (t for t in wanted if t["indicator"] == code):
            unit_id = t["unit_id"]
            baseline = baseline_of(t, direction, start_values, firsts)
            actual = now_values.get((unit_id, code))
            goal = t["amount"] + (baseline or 0.0) if t["kind"] == "increase" else t["amount"]
            milestones = [(date.fromisoformat(d), s) for d, s in t["milestones"]]
            by_unit[unit_id] = _row(tree, plan["id"], unit_id, code, definition, direction, baseline,
                                    actual, goal, start, t["by"], scope, own=True, milestones=milestones)
        rows += _with_rollups(tree, plan, by_unit, code, definition, direction, start, scope)
    labels = scoping.labels(tree, [r.unit_id for r in rows])
    return [_labelled(r, labels[r.unit_id]) for r in rows]


def values_in(conn, day: date, tree: Tree, codes: list[str], narrow: bool) -> dict[tuple[int, str], float]:
    """state.indicator_values; `narrow`: reading only the tree's units' own values (a district's
    report on a national register reads its own villages, not the province's)."""
    if not narrow:
        return state.indicator_values(conn, day, tree, codes)
    own = state.own_indicator_values(conn, day, codes, sorted(tree.units))
    return state.roll_up(tree, own, {code: store_plans.indicator(conn, code) for code in codes})


def baseline_of(target: dict, direction: str, start_values: dict, firsts: "FirstValues") -> float | None:
    """The one baseline rule (module docstring); None: a `down` level target with no value
    recorded inside the plan yet. An increase is always counted from the value on the start
    (or 0): its goal must not move with the values it measures."""
    if target["baseline"] is not None:
        return target["baseline"]
    key = (target["unit_id"], target["indicator"])
    if key in start_values:
        return start_values[key]
    if direction != "down" or target["kind"] == "increase":
        return 0.0
    return firsts.value(target["unit_id"], target["indicator"])


class FirstValues:
    """A unit's value — its own, else rolled up from below, as `actual` is — on the first day
    inside the plan (up to the as-of day) on which it or a unit below it has an observation."""

    def __init__(self, conn, tree: Tree, plan: dict, as_of: date, narrow: bool = False):
        self.conn, self.tree, self.narrow = conn, tree, narrow
        self.since, self.until = plan["start"], min(plan["end"], as_of.isoformat())
        self._days: dict[str, dict[int, str]] = {}
        self._values: dict[tuple[str, str], dict] = {}

    def value(self, unit_id: int, code: str) -> float | None:
        if code not in self._days:
            self._days[code] = store_obs.first_indicator_days(self.conn, code, self.since, self.until)
        days = self._days[code]
        family = [unit_id, *self.tree.descendants(unit_id)]
        first = min((days[u] for u in family if u in days), default=None)
        if first is None:
            return None
        if (first, code) not in self._values:
            self._values[(first, code)] = values_in(
                self.conn, date.fromisoformat(first), self.tree, [code], self.narrow)
        return self._values[(first, code)].get((unit_id, code))


def _row(tree, plan_id, unit_id, code, definition, direction, baseline, actual, goal, start,
         deadline, scope, own, milestones=None, expected=None) -> ProgressRow:
    if baseline is None:  # nothing recorded inside the plan yet: judged against the goal alone
        if actual is not None and targets.reached(actual, goal, direction):
            p_state, share = "done", 1.0
        else:
            p_state = "overdue" if scope.as_of > date.fromisoformat(deadline) else "on_track"
            share = 0.0
    elif expected is not None:  # a roll-up: the sum (or mean) of what its parts expect
        p_state = targets.judge(actual, baseline, goal, expected, date.fromisoformat(deadline),
                                scope.as_of, direction, scope.threshold)
        share = targets.share_of_target(actual if actual is not None else baseline, baseline,
                                        goal, direction)
    else:
        p = targets.indicator(baseline, actual, goal, start, deadline, scope.as_of, direction,
                              milestones, scope.threshold)
        p_state, expected, share = p.state, p.expected, p.share
    return ProgressRow(
        plan=plan_id, unit=tree.units[unit_id]["name"], unit_path=tree.path(unit_id),
        unit_kind=tree.units[unit_id]["kind"], indicator=code,
        indicator_name=definition.get("name"), measure=definition.get("measure"),
        direction=direction, baseline=_r(baseline), actual=_r(actual), goal=_r(goal),
        percent_of_target=_r(share * 100), expected=_r(expected), deadline=deadline,
        state=p_state, rollup=not own, depth=tree.depth(unit_id), unit_id=unit_id,
        label=tree.units[unit_id]["name"])


def _labelled(row: ProgressRow, label: str) -> ProgressRow:
    from dataclasses import replace

    return row if row.label == label else replace(row, label=label)


def _r(value):
    return None if value is None else round(value, 4)


def _with_rollups(tree, plan, by_unit: dict[int, ProgressRow], code, definition, direction,
                  start, scope) -> list[ProgressRow]:
    rollup = definition.get("rollup") or "sum"
    rows = dict(by_unit)
    if rollup != "none":
        lineage = {u: tree.ancestors(u) for u in by_unit}
        tops = [u for u in by_unit if not any(a in by_unit for a in lineage[u])]
        below: dict[int, list[int]] = {}  # each ancestor's top-level targets, in one pass
        for u in tops:
            for a in lineage[u]:
                below.setdefault(a, []).append(u)
        allowed = set(tree.descendants(scope.under_id)) | {scope.under_id} if scope.under_id else None
        for a, under in below.items():
            if allowed is not None and a not in allowed:
                continue  # above the unit reported under: it holds targets outside the scope
            parts = [by_unit[u] for u in under if by_unit[u].baseline is not None]
            if not parts or (len(parts) < 2 and tree.units[a]["kind"] not in ADMIN_KINDS):
                continue
            combine = (lambda xs: sum(xs)) if rollup == "sum" else (lambda xs: sum(xs) / len(xs))
            baseline = combine([p.baseline for p in parts])
            actual = combine([p.actual if p.actual is not None else p.baseline for p in parts])
            goal = combine([p.goal for p in parts])
            expected = combine([p.expected for p in parts])
            deadline = max(p.deadline for p in parts)
            rows[a] = _row(tree, plan["id"], a, code, definition, direction, baseline, actual, goal,
                           start, deadline, scope, own=False, expected=expected)
    ordered = []
    # Walk only the branches that hold rows, not the whole (national) tree.
    relevant = set(rows) | {a for u in rows for a in tree.ancestors(u)}

    def walk(unit_id):
        if unit_id in rows:
            ordered.append(rows[unit_id])
        for child in sorted((c for c in tree.children.get(unit_id, []) if c in relevant),
                            key=lambda c: tree.units[c]["sort_key"]):
            walk(child)

    for root in sorted((c for c in tree.children.get(None, []) if c in relevant),
                       key=lambda c: tree.units[c]["sort_key"]):
        walk(root)
    return ordered
