"""Seed 004 in money (issue 14): Kỳ Anh's capital plan, the lagging disbursement and the
article's amounts to the đồng in `funds status`, `laggards`, `progress` and the forms — the
XLSX office form read back, and every format of a form agreeing."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES


@pytest.fixture
def ky_anh(run):
    run("init")
    run("plan", "import", EXAMPLES / "ky-anh-2017.yaml")
    result = run("record", "import", EXAMPLES / "ky-anh-quy-1-2017.csv")
    assert "0 rejected" in result.stderr and "warning" not in result.stderr
    return run


def test_the_articles_amounts_are_kept_to_the_dong(ky_anh):
    rows = json.loads(ky_anh("progress", "ky-anh-2017", "--as-of", "14/04/2017", "-f", "json").stdout)
    actual = {r["indicator"]: r["actual"] for r in rows if r["unit"] == "Kỳ Anh"}
    assert actual == {"gia-tri-danh-bat": 18_500_000_000, "gia-tri-thuong-mai-dich-vu": 294_980_000_000,
                      "chi-tra-boi-thuong-moi-truong-bien": 122_072_000_000}
    goals = {r["indicator"]: r["goal"] for r in rows if r["unit"] == "Kỳ Anh"}
    assert goals["gia-tri-thuong-mai-dich-vu"] == 1_200_000_000_000
    text = ky_anh("progress", "ky-anh-2017", "--as-of", "14/04/2017", "--lang", "vi").stdout
    assert "294,98 tỷ đồng" in text and "122,072 tỷ đồng" in text and "18,5 tỷ đồng" in text
    # a money indicator reads `1,5 tỷ` from the command line too
    ky_anh("record", "add", "Kỳ Anh", "gia-tri-danh-bat", "1,5 tỷ", "--date", "2017-04-10")
    assert "1.5 billion VND" in ky_anh("history", "Kỳ Anh", "--measure", "gia-tri-danh-bat").stdout
    assert "ambiguous" in ky_anh("record", "set", "Kỳ Anh", "gia-tri-danh-bat", "1.234", code=1).stderr


def test_funds_status_and_laggards_show_the_lag(ky_anh):
    rows = json.loads(ky_anh("funds", "status", "--plan", "ky-anh-2017", "--as-of", "14/04/2017",
                             "-f", "json").stdout)
    xuan = {r["source"]: r for r in rows if r["unit"] == "Kỳ Xuân"}
    assert (xuan["trung-uong"]["allocated"], xuan["trung-uong"]["disbursed"]) == (2_000_000_000, 150_000_000)
    assert xuan["trung-uong"]["state"] == xuan["dia-phuong"]["state"] == "behind"
    assert xuan["trung-uong"]["expected_share"] == pytest.approx(103 / 364, abs=1e-4)
    district = {r["source"]: r for r in rows if r["unit"] == "Kỳ Anh"}
    assert district["trung-uong"]["disbursed"] == 762_500_000 and district["trung-uong"]["debt"] == 450_000_000
    lag = json.loads(ky_anh("laggards", "--plan", "ky-anh-2017", "--as-of", "14/04/2017", "-f", "json").stdout)
    assert {(r["unit"], r["reason"], r["target"]) for r in lag} == {
        ("Kỳ Xuân", "disbursement_behind", "funds:trung-uong"),
        ("Kỳ Xuân", "disbursement_behind", "funds:dia-phuong")}
    after = json.loads(ky_anh("laggards", "--plan", "ky-anh-2017", "--as-of", "2018-01-15", "-f", "json").stdout)
    assert ("Kỳ Lâm", "debt", 450_000_000) in {(r["unit"], r["reason"], r["actual"]) for r in after}
    vi = ky_anh("laggards", "--plan", "ky-anh-2017", "--as-of", "14/04/2017", "--lang", "vi").stdout
    assert "giải ngân 7,5% vốn được giao, cần 28,3% đến nay" in vi


def test_half_year_form_in_every_format_agrees_and_the_xlsx_reads_back(ky_anh, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = json.loads(ky_anh("form", "half-year", "--year", "2017", "--half", "1", "--under", "Kỳ Anh",
                             "-f", "json").stdout)
    assert rows[0]["unit"] == "Kỳ Anh" and rows[0]["total"] is True and rows[0]["communes"] == 6
    assert (rows[0]["band_all"], rows[0]["band_15_18"], rows[0]["band_10_14"], rows[0]["band_under_10"]) == (0, 1, 1, 4)
    assert rows[0]["criteria_met"] == pytest.approx(35 / 6, abs=0.01)
    assert rows[0]["disbursed_trung_uong"] == 762_500_000 and rows[0]["debt"] == 450_000_000
    xuan = next(r for r in rows if r["unit"] == "Kỳ Xuân")
    assert (xuan["criteria_met"], xuan["band"], xuan["planned"], xuan["contributed"]) == (
        16, "15-18", 4_000_000_000, 250_000_000)
    assert sum(r["planned"] for r in rows if not r["total"]) == rows[0]["planned"] == 10_700_000_000
    csv = ky_anh("form", "half-year", "--year", "2017", "--half", "1", "--under", "Kỳ Anh", "-f", "csv").stdout
    assert csv.splitlines()[0].split(",")[:4] == ["unit", "unit_path", "unit_kind", "total"]
    table = ky_anh("form", "half-year", "--year", "2017", "--half", "1", "--under", "Kỳ Anh", "--lang", "vi").stdout
    assert "6 THÁNG ĐẦU NĂM 2017" in table and "10,7 tỷ đồng" in table
    path = tmp_path / "bieu.xlsx"
    ky_anh("form", "half-year", "--year", "2017", "--half", "1", "--under", "Kỳ Anh", "--lang", "vi",
           "-f", "xlsx", "-o", path)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN" and ws["A2"].value == "HUYỆN KỲ ANH"
    assert "6 THÁNG ĐẦU NĂM 2017" in ws["A4"].value
    assert [c.value for c in ws[9][:3]] == ["(1)", "(2)", "(3)"]
    assert any(str(r) == "E7:I7" for r in ws.merged_cells.ranges)      # communes by band
    assert ws["A10"].value == "Kỳ Anh" and ws["A10"].font.b
    header = [c.value for c in ws[8]]
    xuan_row = next(r for r in ws.iter_rows(min_row=10, values_only=True) if r[0] == "Kỳ Xuân")
    assert xuan_row[header.index("ngân sách trung ương")] == 2_000_000_000   # planned, first money column
    assert ky_anh("form", "half-year", "--year", "2017", "--half", "1", "-f", "xlsx", "-o", path, code=1)
    assert "--force" in ky_anh("form", "half-year", "--year", "2017", "--half", "1", "-f", "xlsx",
                               "-o", path, code=1).stderr
    assert "register" in ky_anh("form", "half-year", "--year", "2017", "--half", "1", "-f", "xlsx",
                                "-o", ky_anh.db, "--force", code=1).stderr
    assert "-o" in ky_anh("form", "half-year", "--year", "2017", "--half", "1", "-f", "xlsx", code=2).stderr


def test_annual_form_estimates_the_year_and_counts_next_years_registrations(ky_anh):
    for n in (17, 18, 19):   # Kỳ Xuân meets every criterion by the cutoff
        ky_anh("record", "met", "Kỳ Xuân", str(n), "--date", "2017-08-01")
    rows = json.loads(ky_anh("form", "annual", "--year", "2017", "--under", "Kỳ Anh", "-f", "json").stdout)
    by = {r["unit"]: r for r in rows}
    assert by["Kỳ Xuân"]["estimated"] == 1 and by["Kỳ Xuân"]["band"] == "all"
    assert by["Kỳ Châu"]["estimated"] == 0          # registered, 12 of 19 and no pace
    assert by["Kỳ Tiến"]["registered_next_year"] == 1 and by["Kỳ Anh"]["registered_next_year"] == 1
    assert by["Kỳ Anh"]["estimated"] == 1
    assert list(rows[0])[-2:] == ["estimated", "registered_next_year"]
    early = json.loads(ky_anh("form", "annual", "--year", "2017", "--cutoff", "30/06/2017", "--under",
                              "Kỳ Anh", "-f", "json").stdout)
    assert {r["unit"]: r["band"] for r in early}["Kỳ Xuân"] == "15-18"
