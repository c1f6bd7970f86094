"""The weekly digest as data: what changed since a date, who lags, what is due.

The communes, the set and the laggards are those of `status` and `laggards` for the same
scope; the share reported on time counts the reporters `laggards` expects (laggards.reporters).
Output as text or Markdown is output/summary.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..model import BELOW_COMMUNE_KINDS, Scope
from ..register.tree import Tree
from ..store import observations as store_obs
from ..store import plans as store_plans
from . import dossiers as dossier_rules
from . import laggards as laggard_rules
from . import scope as scoping
from . import state


def digest(conn, scope: Scope, since: date, waiting_days: int = dossier_rules.DEFAULT_WAITING_DAYS) -> dict:
    plans = scoping.plans(conn, scope)
    week = since < scope.as_of
    # Only what was observed after `since` can differ between the two days (voids apply on
    # both; a merger in the week starts a commune afresh): the rest of the register is not read.
    valued = (store_plans.indicator_units_observed(conn, since.isoformat(), scope.as_of.isoformat(),
                                                   scope.under_id) if week else None)
    villages = (scoping.needs_villages(conn, plans, scope.under_id) or valued is None
                or any(kind in BELOW_COMMUNE_KINDS for kind in valued.values()))
    tree = Tree.load(conn, scope.under_id, villages=villages)
    unit_ids = scoping.communes(conn, tree, scope)
    code = scoping.criteria_set(conn, scope, unit_ids)
    scoped = scoping.reading(scope, unit_ids)
    moved = unit_ids
    if week:
        moved = sorted(set(store_obs.units_observed(conn, unit_ids, (since + timedelta(days=1)).isoformat(),
                                                    scope.as_of.isoformat()))
                       | {u for u, day in state.mergers(conn, scope.as_of, scoped).items()
                          if day > since.isoformat()})
    # The criteria met on both days, as status reads them.
    before = state.met_sets(conn, since, code, moved if week else scoped)
    after = state.met_sets(conn, scope.as_of, code, moved if week else scoped)
    communes = set(unit_ids)
    newly_met, newly_lost = [], []
    kept = set(moved)
    nothing: frozenset[int] = frozenset()
    for u in (u for u in unit_ids if u in kept):
        then, now = before.get(u, nothing), after.get(u, nothing)
        if now - then:
            newly_met.append({"unit": tree.units[u]["name"], "unit_path": tree.path(u), "criteria": sorted(now - then)})
        if then - now:
            newly_lost.append({"unit": tree.units[u]["name"], "unit_path": tree.path(u), "criteria": sorted(then - now)})
    in_scope = scoping.units(conn, tree, scope)
    own_ids = sorted(in_scope) if in_scope is not None else None
    if valued is not None:
        own_ids = sorted(u for u in valued if u in tree.units and (in_scope is None or u in in_scope))
    own_now = state.own_indicator_values(conn, scope.as_of, None, own_ids)
    own_then = state.own_indicator_values(conn, since, None, own_ids)
    changed = sorted((k for k, v in own_now.items()
                      if k[0] in tree.units and abs(v - own_then.get(k, 0.0)) > 1e-9),
                     key=lambda k: (tree.units[k[0]]["sort_key"], tree.path(k[0]), k[1]))
    gains = [{"unit": tree.units[u]["name"], "unit_path": tree.path(u), "indicator": indicator,
              "from": own_then.get((u, indicator)), "to": own_now[(u, indicator)],
              "change": round(own_now[(u, indicator)] - own_then.get((u, indicator), 0.0), 4)}
             for u, indicator in changed]
    # every decision of the week, a revocation too, each with its level
    recognitions = [
        {"unit": tree.units[u]["name"], "unit_path": tree.path(u), "decision": decision,
         "date": on, "kind": kind, "level": level}
        for u, kind, level, _code, decision, on in state.title_decisions(conn, since, scope.as_of, scoped)
        if u in communes]
    targets_of = {plan["id"]: scoping.targets(conn, scope, tree, plan) for plan in plans}
    lag = laggard_rules.laggards(conn, scope, tree, targets_of)
    due_soon = []
    horizon = scope.as_of + timedelta(days=30)
    expected_reporters = 0
    for plan in plans:
        active = targets_of[plan["id"]]
        for t in active:
            if scope.as_of < date.fromisoformat(t["by"]) <= horizon:
                due_soon.append({"unit": tree.units[t["unit_id"]]["name"],
                                 "unit_path": tree.path(t["unit_id"]), "plan": plan["id"],
                                 "target": t["criteria"] if t["kind"] == "criteria" else t["indicator"],
                                 "deadline": t["by"]})
        expected_reporters += len(laggard_rules.reporters(conn, scope, tree, plan, active)[1])
    due_soon.sort(key=lambda d: d["deadline"])
    # The week's dossier steps (from the day after `since`, like the other sections), and the
    # departments holding a dossier longer than `waiting_days`.
    steps = [{"unit": tree.units[s["unit_id"]]["name"], "unit_path": tree.path(s["unit_id"]),
              "step": s["step"], "department": s["department"], "result": s["result"],
              "value": s["value"], "level": s["level"], "date": s["date"]}
             for s in dossier_rules.steps_between(conn, since + timedelta(days=1), scope.as_of, unit_ids)]
    holding = [{"department": r.department, "name": r.name, "waiting": r.waiting,
                "oldest_days": r.oldest_days}
               for r in dossier_rules.departments(conn, scope, tree)
               if r.oldest_days is not None and r.oldest_days > waiting_days]
    no_report = [r for r in lag if r.reason == "no_report"]
    on_time = (1 - len(no_report) / expected_reporters) if expected_reporters else None
    return {
        "as_of": scope.as_of.isoformat(), "since": since.isoformat(), "criteria_set": code,
        "newly_met": newly_met, "newly_lost": newly_lost, "indicator_gains": gains,
        "recognitions": recognitions, "laggard_count": len({r.unit_id for r in lag}),
        "laggards": [laggard_dict(r) for r in lag[:10]],
        "due_soon": due_soon, "missed_reports": [
            {"unit": r.unit, "unit_path": r.unit_path, "plan": r.plan,
             "period_start": r.period_start, "period_end": r.period_end} for r in no_report],
        "reported_on_time_share": round(on_time, 4) if on_time is not None else None,
        "dossier_steps": steps, "departments_waiting": holding, "waiting_days": waiting_days,
    }


LAGGARD_KEYS = ("unit", "unit_path", "plan", "target", "actual", "expected", "goal", "deadline",
                "shortfall", "days_left", "reason", "period_start", "period_end")


def laggard_dict(row) -> dict:
    """A laggard as machine formats carry it (the README's keys)."""
    out = {k: getattr(row, k) for k in LAGGARD_KEYS}
    if isinstance(out["target"], tuple):
        out["target"] = list(out["target"])
    return out
