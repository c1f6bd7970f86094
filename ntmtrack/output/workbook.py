"""The XLSX workbook offices send to the province: a sheet per report, through openpyxl.

It renders the rows of the same report functions as the CLI for the same Scope (status,
criteria stats, progress, laggards), with headers and codes in the language's words
(labels.py). Every cell is a value: text cells are forced to type string, so nothing from the
register (a unit called "=HYPERLINK(…)") can become a live formula. Numbers, dates and
percentages are real number, date and percent cells; every table has an autofilter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from ..model import Scope
from ..read.names import distinct_names
from ..register.tree import Tree
from ..reports import laggards as laggard_rules
from ..reports import scope as scoping
from ..reports.progress import progress
from ..reports.stats import criteria_stats
from ..reports.status import status
from ..store import observations as store_obs
from .formats import number_ranges
from .labels import OBSERVATION_KINDS, SOURCES, header, label, reason_text, state_label

SHEET_NAME_MAX = 31  # Excel's limit


def build(conn, scope: Scope, path: Path, register_name: str) -> list[str]:
    from openpyxl import Workbook

    lang = scope.lang
    book = Workbook()
    book.remove(book.active)
    names: set[str] = set()
    title = _title(scope, register_name)
    rows, totals = status(conn, scope)
    _sheet(book, names, _t(lang, "Status", "Tình trạng"), title, [
        {"unit": r.label, "parent": r.parent, "criteria_met": r.criteria_met,
         "criteria_total": r.criteria_total, "missing": number_ranges(r.missing),
         "target_date": _day(r.target_date), "recognition": r.recognition,
         "state": state_label(r.state, lang), "_depth": 0} for r in rows],
        ["unit", "parent", "criteria_met", "criteria_total", "missing", "target_date",
         "recognition", "state"], lang)
    if rows:
        numbers = list(range(1, totals.criteria_total + 1))
        matrix = [{"unit": r.label, **{f"c{n}": ("✗" if n in r.missing else "✓") for n in numbers}}
                  for r in rows]
        _sheet(book, names, _t(lang, "Matrix", "Ma trận"), title, matrix,
               ["unit"] + [f"c{n}" for n in numbers], lang)
    stats = criteria_stats(conn, scope)
    _sheet(book, names, _t(lang, "Criteria", "Tiêu chí"), title, [
        {"criterion": s.criterion, "name": s.name_vi if lang == "vi" else s.name_en,
         "units_met": s.units_met, "units_total": s.units_total, "share": s.share} for s in stats],
        ["criterion", "name", "units_met", "units_total", "share"], lang, percent=("share",))
    tree = Tree.load(conn, scope.under_id)
    for plan in scoping.plans(conn, scope):
        rows_of_plan = progress(conn, replace(scope, plan_id=plan["id"]), tree=tree)
        if not rows_of_plan:
            continue
        base = min(p.depth for p in rows_of_plan)
        _sheet(book, names, plan["id"], title, [
            {"indicator": p.indicator, "unit": p.label + (" Σ" if p.rollup else ""),
             "baseline": p.baseline, "actual": p.actual, "goal": p.goal,
             "percent_of_target": p.percent_of_target / 100, "expected": p.expected,
             "deadline": _day(p.deadline), "state": state_label(p.state, lang),
             "_depth": p.depth - base} for p in rows_of_plan],
            ["indicator", "unit", "baseline", "actual", "goal", "percent_of_target", "expected",
             "deadline", "state"], lang, percent=("percent_of_target",))
    lag = laggard_rules.laggards(conn, scope, tree)
    _sheet(book, names, _t(lang, "Laggards", "Chậm tiến độ"), title, [
        {"unit": r.label, "plan": r.plan,
         "target": number_ranges(list(r.target)) if isinstance(r.target, tuple) else r.target,
         "actual": r.actual, "expected": r.expected, "goal": r.goal, "deadline": _day(r.deadline),
         "shortfall": r.shortfall, "days_left": r.days_left, "reason": reason_text(r, lang)}
        for r in lag],
        ["unit", "plan", "target", "actual", "expected", "goal", "deadline", "shortfall",
         "days_left", "reason"], lang)
    ids = ([scope.under_id] + tree.descendants(scope.under_id)) if scope.under_id else list(tree.units)
    since = scope.as_of - timedelta(days=7)
    history = store_obs.history(conn, ids, since.isoformat(), scope.as_of.isoformat())
    shown = distinct_names(tree.path(h["unit_id"]) for h in history)
    _sheet(book, names, _t(lang, "Observations", "Số liệu"), title, [
        {"date": _day(h["date"]), "unit": shown[tree.path(h["unit_id"])],
         "measure": h["indicator"] or (f"{h['criteria_set']}:{h['criterion']}" if h["criterion"] else ""),
         "kind": label(OBSERVATION_KINDS, h["kind"], lang),
         "value": (label(OBSERVATION_KINDS, h["kind"], lang) if h["kind"] in ("met", "unmet")
                   else h["value"] if h["value"] is not None else h["decision"]),
         "note": h["note"], "by": h["by"], "source": label(SOURCES, h["source"], lang)}
        for h in history],
        ["date", "unit", "measure", "kind", "value", "note", "by", "source"], lang)
    book.save(path)
    return book.sheetnames


def _t(lang: str, en: str, vi: str) -> str:
    return vi if lang == "vi" else en


def _title(scope: Scope, register_name: str) -> str:
    lang = scope.lang
    where = " ".join(f for f in (scope.plan_id or "", scope.under.name if scope.under else "") if f) or \
        _t(lang, "whole register", "toàn bộ sổ")
    return f"{register_name} — {_t(lang, 'as of', 'đến ngày')} {scope.as_of.strftime('%d/%m/%Y')} — {where}"


def _day(text):
    return date.fromisoformat(text) if isinstance(text, str) and text else text


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique in the book
    (a numbered suffix when two plans share their first 31 characters)."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in wanted).strip("'") or "-"
    name = clean[:SHEET_NAME_MAX]
    n = 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f"~{n}"
        name = clean[:SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _sheet(book, taken: set[str], name: str, title: str, rows: list[dict], keys: list[str],
           lang: str, percent: tuple[str, ...] = ()) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet_name(name, taken))
    _put(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True)
    for col, key in enumerate(keys, 1):
        text = key[1:] if key.startswith("c") and key[1:].isdigit() else header(key, lang)
        text = text[:1].upper() + text[1:]
        _put(ws.cell(row=2, column=col), text)
        ws.cell(row=2, column=col).font = Font(bold=True)
    widths = [len(str(ws.cell(row=2, column=c).value)) for c in range(1, len(keys) + 1)]
    for i, row in enumerate(rows, 3):
        for col, key in enumerate(keys, 1):
            value = row.get(key)
            cell = ws.cell(row=i, column=col)
            _put(cell, value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif key in percent and isinstance(value, (int, float)):
                cell.number_format = "0.0%"
            if key == "unit" and row.get("_depth"):
                cell.alignment = Alignment(indent=row["_depth"])
            widths[col - 1] = max(widths[col - 1], len(str(value)) if value is not None else 0)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = min(60, max(6, width + 2))
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(keys))}{max(2, len(rows) + 2)}"


def _put(cell, value) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, bool):
        value = str(value).lower()
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        # Control characters in stored text (an older register) are shown, never written raw.
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: repr(m.group())[1:-1], value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
