"""The yearly and half-yearly forms as the office form in XLSX (XlsxWriter): a title block (the
committee, the national motto, the form's name and period, the unit of money), group headings
merged over their columns, the column headings, the numbered row "(1) (2) …", then one row per
commune under its cluster's, district's and province's totals row (bold). Values only: numbers
are number cells (money in đồng, `#,##0`), dates date cells, text always a string — never a
formula. Renders reports/forms.py's rows, the rows every other format of `form` renders.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..model import FUND_SOURCES
from ..reports.forms import Form, flat
from .formats import visible
from ..locale import trp
from .labels import BANDS, LEVELS, label, tr
from .labels import FUND_SOURCES as SOURCE_WORDS


def columns(form: Form, lang: str) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(group key, group heading, [(machine key, heading, kind)]) in order: the form's layout.
    kind: text | int | number | money | date."""
    sources = [(s, label(SOURCE_WORDS, s, lang)) for s in FUND_SOURCES]

    def capital(key: str) -> list[tuple[str, str, str]]:
        return [(f"{key}_{s.replace('-', '_')}", name, "money") for s, name in sources] + [
            (key, tr(lang, "total"), "money")]

    groups = [
        ("unit", tr(lang, "Unit"), [("label", trp(lang, "form column", "Unit"), "text")]),
        ("criteria", tr(lang, "Criteria"), [
            ("criteria_set", tr(lang, "Set"), "text"),
            ("criteria_met", tr(lang, "Met (average for totals)"), "number"),
            ("band", tr(lang, "Band"), "text")]),
        ("bands", tr(lang, "Communes by criteria met"), [
            ("communes", tr(lang, "Communes"), "int"),
            *((f"band_{code.replace('-', '_')}", label(BANDS, code, lang), "int") for code in
              ("all", "15-18", "10-14", "under-10"))]),
        ("recognition", tr(lang, "Recognised"), [
            ("recognized", tr(lang, "Cumulative"), "int"),
            ("recognized_new", tr(lang, "New in the period"), "int"),
            ("recognition_level", tr(lang, "Level"), "text"),
            ("recognition_decision", tr(lang, "Decision"), "text"),
            ("recognition_date", tr(lang, "Date"), "date"),
            ("villages_recognized", tr(lang, "Villages recognised"), "int")]),
        ("planned", tr(lang, "Capital planned"), capital("planned")),
        ("allocated", tr(lang, "Capital allocated"), capital("allocated")),
        ("disbursed", tr(lang, "Capital disbursed"), capital("disbursed")),
        ("people", tr(lang, "People"), [("contributed", tr(lang, "Contributions"), "money")]),
        ("debt", tr(lang, "Debt"), [("debt", tr(lang, "Outstanding"), "money")]),
    ]
    if form.kind == "annual":
        groups.append(("estimate", tr(lang, "Estimate for 31/12/{year}").format(year=form.year), [
            ("estimated", tr(lang, "Communes reaching the standard"), "int")]))
        groups.append(("next", tr(lang, "Registered for {year}").format(year=form.year + 1), [
            ("registered_next_year", tr(lang, "Communes"), "int")]))
    return groups


def title(form: Form, lang: str) -> tuple[str, str]:
    """(the form's name, its period) as the title block says them."""
    cutoff = form.cutoff.strftime("%d/%m/%Y")
    start = form.start.strftime("%d/%m/%Y")
    if form.kind == "annual":
        return (tr(lang, "NEW RURAL DEVELOPMENT: RESULTS OF {year}").format(year=form.year),
                tr(lang, "Results from {start} to {cutoff}; estimate for the year; registered for {year}").format(start=start, cutoff=cutoff, year=form.year + 1))
    heading = (tr(lang, "NEW RURAL DEVELOPMENT: HALF-YEAR I OF {year}") if form.start.month == 1
               else tr(lang, "NEW RURAL DEVELOPMENT: HALF-YEAR II OF {year}"))
    return (heading.format(year=form.year),
            tr(lang, "From {start} to {cutoff}").format(start=start, cutoff=cutoff))


def cell(row: dict, key: str, lang: str):
    """A form row's value as the sheet and the tables show it (codes in words)."""
    value = row.get(key)
    if key == "band":
        return label(BANDS, value, lang) if value else None
    if key == "recognition_level":
        return label(LEVELS, value, lang) if value else None
    return value


def build(form: Form, rows_of_form, path: Path, committee: str, lang: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "nan_inf_to_errors": True})
    try:
        _write(book, form, rows_of_form, committee, lang)
    finally:
        book.close()


def _write(book, form: Form, rows_of_form, committee: str, lang: str) -> None:
    ws = book.add_worksheet(tr(lang, "Form"))
    bold_center = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    head = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "border": 1})
    number_head = book.add_format({"italic": True, "align": "center", "border": 1})
    plain = {"text": book.add_format({"border": 1}), "int": book.add_format({"border": 1}),
             "number": book.add_format({"border": 1, "num_format": "0.0#"}),
             "money": book.add_format({"border": 1, "num_format": "#,##0"}),
             "date": book.add_format({"border": 1, "num_format": "DD/MM/YYYY"})}
    strong = {}
    for kind, fmt in (("text", {}), ("int", {}), ("number", {"num_format": "0.0#"}),
                      ("money", {"num_format": "#,##0"}), ("date", {"num_format": "DD/MM/YYYY"})):
        strong[kind] = book.add_format({"bold": True, "border": 1, **fmt})
    indents: dict[tuple[int, bool], object] = {}

    groups = columns(form, lang)
    flat_columns = [c for _, _, cols in groups for c in cols]
    last = len(flat_columns) - 1
    name, period = title(form, lang)
    half = max(1, last // 2)
    # The title block: the committee on the left, the national motto on the right.
    ws.merge_range(0, 0, 0, half - 1, tr(lang, "PEOPLE'S COMMITTEE"), bold_center)
    ws.merge_range(1, 0, 1, half - 1, visible(committee), bold_center)
    ws.merge_range(0, half, 0, last, tr(lang, "SOCIALIST REPUBLIC OF VIETNAM"), bold_center)
    ws.merge_range(1, half, 1, last, tr(lang, "Independence - Freedom - Happiness"), bold_center)
    ws.merge_range(3, 0, 3, last, name, bold_center)
    ws.merge_range(4, 0, 4, last, period, bold_center)
    ws.merge_range(5, 0, 5, last, tr(lang, "Money in đồng"),
                   book.add_format({"italic": True, "align": "right"}))
    # Group headings merged over their columns, the column headings, the numbers (1) (2) …
    col = 0
    for key, heading, cols in groups:
        if len(cols) > 1:
            ws.merge_range(6, col, 6, col + len(cols) - 1, heading, head)
            for offset, (_, sub, _) in enumerate(cols):
                ws.write_string(7, col + offset, sub, head)
        else:
            shown = heading if key == "unit" else f"{heading}: {cols[0][1]}"
            ws.merge_range(6, col, 7, col, shown, head)
        col += len(cols)
    for n in range(len(flat_columns)):
        ws.write_string(8, n, f"({n + 1})", number_head)
    ws.set_row(7, 45)
    for n, (key, _, kind) in enumerate(flat_columns):
        ws.set_column(n, n, 28 if key == "label" else 16 if kind == "money" else 11)
    row_number = 9
    for row in rows_of_form:
        data = flat(row)
        data["label"] = row.label
        styles = strong if row.total else plain
        for n, (key, _, kind) in enumerate(flat_columns):
            value = cell(data, key, lang)
            if key == "label" and row.depth:
                slot = (row.depth, row.total)
                if slot not in indents:
                    indents[slot] = book.add_format({"border": 1, "indent": row.depth, "bold": row.total})
                style = indents[slot]
            else:
                style = styles[kind]
            _put(ws, row_number, n, value, kind, style)
        row_number += 1
    ws.freeze_panes(9, 1)


def _put(ws, row: int, col: int, value, kind: str, style) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value).lower(), style)
    elif kind == "date" and isinstance(value, str):
        ws.write_datetime(row, col, date.fromisoformat(value), style)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, style)
    else:
        ws.write_string(row, col, visible(str(value)), style)  # never a formula

