"""The road to a title as reports: how far each commune's dossier has come, which departments
hold dossiers, which steps are late, which were done in a week.

A commune is ready for a decision (`ready`) when the recognition conditions of 18/2022/QĐ-TTg
that the register records hold: every criterion of its set met on the day; a finished dossier
for every criterion and the general dossier; every department the province declared has
appraised it and passed it; the residents' satisfaction surveyed; the appraisal council has
voted; and no outstanding construction debt. `missing` names what does not hold, as codes.
"""

from __future__ import annotations

from datetime import date

from ..model import DossierRow, DepartmentRow, Scope, STEPS
from ..register import criteria as criteria_sets
from ..register import titles
from ..register.tree import Tree
from ..store import dossiers as db
from ..store import units as store_units
from . import scope as scoping
from . import state

MISSING = ("criteria", "criteria_dossiers", "general_dossier", "departments", "satisfaction",
           "council", "debt")
DEFAULT_WAITING_DAYS = 15


def dossier_status(conn, scope: Scope, level: str | None = None,
                   debts: dict[int, int] | None = None) -> list[DossierRow]:
    """One row per commune on the road: a commune with a dossier step (of `level` when given)
    or, with --plan, every commune the plan gives a target."""
    tree = Tree.load(conn, scope.under_id, villages=False)
    communes = scoping.communes(conn, tree, scope)
    scoped = scoping.reading(scope, communes)
    found = db.steps(conn, scope.as_of.isoformat(), scoped)
    by_unit: dict[int, list[dict]] = {}
    for s in found:
        by_unit.setdefault(s["unit_id"], []).append(s)
    on_road = [u for u in communes if u in by_unit or scope.plan_id]
    if not on_road:
        return []
    default_set = scoping.criteria_set(conn, scope, communes)
    verdicts = state.criteria(conn, scope.as_of, None, scoped)
    held = state.recognitions(conn, scope.as_of, scoped)
    provinces = db.provinces_of(conn, on_road)
    declared: dict[int | None, list[dict]] = {}
    for d in db.departments(conn, sorted({p for p in provinces.values() if p})):
        declared.setdefault(d["province_id"], []).append(d)
    labels = scoping.labels(tree, on_road)
    debts = debts or {}
    rows = []
    sets: dict[str, list[int]] = {}
    for u in on_road:
        steps = by_unit.get(u, [])
        sought = level or (steps[-1]["level"] if steps else "ntm")
        steps = [s for s in steps if s["level"] == sought]
        if level and not steps and not scope.plan_id:
            continue
        # A road leads to a level under one set: steps taken for another set (an earlier
        # period's road) are not this road's.
        code = steps[-1]["criteria_set"] if steps else default_set
        steps = [s for s in steps if s["criteria_set"] == code]
        if code not in sets:
            sets[code] = criteria_sets.get(conn, code).numbers
        numbers = sets[code]
        met = state.met_numbers(verdicts, u, code)
        rows.append(_row(tree, u, labels[u], sought, code, numbers, met, steps,
                         held.get(u), declared.get(provinces[u], []), debts.get(u, 0), scope.as_of,
                         satisfaction_min(conn, code)))
    return rows


def _row(tree, u, label, level, code, numbers, met, steps, title, departments, debt, as_of,
         satisfaction_min: float | None = None) -> DossierRow:
    latest: dict[str, dict] = {}
    sent, inspected, appraisal = set(), set(), {}
    for s in steps:
        latest[s["step"]] = s
        if s["step"] == "sent":
            sent.add(s["department"])
        elif s["step"] == "inspected":
            inspected.add(s["department"])
        elif s["step"] == "appraised":
            appraisal[s["department"]] = s["result"]
    codes = {d["code"] for d in departments}
    passed = sum(1 for d, r in appraisal.items() if r == "passed" and (d in codes or not codes))
    returned = sum(1 for r in appraisal.values() if r == "returned")
    held = titles.holds(title, level, code)
    recognized = held is not None
    if recognized:
        step, step_date = "recognized", held["date"]
    elif latest:
        furthest = max(latest, key=STEPS.index)
        step, step_date = furthest, latest[furthest]["date"]
    else:
        step, step_date = None, None
    dossiers = latest.get("criteria_dossiers")
    satisfaction = latest.get("satisfaction")
    missing_numbers = tuple(n for n in numbers if n not in met)
    missing = []
    if not recognized:
        if missing_numbers:
            missing.append("criteria")
        if dossiers is None or int(dossiers["value"]) < len(numbers):
            missing.append("criteria_dossiers")
        if "general_dossier" not in latest:
            missing.append("general_dossier")
        if codes and passed < len(codes):
            missing.append("departments")
        if satisfaction is None or (satisfaction_min is not None and satisfaction["value"] < satisfaction_min):
            missing.append("satisfaction")
        if "council" not in latest:
            missing.append("council")
        if debt > 0:
            missing.append("debt")
    last_day = step_date
    return DossierRow(
        unit=tree.units[u]["name"], unit_path=tree.path(u), level=level, criteria_set=code,
        step=step, step_date=step_date,
        criteria_dossiers=int(dossiers["value"]) if dossiers else None, criteria_total=len(numbers),
        general_dossier="general_dossier" in latest, departments_total=len(codes),
        departments_sent=len(sent), departments_inspected=len(inspected),
        departments_passed=passed, departments_returned=returned,
        satisfaction=satisfaction["value"] if satisfaction else None,
        days_since_step=(as_of - date.fromisoformat(last_day)).days if last_day else None,
        # ready for a decision: every condition holds and none has been made yet
        ready=not recognized and not missing, missing=tuple(missing), unit_id=u, label=label,
        criteria_missing=missing_numbers, debt=debt)


def departments(conn, scope: Scope, tree: Tree | None = None) -> list[DepartmentRow]:
    """Per department of the provinces in scope: dossiers sent to it and not yet appraised
    (waiting, the oldest in days; a commune granted the title it sought no longer waits),
    inspected, passed, returned — worst bottleneck first. A department is its province's:
    two provinces' `so-xay-dung` are two rows. `tree`: the caller's, holding the scope."""
    tree = tree or Tree.load(conn, scope.under_id, villages=False)
    communes = scoping.communes(conn, tree, scope)
    scoped = scoping.reading(scope, communes)
    in_scope = set(communes)
    steps = [s for s in db.steps(conn, scope.as_of.isoformat(), scoped)
             if s["department"] is not None and s["unit_id"] in in_scope]
    provinces = db.provinces_of(conn, sorted({s["unit_id"] for s in steps}))
    province = db.province_of(conn, scope.under_id) if scope.under_id else None
    if province:
        wanted = [province]
    else:   # the whole register, or a unit above provinces: theirs
        wanted = sorted({p for p in provinces.values() if p}) if scope.under_id else None
    declared = db.departments(conn, wanted)
    held = state.recognitions(conn, scope.as_of, sorted(provinces)) if provinces else {}
    # (province, department) → {commune: what the department did with its dossier}
    by_department: dict[tuple[int, str], dict[int, dict]] = {}
    for s in steps:
        entry = by_department.setdefault((provinces[s["unit_id"]], s["department"]), {}).setdefault(
            s["unit_id"], {"sent": None, "appraised": None, "result": None, "inspected": False,
                           "done": False})
        if s["step"] == "sent":
            entry["sent"] = s["date"]
        elif s["step"] == "inspected":
            entry["inspected"] = True
        elif s["step"] == "appraised":
            entry["appraised"], entry["result"] = s["date"], s["result"]
        if titles.holds(held.get(s["unit_id"]), s["level"], s["criteria_set"]):
            entry["done"] = True
    names = {p: store_units.get(conn, p).name for p in {d["province_id"] for d in declared}}
    rows = []
    for d in declared:
        mine = list(by_department.get((d["province_id"], d["code"]), {}).values())
        waiting = [e for e in mine if e["sent"] and not e["done"]
                   and (e["appraised"] is None or e["appraised"] < e["sent"])]
        oldest = max(((scope.as_of - date.fromisoformat(e["sent"])).days for e in waiting), default=None)
        rows.append(DepartmentRow(
            department=d["code"], name=d["name"], waiting=len(waiting), oldest_days=oldest,
            inspected=sum(1 for e in mine if e["inspected"]),
            passed=sum(1 for e in mine if e["result"] == "passed"),
            returned=sum(1 for e in mine if e["result"] == "returned"),
            sent=sum(1 for e in mine if e["sent"]), province=names.get(d["province_id"])))
    rows.sort(key=lambda r: (-r.waiting, -(r.oldest_days or 0)))
    return rows


def satisfaction_min(conn, code: str) -> float | None:
    """The residents' satisfaction a set requires for recognition (`satisfaction_min`, in %, in
    its YAML), when it gives one."""
    value = criteria_sets.get(conn, code).extra.get("satisfaction_min")
    return float(value) if value not in (None, "") else None


def steps_done(conn, as_of: date, unit_ids: list[int]) -> dict[int, set[str]]:
    """{commune: the dossier steps it has done up to the day}: criteria_dossiers only once a
    dossier is finished for every criterion of its set."""
    done: dict[int, set[str]] = {}
    totals: dict[str, int] = {}
    for s in db.steps(conn, as_of.isoformat(), unit_ids):
        if s["step"] == "criteria_dossiers":
            code = s["criteria_set"]
            if code not in totals:
                totals[code] = len(criteria_sets.get(conn, code).numbers)
            if (s["value"] or 0) < totals[code]:
                continue
        done.setdefault(s["unit_id"], set()).add(s["step"])
    return done


def late(deadlines: dict[str, str], done: set[str], as_of: date) -> list[tuple[str, str]]:
    """(step, deadline) of the steps past their deadline and not done, earliest first. Each
    step counts on its own: departments inspect while criteria dossiers are still written."""
    return [(step, day) for step, day in sorted(deadlines.items(), key=lambda x: (x[1], STEPS.index(x[0])))
            if day < as_of.isoformat() and step not in done]


def steps_between(conn, since: date, until: date, unit_ids: list[int] | None) -> list[dict]:
    """Dossier steps dated in since..until (the summary's week)."""
    return db.steps(conn, until.isoformat(), unit_ids, since=since.isoformat())
