"""Who is falling behind: every unit behind or overdue on a target, or missing its report.

Pure rules over the as-of state and the plans; the as-of date is passed in, never read
from the clock. A unit is behind when its progress since the baseline is below R × the
progress expected by now (R = 0.8 by default); overdue when the deadline has passed short of
the goal; dossier_late when a step of its dossier is past the plan's deadline for it
(reports/dossiers.late); no_report when a plan with report_every has no observation from it
(or the units below it) dated inside the last reporting period that closed on or before the
day, and no packet from an origin covering it arrived inside that period; money's disbursement_behind and debt come from reports/funds.py.
Without a plan named, only plans in force on the day are judged (started, and not past
their end or last deadline).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from ..model import Laggard, Scope
from ..read.plan_file import WEEKDAYS
from ..register.tree import Tree
from ..store import exchange as store_exchange
from ..store import units as store_units
from . import dossiers, funds
from . import progress as plan_progress
from . import scope as scoping
from . import state, targets


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


def laggards(conn, scope: Scope, tree: Tree | None = None,
             targets_of: dict[str, list[dict]] | None = None,
             progress_of: dict[str, list] | None = None) -> list[Laggard]:
    """Every unit behind or overdue on a target of the plans in scope, or missing its report;
    worst first. Criteria targets are judged by the same rule as `status` (targets.criteria).
    `tree`: the caller's (it must hold villages when the plans reach them, see
    scope.needs_villages); `targets_of`: {plan id: scoping.targets}, when the caller has them;
    `progress_of`: {plan id: progress.progress of the plan in this scope}, when the caller has
    them (the HTML report and the workbook show them beside the laggards)."""
    plans = scoping.plans(conn, scope)
    tree = tree or Tree.load(conn, scope.under_id, villages=scoping.needs_villages(conn, plans, scope.under_id))
    scoped = sorted(set(tree.descendants(scope.under_id)) | {scope.under_id}) if scope.under_id else None
    rows: list[dict] = []
    now: dict[str, dict[int, frozenset[int]]] = {}   # {set: state.met_sets on the day}, read once
    recognized = None
    for plan in plans:
        start = date.fromisoformat(plan["start"])
        if start > scope.as_of:
            continue
        active = (targets_of[plan["id"]] if targets_of is not None
                  else scoping.targets(conn, scope, tree, plan))
        criteria_targets = [t for t in active if t["kind"] == "criteria"]
        if criteria_targets:
            if recognized is None:
                recognized = state.recognitions(conn, scope.as_of, scoped)
            then: dict[str, dict[int, frozenset[int]]] = {}
            for code in {t["criteria_set"] for t in criteria_targets}:
                if code not in now:
                    now[code] = state.met_sets(conn, scope.as_of, code, scoped)
                then[code] = state.met_sets(conn, start, code, scoped)
            nothing: frozenset[int] = frozenset()
            for t in criteria_targets:
                u, code = t["unit_id"], t["criteria_set"]
                rec = recognized.get(u)
                p = targets.criteria(t["criteria"], now[code].get(u, nothing),
                                     then[code].get(u, nothing),
                                     state.recognized_under(rec, code), start, t["by"],
                                     scope.as_of, scope.threshold)
                if p.state in ("behind", "overdue"):
                    rows.append(_row(tree, u, plan["id"], tuple(t["criteria"]), p.actual, p.expected,
                                     p.goal, p.baseline, p.deadline, p.state, "up", scope.as_of))
            due = [t for t in criteria_targets if t["dossier"]
                   and not state.recognized_under(recognized.get(t["unit_id"]), t["criteria_set"])]
            if due:
                steps = dossiers.steps_done(conn, scope.as_of, sorted({t["unit_id"] for t in due}))
                for t in due:
                    for step, deadline in dossiers.late(t["dossier"], steps.get(t["unit_id"], set()),
                                                        scope.as_of):
                        days_left = (date.fromisoformat(deadline) - scope.as_of).days
                        rows.append(dict(
                            plan=plan["id"], target=step, actual=None, expected=None, goal=None,
                            deadline=deadline, shortfall=None, days_left=days_left,
                            reason="dossier_late", period_start=None, period_end=None,
                            unit_id=t["unit_id"],
                            order=(0, days_left, 1, tree.units[t["unit_id"]]["sort_key"])))
        if any(t["kind"] != "criteria" for t in active):
            judged = (progress_of[plan["id"]] if progress_of is not None and plan["id"] in progress_of
                      else plan_progress.progress(conn, replace(scope, plan_id=plan["id"]), tree=tree))
            for p in judged:
                if p.rollup or p.state not in ("behind", "overdue"):
                    continue
                actual = p.actual if p.actual is not None else p.baseline
                rows.append(_row(tree, p.unit_id, plan["id"], p.indicator, actual, p.expected,
                                 p.goal, p.baseline, p.deadline, p.state, p.direction, scope.as_of))
        period, expected = reporters(conn, scope, tree, plan, active)
        if period:
            since, until = period[0].isoformat(), period[1].isoformat()
            # An origin whose packet arrived inside the period reported for all its units,
            # even with nothing new to say (issue 16). The families are walked in SQL: the
            # units below a commune are its villages, most of a national tree.
            reported = store_units.families_reporting(
                conn, expected, since, until, store_exchange.units_reported_by_packets(conn, since, until))
            for unit_id in expected:
                if unit_id not in reported:
                    rows.append(dict(
                        plan=plan["id"], target=None, actual=None, expected=None, goal=None,
                        deadline=period[1].isoformat(), shortfall=None,
                        days_left=(period[1] - scope.as_of).days, reason="no_report",
                        period_start=period[0].isoformat(), period_end=period[1].isoformat(),
                        unit_id=unit_id, order=(2, 0, 0, tree.units[unit_id]["sort_key"])))
    money = funds.laggards(conn, scope, tree)   # disbursement_behind, debt
    paths, labels = scoping.named(tree, [r["unit_id"] for r in rows] + [r.unit_id for r in money])
    out = [Laggard(unit=tree.units[r["unit_id"]]["name"], unit_path=paths[r["unit_id"]],
                   label=labels[r["unit_id"]], **r) for r in rows]
    out += [r if r.label == labels[r.unit_id] else replace(r, label=labels[r.unit_id]) for r in money]
    out.sort(key=lambda r: r.order)
    return out


def reporters(conn, scope: Scope, tree: Tree, plan: dict, active: list[dict] | None = None
              ) -> tuple[tuple[date, date] | None, list[int]]:
    """(the plan's last reporting period closed on or before the day, the units expected to
    report in it): the units the plan gives targets, active on the day, in scope — for a plan
    with `report_every` whose period overlaps the plan. The one answer for laggards'
    `no_report` and the summary's share reported on time."""
    if not plan["report_every"]:
        return None, []
    period = last_period(plan["report_every"], scope.as_of)
    if not period or period[1] < date.fromisoformat(plan["start"]) or period[0] > date.fromisoformat(plan["end"]):
        return None, []
    if active is None:
        active = scoping.targets(conn, scope, tree, plan)
    units = sorted({t["unit_id"] for t in active}, key=lambda u: tree.units[u]["sort_key"])
    return period, units


def _row(tree, unit_id, plan_id, target, actual, expected, goal, baseline, deadline, reason,
         direction, as_of) -> dict:
    due = date.fromisoformat(deadline)
    sign = -1 if direction == "down" else 1
    reference = goal if reason == "overdue" else expected
    shortfall = round(sign * (reference - actual), 4) if reference is not None and actual is not None else None
    span = abs(goal - (baseline if baseline is not None else 0)) or abs(goal) or 1
    days_left = (due - as_of).days
    order = (0, days_left, 0, tree.units[unit_id]["sort_key"]) if reason == "overdue" else (
        1, 0, -((shortfall or 0) / span), tree.units[unit_id]["sort_key"])
    return dict(
        plan=plan_id, target=target, actual=round(actual, 4) if actual is not None else None,
        expected=round(expected, 4) if expected is not None else None, goal=goal,
        deadline=deadline, shortfall=shortfall, days_left=days_left, reason=reason,
        period_start=None, period_end=None, unit_id=unit_id, order=order)
