"""Who is falling behind: every unit behind or overdue on a target, or missing its report.

Pure rules over the as-of state and the plans; the as-of date is passed in, never read
from the clock. A unit is behind when its progress since the baseline is below R × the
progress expected by now (R = 0.8 by default); overdue when the deadline has passed short of
the goal; no_report when a plan with report_every has no observation from it (or the units
below it) dated inside the last reporting period that closed on or before the day.
Without a plan named, only plans in force on the day are judged (started, and not past
their end or last deadline).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..model import NtmError
from ..read.plan_file import WEEKDAYS
from ..register.tree import Tree
from ..store import observations as store_obs
from ..store import plans as store_plans
from . import state
from . import status as reports


def last_period(report_every: str, as_of: date) -> tuple[date, date] | None:
    """The last reporting period (first day, last day) that closed on or before `as_of`."""
    if report_every == "day":
        day = as_of - timedelta(days=1)
        return day, day
    if report_every in WEEKDAYS:
        weekday = WEEKDAYS.index(report_every)
        due = as_of - timedelta(days=(as_of.weekday() - weekday) % 7)
        return due - timedelta(days=6), due
    if report_every == "month":
        last = as_of.replace(day=1) - timedelta(days=1)
        if as_of == _month_end(as_of):
            last = as_of
        return last.replace(day=1), last
    if report_every == "quarter":
        first_month = 3 * ((as_of.month - 1) // 3) + 1
        quarter_start = as_of.replace(month=first_month, day=1)
        end = quarter_start - timedelta(days=1)
        return end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1), end
    return None


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def laggards(conn, as_of: date, plan_id: str | None = None, under_id: int | None = None,
             ratio: float = reports.BEHIND_RATIO) -> list[dict]:
    tree = Tree.load(conn, under_id)
    allowed = None
    if under_id:
        allowed = set(tree.descendants(under_id)) | {under_id}
    scoped = sorted(allowed) if allowed is not None else None
    plan_ids = [plan_id] if plan_id else store_plans.ids(conn)
    rows: list[dict] = []
    day = as_of.isoformat()
    now = None  # the criteria on the day, read once for every plan that needs them
    directions: dict[str, str | None] = {}
    for pid in plan_ids:
        plan = store_plans.get(conn, pid)
        if plan is None:
            raise NtmError(f"no plan '{pid}'")
        start = date.fromisoformat(plan["start"])
        if start > as_of:
            continue
        targets = [t for t in store_plans.targets(conn, pid)
                   if allowed is None or t["unit_id"] in allowed]
        last_day = max([plan["end"]] + [t["by"] for t in targets])
        if not plan_id and as_of.isoformat() > last_day:
            continue  # a plan that is over is asked about by name (--plan)
        active = [t for t in targets if not (tree.units[t["unit_id"]]["active_until"]
                                             and tree.units[t["unit_id"]]["active_until"] <= day)]
        criteria_targets = [t for t in active if t["kind"] == "criteria"]
        if criteria_targets:
            if now is None:
                now = state.criteria(conn, as_of, None, scoped)
            then = state.criteria(conn, start, None, scoped)
            for t in criteria_targets:
                p = reports.criteria_target_progress(conn, t, plan, now, then, t["unit_id"], as_of)
                if p["state"] in ("behind", "overdue"):
                    rows.append(_row(tree, t["unit_id"], pid, t["criteria"], p, as_of, None))
        for p in reports.progress(conn, pid, as_of, under_id, ratio, tree=tree):
            if p["rollup"] or p["state"] not in ("behind", "overdue"):
                continue
            actual = p["actual"] if p["actual"] is not None else p["baseline"]
            if p["indicator"] not in directions:
                directions[p["indicator"]] = (store_plans.indicator(conn, p["indicator"]) or {}).get("direction")
            rows.append(_row(tree, p["_unit_id"], pid, p["indicator"],
                             {"actual": actual, "expected": p["expected"], "goal": p["goal"],
                              "deadline": p["deadline"], "state": p["state"],
                              "baseline": p["baseline"]}, as_of, directions[p["indicator"]]))
        period = last_period(plan["report_every"], as_of) if plan["report_every"] else None
        if period and period[1] >= start and period[0] <= date.fromisoformat(plan["end"]):
            reported = store_obs.reported_units(conn, period[0].isoformat(), period[1].isoformat())
            for unit_id in sorted({t["unit_id"] for t in active}):
                family = {unit_id, *tree.descendants(unit_id)}
                if not family & reported:
                    rows.append({
                        "unit": tree.units[unit_id]["name"], "unit_path": tree.path(unit_id),
                        "plan": pid, "target": None, "actual": None, "expected": None,
                        "goal": None, "deadline": period[1].isoformat(), "shortfall": None,
                        "days_left": (period[1] - as_of).days, "reason": "no_report",
                        "period_start": period[0].isoformat(), "period_end": period[1].isoformat(),
                    })
    order = {"overdue": 0, "behind": 1, "no_report": 2}
    rows.sort(key=lambda r: (order[r["reason"]],
                             r["days_left"] if r["reason"] == "overdue" else 0,
                             -(r.get("shortfall_share") or 0), r.get("_key", r["unit_path"])))
    for r in rows:
        r.pop("shortfall_share", None)
        r.pop("_key", None)
    return rows


def _row(tree, unit_id, plan_id, target, p, as_of, direction) -> dict:
    deadline = date.fromisoformat(p["deadline"])
    sign = -1 if direction == "down" else 1
    reference = p["goal"] if p["state"] == "overdue" else p["expected"]
    shortfall = round(sign * (reference - p["actual"]), 4)
    span = abs(p["goal"] - p["baseline"]) or abs(p["goal"]) or 1
    return {
        "unit": tree.units[unit_id]["name"], "unit_path": tree.path(unit_id), "plan": plan_id,
        "target": target, "actual": round(p["actual"], 4), "expected": round(p["expected"], 4),
        "goal": p["goal"], "deadline": p["deadline"], "shortfall": shortfall,
        "days_left": (deadline - as_of).days, "reason": p["state"],
        "period_start": None, "period_end": None,
        "shortfall_share": shortfall / span, "_key": tree.units[unit_id]["sort_key"],
    }
