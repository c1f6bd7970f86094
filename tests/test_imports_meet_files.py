"""Issue 15 item 3: imports that meet files where they are — titles above the header, the
register's own exports read back, percentages from spreadsheets, dates written day first
(or month first, said), delimiters, criteria lists, the same fact typed twice."""

import json
from datetime import date, datetime

import pytest
from conftest import EXAMPLES, digest

from ntmtrack.read.criteria_lists import parse_criteria
from ntmtrack.read.dates import try_parse


@pytest.fixture
def season(run):
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    return run


def history(run, unit, *args):
    return json.loads(run("history", unit, "-f", "json", *args).stdout)


# -- rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("written, numbers", [
    ("1-5", [1, 2, 3, 4, 5]), ("1,2,3", [1, 2, 3]), ("1 2 3", [1, 2, 3]),
    ("1-3, 8 tc10", [1, 2, 3, 8, 10]), (["17", "c18", "tc 19"], [17, 18, 19]),
    ("Tiêu chí 17", [17]), ("2 - 4", [2, 3, 4]),
])
def test_criteria_lists_as_people_write_them(written, numbers):
    assert parse_criteria(written) == numbers


@pytest.mark.parametrize("written", ["5-3", "x", "1-", "0"])
def test_criteria_lists_refused(written):
    assert isinstance(parse_criteria(written), str)


@pytest.mark.parametrize("written, day", [
    ("18/09/2022", date(2022, 9, 18)), ("18-09-2022", date(2022, 9, 18)),
    ("18.09.2022", date(2022, 9, 18)), ("2022-09-18", date(2022, 9, 18)),
    ("11/05/2018", date(2018, 5, 11)),
])
def test_dates_are_read_day_first(written, day):
    assert try_parse(written) == day


def test_a_date_that_only_reads_month_first_says_so():
    message = try_parse("10/31/2018")
    assert isinstance(message, str) and "month first" in message and "--date-order mdy" in message
    assert try_parse("10/31/2018", "mdy") == date(2018, 10, 31)
    assert try_parse("11/05/2018", "mdy") == date(2018, 11, 5)
    assert try_parse("2018-10-31", "mdy") == date(2018, 10, 31)


# -- headers ---------------------------------------------------------------------------

def test_title_rows_above_the_header_in_csv_and_skip_rows(season, tmp_path):
    f = tmp_path / "tuan-48.csv"
    f.write_text("BÁO CÁO TIẾN ĐỘ TUẦN 48,,,,\nXã Dân Lý,,,,\n\n"
                 "ngày,đơn vị,chỉ tiêu,giá trị,ghi chú\n20/09/2022,Dân Lý,thu-hoach-lua-mua,75,\n",
                 encoding="utf-8")
    assert "1 added" in season("record", "import", f).stderr
    assert history(season, "Dân Lý")[0]["value"] == 75
    g = tmp_path / "skip.csv"
    g.write_text("date,unit,measure,value\nnot,the,header,row\n"
                 "date,unit,measure,value\n21/09/2022,Dân Lý,thu-hoach-lua-mua,80\n", encoding="utf-8")
    assert "1 added" in season("record", "import", g, "--skip-rows", "2").stderr


def test_title_rows_above_the_header_in_a_sheet(season, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["BÁO CÁO TIẾN ĐỘ TUẦN 48"])
    ws.append([])
    ws.append(["Ngày", "Đơn vị", "Chỉ tiêu", "Giá trị", "Ghi chú"])
    ws.append([datetime(2022, 9, 20), "Dân Lý", "thu-hoach-lua-mua", 0.9, None])
    ws["D4"].number_format = "0%"    # Excel shows 90%, stores 0.9
    ws.append([datetime(2022, 9, 20), "Thọ Thế", "thu-hoach-lua-mua", 55, None])
    f = tmp_path / "tuan.xlsx"
    book.save(f)
    assert "2 added" in season("record", "import", f).stderr
    assert history(season, "Dân Lý")[0]["value"] == 90
    assert history(season, "Thọ Thế")[0]["value"] == 55


# -- the register's own files read back ---------------------------------------------------

def _fill(season):
    season("record", "met", "Dân Lý", "1-3", "17", "--date", "15/10/2018")
    season("record", "unmet", "Dân Lý", "3", "--date", "20/10/2018", "--note", "mất")
    season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "40", "--date", "20/09/2022")
    season("record", "add", "Dân Lý", "dien-tich-vu-dong", "12,5", "--date", "01/10/2022")
    season("record", "add", "Dân Lý", "dien-tich-vu-dong", "3", "--date", "02/10/2022")
    season("record", "add", "Dân Lý", "dien-tich-vu-dong", "3", "--date", "02/10/2022")   # a second +3
    season("record", "recognized", "Dân Lý", "--decision", "4863/QĐ-UBND", "--date", "25/12/2018",
           "--set", "qd1980-2016")
    wrong = season("record", "set", "Thọ Thế", "thu-hoach-lua-mua", "77", "--date", "20/09/2022")
    season("record", "void", wrong.stderr.split("[id ")[1].split("]")[0])


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_history_round_trip(season, run, db, tmp_path, monkeypatch, fmt):
    _fill(season)
    f = tmp_path / f"history.{fmt}"
    f.write_text(season("history", "Thanh Hóa/Triệu Sơn", "--below", "-f", fmt).stdout, encoding="utf-8")
    before = digest(db)
    assert "0 added" in season("record", "import", f).stderr
    assert digest(db) == before
    state = season("status", "--plan", "trieu-son-2018", "--as-of", "2022-12-31", "-f", "json").stdout
    progress = season("progress", "trieu-son-vu-dong-2022", "--as-of", "2022-12-31", "-f", "json").stdout
    # An empty register with the same units and plans gets everything, and the same state.
    monkeypatch.setenv("NTMTRACK_DB", str(tmp_path / "empty.db"))
    season("init")
    season("units", "import", EXAMPLES / "trieu-son-units.yaml")
    season("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    season("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    result = season("record", "import", f, "--summary-json")
    assert json.loads(result.stdout)["added"] == 10    # the voided one and its void left out
    assert season("status", "--plan", "trieu-son-2018", "--as-of", "2022-12-31", "-f", "json").stdout == state
    assert season("progress", "trieu-son-vu-dong-2022", "--as-of", "2022-12-31", "-f", "json").stdout == progress
    assert "0 added" in season("record", "import", f).stderr


def test_exported_workbook_observations_read_back(season, db, tmp_path, monkeypatch):
    _fill(season)
    book = tmp_path / "bao-cao.xlsx"
    season("export", "xlsx", book, "--as-of", "05/10/2022", "--lang", "vi")
    before = digest(db)
    # The workbook's observations are the week's: 28/09 to 05/10, the three increases.
    assert "0 added, 3 already present" in season("record", "import", book).stderr
    assert digest(db) == before
    monkeypatch.setenv("NTMTRACK_DB", str(tmp_path / "empty.db"))
    season("init")
    season("units", "import", EXAMPLES / "trieu-son-units.yaml")
    season("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    assert "3 added" in season("record", "import", book).stderr
    values = [(r["kind"], r["value"]) for r in history(season, "Dân Lý")]
    assert values == [("add", 12.5), ("add", 3), ("add", 3)]


# -- percentages -----------------------------------------------------------------------

def test_a_fraction_for_a_percent_indicator_is_refused_with_a_hint(season, db, tmp_path):
    season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "91,5", "--date", "10/09/2022")
    f = tmp_path / "f.csv"
    f.write_text("date,unit,measure,value\n20/09/2022,Dân Lý,thu-hoach-lua-mua,\"0,95\"\n", encoding="utf-8")
    before = digest(db)
    err = season("record", "import", f, code=1).stderr
    assert "looks like a fraction (95%?)" in err and "--percent-fractions" in err
    assert digest(db) == before
    season("record", "import", f, "--percent-fractions")
    assert history(season, "Dân Lý")[-1]["value"] == 95


def test_record_set_warns_on_a_level_far_from_the_last(season):
    season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "91.5", "--date", "10/09/2022")
    err = season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "9.15", "--date", "20/09/2022").stderr
    assert "far from its last level 91.5" in err


# -- dates -----------------------------------------------------------------------------

def test_month_first_file_refused_with_the_option_that_reads_it(season, db, tmp_path):
    f = tmp_path / "us.csv"
    f.write_text("date,unit,measure,value\n11/05/2018,Dân Lý,17,met\n10/31/2018,Dân Lý,18,met\n",
                 encoding="utf-8")
    before = digest(db)
    err = season("record", "import", f, code=1).stderr
    assert f"{f}:3:" in err and "--date-order mdy" in err
    assert digest(db) == before
    season("record", "import", f, "--date-order", "mdy")
    assert [r["date"] for r in history(season, "Dân Lý")] == ["2018-10-31", "2018-11-05"]


def test_dashes_and_dots_are_day_first(season):
    season("record", "met", "Dân Lý", "1", "--date", "18-09-2018")
    season("record", "met", "Dân Lý", "2", "--date", "19.09.2018")
    assert [r["date"] for r in history(season, "Dân Lý")] == ["2018-09-18", "2018-09-19"]


# -- units, criteria lists, repeats ------------------------------------------------------

def test_units_csv_with_semicolons_and_delimiter_option(run, tmp_path):
    run("init")
    f = tmp_path / "don-vi.csv"
    f.write_text("name;kind;parent\nThanh Hóa;province;\nTriệu Sơn;district;Thanh Hóa\n", encoding="utf-8")
    assert "2 units added" in run("units", "import", f).stderr
    g = tmp_path / "pipes.csv"
    g.write_text("name|kind|parent\nNông Cống|district|Thanh Hóa\n", encoding="utf-8")
    assert "1 units added" in run("units", "import", g, "--delimiter", "|").stderr


def test_criteria_lists_in_commands_and_plans(season, tmp_path):
    season("record", "met", "Dân Lý", "1-5", "7,8", "10 11", "tc19", "--date", "15/10/2018")
    met = {r["criterion"] for r in history(season, "Dân Lý")}
    assert met == {1, 2, 3, 4, 5, 7, 8, 10, 11, 19}
    plan = tmp_path / "p.yaml"
    plan.write_text("plan: p\ntitle: T\ncriteria_set: qd1980-2016\nstart: 2018-01-01\nend: 2018-12-31\n"
                    "targets:\n  - unit: Thọ Thế\n    criteria: 1-5, 8\n"
                    "  - unit: Dân Lực\n    criteria: [1-3, 17]\n", encoding="utf-8")
    season("plan", "import", plan)
    shown = json.loads(season("plan", "show", "p", "-f", "json").stdout)["targets"]
    assert sorted(t["criteria"] for t in shown) == [[1, 2, 3, 4, 5, 8], [1, 2, 3, 17]]
    assert "criterion 'x' must be" in season("plan", "validate", _with(tmp_path, "criteria: x"), code=1).stderr


def _with(tmp_path, line):
    f = tmp_path / "bad.yaml"
    f.write_text("plan: b\ntitle: T\ncriteria_set: qd1980-2016\nstart: 2018-01-01\nend: 2018-12-31\n"
                 f"targets:\n  - unit: Thọ Thế\n    {line}\n", encoding="utf-8")
    return f


def test_the_same_fact_typed_twice_is_recorded_once(season, db):
    season("record", "met", "Dân Lý", "17", "--date", "15/10/2018")
    before = digest(db)
    again = season("record", "met", "Dân Lý", "17", "--date", "15/10/2018")
    assert "already recorded (id 1)" in again.stderr and digest(db) == before
    season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "40", "--date", "20/09/2022")
    assert "already recorded" in season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "40,0",
                                        "--date", "20/09/2022").stderr
    season("record", "recognized", "Dân Lý", "--decision", "1/QĐ", "--date", "25/12/2018", "--set", "qd1980-2016")
    assert "already recorded" in season("record", "recognized", "Dân Lý", "--decision", "1/QĐ",
                                        "--date", "25/12/2018", "--set", "qd1980-2016").stderr
    assert digest(db) != before
    n = len(history(season, "Dân Lý"))
    season("record", "met", "Dân Lý", "17", "--date", "15/10/2018", "--again")
    assert len(history(season, "Dân Lý")) == n + 1
    # A different date, or an increase, is a new fact.
    season("record", "met", "Dân Lý", "17", "--date", "16/10/2018")
    assert len(history(season, "Dân Lý")) == n + 2
