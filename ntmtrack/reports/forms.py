"""The periodic forms provinces ask for: the yearly report (7381/BNN-VPĐP, Phụ lục I: results
to the cutoff, 30/09 by default, the estimate for the whole year, the communes registered for
the next) and the half-yearly monitoring report (Nghị định 27/2022, Thông tư 05/2022).

One row per commune in scope, in the tree's order under a totals row for each cluster,
district and province above it (the unit reported under last). A commune's criteria,
recognition and debt are `status`'s for the cutoff day (reports/status.py); its band
reports/bands.py's; its money reports/funds.py's over the period (the commune and its
villages). Totals add the communes below them (money recorded on a district itself is in
`funds status`, not in the form); their `criteria_met` is the average per commune.

The estimate (annual form): a commune counts as estimated to reach the standard by 31/12 when
it is registered for the year — a target of every criterion of its set due in the year — and
either meets every criterion (or holds a recognition under the set) at the cutoff or its own
pace (reports/trends.py: least squares over the year before the cutoff) projects every
criterion met on or before 31/12. Registered for the next year: a target of every criterion
due in the next year, in any plan. Pure functions; knows nothing of the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..locale import _
from ..model import FUND_SOURCES, FormRow, NtmError, Scope
from ..read.dates import year_before
from ..register import criteria as criteria_sets
from ..register.tree import Tree
from ..store import plans as store_plans
from . import bands, funds, state, trends
from . import status as criteria_status


@dataclass(frozen=True)
class Form:
    """A form's rows and what they cover."""

    kind: str                 # annual | half-year
    year: int
    start: date               # the period: its first day …
    cutoff: date              # … and the day results are counted to
    rows: list[FormRow]
    criteria_set: str
    plans: tuple[str, ...]    # the plans whose `funds:` give the planned capital


def annual(conn, scope: Scope, year: int, cutoff: date | None = None) -> Form:
    """The yearly form: results to `cutoff` (default 30/09 of the year), the estimate for
    31/12 and the communes registered for year + 1."""
    cutoff = cutoff or date(year, 9, 30)
    if cutoff.year != year:
        raise NtmError(_("the cutoff {isoformat} is not in {year}").format(isoformat=cutoff.isoformat(), year=year))
    return _form(conn, scope, "annual", year, date(year, 1, 1), cutoff, date(year, 12, 31))


def half_year(conn, scope: Scope, year: int, half: int) -> Form:
    """The half-yearly form: 01/01-30/06 (half 1) or 01/07-31/12 (half 2)."""
    if half not in (1, 2):
        raise NtmError(_("a half is 1 (January-June) or 2 (July-December)"))
    start, end = (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))
    return _form(conn, scope, "half-year", year, start, end, end)


def _form(conn, scope: Scope, kind: str, year: int, start: date, cutoff: date, end: date) -> Form:
    if not 1900 <= year <= 9998:
        raise NtmError(_("year {year} is out of range (1900-9998)").format(year=year))
    from dataclasses import replace

    day = replace(scope, as_of=cutoff, plan_id=None)
    tree = Tree.load(conn, scope.under_id)
    rows, totals = criteria_status.status(conn, day)
    code = totals.criteria_set
    ids = [r.unit_id for r in rows]
    span = funds.Period(start, end, funds.plans_overlapping(conn, start, end))
    money: dict[tuple[int, str], tuple[int, ...]] = {}
    for f in funds.funds_status(conn, day, tree=tree, span=span):
        money[(f.unit_id, f.source)] = (f.planned, f.allocated, f.disbursed, f.contributed)
    villages = _villages_recognized(conn, tree, cutoff, ids)
    estimated = registered_next = None
    if kind == "annual":
        numbers = criteria_sets.get(conn, code).numbers
        registered = _registered(conn, ids, year, code, numbers)
        registered_next = _registered(conn, ids, year + 1, code, numbers)
        projected = {t.unit_id: t.projected_date for t in trends.trend(
            conn, day, year_before(cutoff), "month", status=(rows, totals))[0]}
        estimated = {r.unit_id: int(r.unit_id in registered and (
            r.state in ("recognized", "meets_all") or (projected.get(r.unit_id) or "9999") <= end.isoformat()))
            for r in rows}
    communes: dict[int, FormRow] = {}
    for r in rows:
        title_new = r.recognition_date is not None and start.isoformat() <= r.recognition_date <= cutoff.isoformat()
        which = bands.band(r.criteria_met, r.criteria_total)
        capital = tuple((s, *money.get((r.unit_id, s), (0, 0, 0, 0))[:3]) for s in FUND_SOURCES)
        communes[r.unit_id] = FormRow(
            unit=r.unit, unit_path=r.unit_path, unit_kind=r.unit_kind, total=False, depth=0,
            label=r.label, criteria_set=code, criteria_total=r.criteria_total,
            criteria_met=r.criteria_met, band=which, communes=1,
            bands=tuple(int(which == b) for b in bands.BANDS),
            recognized=int(r.recognition is not None), recognized_new=int(title_new),
            recognition_level=r.recognition_level, recognition_decision=r.recognition,
            recognition_date=r.recognition_date, villages_recognized=villages.get(r.unit_id, 0),
            capital=capital,
            contributed=sum(money.get((r.unit_id, s), (0, 0, 0, 0))[3] for s in FUND_SOURCES),
            debt=r.debt,
            estimated=estimated[r.unit_id] if estimated is not None else None,
            registered_next_year=int(r.unit_id in registered_next) if registered_next is not None else None)
    return Form(kind, year, start, cutoff, _with_totals(tree, scope, communes, code), code, span.plans)


def _with_totals(tree: Tree, scope: Scope, communes: dict[int, FormRow], code: str) -> list[FormRow]:
    """Communes in the tree's order, each group under its totals row; the unit reported under
    (or each top unit) is the outermost total."""
    if not communes:
        return []
    top = scope.under_id
    holders: dict[int, list[int]] = {}
    for unit_id in communes:
        chain = tree.ancestors(unit_id)
        if top is not None:
            chain = chain[:chain.index(top) + 1] if top in chain else []
        for ancestor in chain:
            holders.setdefault(ancestor, []).append(unit_id)
    out: list[FormRow] = []

    def visit(unit_id: int, depth: int) -> None:
        if unit_id in communes:
            from dataclasses import replace

            out.append(replace(communes[unit_id], depth=depth))
            return
        if unit_id not in holders:
            return
        members = [communes[c] for c in holders[unit_id]]
        u = tree.units[unit_id]
        out.append(_total(u["name"], tree.path(unit_id), u["kind"], depth, members, code))
        for child in sorted(tree.children.get(unit_id, []), key=lambda c: tree.units[c]["sort_key"]):
            visit(child, depth + 1)

    roots = [top] if top is not None and top in holders else sorted(
        (u for u in holders if tree.units[u]["parent_id"] is None or tree.units[u]["parent_id"] not in holders),
        key=lambda u: tree.units[u]["sort_key"])
    if top is not None and top in communes:   # a form for one commune
        return [communes[top]]
    for root in roots:
        visit(root, 0)
    return out


def _total(name: str, path: str, kind: str, depth: int, members: list[FormRow], code: str) -> FormRow:
    def add(key):
        return sum(getattr(m, key) for m in members)

    def maybe(key):
        values = [getattr(m, key) for m in members]
        return None if any(v is None for v in values) else sum(values)

    capital = tuple((s, *(sum(m.capital[i][k] for m in members) for k in (1, 2, 3)))
                    for i, s in enumerate(FUND_SOURCES))
    return FormRow(
        unit=name, unit_path=path, unit_kind=kind, total=True, depth=depth, label=name,
        criteria_set=code, criteria_total=members[0].criteria_total,
        criteria_met=round(sum(m.criteria_met for m in members) / len(members), 2), band=None,
        communes=len(members), bands=tuple(sum(m.bands[i] for m in members) for i in range(4)),
        recognized=add("recognized"), recognized_new=add("recognized_new"), recognition_level=None,
        recognition_decision=None, recognition_date=None,
        villages_recognized=add("villages_recognized"), capital=capital,
        contributed=add("contributed"), debt=add("debt"), estimated=maybe("estimated"),
        registered_next_year=maybe("registered_next_year"))


def _villages_recognized(conn, tree: Tree, cutoff: date, commune_ids: list[int]) -> dict[int, int]:
    """{commune: villages below it holding a recognition on the day}."""
    below = {v: c for c in commune_ids for v in tree.descendants(c) if tree.units[v]["kind"] == "village"}
    if not below:
        return {}
    out: dict[int, int] = {}
    for village in state.recognitions(conn, cutoff, sorted(below)):
        out[below[village]] = out.get(below[village], 0) + 1
    return out


def _registered(conn, unit_ids: list[int], year: int, code: str, numbers: list[int]) -> set[int]:
    """Communes with a target of every criterion of the set due in `year`, in any plan."""
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    return {t["unit_id"] for t in store_plans.targets(conn, None, unit_ids)
            if t["kind"] == "criteria" and t["criteria_set"] == code and first <= t["by"] <= last
            and sorted(t["criteria"]) == sorted(numbers)}


def flat(row: FormRow) -> dict:
    """A form row with the machine keys (README): the per-source capital as
    `planned_trung_uong` … `disbursed_khac`, then the totals over sources."""
    out = {"unit": row.unit, "unit_path": row.unit_path, "unit_kind": row.unit_kind,
           "total": row.total, "criteria_set": row.criteria_set, "criteria_total": row.criteria_total,
           "criteria_met": row.criteria_met, "band": row.band, "communes": row.communes,
           **dict(zip(BAND_KEYS, row.bands)),
           "recognized": row.recognized, "recognized_new": row.recognized_new,
           "recognition_level": row.recognition_level, "recognition_decision": row.recognition_decision,
           "recognition_date": row.recognition_date, "villages_recognized": row.villages_recognized}
    for i, key in enumerate(("planned", "allocated", "disbursed"), 1):
        for entry in row.capital:
            out[f"{key}_{entry[0].replace('-', '_')}"] = entry[i]
    for i, key in enumerate(("planned", "allocated", "disbursed"), 1):
        out[key] = sum(entry[i] for entry in row.capital)
    out["contributed"] = row.contributed
    out["debt"] = row.debt
    if row.estimated is not None or row.registered_next_year is not None:
        out["estimated"] = row.estimated
        out["registered_next_year"] = row.registered_next_year
    return out


BAND_KEYS = ("band_all", "band_15_18", "band_10_14", "band_under_10")


def keys(kind: str) -> list[str]:
    """The machine keys of a form, in order."""
    capital = [f"{k}_{s.replace('-', '_')}" for k in ("planned", "allocated", "disbursed") for s in FUND_SOURCES]
    out = ["unit", "unit_path", "unit_kind", "total", "criteria_set", "criteria_total", "criteria_met",
           "band", "communes", *BAND_KEYS, "recognized", "recognized_new", "recognition_level",
           "recognition_decision", "recognition_date", "villages_recognized", *capital,
           "planned", "allocated", "disbursed", "contributed", "debt"]
    return out + (["estimated", "registered_next_year"] if kind == "annual" else [])
