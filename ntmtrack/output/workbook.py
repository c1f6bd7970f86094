"""The XLSX workbook offices send to the province: a sheet per report, through openpyxl.

Every cell is a value: text cells are forced to type string, so nothing from the register
(a unit called "=HYPERLINK(…)") can become a live formula. Numbers and dates are real
number and date cells. openpyxl is imported only here.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ..register.tree import Tree
from ..reports import laggards as laggard_rules
from ..reports import status as reports
from ..store import observations as store_obs
from ..store import plans as store_plans
from .labels import reason_text

HEADERS = {
    "unit": ("Unit", "Đơn vị"), "parent": ("Parent", "Trực thuộc"),
    "criteria_met": ("Criteria met", "Số tiêu chí đạt"), "criteria_total": ("Criteria", "Tổng tiêu chí"),
    "missing": ("Missing", "Tiêu chí chưa đạt"), "target_date": ("Target date", "Hạn"),
    "recognition": ("Recognition", "Quyết định công nhận"), "state": ("State", "Tình trạng"),
    "criterion": ("Criterion", "Tiêu chí"), "name": ("Name", "Tên"),
    "units_met": ("Communes meeting it", "Số xã đạt"), "units_total": ("Communes", "Số xã"),
    "share": ("Share", "Tỷ lệ"), "indicator": ("Indicator", "Chỉ tiêu"),
    "baseline": ("Baseline", "Ban đầu"), "actual": ("Actual", "Thực hiện"),
    "goal": ("Target", "Mục tiêu"), "percent_of_target": ("% of target", "% kế hoạch"),
    "expected": ("Expected by now", "Cần đạt đến nay"), "deadline": ("Deadline", "Hạn"),
    "plan": ("Plan", "Kế hoạch"), "target": ("Target", "Chỉ tiêu"),
    "shortfall": ("Shortfall", "Còn thiếu"), "days_left": ("Days left", "Còn (ngày)"),
    "reason": ("Reason", "Lý do"), "date": ("Date", "Ngày"), "measure": ("Measure", "Nội dung"),
    "kind": ("Kind", "Loại"), "value": ("Value", "Giá trị"), "note": ("Note", "Ghi chú"),
    "by": ("By", "Người ghi"), "source": ("Source", "Nguồn"),
}


def build(conn, path: Path, as_of: date, plan_id: str | None, under_id: int | None, lang: str,
          register_name: str, filter_text: str) -> list[str]:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    title = (f"{register_name} — {'as of' if lang == 'en' else 'đến ngày'} "
             f"{as_of.strftime('%d/%m/%Y')} — {filter_text}")
    rows, _totals = reports.status(conn, as_of, under_id, plan_id, None)
    for r in rows:
        r["missing"] = ", ".join(map(str, r["missing"]))
        r["target_date"] = _day(r["target_date"])
    _sheet(book, "Status" if lang == "en" else "Tình trạng", title, rows,
           ["unit", "parent", "criteria_met", "criteria_total", "missing", "target_date",
            "recognition", "state"], lang)
    if rows:
        total = rows[0]["criteria_total"]
        matrix = []
        for r in rows:
            missing = {int(n) for n in r["missing"].split(", ") if n}
            matrix.append({"unit": r["unit"], **{f"c{n}": ("✗" if n in missing else "✓")
                                                 for n in range(1, total + 1)}})
        _sheet(book, "Matrix" if lang == "en" else "Ma trận", title, matrix,
               ["unit"] + [f"c{n}" for n in range(1, total + 1)], lang)
    stats = reports.criteria_stats(conn, as_of, under_id, rows[0]["criteria_set"] if rows else None)
    for s in stats:
        s["name"] = s["name_vi"] if lang == "vi" else s["name_en"]
    _sheet(book, "Criteria" if lang == "en" else "Tiêu chí", title, stats,
           ["criterion", "name", "units_met", "units_total", "share"], lang)
    for pid in ([plan_id] if plan_id else store_plans.ids(conn)):
        progress = reports.progress(conn, pid, as_of, under_id)
        if progress:
            for p in progress:
                p["deadline"] = _day(p["deadline"])
                p["unit"] = "  " * p["depth"] + p["unit"]
            _sheet(book, pid[:31], title, progress,
                   ["indicator", "unit", "baseline", "actual", "goal", "percent_of_target",
                    "expected", "deadline", "state"], lang)
    lag = laggard_rules.laggards(conn, as_of, plan_id, under_id)
    for r in lag:
        r["reason"] = reason_text(r, lang)
        r["deadline"] = _day(r["deadline"])
        r["target"] = ", ".join(map(str, r["target"])) if isinstance(r["target"], list) else r["target"]
    _sheet(book, "Laggards" if lang == "en" else "Chậm tiến độ", title, lag,
           ["unit", "plan", "target", "actual", "expected", "goal", "deadline", "shortfall",
            "days_left", "reason"], lang)
    tree = Tree.load(conn)
    ids = ([under_id] + tree.descendants(under_id)) if under_id else list(tree.units)
    since = as_of - timedelta(days=7)
    history = store_obs.history(conn, ids, since.isoformat(), as_of.isoformat())
    obs_rows = [{"date": _day(h["date"]), "unit": tree.units[h["unit_id"]]["name"],
                 "measure": h["indicator"] or (f"{h['criteria_set']}:{h['criterion']}" if h["criterion"] else h["kind"]),
                 "kind": h["kind"], "value": h["value"] if h["value"] is not None else h["decision"],
                 "note": h["note"], "by": h["by"], "source": h["source"]} for h in history]
    _sheet(book, "Observations" if lang == "en" else "Số liệu", title, obs_rows,
           ["date", "unit", "measure", "kind", "value", "note", "by", "source"], lang)
    book.save(path)
    return book.sheetnames


def _day(text):
    return date.fromisoformat(text) if isinstance(text, str) and text else text


def _sheet(book, name: str, title: str, rows: list[dict], keys: list[str], lang: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(name[:31])
    _put(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True)
    for col, key in enumerate(keys, 1):
        header = HEADERS.get(key, (key[1:], key[1:]) if key.startswith("c") else (key, key))
        _put(ws.cell(row=2, column=col), header[1] if lang == "vi" else header[0])
        ws.cell(row=2, column=col).font = Font(bold=True)
    widths = [len(str(ws.cell(row=2, column=c).value)) for c in range(1, len(keys) + 1)]
    for i, row in enumerate(rows, 3):
        for col, key in enumerate(keys, 1):
            value = row.get(key)
            cell = ws.cell(row=i, column=col)
            _put(cell, value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            widths[col - 1] = max(widths[col - 1], len(str(value)) if value is not None else 0)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = min(60, max(6, width + 2))
    ws.freeze_panes = "A3"


def _put(cell, value) -> None:
    if isinstance(value, bool):
        value = str(value).lower()
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
