"""The writers' own floors (issue 17, target 2): what writing the cells of `export xlsx` and the
rows of `report html` costs with nothing but the writer, to add to the floors of their sections.

Each floor is two steps, timed apart: the cells, read from the register with plain SQL over its
own tables (state tables included) in the shapes the export and the report write (one row per
commune on the status and matrix sheets, one per criterion, one per target and roll-up of each
plan, the laggards, the week's observations), then the writing alone:

- `write_xlsx`: XlsxWriter in constant_memory mode, the export's options, a bold title and header
  row, date and percent cells, widths, a frozen pane and an autofilter per sheet;
- `write_html`: the rows the report shows (at most 200 a table, as it does) as plain escaped
  strings, no template engine, no chart.

The laggards follow a simpler rule than ntmtrack's (criteria counted against a straight line
from none at the plan's start; no report in the last period): on the synthetic national register
they are the same 12,747 rows, and every sheet has the export's row count (checked on 01/12/2026).

`python benchmarks/floors_writers.py REGISTER` prints both with the cell counts; `floors()` is
for benchmarks/run.py to import. Not part of the tests. Standard library and XlsxWriter only.
"""

from __future__ import annotations

import html
import json
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

MAX_ROWS = 200  # rows of an HTML table, as output/html.py shows

# A sheet: (name, headers, rows); a row is a tuple of str | int | float | date | None.
Sheet = tuple[str, list[str], list[tuple]]


def _criteria_set(conn) -> str:
    """The set the national plan names, else the one most verdicts are under."""
    row = conn.execute("SELECT criteria_set FROM plan WHERE criteria_set IS NOT NULL"
                       " ORDER BY start DESC LIMIT 1").fetchone()
    if row:
        return row[0]
    return conn.execute("SELECT criteria_set FROM criterion_state GROUP BY criteria_set"
                        " ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev > start else str(start))
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev > start else str(start))
    return ", ".join(out)


def _day(text):
    return date.fromisoformat(text) if text else None


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _last_period(every: str, day: date) -> tuple[date, date] | None:
    """The last reporting period closed on or before `day` (reports/laggards.last_period)."""
    if every == "day":
        return day - timedelta(days=1), day - timedelta(days=1)
    if every in _WEEKDAYS:
        due = day - timedelta(days=(day.weekday() - _WEEKDAYS.index(every)) % 7)
        return due - timedelta(days=6), due
    if every == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = day if day == following - timedelta(days=1) else day.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if every == "quarter":
        begun = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        end = begun - timedelta(days=1)
        return end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1), end
    return None


def xlsx_sheets(conn: sqlite3.Connection, as_of: date | None = None) -> list[Sheet]:
    """The export's sheets for the whole register on `as_of` (default: today), by plain SQL."""
    as_of = as_of or date.today()
    code = _criteria_set(conn)
    numbers = [r[0] for r in conn.execute(
        "SELECT number FROM criterion WHERE criteria_set = ? ORDER BY number", [code])]
    names = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT number, name_vi, name_en FROM criterion WHERE criteria_set = ?", [code])}
    communes = conn.execute(
        """SELECT u.id, u.name, p.name,
                  (SELECT group_concat(s.criterion) FROM criterion_state s
                   WHERE s.unit_id = u.id AND s.criteria_set = :set AND s.kind = 'met'),
                  (SELECT min(t.by) FROM plan_target t WHERE t.unit_id = u.id AND t.kind = 'criteria'),
                  (SELECT o.decision FROM observation o WHERE o.unit_id = u.id
                   AND o.kind IN ('recognized', 'revoked') AND o.kind = 'recognized'
                   ORDER BY o.date DESC LIMIT 1)
           FROM unit u LEFT JOIN unit p ON p.id = u.parent_id
           WHERE u.kind IN ('commune', 'town', 'ward') AND u.active_until IS NULL
           ORDER BY u.sort_key""", {"set": code}).fetchall()
    status_rows, matrix_rows = [], []
    met_count = dict.fromkeys(numbers, 0)
    for _id, name, parent, met_text, by, decision in communes:
        met = {int(n) for n in met_text.split(",")} if met_text else set()
        missing = [n for n in numbers if n not in met]
        for n in met:
            if n in met_count:
                met_count[n] += 1
        status_rows.append((name, parent, len(met), len(numbers), _ranges(missing), _day(by),
                            decision, "chưa đạt" if missing else "đạt"))
        matrix_rows.append((name, *("✗" if n in missing else "✓" for n in numbers)))
    total = len(communes)
    sheets: list[Sheet] = [
        ("Tình trạng", ["Đơn vị", "Trực thuộc", "Số tiêu chí đạt", "Tổng tiêu chí",
                        "Tiêu chí chưa đạt", "Hạn", "Quyết định công nhận", "Tình trạng"], status_rows),
        ("Ma trận", ["Đơn vị"] + [str(n) for n in numbers], matrix_rows),
        ("Tiêu chí", ["Tiêu chí", "Tên", "Số xã đạt", "Tổng số xã", "Tỷ lệ"],
         [(n, names[n][0], met_count[n], total, met_count[n] / total if total else None)
          for n in numbers]),
    ]
    in_force = conn.execute(
        """SELECT p.id, p.start, p.report_every, p."end" FROM plan p
           WHERE p.start <= :day AND :day <= max(p."end", coalesce(
               (SELECT max(t.by) FROM plan_target t WHERE t.plan = p.id), p."end"))
           ORDER BY p.id""", {"day": as_of.isoformat()}).fetchall()
    laggards = []
    for plan_id, plan_start, report_every, plan_end in in_force:
        begun = date.fromisoformat(plan_start)
        # Criteria targets: the count met now against a straight line from none at the start
        # (the synthetic register's verdicts begin after its plans do) to all by the deadline.
        for unit, wanted, by, met in conn.execute(
                """SELECT u.name, t.criteria, t.by,
                          (SELECT count(*) FROM criterion_state s, json_each(t.criteria) w
                           WHERE s.unit_id = t.unit_id AND s.criteria_set = t.criteria_set
                             AND s.criterion = w.value AND s.kind = 'met')
                   FROM plan_target t JOIN unit u ON u.id = t.unit_id
                   WHERE t.plan = ? AND t.kind = 'criteria' ORDER BY u.sort_key""", [plan_id]):
            goal, due = len(json.loads(wanted)), date.fromisoformat(by)
            if met >= goal:
                continue
            if as_of > due:
                laggards.append((unit, plan_id, wanted, met, None, goal, due, goal - met,
                                 (due - as_of).days, f"{(as_of - due).days} ngày quá hạn, đạt {met}/{goal}"))
                continue
            expected = goal * (as_of - begun).days / max(1, (due - begun).days)
            if met < 0.8 * expected:
                laggards.append((unit, plan_id, wanted, met, round(expected, 1), goal, due,
                                 round(expected - met, 1), (due - as_of).days,
                                 f"chậm, đạt {met} cần {expected:.1f} đến nay (mục tiêu {goal})"))
        period = _last_period(report_every, as_of) if report_every else None
        if period and period[1] >= begun and period[0] <= date.fromisoformat(plan_end):
            first, last = period[0].isoformat(), period[1].isoformat()
            laggards += [(unit, plan_id, None, None, None, None, period[1], None,
                          (period[1] - as_of).days, f"không báo cáo từ {first} đến {last}")
                         for (unit,) in conn.execute(
                             """SELECT u.name FROM unit u
                                WHERE u.id IN (SELECT unit_id FROM plan_target WHERE plan = :plan)
                                  AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.unit_id = u.id
                                                  AND o.date BETWEEN :first AND :last)
                                  AND NOT EXISTS (SELECT 1 FROM unit c JOIN observation o ON o.unit_id = c.id
                                                  WHERE c.parent_id = u.id
                                                  AND o.date BETWEEN :first AND :last)
                                ORDER BY u.sort_key""", {"plan": plan_id, "first": first, "last": last})]
        rows = conn.execute(
            """SELECT t.indicator, u.name, t.baseline, s.value, t.amount, t.by
               FROM plan_target t JOIN unit u ON u.id = t.unit_id
               LEFT JOIN indicator_state s ON s.indicator = t.indicator AND s.unit_id = t.unit_id
               WHERE t.plan = ? AND t.indicator IS NOT NULL
               ORDER BY t.indicator, u.sort_key""", [plan_id]).fetchall()
        if not rows:
            continue
        out = [(indicator, unit, baseline, actual, goal, (actual or 0) / goal if goal else 0.0,
                None, _day(by), "") for indicator, unit, baseline, actual, goal, by in rows]
        # The roll-ups: one row per indicator and parent of the targeted units.
        out += [(indicator, name + " Σ", None, value, goal, (value or 0) / goal if goal else 0.0,
                 None, _day(by), "")
                for indicator, name, value, goal, by in conn.execute(
                    """SELECT t.indicator, p.name, sum(s.value), sum(t.amount), max(t.by)
                       FROM plan_target t JOIN unit u ON u.id = t.unit_id JOIN unit p ON p.id = u.parent_id
                       LEFT JOIN indicator_state s ON s.indicator = t.indicator AND s.unit_id = t.unit_id
                       WHERE t.plan = ? AND t.indicator IS NOT NULL
                       GROUP BY t.indicator, p.id ORDER BY t.indicator, p.sort_key""", [plan_id])]
        sheets.append((plan_id[:31], ["Chỉ tiêu", "Đơn vị", "Ban đầu", "Thực hiện", "Mục tiêu",
                                      "% mục tiêu", "Dự kiến", "Hạn", "Tình trạng"], out))
    sheets.append(("Chậm tiến độ", ["Đơn vị", "Kế hoạch", "Mục tiêu", "Thực hiện", "Dự kiến",
                                    "Đích", "Hạn", "Còn thiếu", "Còn (ngày)", "Lý do"], laggards))
    since, until = (as_of - timedelta(days=7)).isoformat(), as_of.isoformat()
    sheets.append(("Số liệu", ["Ngày", "Đơn vị", "Chỉ tiêu", "Loại", "Giá trị", "Ghi chú",
                               "Người ghi", "Nguồn", "Đã hủy", "Đường dẫn"], [
        (_day(d), unit, measure, kind, value, note, by, source, voided, unit)
        for d, unit, measure, kind, value, note, by, source, voided in conn.execute(
            """SELECT o.date, u.name, coalesce(o.indicator, o.criteria_set || ':' || o.criterion, o.kind),
                      o.kind, coalesce(o.value, o.decision, o.kind), o.note, o.by, o.source,
                      CASE WHEN EXISTS (SELECT 1 FROM observation v WHERE v.voids = o.id)
                           THEN 'có' ELSE 'không' END
               FROM observation o JOIN unit u ON u.id = o.unit_id
               WHERE o.date >= ? AND o.date <= ? ORDER BY o.date, o.id""", [since, until])]))
    return sheets


def write_xlsx(path: str | Path, sheets: list[Sheet], title: str = "register") -> int:
    """The floor of the export's writer: the sheets' cells through XlsxWriter in constant_memory
    mode with the export's options and formats. Returns the number of cells written."""
    import xlsxwriter

    with tempfile.TemporaryDirectory(dir=Path(path).parent) as work:
        book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "tmpdir": work, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False, "nan_inf_to_errors": True})
        bold = book.add_format({"bold": True})
        day = book.add_format({"num_format": "DD/MM/YYYY"})
        percent = book.add_format({"num_format": "0.0%"})
        cells = 0
        for name, headers, rows in sheets:
            ws = book.add_worksheet(name)
            ws.write_string(0, 0, title, bold)
            ws.write_row(1, 0, headers, bold)
            widths = [len(h) for h in headers]
            percent_cols = {i for i, h in enumerate(headers) if "%" in h or h == "Tỷ lệ"}
            for r, row in enumerate(rows, 2):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        ws.write_string(r, c, value)
                    elif isinstance(value, date):
                        ws.write_datetime(r, c, value, day)
                    elif c in percent_cols:
                        ws.write_number(r, c, value, percent)
                    else:
                        ws.write_number(r, c, value)
                    widths[c] = max(widths[c], len(str(value)))
                    cells += 1
            for c, width in enumerate(widths):
                ws.set_column(c, c, min(60, max(6, width + 2)))
            ws.freeze_panes(2, 0)
            ws.autofilter(1, 0, max(1, len(rows) + 1), len(headers) - 1)
        book.close()
    return cells


def html_sections(sheets: list[Sheet]) -> list[Sheet]:
    """The report's tables from the same cells: the first MAX_ROWS rows of the status (the
    report shows groups past 60 communes: the provinces' averages), the criteria, the pace (one
    row per commune, only the shown ones), each plan's rows and the laggards."""
    status, _matrix, criteria, *rest = sheets
    by_parent: dict[str, list[int]] = {}
    for row in status[2]:
        by_parent.setdefault(row[1] or "", []).append(row[2])
    groups = [(name, round(sum(v) / len(v), 2), len(v)) for name, v in by_parent.items()]
    status_rows = (groups if len(status[2]) > 60 else status[2])[:MAX_ROWS]
    pace = [(row[0], "0,1", "–", row[5].strftime("%d/%m/%Y") if row[5] else "–", "")
            for row in status[2][:MAX_ROWS]]
    return ([(status[0], status[1], status_rows), criteria, ("Pace", ["Đơn vị", "", "", "", ""], pace)]
            + [(name, headers, rows[:MAX_ROWS]) for name, headers, rows in rest[:-1]])


def write_html(path: str | Path, sections: list[Sheet]) -> int:
    """The floor of the report's writer: every shown row as an escaped HTML table row, one
    string, written once. Returns the number of rows written."""
    escape = html.escape
    parts = ['<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8"><title>report</title>'
             '</head>\n<body>\n']
    count = 0
    for name, headers, rows in sections:
        parts.append(f"<section><h2>{escape(name)}</h2>\n<table>\n<thead><tr>")
        parts.append("".join(f"<th>{escape(h)}</th>" for h in headers))
        parts.append("</tr></thead>\n<tbody>\n")
        for row in rows:
            parts.append("<tr>" + "".join(
                f"<td>{escape(v.strftime('%d/%m/%Y') if isinstance(v, date) else str(v))}</td>"
                if v is not None else "<td></td>" for v in row) + "</tr>\n")
            count += 1
        parts.append("</tbody>\n</table>\n</section>\n")
    parts.append("</body>\n</html>\n")
    Path(path).write_text("".join(parts), encoding="utf-8")
    return count


def _timed(function, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def floors(db: str | Path, work: str | Path, as_of: date | None = None) -> dict:
    """Seconds (wall and CPU) of each step on the register `db` (opened read-only), the files
    written in `work`: the cells by SQL, then each writer alone."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sheets, sql_s, sql_cpu = _timed(xlsx_sheets, conn, as_of)
    finally:
        conn.close()
    cells, xlsx_s, xlsx_cpu = _timed(write_xlsx, Path(work) / "floor.xlsx", sheets)
    rows, html_s, html_cpu = _timed(lambda: write_html(Path(work) / "floor.html", html_sections(sheets)))
    return {"sql_s": sql_s, "sql_cpu_s": sql_cpu, "xlsx_write_s": xlsx_s, "xlsx_write_cpu_s": xlsx_cpu,
            "xlsx_cells": cells, "html_write_s": html_s, "html_write_cpu_s": html_cpu,
            "html_rows": rows, "sheets": {name: len(r) for name, _, r in sheets}}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(floors(sys.argv[1], work), indent=2, ensure_ascii=False))
