"""The weekly digest: what changed since a date, who lags, what is due — as data and as
plain text of at most 80 columns (what a cron mail or a Zalo message can carry)."""

from __future__ import annotations

from datetime import date, timedelta

from ..register.tree import Tree
from ..store import plans as store_plans
from . import laggards as laggard_rules
from . import state
from . import status as reports


def digest(conn, as_of: date, since: date, plan_id: str | None, under_id: int | None,
           set_code: str | None) -> dict:
    tree = Tree.load(conn)
    unit_ids = reports.scope_units(conn, tree, as_of, under_id, plan_id)
    code = reports.choose_set(conn, set_code, plan_id, unit_ids)
    before = state.criteria(conn, since, code)
    after = state.criteria(conn, as_of, code)
    newly_met, newly_lost = [], []
    for u in unit_ids:
        then, now = state.met_numbers(before, u, code), state.met_numbers(after, u, code)
        if now - then:
            newly_met.append({"unit": tree.units[u]["name"], "criteria": sorted(now - then)})
        if then - now:
            newly_lost.append({"unit": tree.units[u]["name"], "criteria": sorted(then - now)})
    scope = set(unit_ids)
    if under_id:
        scope |= set(tree.descendants(under_id))
    own_now = state.own_indicator_values(conn, as_of)
    own_then = state.own_indicator_values(conn, since)
    gains = []
    for (u, indicator), value in sorted(own_now.items()):
        if under_id and u not in scope:
            continue
        old = own_then.get((u, indicator), 0.0)
        if abs(value - old) > 1e-9:
            gains.append({"unit": tree.units[u]["name"], "indicator": indicator,
                          "from": old, "to": value, "change": round(value - old, 4)})
    recognitions = [
        {"unit": tree.units[u]["name"], "decision": r["decision"], "date": r["date"]}
        for u, r in state.recognitions(conn, as_of).items()
        if since < date.fromisoformat(r["date"]) <= as_of and (not under_id or u in scope)]
    lag = laggard_rules.laggards(conn, as_of, plan_id, under_id)
    due_soon = []
    horizon = as_of + timedelta(days=30)
    plan_units = set()  # (plan, unit) pairs expected to report in the last period
    for pid in ([plan_id] if plan_id else store_plans.ids(conn)):
        plan = store_plans.get(conn, pid)
        reporting = bool(plan and plan["report_every"]
                         and laggard_rules.last_period(plan["report_every"], as_of))
        for t in store_plans.targets(conn, pid):
            if under_id and t["unit_id"] not in scope:
                continue
            if as_of < date.fromisoformat(t["by"]) <= horizon:
                due_soon.append({"unit": tree.units[t["unit_id"]]["name"], "plan": pid,
                                 "target": t["criteria"] if t["kind"] == "criteria" else t["indicator"],
                                 "deadline": t["by"]})
            if reporting:
                plan_units.add((pid, t["unit_id"]))
    due_soon.sort(key=lambda d: d["deadline"])
    no_report = [r for r in lag if r["reason"] == "no_report"]
    on_time = (1 - len(no_report) / len(plan_units)) if plan_units else None
    return {
        "as_of": as_of.isoformat(), "since": since.isoformat(), "criteria_set": code,
        "newly_met": newly_met, "newly_lost": newly_lost, "indicator_gains": gains,
        "recognitions": recognitions, "laggard_count": len(lag), "laggards": lag[:10],
        "due_soon": due_soon, "missed_reports": [
            {"unit": r["unit"], "plan": r["plan"], "period_start": r["period_start"],
             "period_end": r["period_end"]} for r in no_report],
        "reported_on_time_share": round(on_time, 4) if on_time is not None else None,
    }
