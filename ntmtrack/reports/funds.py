"""Money on the day: capital planned, allocated, disbursed and contributed per unit and source,
outstanding construction debt, and the money laggards.

The period: the plan's (`--plan`), else the calendar year (`--year`, default the as-of day's
year); flows count the live funds observations dated from its start to the as-of day (or its
end, if earlier), debt is outstanding on that day. Planned amounts come from the `funds:`
sections of the plan, or of every plan whose period overlaps the year. A unit's row adds its
own amounts to those of every unit below it. The disbursement expected by now is the share of
the period gone, linear from its start to its end (reports/pace.expected, the rule targets
use); `behind` is disbursed / allocated below the threshold × that share.
Pure functions over store/funds.py; knows nothing of the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..locale import _
from ..model import COMMUNE_KINDS, FUND_SOURCES, FundRow, Laggard, NtmError, Scope
from ..register.tree import Tree
from ..store import funds as db
from ..store import plans as store_plans
from . import pace
from . import scope as scoping

_EPSILON = 1e-9


@dataclass(frozen=True)
class Period:
    """What a money report covers: its first and last day, the day flows are counted to, and
    the plans whose `funds:` sections give the planned amounts."""

    start: date
    end: date
    plans: tuple[str, ...]

    def until(self, as_of: date) -> date:
        return min(as_of, self.end)

    def expected_share(self, as_of: date) -> float:
        return pace.expected(self.start, 0.0, self.end, 1.0, self.until(as_of))


def period(conn, scope: Scope, year: int | None = None) -> Period:
    """The plan's period with `--plan`, else the calendar year `year` (default: the as-of
    day's) with the plans overlapping it."""
    if scope.plan_id:
        plan = store_plans.get(conn, scope.plan_id)
        if plan is None:
            raise NtmError(_("no plan '{plan_id}'").format(plan_id=scope.plan_id))
        return Period(date.fromisoformat(plan["start"]), date.fromisoformat(plan["end"]), (plan["id"],))
    year = year or scope.as_of.year
    if not 1900 <= year <= 9998:
        raise NtmError(_("year {year} is out of range (1900-9998)").format(year=year))
    start, end = date(year, 1, 1), date(year, 12, 31)
    return Period(start, end, plans_overlapping(conn, start, end))


def plans_overlapping(conn, start: date, end: date) -> tuple[str, ...]:
    """The plans with a `funds:` section whose period overlaps start..end."""
    out = []
    for pid in db.plans_with_funds(conn):
        plan = store_plans.get(conn, pid)
        if plan["start"] <= end.isoformat() and plan["end"] >= start.isoformat():
            out.append(pid)
    return tuple(out)


def state(planned: int, allocated: int, disbursed: int, expected_share: float | None,
          threshold: float) -> str:
    """done (every đồng allocated disbursed) | behind (disbursed / allocated below
    threshold × the share expected by now) | on_track | not_allocated (planned, nothing
    allocated yet) | unplanned (neither planned nor allocated: contributions or debt only)."""
    if allocated > 0:
        if disbursed >= allocated:
            return "done"
        if expected_share and disbursed / allocated < threshold * expected_share - _EPSILON:
            return "behind"
        return "on_track"
    return "not_allocated" if planned > 0 else "unplanned"


def _amounts(conn, span: Period, as_of: date) -> dict[tuple[int, str], dict[str, int]]:
    """{(unit_id, source): {planned, allocated, disbursed, contributed, debt}} of each unit's
    own money."""
    until = span.until(as_of)
    own: dict[tuple[int, str], dict[str, int]] = {}

    def slot(unit_id: int, source: str) -> dict[str, int]:
        return own.setdefault((unit_id, source), dict.fromkeys(
            ("planned", "allocated", "disbursed", "contributed", "debt"), 0))

    if span.plans:
        for f in db.plan_funds(conn, list(span.plans)):
            slot(f["unit_id"], f["source"])["planned"] += f["amount"]
    if until >= span.start:
        for unit_id, kind, source, total in db.flows(conn, span.start.isoformat(), until.isoformat()):
            if kind in ("allocated", "disbursed", "contributed"):
                slot(unit_id, source)[kind] += total
    for unit_id, source, outstanding in db.debts(conn, until.isoformat()):
        if outstanding:
            slot(unit_id, source)["debt"] += outstanding
    return own


def _plan_units(conn, tree: Tree, plan_ids: tuple[str, ...]) -> set[int]:
    """The units a plan names (its targets and its funds) and the units below them."""
    named = {f["unit_id"] for f in db.plan_funds(conn, list(plan_ids))}
    for pid in plan_ids:
        named |= {t["unit_id"] for t in store_plans.targets(conn, pid)}
    named &= set(tree.units)
    return named | {d for u in named for d in tree.descendants(u)}


def funds_status(conn, scope: Scope, year: int | None = None, tree: Tree | None = None,
                 span: Period | None = None) -> list[FundRow]:
    """One row per unit and source with money in the period, at or below the unit reported
    under (with `--plan`, the plan's units and those below them), and one for each unit above
    them up to the unit reported under, summing them; parents before children, in Vietnamese
    order, sources in the fixed order."""
    tree = tree or Tree.load(conn, scope.under_id)
    span = span or period(conn, scope, year)
    expected = span.expected_share(scope.as_of)
    own = _amounts(conn, span, scope.as_of)
    allowed = set(tree.descendants(scope.under_id)) | {scope.under_id} if scope.under_id else set(tree.units)
    if scope.plan_id:
        allowed &= _plan_units(conn, tree, span.plans)
    totals: dict[tuple[int, str], dict[str, int]] = {}
    below: set[tuple[int, str]] = set()
    for (unit_id, source), amounts in own.items():
        if unit_id not in allowed:
            continue
        chain = [unit_id] + tree.ancestors(unit_id)
        if scope.under_id:
            chain = chain[:chain.index(scope.under_id) + 1]
        for n, holder in enumerate(chain):
            slot = totals.setdefault((holder, source), dict.fromkeys(amounts, 0))
            for key, value in amounts.items():
                slot[key] += value
            if n:
                below.add((holder, source))
    order = _preorder(tree, {u for u, _unused in totals})
    labels = scoping.labels(tree, order)
    base = min((tree.depth(u) for u in order), default=0)
    rows = []
    for unit_id in order:
        u = tree.units[unit_id]
        for source in FUND_SOURCES:
            amounts = totals.get((unit_id, source))
            if amounts is None:
                continue
            allocated = amounts["allocated"]
            rows.append(FundRow(
                unit=u["name"], unit_path=tree.path(unit_id), source=source,
                planned=amounts["planned"], allocated=allocated, disbursed=amounts["disbursed"],
                disbursed_share=round(amounts["disbursed"] / allocated, 4) if allocated else None,
                expected_share=round(expected, 4),
                contributed=amounts["contributed"], debt=amounts["debt"],
                state=state(amounts["planned"], allocated, amounts["disbursed"], expected,
                            scope.threshold),
                unit_id=unit_id, unit_kind=u["kind"], depth=tree.depth(unit_id) - base,
                rollup=(unit_id, source) in below, label=labels[unit_id]))
    return rows


def _preorder(tree: Tree, wanted: set[int]) -> list[int]:
    """`wanted` units parents first, siblings in Vietnamese order."""
    out: list[int] = []
    keep = wanted | {a for u in wanted for a in tree.ancestors(u)}
    stack = sorted((u for u in tree.children.get(None, []) if u in keep),
                   key=lambda u: tree.units[u]["sort_key"], reverse=True)
    while stack:
        unit_id = stack.pop()
        if unit_id in wanted:
            out.append(unit_id)
        children = [c for c in tree.children.get(unit_id, []) if c in keep]
        stack.extend(sorted(children, key=lambda c: tree.units[c]["sort_key"], reverse=True))
    return out


def outstanding_debt(conn, as_of: date, unit_ids: list[int] | None = None) -> dict[int, int]:
    """{unit_id: outstanding construction debt on the day, in đồng} of each unit and the units
    below it (0 when none is recorded); every unit holding or above debt when `unit_ids` is
    None. The one answer for `status`'s `debt`, the forms and `dossier status`'s `ready`."""
    holders: dict[int, int] = {}
    for unit_id, _source, outstanding in db.debts(conn, as_of.isoformat()):
        holders[unit_id] = holders.get(unit_id, 0) + outstanding
    out = dict.fromkeys(unit_ids, 0) if unit_ids is not None else {}
    for unit_id, ancestor in db.ancestors_of(conn, [u for u, d in holders.items() if d]):
        if unit_ids is None or ancestor in out:
            out[ancestor] = out.get(ancestor, 0) + holders[unit_id]
    return out


def laggards(conn, scope: Scope, tree: Tree) -> list[Laggard]:
    """Money laggards: `disbursement_behind` for each unit and source whose own disbursement is
    `behind` in a plan judged on the day (the plans in scope with a `funds:` section), and
    `debt` for each commune with outstanding debt after the end of a plan covering it (the
    named plan, else every plan with a `funds:` section that has ended), once per commune."""
    from dataclasses import replace

    rows: list[Laggard] = []
    with_funds = set(db.plans_with_funds(conn))
    for plan in scoping.plans(conn, scope):
        if plan["id"] not in with_funds or date.fromisoformat(plan["start"]) > scope.as_of:
            continue
        end = date.fromisoformat(plan["end"])
        for r in funds_status(conn, replace(scope, plan_id=plan["id"]), tree=tree):
            if r.rollup or r.state != "behind":
                continue
            shortfall = round(scope.threshold * r.expected_share - r.disbursed_share, 4)
            rows.append(Laggard(
                unit=r.unit, unit_path=r.unit_path, plan=plan["id"], target=f"funds:{r.source}",
                actual=r.disbursed_share, expected=r.expected_share, goal=1.0,
                deadline=plan["end"], shortfall=shortfall, days_left=(end - scope.as_of).days,
                reason="disbursement_behind", period_start=None, period_end=None,
                unit_id=r.unit_id, label=r.label,
                order=(1, 0, -shortfall, tree.units[r.unit_id]["sort_key"])))
    ended = [store_plans.get(conn, scope.plan_id)] if scope.plan_id else [
        store_plans.get(conn, pid) for pid in sorted(with_funds)]
    ended = sorted((p for p in ended if p and p["end"] < scope.as_of.isoformat()), key=lambda p: p["end"])
    allowed = set(tree.descendants(scope.under_id)) | {scope.under_id} if scope.under_id else set(tree.units)
    latest: dict[int, dict] = {}
    for plan in ended:
        for unit_id in _plan_units(conn, tree, (plan["id"],)) & allowed:
            if tree.units[unit_id]["kind"] in COMMUNE_KINDS:
                latest[unit_id] = plan   # the latest-ending plan wins
    debt = outstanding_debt(conn, scope.as_of, sorted(latest)) if latest else {}
    for unit_id, plan in latest.items():
        if not debt.get(unit_id):
            continue
        end = date.fromisoformat(plan["end"])
        days_left = (end - scope.as_of).days
        rows.append(Laggard(
            unit=tree.units[unit_id]["name"], unit_path=tree.path(unit_id), plan=plan["id"],
            target="debt", actual=debt[unit_id], expected=None, goal=0, deadline=plan["end"],
            shortfall=debt[unit_id], days_left=days_left, reason="debt", period_start=None,
            period_end=None, unit_id=unit_id, label=tree.units[unit_id]["name"],
            order=(0, days_left, 0, tree.units[unit_id]["sort_key"])))
    return rows
