"""The fill-in template a commune fills in and sends back (`ntmtrack template`): XLSX through
XlsxWriter, or CSV. The rows are reports/templates.py's; `record import` reads a filled one
back (the title rows above the header are skipped, the instructions sheet is never read,
rows left empty or unchanged add nothing).

XLSX: a title block (the committee, the plan, the period, the day the figures are due), the
header, one row per unit and measure; the `value`, `date` and `note` cells are the only ones
unlocked (the sheet is protected without a password: a guard against slips, not a lock);
`value` has a drop-down đạt/chưa đạt for a criterion and a number check for an indicator
(0-100 for a %); then a sheet of instructions in Vietnamese. Every text cell is a string,
never a formula.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from ..reports.templates import TemplateHead, TemplateRow
from .formats import format_date, format_number, visible
from .labels import tr

KEYS = ["unit", "unit_path", "criteria_set", "measure", "name", "measure_unit", "current",
        "value", "date", "note"]
HEADERS = {
    "unit": ("unit", "đơn vị"), "unit_path": ("path", "đường dẫn"),
    "criteria_set": ("criteria set", "bộ tiêu chí"), "measure": ("measure", "chỉ tiêu"),
    "name": ("name", "tên chỉ tiêu"), "measure_unit": ("unit of measure", "đơn vị tính"),
    "current": ("current", "hiện tại"), "value": ("value", "giá trị"), "date": ("date", "ngày"),
    "note": ("note", "ghi chú"),
}
FILLED = ("value", "date", "note")     # the cells a commune writes in; the others are locked
VERDICTS = {"vi": ("đạt", "chưa đạt"), "en": ("met", "not met")}

INSTRUCTIONS_VI = [
    "HƯỚNG DẪN ĐIỀN BIỂU MẪU",
    "",
    "1. Mỗi dòng là một chỉ tiêu (hoặc một tiêu chí) của một đơn vị theo kế hoạch.",
    "2. Chỉ điền vào ba cột: «giá trị», «ngày», «ghi chú». Các cột khác đã được khóa.",
    "3. Tiêu chí: chọn «đạt» hoặc «chưa đạt» trong danh sách.",
    "4. Chỉ tiêu số lượng: ghi số (ví dụ 12 hoặc 5,5). Chỉ tiêu tính theo %: ghi từ 0 đến 100.",
    "   Ghi «+12» nếu là số tăng thêm, không phải mức đạt được.",
    "5. Cột «ngày»: ngày số liệu có hiệu lực (ngày/tháng/năm); mặc định là hạn gửi báo cáo.",
    "6. Dòng để trống hoặc giữ nguyên như cột «hiện tại» sẽ không được ghi.",
    "7. Không đổi tên trang, không xóa dòng tiêu đề cột, không thêm cột.",
    "8. Lưu tệp và gửi lại cho văn phòng điều phối nông thôn mới trước hạn gửi.",
    "",
    "Văn phòng nhập tệp bằng lệnh: ntmtrack record import <tệp>.xlsx",
]


def header(key: str, lang: str) -> str:
    en, vi = HEADERS[key]
    return vi if lang == "vi" else en


def title_lines(head: TemplateHead, committee: str, lang: str) -> list[str]:
    """The title block: committee, plan, period, the day the figures are due."""
    reference = f" ({head.reference})" if head.reference else ""
    period = f"{format_date(head.start, 'vi')} – {format_date(head.end, 'vi')}"
    due = head.due.strftime("%d/%m/%Y")
    return [
        tr(lang, "People's Committee: {committee}").format(committee=committee),
        tr(lang, "Plan: {title}{reference} [{plan}]").format(title=head.title, reference=reference, plan=head.plan),
        tr(lang, "Period: {period}").format(period=period),
        tr(lang, "Due (hạn gửi): {due}").format(due=due),
    ]


def _current(row: TemplateRow, lang: str):
    if row.current is None:
        return None
    if row.criterion is not None:
        return VERDICTS[lang][0 if row.current else 1]
    return row.current


def _cells(row: TemplateRow, due: date, lang: str) -> dict:
    return {"unit": row.unit, "unit_path": row.unit_path, "criteria_set": row.criteria_set,
            "measure": str(row.criterion) if row.criterion is not None else row.indicator,
            "name": row.name, "measure_unit": row.measure_unit, "current": _current(row, lang),
            "value": None, "date": due, "note": None}


def write_csv(path: Path, head: TemplateHead, rows: list[TemplateRow], committee: str, lang: str) -> int:
    """The template as CSV (UTF-8 with a BOM, for Excel): the title lines, a blank line, the
    header, the rows. Returns the rows written."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        for line in title_lines(head, committee, lang):
            writer.writerow([visible(line)])
        writer.writerow([])
        writer.writerow([header(k, lang) for k in KEYS])
        for row in rows:
            cells = _cells(row, head.due, lang)
            writer.writerow([_csv_cell(cells[k], lang) for k in KEYS])
    return len(rows)


def _csv_cell(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return format_number(value, lang, _decimals(value))
    text = visible(str(value))
    # Text Excel would run as a formula gets a leading apostrophe (output/render.excel_safe).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _decimals(value: float) -> int:
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def write_xlsx(path: Path, head: TemplateHead, rows: list[TemplateRow], committee: str, lang: str) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "nan_inf_to_errors": True})
    try:
        bold = book.add_format({"bold": True})
        big = book.add_format({"bold": True, "font_size": 13})
        head_format = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                       "text_wrap": True, "valign": "top"})
        locked = book.add_format({"border": 1, "bg_color": "#F2F2F2"})
        number = book.add_format({"border": 1, "bg_color": "#F2F2F2", "num_format": "#,##0.##"})
        free = book.add_format({"locked": False, "border": 1})
        free_day = book.add_format({"locked": False, "border": 1, "num_format": "DD/MM/YYYY"})
        ws = book.add_worksheet(tr(lang, "Figures"))
        lines = title_lines(head, committee, lang)
        for i, line in enumerate(lines):
            ws.write_string(i, 0, visible(line), big if i == 0 else bold)
        top = len(lines) + 1
        for col, key in enumerate(KEYS):
            ws.write_string(top, col, header(key, lang), head_format)
        verdicts = list(VERDICTS[lang])
        for n, row in enumerate(rows, top + 1):
            cells = _cells(row, head.due, lang)
            for col, key in enumerate(KEYS):
                value = cells[key]
                if key == "date":
                    ws.write_datetime(n, col, value, free_day)
                elif key in FILLED:
                    ws.write_blank(n, col, None, free)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(n, col, value, number)
                elif value is None or value == "":
                    ws.write_blank(n, col, None, locked)
                else:
                    ws.write_string(n, col, visible(str(value)), locked)
            value_col = KEYS.index("value")
            if row.criterion is not None:
                ws.data_validation(n, value_col, n, value_col, {
                    "validate": "list", "source": verdicts,
                    "error_message": tr(lang, "Choose met or not met."),
                    "input_message": tr(lang, "met / not met")})
            else:
                ws.data_validation(n, value_col, n, value_col, {
                    "validate": "decimal", "criteria": "between", "minimum": 0,
                    "maximum": 100 if row.percent else 1e15,
                    "ignore_blank": True,
                    "error_message": (tr(lang, "A number from 0 to 100.") if row.percent
                                      else tr(lang, "A number, 0 or more.")),
                    "input_message": (row.measure_unit or "")[:250]})
            ws.data_validation(n, KEYS.index("date"), n, KEYS.index("date"), {
                "validate": "date", "criteria": "between",
                "minimum": date(1900, 1, 1), "maximum": date(9998, 12, 31),
                "error_message": tr(lang, "A date (DD/MM/YYYY).")})
        widths = {"unit": 18, "unit_path": 34, "criteria_set": 12, "measure": 18, "name": 40,
                  "measure_unit": 10, "current": 10, "value": 12, "date": 12, "note": 30}
        for col, key in enumerate(KEYS):
            ws.set_column(col, col, widths[key])
        ws.freeze_panes(top + 1, 2)
        # Protected without a password: the key columns stay as sent; the office can unlock.
        ws.protect("", {"autofilter": True, "sort": False, "format_columns": True})
        guide = book.add_worksheet("Hướng dẫn")
        for i, line in enumerate(INSTRUCTIONS_VI):
            guide.write_string(i, 0, line, bold if i == 0 else None)
        guide.set_column(0, 0, 100)
    finally:
        book.close()
    return len(rows)
