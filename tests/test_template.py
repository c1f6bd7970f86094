"""Issue 15 item 2: fill-in templates — written, filled by a commune, imported back."""

import json
from datetime import date, datetime

import pytest
from conftest import EXAMPLES, digest
from openpyxl import load_workbook

from ntmtrack.reports.templates import next_report_day


@pytest.fixture
def district(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "met", "Dân Lực", "1-3", "--date", "01/10/2018")
    ready("record", "set", "Dân Lực", "ho-so-tieu-chi", "5", "--date", "01/10/2018")
    return ready


@pytest.mark.parametrize("every, day, due", [
    ("friday", date(2018, 11, 2), date(2018, 11, 2)), ("friday", date(2018, 11, 3), date(2018, 11, 9)),
    ("monday", date(2018, 11, 2), date(2018, 11, 5)), ("month", date(2018, 11, 2), date(2018, 11, 30)),
    ("month", date(2018, 12, 5), date(2018, 12, 31)), ("quarter", date(2018, 11, 2), date(2018, 12, 31)),
    ("quarter", date(2019, 1, 1), date(2019, 3, 31)), (None, date(2018, 11, 2), date(2018, 11, 2)),
    ("day", date(2018, 11, 2), date(2018, 11, 2)),
])
def test_next_report_day(every, day, due):
    assert next_report_day(every, day) == due


def _data(path):
    book = load_workbook(path)
    ws = book.worksheets[0]
    return book, ws, [[c.value for c in row] for row in ws.iter_rows()]


def test_xlsx_template_layout(district, tmp_path):
    out = tmp_path / "mau.xlsx"
    err = district("template", "trieu-son-2018", "--under", "Cụm 5", "--as-of", "02/11/2018",
                   "-o", out, "--lang", "vi").stderr
    assert "dòng cần điền" in err
    book, ws, rows = _data(out)
    assert book.sheetnames == ["Số liệu", "Hướng dẫn"]
    assert rows[0][0] == "ỦY BAN NHÂN DÂN HUYỆN TRIỆU SƠN"
    assert "trieu-son-2018" in rows[1][0] and "01/01/2018 – 31/12/2018" in rows[2][0]
    assert rows[3][0].startswith("Hạn gửi: ")
    header = rows[5]
    assert header == ["đơn vị", "đường dẫn", "bộ tiêu chí", "chỉ tiêu", "tên chỉ tiêu", "đơn vị tính",
                      "hiện tại", "giá trị", "ngày", "ghi chú"]
    data = rows[6:]
    # Three communes of Cụm 5 in the plan, 19 criteria each, and the indicator targets.
    assert {r[0] for r in data} == {"Dân Lực", "Dân Quyền", "Thọ Thế"}
    dan_luc = {r[3]: r for r in data if r[0] == "Dân Lực"}
    assert dan_luc["1"][6] == "đạt" and dan_luc["4"][6] is None and dan_luc["ho-so-tieu-chi"][6] == 5
    assert all(r[7] is None and isinstance(r[8], datetime) for r in data)
    assert ws.protection.sheet and not ws.protection.password
    assert ws.cell(row=7, column=8).protection.locked is False       # value
    assert ws.cell(row=7, column=1).protection.locked is True        # unit
    kinds = {(v.type, next(iter(v.sqref.ranges)).coord[0]) for v in ws.data_validations.dataValidation}
    assert ("list", "H") in kinds and ("decimal", "H") in kinds and ("date", "I") in kinds
    lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert lists[0].formula1 == '"đạt,chưa đạt"'
    assert "HƯỚNG DẪN" in book["Hướng dẫn"]["A1"].value


def test_percent_indicator_is_checked_from_0_to_100(ready, tmp_path):
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    out = tmp_path / "vu-dong.xlsx"
    ready("template", "trieu-son-vu-dong-2022", "--under", "Dân Lý", "--as-of", "20/09/2022", "-o", out)
    _, ws, _rows = _data(out)
    percent = [v for v in ws.data_validations.dataValidation if v.type == "decimal" and v.formula2 == "100"]
    assert percent


def test_filled_template_records_exactly_the_filled_rows(district, db, tmp_path):
    out = tmp_path / "mau.xlsx"
    district("template", "trieu-son-2018", "--under", "Cụm 5", "--as-of", "02/11/2018", "-o", out)
    book, ws, rows = _data(out)
    top = next(i for i, r in enumerate(rows) if r[0] == "unit") + 1
    filled = 0
    for n, r in enumerate(rows[top:], top + 1):
        if r[0] == "Dân Quyền" and r[3] in ("17", "18"):
            ws.cell(row=n, column=8).value = "met"
            filled += 1
        elif r[0] == "Dân Lực" and r[3] == "1":
            ws.cell(row=n, column=8).value = "met"            # unchanged: already met
        elif r[0] == "Dân Lực" and r[3] == "ho-so-tieu-chi":
            ws.cell(row=n, column=8).value = 12
            ws.cell(row=n, column=10).value = "đủ 12 hồ sơ"
            filled += 1
    filled_path = tmp_path / "da-dien.xlsx"
    book.save(filled_path)
    assert filled == 3
    result = district("record", "import", filled_path, "--summary-json")
    assert json.loads(result.stdout)["added"] == 3
    assert [h["criterion"] for h in json.loads(district("history", "Dân Quyền", "-f", "json").stdout)] == [17, 18]
    last = json.loads(district("history", "Dân Lực", "-m", "ho-so-tieu-chi", "-f", "json").stdout)[-1]
    assert last["value"] == 12 and last["note"] == "đủ 12 hồ sơ" and last["date"] == rows[top][8].date().isoformat()
    before = digest(db)
    assert "0 added" in district("record", "import", filled_path).stderr
    assert digest(db) == before


def test_csv_template_round_trip(district, tmp_path):
    out = tmp_path / "mau.csv"
    district("template", "trieu-son-2018", "--under", "Dân Lực", "--as-of", "02/11/2018", "-o", out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("People's Committee") and lines[3].startswith("Due (hạn gửi): ")
    header = lines.index("unit,path,criteria set,measure,name,unit of measure,current,value,date,note")
    body = [line.split(",") for line in lines[header + 1:]]
    for cells in body:
        if cells[3] == "19":
            cells[7] = "met"
    out.write_text("\n".join(lines[:header + 1] + [",".join(c) for c in body]) + "\n", encoding="utf-8")
    assert "1 added" in district("record", "import", out).stderr


def test_per_unit_writes_a_file_per_commune(district, tmp_path):
    out = tmp_path / "mau"
    district("template", "trieu-son-2018", "--as-of", "02/11/2018", "-o", out, "--per-unit")
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 8 and "trieu-son-2018-dan-ly.xlsx" in names
    _, _, rows = _data(out / "trieu-son-2018-dan-ly.xlsx")
    assert rows[0][0] == "People's Committee: Dân Lý Commune"
    assert "exists; use --force" in district("template", "trieu-son-2018", "--as-of", "02/11/2018",
                                             "-o", out, "--per-unit", code=1).stderr
    district("template", "trieu-son-2018", "--as-of", "02/11/2018", "-o", out, "--per-unit", "--force")


def test_template_never_overwrites_the_register_or_a_file(district, db, tmp_path):
    before = digest(db)
    link = tmp_path / "link.xlsx"
    link.symlink_to(db)
    err = district("template", "trieu-son-2018", "-o", link, "--force", code=1).stderr
    assert "is the register" in err
    existing = tmp_path / "x.csv"
    existing.write_text("keep")
    assert "exists; use --force" in district("template", "trieu-son-2018", "-o", existing, code=1).stderr
    assert existing.read_text() == "keep" and digest(db) == before
