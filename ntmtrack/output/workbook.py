"""The XLSX workbook offices send to the province: a sheet per report, through XlsxWriter.

It renders the rows of the same report functions as the CLI for the same Scope (status,
criteria stats, progress, laggards), with headers and codes in the language's words
(labels.py). Every cell is a value: text is always written as a string, so nothing from the
register (a unit called "=HYPERLINK(…)") can become a live formula. Numbers, dates and
percentages are real number, date and percent cells; every table has an autofilter.

Written in XlsxWriter's constant_memory mode: each row goes to a temporary file as soon as
the next begins, so a week of a million observations takes the same memory as a week of ten
(openpyxl held every cell: 3.9 GB). Rows are written in order, once.
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
from .formats import number_ranges, visible
from .labels import (
    OBSERVATION_KINDS,
    SOURCES,
    WORDS,
    header,
    label,
    reason_text,
    state_label,
    status_state_text,
    title_text,
)

SHEET_NAME_MAX = 31  # Excel's limit


def build(conn, scope: Scope, path: Path, register_name: str) -> list[str]:
    import shutil
    import tempfile

    from xlsxwriter.exceptions import FileCreateError

    # XlsxWriter's row files and the parts it zips go to a private directory beside the output
    # (not /tmp, often a RAM disk), removed whatever happens: a failure leaves nothing behind.
    work = tempfile.mkdtemp(prefix=".ntmtrack-xlsx.", dir=Path(path).parent)
    try:
        names = _write(conn, scope, path, register_name, work)
    except FileCreateError as e:
        raise (e.args[0] if e.args and isinstance(e.args[0], OSError) else OSError(str(e))) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return names


def _write(conn, scope: Scope, path: Path, register_name: str, work: str) -> list[str]:
    import xlsxwriter

    lang = scope.lang
    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "tmpdir": work,
        # Text stays text: never a formula, a number or a link, whatever it looks like.
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        # A value stored before numbers were kept finite is an error cell, not a traceback.
        "nan_inf_to_errors": True,
    })
    styles = _Styles(book)
    names: list[str] = []
    title = _title(scope, register_name)
    # One tree for every section: status reads the communes of the tree with villages as it
    # would of its own without them.
    tree = Tree.load(conn, scope.under_id)
    rows, totals = status(conn, scope, tree)
    _sheet(book, styles, names, _t(lang, "Status", "Tình trạng"), title, (
        {"unit": r.label, "parent": r.parent, "criteria_met": r.criteria_met,
         "criteria_total": r.criteria_total, "missing": number_ranges(r.missing),
         "target_date": _day(r.target_date), "recognition": title_text(r, lang),
         "state": status_state_text(r, lang), "debt": r.debt, "_depth": 0} for r in rows),
        ["unit", "parent", "criteria_met", "criteria_total", "missing", "target_date",
         "recognition", "state"] + (["debt"] if any(r.debt for r in rows) else []), lang)
    if rows:
        numbers = list(range(1, totals.criteria_total + 1))
        matrix = ({"unit": r.label, **{f"c{n}": ("✗" if n in r.missing else "✓") for n in numbers}}
                  for r in rows)
        _sheet(book, styles, names, _t(lang, "Matrix", "Ma trận"), title, matrix,
               ["unit"] + [f"c{n}" for n in numbers], lang)
    stats = criteria_stats(conn, scope)
    _sheet(book, styles, names, _t(lang, "Criteria", "Tiêu chí"), title, (
        {"criterion": s.criterion, "name": s.name_vi if lang == "vi" else s.name_en,
         "units_met": s.units_met, "units_total": s.units_total, "share": s.share} for s in stats),
        ["criterion", "name", "units_met", "units_total", "share"], lang, percent=("share",))
    progress_of: dict[str, list] = {}  # laggards judges the same rows again otherwise
    for plan in scoping.plans(conn, scope):
        rows_of_plan = progress_of[plan["id"]] = progress(conn, replace(scope, plan_id=plan["id"]), tree=tree)
        if not rows_of_plan:
            continue
        base = min(p.depth for p in rows_of_plan)
        _sheet(book, styles, names, plan["id"], title, (
            {"indicator": p.indicator, "unit": p.label + (" Σ" if p.rollup else ""),
             "baseline": p.baseline, "actual": p.actual, "goal": p.goal,
             "percent_of_target": p.percent_of_target / 100, "expected": p.expected,
             "deadline": _day(p.deadline), "state": state_label(p.state, lang),
             "_depth": p.depth - base} for p in rows_of_plan),
            ["indicator", "unit", "baseline", "actual", "goal", "percent_of_target", "expected",
             "deadline", "state"], lang, percent=("percent_of_target",))
    lag = laggard_rules.laggards(conn, scope, tree, progress_of=progress_of)
    _sheet(book, styles, names, _t(lang, "Laggards", "Chậm tiến độ"), title, (
        {"unit": r.label, "plan": r.plan,
         "target": number_ranges(list(r.target)) if isinstance(r.target, tuple) else r.target,
         "actual": r.actual, "expected": r.expected, "goal": r.goal, "deadline": _day(r.deadline),
         "shortfall": r.shortfall, "days_left": r.days_left, "reason": reason_text(r, lang)}
        for r in lag),
        ["unit", "plan", "target", "actual", "expected", "goal", "deadline", "shortfall",
         "days_left", "reason"], lang)
    ids = ([scope.under_id] + tree.descendants(scope.under_id)) if scope.under_id else list(tree.units)
    since, until = (scope.as_of - timedelta(days=7)).isoformat(), scope.as_of.isoformat()
    # The week's observations stream from the cursor to the sheet; the names shown are
    # settled first from the units observed (one index probe each), not from the rows.
    paths = {u: tree.path(u) for u in store_obs.units_observed(conn, ids, since, until)}
    shown = distinct_names(paths.values())
    _sheet(book, styles, names, _t(lang, "Observations", "Số liệu"), title, (
        {"date": _day(h["date"]), "unit": shown[paths[h["unit_id"]]],
         "measure": _measure(h),
         "kind": label(OBSERVATION_KINDS, h["kind"], lang),
         "value": (label(OBSERVATION_KINDS, h["kind"], lang) if h["kind"] in ("met", "unmet")
                   else h["value"] if h["value"] is not None else h["decision"]),
         "note": h["note"], "by": h["by"], "source": label(SOURCES, h["source"], lang),
         "voided": label(WORDS, "yes" if h["voided_by"] is not None else "no", lang),
         "unit_path": paths[h["unit_id"]]}
        for h in store_obs.history_rows(conn, ids, since, until)),
        ["date", "unit", "measure", "kind", "value", "note", "by", "source", "voided", "unit_path"],
        lang)
    book.close()
    return names


def _measure(h: dict) -> str:
    """An observation's measure as `history` writes it, which `record import` reads back:
    the indicator code, `SET:N` for a criterion, `SET:recognized`, `void`."""
    if h["indicator"]:
        return h["indicator"]
    if h["criterion"]:
        return f"{h['criteria_set']}:{h['criterion']}"
    if h["kind"] == "recognized":
        return f"{h['criteria_set']}:recognized"
    return h["kind"]


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


class _Styles:
    """The few cell formats of the workbook, made once (XlsxWriter keeps one per combination)."""

    def __init__(self, book):
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.date = book.add_format({"num_format": "DD/MM/YYYY"})
        self.percent = book.add_format({"num_format": "0.0%"})
        self._indents: dict[int, object] = {}

    def indent(self, depth: int):
        if depth not in self._indents:
            self._indents[depth] = self.book.add_format({"indent": depth})
        return self._indents[depth]


def _sheet(book, styles: _Styles, taken: list[str], name: str, title: str, rows, keys: list[str],
           lang: str, percent: tuple[str, ...] = ()) -> None:
    """One table: the title on row 1, bold headers on row 2 (frozen, with an autofilter over
    the table), then `rows` (any iterable: written one by one, never held)."""
    ws = book.add_worksheet(sheet_name(name, set(taken)))
    taken.append(ws.name)
    _put(ws, 0, 0, title, styles.bold)
    widths = []
    for col, key in enumerate(keys):
        text = key[1:] if key.startswith("c") and key[1:].isdigit() else header(key, lang)
        text = text[:1].upper() + text[1:]
        _put(ws, 1, col, text, styles.bold)
        widths.append(len(text))
    last = 1
    write_string = ws.write_string
    unit_col = keys.index("unit") if "unit" in keys else -1
    for last, row in enumerate(rows, 2):
        depth = row.get("_depth")
        for col, key in enumerate(keys):
            value = row.get(key)
            if type(value) is str and value and not (depth and col == unit_col):
                # Most cells (three in four nationally): plain text, no style; the general
                # path below decides the same, one step at a time.
                write_string(last, col, visible(value))
                widths[col] = max(widths[col], len(value))
                continue
            if isinstance(value, date):
                style = styles.date
            elif key in percent and isinstance(value, (int, float)):
                style = styles.percent
            elif key == "unit" and depth:
                style = styles.indent(depth)
            else:
                style = None
            _put(ws, last, col, value, style)
            if value is not None:
                widths[col] = max(widths[col], len(str(value)))
    # Column widths and the filter are written when the book closes: they may follow the rows.
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(60, max(6, width + 2)))
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, last, len(keys) - 1)


# What XML 1.0 cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE): C0 controls but tab, LF, CR.


def _put(ws, row: int, col: int, value, style=None) -> None:
    if value is None or value == "":
        if style is not None:
            ws.write_blank(row, col, None, style)
        return
    if isinstance(value, bool):
        value = str(value).lower()
    if isinstance(value, (int, float)):
        ws.write_number(row, col, value, style)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, style)
    else:
        # Control, bidi and invisible characters in stored text (an older register) are shown
        # as escapes, never written raw (XML refuses C0; Excel would obey the others).
        text = visible(str(value))
        ws.write_string(row, col, text, style)  # never a formula, whatever the text starts with
