"""What a fill-in template asks of each unit: one row per unit and measure a plan asks of it
(each criterion of its criteria targets, each indicator it has a target on), with the unit's
current value on the day, and the title block's facts (committee, plan, period, the day the
figures are due). Pure: (conn, scope) -> rows; output/template.py writes the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..locale import _
from ..model import COMMUNE_KINDS, NtmError, Scope
from ..read.plan_file import WEEKDAYS
from ..register import criteria as criteria_sets
from ..register.tree import Tree
from ..store import plans as store_plans
from . import scope as scoping
from . import state


@dataclass(frozen=True)
class TemplateRow:
    """One line of a template. `criterion` or `indicator` says what it measures; `current` is
    True/False for a criterion (met or not), the unit's own value for an indicator, None when
    nothing is recorded. `group_id`: the commune (or the unit itself, above communes) whose
    file holds the row with --per-unit."""

    unit_id: int
    unit: str
    unit_path: str
    criteria_set: str | None
    criterion: int | None
    indicator: str | None
    name: str
    measure_unit: str
    percent: bool
    current: bool | float | None
    group_id: int


@dataclass(frozen=True)
class TemplateHead:
    plan: str
    title: str
    reference: str | None
    issued_by: str | None
    start: str
    end: str
    report_every: str | None
    due: date


def next_report_day(report_every: str | None, as_of: date) -> date:
    """The day the next report is due, on or after `as_of`: the named weekday, the last day of
    the month or quarter; daily reports and plans without `report_every`: the day itself."""
    if report_every in WEEKDAYS:
        return as_of + timedelta(days=(WEEKDAYS.index(report_every) - as_of.weekday()) % 7)
    if report_every in ("month", "quarter"):
        month = as_of.month if report_every == "month" else 3 * ((as_of.month - 1) // 3) + 3
        following = date(as_of.year + (month == 12), month % 12 + 1, 1)
        return following - timedelta(days=1)
    return as_of


def template(conn, scope: Scope) -> tuple[TemplateHead, list[TemplateRow]]:
    if not scope.plan_id:
        raise NtmError(_("a template needs a plan"))
    plan = store_plans.get(conn, scope.plan_id)
    tree = Tree.load(conn, scope.under_id)
    wanted = scoping.targets(conn, scope, tree, plan)
    head = TemplateHead(plan["id"], plan["title"], plan["reference"], plan["issued_by"],
                        plan["start"], plan["end"], plan["report_every"],
                        next_report_day(plan["report_every"], scope.as_of))
    unit_ids = sorted({t["unit_id"] for t in wanted})
    verdicts = state.criteria(conn, scope.as_of, None, unit_ids)
    codes = sorted({t["indicator"] for t in wanted if t["indicator"]})
    values = state.own_indicator_values(conn, scope.as_of, codes, unit_ids) if codes else {}
    definitions = {c: store_plans.indicator(conn, c) or {} for c in codes}
    sets = {}
    rows: dict[tuple, TemplateRow] = {}
    for t in wanted:
        unit_id = t["unit_id"]
        common = {"unit_id": unit_id, "unit": tree.units[unit_id]["name"], "unit_path": tree.path(unit_id),
                      "group_id": _group(tree, unit_id)}
        if t["kind"] == "criteria":
            code = t["criteria_set"]
            if code not in sets:
                sets[code] = {c.number: c for c in criteria_sets.get(conn, code).criteria}
            for number in t["criteria"] or sorted(sets[code]):
                criterion = sets[code].get(number)
                verdict = verdicts.get(unit_id, {}).get((code, number))
                rows.setdefault((unit_id, code, number), TemplateRow(
                    **common, criteria_set=code, criterion=number, indicator=None,
                    name=(criterion.name_vi if scope.lang == "vi" else criterion.name_en) if criterion else "",
                    measure_unit="", percent=False, current=verdict[0] if verdict else None))
        else:
            code = t["indicator"]
            definition = definitions[code]
            rows.setdefault((unit_id, None, code), TemplateRow(
                **common, criteria_set=None, criterion=None, indicator=code,
                name=definition.get("name") or "", measure_unit=definition.get("measure") or "",
                percent=definition.get("measure") == "%", current=values.get((unit_id, code))))
    ordered = sorted(rows.values(), key=lambda r: (
        [tree.units[a]["sort_key"] for a in reversed(tree.ancestors(r.unit_id))] + [tree.units[r.unit_id]["sort_key"]],
        r.criterion is None, r.criterion or 0, r.indicator or ""))
    return head, ordered


def _group(tree: Tree, unit_id: int) -> int:
    """The commune (town, ward) at or above the unit; a unit above communes is its own."""
    for candidate in [unit_id, *tree.ancestors(unit_id)]:
        if tree.units[candidate]["kind"] in COMMUNE_KINDS:
            return candidate
    return unit_id
