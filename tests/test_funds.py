"""Money (issue 14): exact amounts in integer đồng, read as offices write them and shown with
one rounding rule; funds observations (record, import, void, history); `funds status`; debt in
`status` and `laggards`; bands of criteria met."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import digest

from ntmtrack.output.formats import format_money
from ntmtrack.read.numbers import MONEY_LARGEST, Money, Unreadable, money_scale, read_money
from ntmtrack.reports.bands import band, cuts

# -- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, dong", [
    ("1.500.000.000", 1_500_000_000), ("1500000000", 1_500_000_000), ("1,5 tỷ", 1_500_000_000),
    ("294,98 tỉ đồng", 294_980_000_000), ("1.500 triệu", 1_500_000_000),
    ("250 triệu đồng", 250_000_000), ("122,072 tỷ đồng", 122_072_000_000),
    ("18,5 tỷ đồng", 18_500_000_000), ("1.5 tỷ", 1_500_000_000), ("1 500 triệu", 1_500_000_000),
    ("1.234 đồng", 1234), ("5.000 đ", 5000), ("2 TỶ", 2_000_000_000), ("1,5 ty", 1_500_000_000),
])
def test_money_reads_as_offices_write_it(text, dong):
    found = read_money(text)
    assert found == Money(dong) and isinstance(found.dong, int)


@pytest.mark.parametrize("text, reason", [
    ("1.234", "ambiguous"), ("1,234", "ambiguous"), ("1.234 VND", "ambiguous"),
    ("0,5 đồng", "fraction"), ("1,5", "fraction"), ("5 ha", "not_a_number"), ("tỷ", "not_a_number"),
    ("1e9", "not_a_number"), ("10000000 tỷ", "too_large"), ("nan", "not_a_number"),
])
def test_money_refuses_what_reads_two_ways_or_is_not_whole_dong(text, reason):
    found = read_money(text)
    assert isinstance(found, Unreadable) and found.reason == reason


def test_a_measure_gives_bare_numbers_their_unit_and_words_override_it():
    assert read_money("1,5", scale=10 ** 9).dong == 1_500_000_000
    assert read_money("250 triệu", scale=10 ** 9).dong == 250_000_000
    assert read_money("1.234", decimal_mark=",").dong == 1234
    assert [money_scale(m) for m in ("đồng", "triệu đồng", "tỷ đồng", "tỉ đồng", "hộ", "%", None)] == \
        [1, 10 ** 6, 10 ** 9, 10 ** 9, None, None, None]
    assert read_money(f"{MONEY_LARGEST}").dong == MONEY_LARGEST < 2 ** 53


@pytest.mark.parametrize("dong, vi, en", [
    (1_500_000_000, "1,5 tỷ đồng", "1.5 billion VND"),
    (294_980_000_000, "294,98 tỷ đồng", "294.98 billion VND"),
    (122_072_000_000, "122,072 tỷ đồng", "122.072 billion VND"),
    (250_000_000, "250 triệu đồng", "250 million VND"),
    (5000, "5.000 đồng", "5,000 VND"),
    (1_234_567_890_123, "1.234,568 tỷ đồng", "1,234.568 billion VND"),   # half up, 3 decimals
    (1_000_500_000, "1,001 tỷ đồng", "1.001 billion VND"),
    (0, "0 đồng", "0 VND"),
])
def test_money_is_shown_with_one_rounding_rule(dong, vi, en):
    assert format_money(dong, "vi") == vi and format_money(dong, "en") == en


def test_bands_of_criteria_met():
    assert [band(m, 19) for m in (19, 18, 15, 14, 10, 9, 0)] == \
        ["all", "15-18", "15-18", "10-14", "10-14", "under-10", "under-10"]
    assert cuts(19) == (15, 10) and cuts(20) == (16, 11) and cuts(10) == (8, 6)
    assert band(20, 20) == "all" and band(15, 20) == "10-14" and band(5, 10) == "under-10"


# -- recording --------------------------------------------------------------------------------


def test_funds_record_appends_voidable_rows_shown_in_history(ready):
    out = ready("funds", "record", "Dân Lý", "1,5 tỷ", "--source", "trung-uong", "--kind", "allocated",
                "--date", "01/02/2018", "--project", "Đường thôn 1").stderr
    assert "1.5 billion VND" in out and "[id 1]" in out
    vi = ready("funds", "record", "Dân Lý", "250 triệu đồng", "--source", "Trung ương", "--kind",
               "disbursed", "--date", "2018-03-01", "--lang", "vi").stderr
    assert "250 triệu đồng" in vi and "ngân sách trung ương" in vi
    rows = [json.loads(line) for line in ready("history", "Dân Lý", "-f", "jsonl").stdout.splitlines()]
    assert [(r["measure"], r["value"], r["amount"]) for r in rows] == [
        ("funds:allocated:trung-uong", 1_500_000_000, 1_500_000_000),
        ("funds:disbursed:trung-uong", 250_000_000, 250_000_000)]
    assert rows[0]["project"] == "Đường thôn 1" and isinstance(rows[0]["amount"], int)
    table = ready("history", "Dân Lý", "--lang", "vi").stdout
    assert "1,5 tỷ đồng" in table and "vốn được giao" in table
    ready("record", "void", "2")
    status = json.loads(ready("funds", "status", "--year", "2018", "--as-of", "2018-06-30",
                              "--under", "Dân Lý", "-f", "json").stdout)
    assert [(r["allocated"], r["disbursed"]) for r in status] == [(1_500_000_000, 0)]


@pytest.mark.parametrize("args, words", [
    (["Dân Lý", "1.234", "--source", "trung-uong", "--kind", "allocated"], "ambiguous"),
    (["Dân Lý", "1,5 tỷ", "--source", "ngan-sach", "--kind", "allocated"], "unknown source"),
    (["Dân Lý", "1,5 tỷ", "--source", "khac", "--kind", "spent"], "unknown kind"),
    (["--source", "khac", "--kind", "debt", "--", "Dân Lý", "-5 tỷ"], "negative"),
    (["Dân Lý", "0,5 đồng", "--source", "khac", "--kind", "debt"], "whole number"),
])
def test_funds_record_refuses_with_one_line_and_writes_nothing(ready, args, words):
    before = digest(ready.db)
    result = ready("funds", "record", *args, code=1)
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert digest(ready.db) == before


def test_record_import_takes_funds_rows_and_refuses_an_ambiguous_amount_whole(ready, tmp_path):
    good = tmp_path / "von.csv"
    good.write_text("date,unit,measure,value,note,project\n"
                    "2018-02-01,Dân Lý,funds:allocated:trung-uong,\"1,5 tỷ\",,Đường thôn 1\n"
                    "2018-03-01,Dân Lý,funds:disbursed:trung-uong,1.500 triệu,,\n"
                    "2018-04-01,Thọ Thế,funds:debt:dia-phuong,\"294,98 tỉ đồng\",,\n", encoding="utf-8")
    bad = tmp_path / "sai.csv"
    bad.write_text("date,unit,measure,value\n2018-02-01,Dân Lý,funds:allocated:trung-uong,1.234\n"
                   "2018-02-01,Dân Lý,funds:spent:trung-uong,5 tỷ\n", encoding="utf-8")
    before = digest(ready.db)
    result = ready("record", "import", bad, code=1)
    assert "sai.csv:2:" in result.stderr and "ambiguous" in result.stderr
    assert "sai.csv:3:" in result.stderr and "unknown kind" in result.stderr
    assert digest(ready.db) == before
    assert "3 added" in ready("record", "import", good).stderr
    assert "0 added, 3 already present" in ready("record", "import", good).stderr
    rows = json.loads(ready("history", "Thọ Thế", "-f", "json").stdout)
    assert rows[0]["amount"] == 294_980_000_000


# -- reports ----------------------------------------------------------------------------------


@pytest.fixture
def money(ready, tmp_path):
    plan = tmp_path / "von-2018.yaml"
    plan.write_text("""plan: von-2018
title: Kế hoạch vốn NTM 2018
start: 2018-01-01
end: 2018-12-31
funds:
  - unit: Dân Lý
    trung-uong: 2 tỷ
    nhan-dan: 500 triệu
  - units: [Thọ Thế, Dân Quyền]
    dia-phuong: "1,2 tỷ"
""", encoding="utf-8")
    ready("plan", "import", plan)
    for args in (("Dân Lý", "2 tỷ", "trung-uong", "allocated", "2018-02-01"),
                 ("Dân Lý", "200 triệu", "trung-uong", "disbursed", "2018-06-01"),
                 ("Dân Lý", "150 triệu", "nhan-dan", "contributed", "2018-06-01"),
                 ("Thọ Thế", "1,2 tỷ", "dia-phuong", "allocated", "2018-02-01"),
                 ("Thọ Thế", "1 tỷ", "dia-phuong", "disbursed", "2018-06-01"),
                 ("Dân Quyền", "800 triệu", "dia-phuong", "debt", "2018-09-01"),
                 ("Dân Quyền", "300 triệu", "dia-phuong", "debt_paid", "2018-10-01")):
        ready("funds", "record", args[0], args[1], "--source", args[2], "--kind", args[3], "--date", args[4])
    ready.plan = plan
    return ready


def test_funds_status_per_unit_and_source_with_roll_ups(money):
    rows = json.loads(money("funds", "status", "--plan", "von-2018", "--as-of", "2018-07-01", "-f", "json").stdout)
    assert list(rows[0]) == ["unit", "unit_path", "source", "planned", "allocated", "disbursed",
                             "disbursed_share", "expected_share", "contributed", "debt", "state"]
    by = {(r["unit"], r["source"]): r for r in rows}
    dan_ly = by[("Dân Lý", "trung-uong")]
    assert (dan_ly["planned"], dan_ly["allocated"], dan_ly["disbursed"]) == (2_000_000_000, 2_000_000_000, 200_000_000)
    assert dan_ly["disbursed_share"] == 0.1 and dan_ly["expected_share"] == pytest.approx(181 / 364, abs=1e-4)
    assert dan_ly["state"] == "behind" and by[("Thọ Thế", "dia-phuong")]["state"] == "on_track"
    assert by[("Dân Lý", "nhan-dan")]["contributed"] == 150_000_000
    district = by[("Triệu Sơn", "dia-phuong")]
    assert district["planned"] == 2_400_000_000 and district["allocated"] == 1_200_000_000
    assert by[("Dân Quyền", "dia-phuong")]["state"] == "not_allocated"
    table = money("funds", "status", "--plan", "von-2018", "--as-of", "2018-07-01", "--lang", "vi").stdout
    assert "2 tỷ đồng" in table and "200 triệu đồng" in table and "giải ngân" in table.lower()


def test_debt_is_a_level_less_what_is_paid_and_shows_in_status(money):
    from ntmtrack.reports.funds import outstanding_debt
    from ntmtrack.store import open_register

    def status_debt(day):
        rows = json.loads(money("status", "--under", "Dân Quyền", "--as-of", day, "-f", "json").stdout)
        return rows[0]["debt"]

    assert [status_debt(d) for d in ("2018-08-31", "2018-09-01", "2018-10-01")] == [0, 800_000_000, 500_000_000]
    assert "500 million VND" in money("status", "--under", "Dân Quyền", "--as-of", "2018-10-01").stdout
    with open_register(money.db, readonly=True) as reg:
        debts = outstanding_debt(reg.conn, date(2018, 10, 1), [1, 2, 3])
        assert set(debts.values()) <= {0, 500_000_000} and all(isinstance(v, int) for v in debts.values())


def test_laggards_list_slow_disbursement_and_debt_after_the_plan(money):
    rows = json.loads(money("laggards", "--plan", "von-2018", "--as-of", "2018-07-01", "-f", "json").stdout)
    assert [(r["unit"], r["reason"], r["target"]) for r in rows] == [
        ("Dân Lý", "disbursement_behind", "funds:trung-uong")]
    later = json.loads(money("laggards", "--as-of", "2019-02-01", "-f", "json").stdout)
    assert [(r["unit"], r["reason"], r["actual"]) for r in later] == [("Dân Quyền", "debt", 500_000_000)]
    text = money("laggards", "--as-of", "2019-02-01", "--lang", "vi").stdout
    assert "nợ đọng 500 triệu đồng" in text


# -- the plan's capital -----------------------------------------------------------------------


def test_plan_funds_show_export_reimport_and_a_changed_amount(money, tmp_path):
    shown = json.loads(money("plan", "show", "von-2018", "-f", "json").stdout)["funds"]
    assert [(f["unit"], f["source"], f["amount"]) for f in shown] == [
        ("Dân Lý", "trung-uong", 2_000_000_000), ("Dân Lý", "nhan-dan", 500_000_000),
        ("Thọ Thế", "dia-phuong", 1_200_000_000), ("Dân Quyền", "dia-phuong", 1_200_000_000)]
    csv_rows = money("plan", "show", "von-2018", "-f", "csv").stdout.splitlines()
    assert "von-2018,Dân Lý,Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý,commune,trung-uong,funds,2000000000,,2018-12-31,,," in csv_rows
    assert "1,2 tỷ đồng" in money("plan", "show", "von-2018", "--lang", "vi").stdout
    assert "nothing changed" in money("plan", "import", money.plan).stderr
    exported = tmp_path / "export.yaml"
    money("plan", "export", "von-2018", "-o", exported)
    assert "trung-uong: 2000000000" in exported.read_text()
    assert "nothing changed" in money("plan", "import", exported).stderr
    changed = tmp_path / "changed.yaml"
    changed.write_text(money.plan.read_text().replace("trung-uong: 2 tỷ", "trung-uong: 2.500 triệu"))
    out = money("plan", "import", changed).stderr
    assert "- Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý: funds trung-uong 2000000000 đồng" in out
    assert "+ Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý: funds trung-uong 2500000000 đồng" in out


def test_plan_funds_problems_are_reported_all_at_once(ready, tmp_path):
    bad = tmp_path / "sai.yaml"
    bad.write_text("""plan: sai
title: Sai
start: 2018-01-01
end: 2018-12-31
funds:
  - unit: Dân Lý
    trung-uong: 1.234
    ngan-sach: 5 tỷ
  - unit: Không Có
    khac: 1 tỷ
  - unit: Thọ Thế
    nhan-dan: nhiều
""", encoding="utf-8")
    before = digest(ready.db)
    err = ready("plan", "import", bad, code=1).stderr
    assert "sai.yaml:7:17: trung-uong '1.234' reads two ways" in err
    assert "sai.yaml:8:5: unknown key 'ngan-sach'" in err
    assert "sai.yaml:12:15: nhan-dan 'nhiều' is not an amount of money" in err
    assert digest(ready.db) == before
    fixed = bad.read_text().replace("1.234", "1.234 triệu").replace("    ngan-sach: 5 tỷ\n", "") \
        .replace("nhiều", "3 tỷ")
    bad.write_text(fixed)
    assert "no unit named 'Không Có'" in ready("plan", "validate", bad, code=1).stderr


def test_m009_upgrades_an_older_register_and_holds_funds_rows_to_the_lists(ready, tmp_path):
    import sqlite3

    from conftest import downgrade

    ready("funds", "record", "Dân Lý", "1 tỷ", "--source", "khac", "--kind", "allocated", "--date", "2018-01-02")
    old = downgrade(ready.db, tmp_path / "old.db", "m009_funds")
    assert "plan_fund" not in {r[0] for r in sqlite3.connect(old).execute("SELECT name FROM sqlite_master")}
    ready("funds", "record", "Dân Lý", "2 tỷ", "--source", "khac", "--kind", "disbursed", "--db", old)
    rows = json.loads(ready("history", "Dân Lý", "--db", old, "-f", "json").stdout)
    assert [r["amount"] for r in rows] == [1_000_000_000, 2_000_000_000]
    conn = sqlite3.connect(old)
    with pytest.raises(sqlite3.IntegrityError, match="funds"):
        conn.execute("INSERT INTO observation (unit_id, kind, date, recorded_at, by, source, amount,"
                     " fund_kind, fund_source) VALUES (1, 'funds', '2018-01-01', 'x', 'x', 'x', 5,"
                     " 'allocated', 'ngan-sach')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO observation (unit_id, kind, date, recorded_at, by, source, amount,"
                     " fund_kind, fund_source) VALUES (1, 'funds', '2018-01-01', 'x', 'x', 'x', 5.5,"
                     " 'allocated', 'khac')")
