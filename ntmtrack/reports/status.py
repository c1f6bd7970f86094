"""Criteria status per commune on the day: criteria met of the set, what is missing, the
target that matters most, and the commune's state.

A commune's state: `recognized` (it holds a title recognised under the set; `recognition`
names the highest title it holds, of any set), `meets_all` (every
criterion of the set met), `target_met` (every criterion its targets ask for met), else the
worst state of its unmet targets (`overdue`, `behind`, `on_track`; ties by the earliest
deadline), else `no_target`. Targets are those of the plans in scope (scope.py). `debt`: the
commune's outstanding construction debt on the day (reports/funds.py), 0 when none.
"""

from __future__ import annotations

from datetime import date

from ..model import Scope, StatusGroup, StatusRow, StatusTotals
from ..register import criteria as criteria_sets
from ..register.tree import Tree
from . import scope as scoping
from . import funds, state, targets


def status(conn, scope: Scope, tree: Tree | None = None) -> tuple[list[StatusRow], StatusTotals]:
    tree = tree or Tree.load(conn, scope.under_id, villages=False)
    unit_ids = scoping.communes(conn, tree, scope)
    scoped = scoping.reading(scope, unit_ids)
    code = scoping.criteria_set(conn, scope, unit_ids)
    numbers = criteria_sets.get(conn, code).numbers
    met_by_unit = state.met_sets(conn, scope.as_of, code, scoped)
    recognitions = state.recognitions(conn, scope.as_of, scoped)
    merged = state.mergers(conn, scope.as_of, scoped)
    debts = funds.outstanding_debt(conn, scope.as_of, unit_ids)
    by_unit: dict[int, list[tuple[dict, dict]]] = {}
    targeted: dict[str, tuple[dict, set[int]]] = {}
    for plan in scoping.plans(conn, scope):
        for t in scoping.targets(conn, scope, tree, plan, criteria_set=code):
            by_unit.setdefault(t["unit_id"], []).append((plan, t))
            targeted.setdefault(plan["id"], (plan, set()))[1].add(t["unit_id"])
    # The criteria met on each plan's start (its targets' baseline): read once per plan, for
    # the communes it gives a target.
    starts: dict[str, dict[int, frozenset[int]]] = {}
    for plan_id, (plan, planned) in targeted.items():
        wanted = [u for u in unit_ids if u in planned]
        reading = None if scoped is None and len(wanted) == len(unit_ids) else wanted
        starts[plan_id] = state.met_sets(conn, date.fromisoformat(plan["start"]), code, reading)
    paths, labels = scoping.named(tree, unit_ids)
    plan_starts = {plan_id: date.fromisoformat(plan["start"]) for plan_id, (plan, _u) in targeted.items()}
    nothing: frozenset[int] = frozenset()
    missing_of: dict[frozenset[int], tuple[int, ...]] = {}
    # Communes with the same target, the same criteria met and the same baseline are judged
    # alike: a national plan's 10,752 targets come to a few hundred judgements.
    judgements: dict[tuple, targets.Progress] = {}
    rows = []
    for unit_id in unit_ids:
        u = tree.units[unit_id]
        met = met_by_unit.get(unit_id, nothing)
        missing = missing_of.get(met)
        if missing is None:
            missing = missing_of[met] = tuple(n for n in numbers if n not in met)
        rec = recognitions.get(unit_id)
        recognized = state.recognized_under(rec, code)
        judged = []
        for plan, t in by_unit.get(unit_id, []):
            at_start = starts[plan["id"]].get(unit_id, nothing)
            key = (tuple(t["criteria"]), met, at_start, recognized, plan["id"], t["by"])
            p = judgements.get(key)
            if p is None:
                p = judgements[key] = targets.criteria(t["criteria"], met, at_start, recognized,
                                                       plan_starts[plan["id"]], t["by"],
                                                       scope.as_of, scope.threshold)
            judged.append((p, plan, t))
        wanted = {n for _, _, t in judged for n in t["criteria"]}
        open_targets = [j for j in judged if j[0].state != "done"]
        shown = None
        if recognized:
            row_state = "recognized"
        elif not missing:
            row_state = "meets_all"
        elif judged and not open_targets:
            row_state = "target_met"
            shown = max(judged, key=lambda j: j[2]["by"])
        elif open_targets:
            shown = min(open_targets, key=lambda j: (targets.WORST_FIRST[j[0].state], j[2]["by"]))
            row_state = shown[0].state
        else:
            row_state = "no_target"
        if shown is None and judged:
            shown = min(judged, key=lambda j: j[2]["by"])
        rows.append(StatusRow(
            unit=u["name"], unit_path=paths[unit_id],
            parent=tree.units[u["parent_id"]]["name"] if u["parent_id"] else None,
            criteria_set=code, criteria_met=len(met), criteria_total=len(numbers), missing=missing,
            target_date=shown[2]["by"] if shown else None, plan=shown[1]["id"] if shown else None,
            recognition=rec["decision"] if rec else None,
            recognition_date=rec["date"] if rec else None,
            recognition_level=rec["level"] if rec else None, state=row_state,
            target_missing=tuple(sorted(wanted - met)), unit_id=unit_id, unit_kind=u["kind"],
            label=labels[unit_id], since_merger=merged.get(unit_id), debt=debts[unit_id]))
    count = len(rows)
    totals = StatusTotals(
        units=count, criteria_set=code, criteria_total=len(numbers),
        meeting_all=sum(1 for r in rows if r.criteria_met == len(numbers)),
        recognized=sum(1 for r in rows if r.recognition),
        average_criteria_met=round(sum(r.criteria_met for r in rows) / count, 2) if count else None,
        as_of=scope.as_of.isoformat())
    return rows, totals


def bands(conn, scope: Scope) -> tuple[list[tuple[str, int]], list[tuple[str, int]], StatusTotals]:
    """The figures provinces report for the scope's communes (those `status` lists): how many
    are in each band of criteria met (reports/bands.py), and how many hold each title level
    (a commune with an advanced title holds the NTM one too, and counts in both)."""
    from ..model import LEVELS
    from . import bands as banding

    rows, totals = status(conn, scope)
    by_band = {b: 0 for b in banding.BANDS}
    for r in rows:
        by_band[banding.band(r.criteria_met, r.criteria_total)] += 1
    titles = state.recognitions(conn, scope.as_of, [r.unit_id for r in rows])
    by_level = {level: 0 for level in LEVELS}
    for title in titles.values():
        for level in title["levels"]:
            by_level[level] += 1
    return list(by_band.items()), list(by_level.items()), totals


def group_rows(conn, rows: list, scope: Scope) -> list[tuple[str, list]]:
    """Rows (with `unit_id`) grouped by the unit at the level below the one reported under
    (provinces, then districts), in Vietnamese order: what a person can read instead of
    hundreds of rows."""
    tree = Tree.load(conn, scope.under_id, villages=False)
    base_depth = tree.depth(scope.under_id) + 1 if scope.under_id else 0
    groups: dict[int, list] = {}
    for r in rows:
        chain = list(reversed(tree.ancestors(r.unit_id))) + [r.unit_id]
        key = chain[min(base_depth, len(chain) - 1)]
        groups.setdefault(key, []).append(r)
    return [(tree.units[key]["name"], groups[key])
            for key in sorted(groups, key=lambda k: tree.units[k]["sort_key"])]


def group_status(conn, rows: list[StatusRow], scope: Scope) -> list[StatusGroup]:
    """Status rows summed by the level below the one reported under."""
    out = []
    for name, members in group_rows(conn, rows, scope):
        total = members[0].criteria_total
        out.append(StatusGroup(
            group=name, units=len(members),
            meeting_all=sum(1 for m in members if m.criteria_met == total),
            recognized=sum(1 for m in members if m.recognition),
            average_criteria_met=round(sum(m.criteria_met for m in members) / len(members), 2),
            behind=sum(1 for m in members if m.state == "behind"),
            overdue=sum(1 for m in members if m.state == "overdue"),
            criteria_total=total))
    return out
