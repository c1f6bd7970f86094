import json
import sqlite3
import unicodedata
from datetime import date

import pytest
from conftest import EXAMPLES, digest

from ntmtrack.register.tree import Tree
from ntmtrack.reports import state
from ntmtrack.store import open_register


@pytest.fixture
def season(run):
    """Triệu Sơn with its 2018 plan (qd1980-2016) and the 2022 winter drive."""
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    run("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    run("plan", "import", EXAMPLES / "xa-45-ngay-2022.yaml")
    return run


def cp1258(text: str) -> bytes:
    """Text as old Vietnamese Windows software wrote it: shaped letters precomposed,
    tone marks combining."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in decomposed if m in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def history(run, unit, *args):
    return json.loads(run("history", unit, "-f", "json", *args).stdout)


def test_record_commands_and_history(season):
    season("record", "met", "Dân Lý", "17", "c18", "--date", "12/10/2018", "--note", "đoàn kiểm tra")
    season("record", "unmet", "tho the", "tc10", "--date", "2018-06-01")
    season("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "25/12/2018")
    rows = history(season, "Dân Lý")
    assert [(r["criterion"], r["kind"], r["date"]) for r in rows] == [
        (17, "met", "2018-10-12"), (18, "met", "2018-10-12")]
    assert rows[0]["criteria_set"] == "qd1980-2016"  # the set of the plan covering Dân Lý
    assert rows[0]["note"] == "đoàn kiểm tra" and rows[0]["source"] == "command line"
    assert set(rows[0]) >= {"id", "date", "unit", "measure", "kind", "value", "note", "by",
                            "source", "recorded_at", "voided"}
    assert history(season, "Tân Ninh")[0]["decision"] == "4863/QĐ-UBND"


def test_set_and_add_and_refusals(season, db):
    season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "85%", "--date", "20/09/2022")
    season("record", "add", "Dân Lý", "dien-tich-vu-dong", "12,5", "--date", "01/10/2022")
    before = digest(db)
    for args, message in [
        (("record", "set", "Dân Lý", "thu-hoach-lua-mua", "120"), "over 100%"),
        (("record", "met", "Dân Lý", "17", "--date", "2099-01-01"), "in the future"),
        (("record", "met", "Dân Lý", "27", "--date", "2018-10-15"), "criterion 27 is not in set qd1980-2016"),
        (("record", "met", "Dân Lý", "11"), "criterion 11 is not in set qd51-2025"),
        (("record", "set", "Dân Lý", "dien-tich-vu-dong", "1.234"), "ambiguous"),
        (("record", "set", "Dân Lý", "khong-co", "5"), "unknown indicator 'khong-co'"),
        (("record", "met", "Dân Lu", "17"), "did you mean"),
    ]:
        result = season(*args, code=1)
        assert message in result.stderr, (args, result.stderr)
    assert digest(db) == before


def test_set_is_ambiguous_when_plans_disagree(season):
    season("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    extra = season.db.parent / "p.yaml"
    extra.write_text("plan: q\ntitle: Q\ncriteria_set: qd318-2022\nstart: 2018-06-01\n"
                     "end: 2018-12-31\ntargets:\n  - {unit: Dân Lý, criteria: all}\n", encoding="utf-8")
    season("plan", "import", extra)
    # Two plans in force on the day with different sets: the secretary says which.
    assert "--set" in season("record", "met", "Dân Lý", "17", "--date", "2018-10-15", code=1).stderr
    # Outside the second plan's period only the first one covers the commune.
    out = season("record", "met", "Dân Lý", "17", "--date", "2018-03-01")
    assert "(qd1980-2016)" in out.stderr and "warning" not in out.stderr
    out = season("record", "met", "Dân Lý", "17", "--set", "qd318-2022", "--date", "2018-10-15")
    assert "warning: criteria set qd318-2022 was not in force on 2018-10-15" in out.stderr
    assert "qd1980-2016 was" in out.stderr


def test_void_keeps_history_and_changes_state(season):
    season("record", "met", "Dân Lý", "17", "--date", "2018-10-12")
    season("record", "unmet", "Dân Lý", "17", "--date", "2018-11-01")
    rows = history(season, "Dân Lý")
    season("record", "void", str(rows[-1]["id"]), "--note", "nhập nhầm")
    rows = history(season, "Dân Lý")
    assert rows[1]["voided"] is True and rows[-1]["kind"] == "void"
    unit_id = _unit_id(season, "Dân Lý")
    with open_register(season.db, readonly=True) as reg:
        now = state.criteria(reg.conn, date(2018, 12, 31), "qd1980-2016")
    # the voided "unmet" no longer counts: the earlier "met" holds again
    assert now[unit_id][("qd1980-2016", 17)][0] is True
    assert "already voided" in season("record", "void", str(rows[1]["id"]), code=1).stderr


def _unit_id(run, name):
    return json.loads(run("units", "show", name, "-f", "json").stdout)["id"]


def test_as_of_state_on_several_dates(season):
    season("record", "met", "Dân Lý", "1", "2", "3", "--date", "2018-03-01")
    season("record", "unmet", "Dân Lý", "2", "--date", "2018-06-01")
    season("record", "met", "Dân Lý", "2", "--date", "2018-09-01")
    season("record", "set", "Dân Lý", "ho-so-tieu-chi", "5", "--date", "2018-03-01")
    season("record", "add", "Dân Lý", "ho-so-tieu-chi", "4", "--date", "2018-05-01")
    season("record", "set", "Dân Lý", "ho-so-tieu-chi", "12", "--date", "2018-08-01")
    season("record", "add", "Dân Lý", "ho-so-tieu-chi", "7", "--date", "2018-10-01")
    unit = _unit_id(season, "Dân Lý")
    expected = {
        date(2018, 2, 1): (set(), None),
        date(2018, 3, 1): ({1, 2, 3}, 5),
        date(2018, 7, 1): ({1, 3}, 9),
        date(2018, 9, 1): ({1, 2, 3}, 12),
        date(2018, 12, 31): ({1, 2, 3}, 19),
    }
    with open_register(season.db, readonly=True) as reg:
        for day, (met, value) in expected.items():
            verdicts = state.criteria(reg.conn, day, "qd1980-2016")
            assert state.met_numbers(verdicts, unit, "qd1980-2016") == met, day
            values = state.own_indicator_values(reg.conn, day, ["ho-so-tieu-chi"])
            assert values.get((unit, "ho-so-tieu-chi")) == value, day
    assert len(history(season, "Dân Lý", "--as-of", "2018-06-01")) == 6


def test_villages_roll_up_to_commune(season):
    season("record", "add", "Cẩm Trang", "hang-rao-xanh", "25", "--date", "2022-04-29")
    season("record", "add", "1 Bồng Giang", "hang-rao-xanh", "10", "--date", "2022-04-29")
    season("record", "add", "2 Bồng Giang", "hang-rao-xanh", "5", "--date", "2022-05-06")
    commune = _unit_id(season, "Hợp Giang")
    with open_register(season.db, readonly=True) as reg:
        tree = Tree.load(reg.conn)
        values = state.indicator_values(reg.conn, date(2022, 5, 1), tree, ["hang-rao-xanh"])
        assert values[(commune, "hang-rao-xanh")] == 35
        values = state.indicator_values(reg.conn, date(2022, 5, 30), tree, ["hang-rao-xanh"])
        assert values[(commune, "hang-rao-xanh")] == 40
        province = tree.units[commune]["parent_id"]
        assert values[(province, "hang-rao-xanh")] == 40


def test_mean_rollup_for_percentages(season):
    season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "30%", "--date", "2022-09-20")
    season("record", "set", "Triệu Sơn/Triệu Sơn", "thu-hoach-lua-mua", "90", "--date", "2022-09-20")
    with open_register(season.db, readonly=True) as reg:
        tree = Tree.load(reg.conn)
        values = state.indicator_values(reg.conn, date(2022, 9, 30), tree, ["thu-hoach-lua-mua"])
    cluster = _unit_id(season, "Cụm 4")
    assert values[(cluster, "thu-hoach-lua-mua")] == 60


CSV_VN = ("ngày;đơn vị;chỉ tiêu;giá trị;ghi chú\r\n"
          "20/09/2022;Dân Lý;thu-hoach-lua-mua;90%;\r\n"
          "20/09/2022;dong tien;thu-hoach-lua-mua;30;\r\n"
          "\r\n"
          "01/10/2022;Thọ Phú;dien-tich-vu-dong;1.101,4;;\r\n"
          "01/10/2022;Thọ Phú;tc17;đạt;\"ghi chú\r\nhai dòng\"\r\n")


def test_import_excel_style_csv_then_reimport_changes_nothing(season, db, tmp_path):
    f = tmp_path / "bao-cao.csv"
    f.write_bytes(b"\xef\xbb\xbf" + CSV_VN.encode("utf-8"))
    out = season("record", "import", f, "--set", "qd1980-2016", "--summary-json")
    # In 2022 the 2016 set had been replaced: recorded as asked, with one warning.
    assert json.loads(out.stdout) == {"file": str(f), "rows": 4, "added": 4, "already_present": 0,
                                      "rejected": 0, "warnings": 1, "dry_run": False}
    assert "qd1980-2016 was not in force on 2022-10-01; qd318-2022 was" in out.stderr
    before = digest(db)
    again = season("record", "import", f, "--set", "qd1980-2016")
    assert "0 added, 4 already present, 0 rejected" in again.stderr
    assert digest(db) == before
    rows = history(season, "Thọ Phú")
    assert rows[0]["value"] == 1101.4 and rows[0]["source"] == f"{f}:5"
    assert rows[1]["note"] == "ghi chú\r\nhai dòng" and rows[1]["kind"] == "met"


def test_import_nfd_stdin_tsv_and_jsonl(season, tmp_path):
    nfd = unicodedata.normalize("NFD", "date\tunit\tmeasure\tvalue\tnote\n2022-09-21\tThọ Thế\tthu-hoach-lua-mua\t55\tnfd\n")
    season("record", "import", "-", "--input-format", "tsv", input=nfd.encode("utf-8"))
    assert history(season, "Thọ Thế")[0]["value"] == 55
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"date": "2022-09-22", "unit": "Thọ Vực", "measure": "thu-hoach-lua-mua", "value": 40}\n'
                     '\n{"ngày": "23/09/2022", "đơn vị": "Thọ Vực", "chỉ tiêu": "thu-hoach-lua-mua", "giá trị": "+10"}\n',
                     encoding="utf-8")
    season("record", "import", jsonl)
    assert [r["value"] for r in history(season, "Thọ Vực")] == [40, 10]


def test_import_xlsx(season, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    ws.title = "Tuần 38"
    ws.append(["Ngày", "Đơn vị", "Chỉ tiêu", "Giá trị", "Ghi chú"])
    ws.append([datetime(2022, 9, 20), "Dân Lý", "thu-hoach-lua-mua", 75, None])
    ws.append(["21/09/2022", "Thọ Thế", "thu-hoach-lua-mua", "80%", "báo cáo"])
    f = tmp_path / "tuan.xlsx"
    book.save(f)
    season("record", "import", f)
    assert history(season, "Dân Lý")[0]["value"] == 75
    assert history(season, "Thọ Thế")[0]["note"] == "báo cáo"
    assert "no sheet" in season("record", "import", f, "--sheet", "Nope", code=1).stderr


def test_cp1258_needs_its_encoding_and_then_matches_utf8(season, db, tmp_path):
    f = tmp_path / "cu.csv"
    f.write_bytes(cp1258("date,unit,measure,value,note\n2022-10-02,Thọ Vực,dien-tich-vu-dong,5,Ghi chú\n"))
    before = digest(db)
    err = season("record", "import", f, code=1).stderr
    assert "not valid utf-8" in err and "--encoding cp1258" in err
    assert digest(db) == before
    season("record", "import", f, "--encoding", "cp1258")
    assert history(season, "Thọ Vực")[0]["note"] == "Ghi chú"


def test_every_bad_row_listed_and_nothing_written(season, db, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("date,unit,measure,value,note\n"
                 "2022-10-01,Thọ Vực,dien-tich-vu-dong,1.234,\n"
                 "2022-10-01,Thọ Xyz,dien-tich-vu-dong,12,\n"
                 "2022-10-01,Thọ Vực,27,đạt,\n"
                 "2022-10-01,Thọ Vực,dien-tich-vu-dong,5,\n"
                 "31/02/2022,Thọ Vực,dien-tich-vu-dong,5,\n"
                 "2022-10-01,Thọ Vực,dien-tich-vu-dong,-5,\n"
                 "2022-10-01,Thọ Vực,thu-hoach-lua-mua,101%,\n"
                 "2022-10-01,Thọ Vực,dien-tich-vu-dong,5,x,extra\n"
                 "2022-10-01,Thọ Vực\x00,dien-tich-vu-dong,5,\n", encoding="utf-8")
    before = digest(db)
    lines = season("record", "import", f, code=1).stderr.strip().splitlines()
    assert lines[0] == f"{f}:2: '1.234' is ambiguous: thousands or decimals? say --decimal-mark , or --decimal-mark ."
    assert lines[1].startswith(f"{f}:3: no unit named 'Thọ Xyz'")
    assert lines[2].startswith(f"{f}:4: criterion 27 is not in set")
    assert lines[3] == f"{f}:6: '31/02/2022' is not a real date"
    assert lines[4] == f"{f}:7: dien-tich-vu-dong: -5 is negative"
    assert lines[5] == f"{f}:8: thu-hoach-lua-mua: 101% is over 100%"
    assert lines[6] == f"{f}:9: 6 cells but the header has 5 columns"
    assert lines[7].startswith(f"{f}:10: unit: a control character (U+0000)")
    assert digest(db) == before
    season("record", "import", f, "--decimal-mark", ",", code=1)
    assert digest(db) == before


def test_dry_run_counts_and_writes_nothing(season, db, tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text("date,unit,measure,value,note\n2022-10-01,Thọ Vực,dien-tich-vu-dong,5,\n", encoding="utf-8")
    before = digest(db)
    out = season("record", "import", f, "--dry-run", "--summary-json")
    assert json.loads(out.stdout)["added"] == 1 and json.loads(out.stdout)["dry_run"] is True
    assert digest(db) == before


def test_plausibility_warnings_are_recorded_anyway(season):
    season("record", "set", "Hợp Giang", "hang-rao-xanh", "10", "--date", "2022-04-20")
    season("record", "set", "Cẩm Trang", "hang-rao-xanh", "8", "--date", "2022-04-20")
    result = season("record", "set", "1 Bồng Giang", "hang-rao-xanh", "9", "--date", "2022-04-21")
    assert "add up to 17, more than its own 10" in result.stderr
    result = season("record", "set", "Cẩm Trang", "hang-rao-xanh", "3", "--date", "2022-04-22")
    assert "falls from 8 to 3" in result.stderr
    assert len(history(season, "Cẩm Trang")) == 2
    for day, amount in [("2022-04-23", "1"), ("2022-04-24", "1"), ("2022-04-25", "2"), ("2022-04-26", "1")]:
        season("record", "add", "2 Bồng Giang", "hang-rao-xanh", amount, "--date", day)
    assert "far beyond its usual change" in season(
        "record", "add", "2 Bồng Giang", "hang-rao-xanh", "40", "--date", "2022-04-27").stderr


def test_merged_unit_refuses_later_verdicts(season):
    season("units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú", "--date", "2025-07-01")
    season("record", "met", "Thọ Thế", "5", "--date", "2025-06-30")
    assert "merged away" in season("record", "met", "Thọ Thế", "5", "--date", "2025-07-02", code=1).stderr


def test_observations_are_append_only_in_sqlite(season, db):
    season("record", "met", "Dân Lý", "17", "--date", "2018-10-12")
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE observation SET kind='unmet'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM observation")


def test_unknown_and_missing_columns(season, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("date,unit,value\n2022-10-01,Thọ Vực,5\n", encoding="utf-8")
    assert "missing column(s): measure" in season("record", "import", f, code=1).stderr
    f.write_text("date,unit,measure,value,colour\n", encoding="utf-8")
    assert "unknown column(s) colour" in season("record", "import", f, code=1).stderr
    assert "--input-format" in season("record", "import", "-", code=2).stderr


def _import_peak_kib(db, path):
    import subprocess
    import sys

    code = ("import resource, sys; from ntmtrack.cli import main; sys.argv=['ntmtrack','record',"
            f"'import',{str(path)!r}]\ntry:\n main()\nexcept SystemExit as e:\n"
            " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stdout); raise")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"NTMTRACK_DB": str(db), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1]), result.stderr


def _file_of(path, megabytes):
    row = "2022-10-01,Thọ Vực,dien-tich-vu-dong,+1,{}\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write("date,unit,measure,value,note\n")
        i = 0
        while out.tell() < megabytes * 1024 * 1024:
            out.write(row.format("x" * 200 + str(i)))
            i += 1
    return i


@pytest.mark.slow
def test_50_mb_import_streams_with_flat_memory(season, tmp_path):
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _file_of(small, 5)
    rows = _file_of(big, 50)
    small_db = tmp_path / "small.db"
    season("db", "backup", small_db)
    small_peak, _ = _import_peak_kib(small_db, small)
    big_peak, err = _import_peak_kib(season.db, big)
    assert f"{rows} added" in err
    # Ten times the file, not ten times the memory: the rows are streamed, not held.
    assert big_peak < small_peak + 100 * 1024, (small_peak, big_peak)


def test_criteria_go_to_the_town_when_a_district_shares_its_name(season):
    season("record", "met", "Triệu Sơn", "5", "--date", "2018-10-01")
    assert history(season, "TT Triệu Sơn")[0]["criterion"] == 5


def test_an_import_refuses_verdicts_for_every_unit_that_holds_no_criteria(ready, tmp_path):
    # The set is checked against each kind of unit once, but every row is still judged: two
    # clusters on one day are both refused, and the communes' rows with them are not written.
    f = tmp_path / "cum.csv"
    f.write_text("date,unit,measure,value\n2018-10-15,Cụm 1,1,đạt\n2018-10-15,Cụm 2,1,đạt\n"
                 "2018-10-15,Dân Lý,1,đạt\n2018-10-16,Cụm 3,2,đạt\n", encoding="utf-8")
    before = digest(ready.db)
    err = ready("record", "import", f, code=1).stderr
    lines = [line for line in err.splitlines() if "belong to communes and villages" in line]
    assert [line.split(":")[1] for line in lines] == ["2", "3", "5"]
    assert digest(ready.db) == before
