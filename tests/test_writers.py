"""The writers of `report html` and `export xlsx` show what the reports say, however they are
made fast: the pace table lists the first communes of the trend, each with its own pace in the
language's format, however many more there are; the workbook's columns fit their longest text."""

from __future__ import annotations

import json
import re

from conftest import EXAMPLES


def _review(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    for commune, criteria, day in [("Thọ Thế", range(1, 6), "2018-02-15"),
                                   ("Thọ Thế", range(1, 12), "2018-05-15"),
                                   ("Thọ Thế", range(1, 18), "2018-09-15"),
                                   ("Minh Châu", range(1, 4), "2018-03-15"),
                                   ("Minh Châu", range(1, 11), "2018-08-15"),
                                   ("Dân Lý", range(1, 20), "2018-10-15")]:
        ready("record", "met", commune, *map(str, criteria), "--date", day)
    return ready


def _pace_rows(document: str) -> list[tuple[str, str]]:
    section = document[document.index('<section id="trend">'):]
    section = section[:section.index("</section>")]
    return re.findall(r'<tr data-path="([^"]+)"><td>[^<]*</td><td class="num">([^<]*)</td>', section)


def test_the_pace_table_shows_the_first_communes_with_their_own_pace(ready, db, monkeypatch):
    from ntmtrack.cli._common import build_scope
    from ntmtrack.output import html
    from ntmtrack.output.formats import format_number
    from ntmtrack.store.connection import open_register

    run = _review(ready)
    trend = json.loads(run("status", "--trend", "--as-of", "2018-11-02", "-f", "json").stdout)
    paced = [r for r in trend if r["pace_per_month"] not in (None, 0)]
    assert paced, "the review has communes that moved"
    reg = open_register(db, readonly=True)
    try:
        scope = build_scope(reg.conn, as_of="2018-11-02", under=None, plan=None, set_code=None,
                            threshold=0.8, lang="vi")
        everything = _pace_rows(html.build(reg.conn, scope))
        cut = trend.index(paced[0]) + 1
        monkeypatch.setattr(html, "MAX_ROWS", cut)   # a paper page's worth, as nationally
        first = _pace_rows(html.build(reg.conn, scope))
    finally:
        reg.conn.close()
    assert len(everything) == len(trend)
    assert first == everything[:cut]
    assert first == [(r["unit_path"], format_number(r["pace_per_month"], "vi")
                      if r["pace_per_month"] is not None else "–") for r in trend[:cut]]
    assert "," in first[-1][1]   # a Vietnamese decimal: 1,2 criteria a month


def test_workbook_columns_fit_their_longest_text(ready, tmp_path):
    from openpyxl import load_workbook

    run = _review(ready)
    out = tmp_path / "b.xlsx"
    run("export", "xlsx", out, "--as-of", "2018-11-02", "--lang", "vi")
    book = load_workbook(out)
    for ws in book:
        for column in ws.iter_cols(min_row=2):
            texts = [str(c.value) for c in column if isinstance(c.value, (str, int, float))]
            longest = max(map(len, texts), default=0)
            width = ws.column_dimensions[column[0].column_letter].width
            assert width >= min(60, max(6, longest + 2)), (ws.title, column[0].column_letter)
    status = book["Tình trạng"]
    assert [c.value for c in status[2]][:2] == ["Đơn vị", "Trực thuộc"]
    assert {status.cell(row=r, column=1).data_type for r in range(3, status.max_row + 1)} == {"s"}
