"""Reports as rows: criteria status per commune, criteria statistics, plan progress.

Pure rules over the as-of state (state.py) and the plans' targets; the as-of date is always
passed in, never taken from the clock. Knows nothing of the CLI or Rich.
"""

from __future__ import annotations

from datetime import date

from ..model import COMMUNE_KINDS, NtmError
from ..register import criteria as criteria_sets
from ..register.tree import Tree
from ..store import plans as store_plans
from . import pace, state

BEHIND_RATIO = 0.8


def _day(text: str) -> date:
    return date.fromisoformat(text)


def scope_units(conn, tree: Tree, as_of: date, under_id: int | None, plan_id: str | None) -> list[int]:
    """Communes, towns and wards active on the day, below `under_id` and in the plan."""
    ids = tree.descendants(under_id) if under_id else list(tree.units)
    if under_id and tree.units[under_id]["kind"] in COMMUNE_KINDS:
        ids.append(under_id)
    day = as_of.isoformat()
    ids = [u for u in ids if tree.units[u]["kind"] in COMMUNE_KINDS
           and not (tree.units[u]["active_until"] and tree.units[u]["active_until"] <= day)]
    if plan_id:
        in_plan = {t["unit_id"] for t in store_plans.targets(conn, plan_id, ids if under_id else None)}
        ids = [u for u in ids if u in in_plan]
    return sorted(ids, key=lambda u: tree.units[u]["sort_key"])


def choose_set(conn, explicit: str | None, plan_id: str | None, unit_ids: list[int] | None) -> str:
    """--set, else the plan's set, else the one set the units' plans use, else the default.
    `unit_ids` None: every unit."""
    if explicit:
        return criteria_sets.get(conn, explicit).code
    if plan_id:
        plan = store_plans.get(conn, plan_id)
        if plan is None:
            raise NtmError(f"no plan '{plan_id}'")
        if plan["criteria_set"]:
            return plan["criteria_set"]
    used = set(store_plans.criteria_sets_targeted(conn, unit_ids))
    if len(used) == 1:
        return used.pop()
    return criteria_sets.default_code(conn)


def _criteria_targets(conn, set_code: str, plan_id: str | None,
                      unit_ids: list[int] | None) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for t in store_plans.targets(conn, plan_id, unit_ids):
        if t["kind"] == "criteria" and t["criteria_set"] == set_code:
            out.setdefault(t["unit_id"], []).append(t)
    return out


def criteria_target_progress(conn, target: dict, plan: dict, verdicts_now, verdicts_start,
                             unit_id: int, as_of: date) -> dict:
    wanted = set(target["criteria"])
    code = target["criteria_set"]
    actual = len(state.met_numbers(verdicts_now, unit_id, code) & wanted)
    baseline = len(state.met_numbers(verdicts_start, unit_id, code) & wanted)
    goal = len(wanted)
    start, deadline = _day(plan["start"]), _day(target["by"])
    expected = pace.expected(start, baseline, deadline, goal, as_of)
    return {"actual": actual, "baseline": baseline, "goal": goal, "expected": expected,
            "deadline": target["by"], "state": judge(actual, baseline, goal, expected, deadline,
                                                      as_of, "up")}


def judge(actual, baseline, goal, expected, deadline: date, as_of: date, direction: str,
          ratio: float = BEHIND_RATIO) -> str:
    """done | overdue | behind | on_track. Behind: progress since baseline below `ratio` ×
    the progress expected by now."""
    sign = -1 if direction == "down" else 1
    done = sign * (actual - goal) >= -1e-9
    if done:
        return "done"
    if as_of > deadline:
        return "overdue"
    made = sign * (actual - baseline)
    due = sign * (expected - baseline)
    if due > 0 and made < ratio * due - 1e-9:
        return "behind"
    return "on_track"


def status(conn, as_of: date, under_id: int | None, plan_id: str | None, set_code: str | None,
           ratio: float = BEHIND_RATIO) -> tuple[list[dict], dict]:
    tree = Tree.load(conn, under_id, villages=False)
    unit_ids = scope_units(conn, tree, as_of, under_id, plan_id)
    # A national report reads everything at once; a district's reads only its own units.
    scoped = unit_ids if under_id else None
    code = choose_set(conn, set_code, plan_id, scoped)
    cs = criteria_sets.get(conn, code)
    numbers = cs.numbers
    verdicts = state.criteria(conn, as_of, code, scoped)
    recognitions = state.recognitions(conn, as_of, scoped)
    targets = _criteria_targets(conn, code, plan_id, scoped)
    plans: dict[str, dict] = {}
    starts: dict[str, dict] = {}
    rows = []
    for unit_id in unit_ids:
        u = tree.units[unit_id]
        met = state.met_numbers(verdicts, unit_id, code)
        missing = [n for n in numbers if n not in met]
        row = {
            "unit": u["name"], "unit_path": tree.path(unit_id), "unit_kind": u["kind"],
            "parent": tree.units[u["parent_id"]]["name"] if u["parent_id"] else None,
            "criteria_set": code, "criteria_met": len(met), "criteria_total": len(numbers),
            "missing": missing, "target_date": None, "plan": None, "recognition": None,
            "recognition_date": None, "state": None, "_unit_id": unit_id,
        }
        rec = recognitions.get(unit_id)
        if rec and rec["criteria_set"] == code:
            row["recognition"], row["recognition_date"] = rec["decision"], rec["date"]
        full = [t for t in targets.get(unit_id, []) if set(t["criteria"]) >= set(numbers)]
        chosen = min(full or targets.get(unit_id, []), key=lambda t: t["by"], default=None)
        if row["recognition"]:
            row["state"] = "recognized"
        elif not missing:
            row["state"] = "meets_all"
        if chosen:
            row["target_date"], row["plan"] = chosen["by"], chosen["plan"]
            if row["state"] is None:
                if chosen["plan"] not in plans:
                    plans[chosen["plan"]] = store_plans.get(conn, chosen["plan"])
                plan = plans[chosen["plan"]]
                if chosen["plan"] not in starts:
                    starts[chosen["plan"]] = state.criteria(conn, _day(plan["start"]), code, scoped)
                progress = criteria_target_progress(conn, chosen, plan, verdicts,
                                                    starts[chosen["plan"]], unit_id, as_of)
                row["state"] = "on_track" if progress["state"] == "done" else progress["state"]
        if row["state"] is None:
            row["state"] = "no_target"
        rows.append(row)
    count = len(rows)
    totals = {
        "units": count, "criteria_set": code, "criteria_total": len(numbers),
        "meeting_all": sum(1 for r in rows if r["criteria_met"] == len(numbers)),
        "recognized": sum(1 for r in rows if r["recognition"]),
        "average_criteria_met": round(sum(r["criteria_met"] for r in rows) / count, 2) if count else None,
        "as_of": as_of.isoformat(),
    }
    return rows, totals


def criteria_stats(conn, as_of: date, under_id: int | None, set_code: str | None) -> list[dict]:
    tree = Tree.load(conn, under_id, villages=False)
    unit_ids = scope_units(conn, tree, as_of, under_id, None)
    code = choose_set(conn, set_code, None, unit_ids if under_id else None)
    cs = criteria_sets.get(conn, code)
    verdicts = state.criteria(conn, as_of, code, unit_ids if under_id else None)
    rows = []
    for c in cs.criteria:
        met = sum(1 for u in unit_ids if c.number in state.met_numbers(verdicts, u, code))
        rows.append({"criteria_set": code, "criterion": c.number, "name_vi": c.name_vi,
                     "name_en": c.name_en, "units_met": met, "units_total": len(unit_ids),
                     "share": round(met / len(unit_ids), 4) if unit_ids else None})
    rows.sort(key=lambda r: (r["units_met"], r["criterion"]))
    return rows


def progress(conn, plan_id: str, as_of: date, under_id: int | None,
             ratio: float = BEHIND_RATIO, tree: Tree | None = None) -> list[dict]:
    """Each indicator target of the plan, with roll-up rows for the units above them.
    `tree`: the caller's, when it has loaded one already (it must hold `under_id`'s subtree)."""
    plan = store_plans.get(conn, plan_id)
    if plan is None:
        raise NtmError(f"no plan '{plan_id}'; known plans: {', '.join(store_plans.ids(conn)) or 'none'}")
    tree = tree or Tree.load(conn, under_id)
    targets = [t for t in store_plans.targets(conn, plan_id) if t["kind"] != "criteria"]
    if under_id:
        allowed = set(tree.descendants(under_id)) | {under_id}
        targets = [t for t in targets if t["unit_id"] in allowed]
    codes = sorted({t["indicator"] for t in targets})
    definitions = {c: store_plans.indicator(conn, c) for c in codes}
    start = _day(plan["start"])
    now_values = state.indicator_values(conn, as_of, tree, codes)
    start_values = state.indicator_values(conn, start, tree, codes)
    rows = []
    for code in codes:
        definition = definitions[code]
        mine = [t for t in targets if t["indicator"] == code]
        by_unit = {}
        for t in mine:
            unit_id = t["unit_id"]
            baseline = t["baseline"] if t["baseline"] is not None else start_values.get((unit_id, code), 0.0)
            goal = t["amount"] + baseline if t["kind"] == "increase" else t["amount"]
            actual = now_values.get((unit_id, code))
            deadline = _day(t["by"])
            milestones = [(_day(d), s) for d, s in t["milestones"]]
            expected = pace.expected(start, baseline, deadline, goal, as_of, milestones)
            by_unit[unit_id] = _progress_row(tree, unit_id, code, definition, baseline, actual,
                                             goal, expected, t["by"], as_of, ratio, own=True)
        rows += _with_rollups(tree, by_unit, code, definition, as_of, ratio)
    return rows


def share_of_target(value: float, baseline: float, goal: float) -> float:
    """How far `value` has come from the baseline towards the goal (1.0 = reached)."""
    span = goal - baseline
    return (value - baseline) / span if span else (1.0 if value == goal else 0.0)


def _progress_row(tree, unit_id, code, definition, baseline, actual, goal, expected, deadline,
                  as_of, ratio, own) -> dict:
    direction = (definition or {}).get("direction", "up")
    value = actual if actual is not None else baseline
    share = share_of_target(value, baseline, goal)
    return {
        "unit": tree.units[unit_id]["name"], "unit_path": tree.path(unit_id),
        "unit_kind": tree.units[unit_id]["kind"], "depth": tree.depth(unit_id),
        "indicator": code, "indicator_name": (definition or {}).get("name"),
        "measure": (definition or {}).get("measure"), "baseline": _r(baseline),
        "actual": _r(actual), "goal": _r(goal), "percent_of_target": _r(share * 100),
        "expected": _r(expected), "deadline": deadline,
        "state": judge(value, baseline, goal, expected, date.fromisoformat(deadline), as_of,
                       direction, ratio),
        "rollup": not own, "_unit_id": unit_id,
    }


def _r(value):
    return None if value is None else round(value, 4)


def _with_rollups(tree, by_unit: dict[int, dict], code, definition, as_of, ratio) -> list[dict]:
    rollup = (definition or {}).get("rollup", "sum")
    rows = dict(by_unit)
    if rollup != "none":
        lineage = {u: tree.ancestors(u) for u in by_unit}
        tops = [u for u in by_unit if not any(a in by_unit for a in lineage[u])]
        below: dict[int, list[int]] = {}  # each ancestor's top-level targets, in one pass
        for u in tops:
            for a in lineage[u]:
                below.setdefault(a, []).append(u)
        for a, under in below.items():
            parts = [by_unit[u] for u in under]
            if len(parts) < 2 and tree.units[a]["kind"] not in ("district", "cluster", "commune", "town", "ward"):
                continue
            combine = (lambda xs: sum(xs)) if rollup == "sum" else (lambda xs: sum(xs) / len(xs))
            baseline = combine([p["baseline"] for p in parts])
            actual_parts = [p["actual"] if p["actual"] is not None else p["baseline"] for p in parts]
            actual = combine(actual_parts)
            goal = combine([p["goal"] for p in parts])
            expected = combine([p["expected"] for p in parts])
            deadline = max(p["deadline"] for p in parts)
            rows[a] = _progress_row(tree, a, code, definition, baseline, actual, goal, expected,
                                    deadline, as_of, ratio, own=False)
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


def group_rows(conn, rows: list[dict], under_id: int | None) -> list[tuple[str, list[dict]]]:
    """Rows (with `_unit_id`) grouped by the unit at the level below the filter (provinces,
    then districts), in Vietnamese order: what a person can read instead of hundreds of rows."""
    tree = Tree.load(conn, under_id, villages=False)
    base_depth = tree.depth(under_id) + 1 if under_id else 0
    groups: dict[int, list[dict]] = {}
    for r in rows:
        unit_id = r["_unit_id"]
        chain = list(reversed(tree.ancestors(unit_id))) + [unit_id]
        key = chain[min(base_depth, len(chain) - 1)]
        groups.setdefault(key, []).append(r)
    return [(tree.units[key]["name"], groups[key])
            for key in sorted(groups, key=lambda k: tree.units[k]["sort_key"])]


def group_status(conn, rows: list[dict], under_id: int | None) -> list[dict]:
    """Status rows summed by the level below the filter."""
    out = []
    for name, members in group_rows(conn, rows, under_id):
        total = members[0]["criteria_total"]
        out.append({
            "group": name, "units": len(members),
            "meeting_all": sum(1 for m in members if m["criteria_met"] == total),
            "recognized": sum(1 for m in members if m["recognition"]),
            "average_criteria_met": round(sum(m["criteria_met"] for m in members) / len(members), 2),
            "behind": sum(1 for m in members if m["state"] == "behind"),
            "overdue": sum(1 for m in members if m["state"] == "overdue"),
            "criteria_total": total,
        })
    return out
