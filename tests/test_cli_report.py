import json
from datetime import date

import pytest
from conftest import EXAMPLES, digest

from ntmtrack.reports import pace


@pytest.fixture
def review(run, tmp_path):
    """Triệu Sơn at its 02/11/2018 review meeting (seed article 002)."""
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    f = tmp_path / "ho-so.csv"
    f.write_text("date,unit,measure,value,note\n"
                 "2018-10-31,Dân Lý,ho-so-tieu-chi,19,thiếu hồ sơ chung\n"
                 "2018-10-31,Tân Ninh,ho-so-tieu-chi,19,\n"
                 "2018-10-31,Thọ Thế,ho-so-tieu-chi,19,\n"
                 "2018-10-31,Minh Châu,ho-so-tieu-chi,5,\n"
                 "2018-10-31,Dân Lý,nganh-tham-dinh,5,\n"
                 "2018-10-31,Tân Ninh,nganh-tham-dinh,4,\n", encoding="utf-8")
    run("record", "import", f)
    for commune, criteria in [("Dân Lý", range(1, 20)), ("Tân Ninh", range(1, 20)),
                              ("Thọ Thế", range(1, 18)), ("Minh Châu", range(1, 11))]:
        run("record", "met", commune, *map(str, criteria), "--date", "2018-10-15")
    run("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "2018-10-30")
    return run


def test_pace_is_linear_through_milestones():
    start, by = date(2022, 4, 15), date(2022, 5, 30)
    assert pace.expected(start, 0, by, 140, date(2022, 4, 15)) == 0
    assert pace.expected(start, 0, by, 140, date(2022, 6, 1)) == 140
    assert pace.expected(start, 0, by, 140, date(2022, 5, 1), [(date(2022, 5, 1), 0.5)]) == 70
    assert pace.expected(start, 10, by, 100, date(2022, 5, 15), [(date(2022, 5, 1), 0.5)]) == pytest.approx(
        10 + 90 * (0.5 + 0.5 * 14 / 29))


def test_status_rows_states_and_district_average(review):
    rows = json.loads(review("status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018",
                             "-f", "json").stdout)
    by = {r["unit"]: r for r in rows}
    assert len(rows) == 8
    assert by["Tân Ninh"]["state"] == "recognized" and by["Tân Ninh"]["recognition"] == "4863/QĐ-UBND"
    assert by["Dân Lý"]["state"] == "meets_all" and by["Dân Lý"]["missing"] == []
    assert by["Thọ Thế"]["criteria_met"] == 17 and by["Thọ Thế"]["missing"] == [18, 19]
    assert by["Thọ Thế"]["state"] == "on_track"       # 17 of an expected 15.3 (305/365 of 19... by 31/12)
    assert by["Minh Châu"]["state"] == "behind"       # 10 < 0.8 × 15.9
    assert by["Thọ Cường"]["target_date"] == "2019-12-31" and by["Thọ Cường"]["state"] == "behind"
    assert set(rows[0]) >= {"unit", "parent", "criteria_met", "criteria_total", "missing",
                            "target_date", "state"}
    table = review("status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018").stdout
    assert "2 of 8 communes meet all 19 criteria" in table
    assert "average 8.1 criteria per commune" in table      # (19+19+17+10)/8 = 8.125, one decimal
    vi = review("status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "--lang", "vi").stdout
    assert "bình quân 8,1 tiêu chí/xã" in vi and "02/11/2018" in vi


def test_status_as_of_an_earlier_day(review):
    rows = json.loads(review("status", "--plan", "trieu-son-2018", "--as-of", "2018-10-01",
                             "-f", "json").stdout)
    assert all(r["criteria_met"] == 0 for r in rows)


def test_machine_formats_carry_only_data(review):
    csv_out = review("status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "-f", "csv").stdout
    lines = csv_out.splitlines()
    assert lines[0].startswith("unit,unit_path,parent,criteria_set,criteria_met,criteria_total,missing")
    assert len(lines) == 9 and "\x1b" not in csv_out and "average" not in csv_out
    jsonl = review("status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "-f", "jsonl").stdout
    assert len(jsonl.splitlines()) == 8 and json.loads(jsonl.splitlines()[0])["criteria_total"] == 19


def test_matrix_with_totals(review):
    out = review("status", "--matrix", "--plan", "trieu-son-2018", "--as-of", "02/11/2018").stdout
    last = out.strip().splitlines()[-1].split()
    assert last[:2] == ["total", "met"] and last[2] == "4" and last[-1] == "2"
    rows = json.loads(review("status", "--matrix", "--plan", "trieu-son-2018", "--as-of",
                             "02/11/2018", "-f", "json").stdout)
    assert {r["unit"]: r["c18"] for r in rows}["Thọ Thế"] is False


def test_criteria_stats_hardest_first(review):
    rows = json.loads(review("criteria", "stats", "--under", "Triệu Sơn", "--set", "qd1980-2016",
                             "--as-of", "02/11/2018", "-f", "json").stdout)
    assert rows[0]["criterion"] == 18 and rows[0]["units_met"] == 2
    assert rows[-1]["units_met"] == 4 and rows[0]["units_total"] == 20


def test_progress_expected_and_states(review):
    rows = json.loads(review("progress", "trieu-son-2018", "--as-of", "2018-11-02", "-f", "json").stdout)
    hs = {r["unit"]: r for r in rows if r["indicator"] == "ho-so-tieu-chi" and not r["rollup"]}
    expected = 19 * 305 / 333
    assert hs["Dân Lý"]["expected"] == pytest.approx(expected, abs=1e-3)
    assert hs["Dân Lý"]["state"] == "done" and hs["Dân Lý"]["percent_of_target"] == 100
    assert hs["Minh Châu"]["state"] == "behind" and hs["Minh Châu"]["actual"] == 5
    assert hs["Khuyến Nông"]["actual"] is None and hs["Khuyến Nông"]["state"] == "behind"


def test_laggards_worst_first_with_fields_and_exit_code(review):
    rows = json.loads(review("laggards", "--plan", "trieu-son-2018", "--as-of", "2018-12-20",
                             "-f", "json").stdout)
    # overdue targets and late dossier steps first (the plan's step deadlines passed)
    assert rows[0]["reason"] in ("overdue", "dossier_late")
    late = {(r["unit"], r["target"]) for r in rows if r["reason"] == "dossier_late"}
    assert ("Dân Lý", "general_dossier") in late and ("Tân Ninh", "general_dossier") not in late
    overdue = [r for r in rows if r["reason"] == "overdue"]
    mc = [r for r in overdue if r["unit"] == "Minh Châu" and r["target"] == "ho-so-tieu-chi"][0]
    assert (mc["actual"], mc["goal"], mc["shortfall"], mc["days_left"]) == (5, 19, 14, -20)
    assert set(rows[0]) >= {"unit", "plan", "target", "actual", "expected", "goal", "deadline",
                            "shortfall", "days_left", "reason"}
    crit = [r for r in rows if isinstance(r["target"], list) and r["unit"] == "Minh Châu"]
    assert crit and crit[0]["reason"] == "behind"
    review("laggards", "--plan", "trieu-son-2018", "--as-of", "2018-12-20", "--fail-on-any", code=3)


def test_no_report_and_summary(run, tmp_path):
    run("init")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    run("record", "set", "Dân Lý", "thu-hoach-lua-mua", "95", "--date", "2022-09-20")
    run("record", "set", "Đồng Tiến", "thu-hoach-lua-mua", "30", "--date", "2022-09-20")
    rows = json.loads(run("laggards", "--as-of", "2022-09-21", "-f", "json").stdout)
    no_report = {r["unit"] for r in rows if r["reason"] == "no_report"}
    assert len(no_report) == 17          # the period that closed on Friday 16/09 is 10..16/09
    assert {r["period_end"] for r in rows if r["reason"] == "no_report"} == {"2022-09-16"}
    rows = json.loads(run("laggards", "--as-of", "2022-09-24", "-f", "json").stdout)
    no_report = {r["unit"] for r in rows if r["reason"] == "no_report"}
    assert "Dân Lý" not in no_report and "Đồng Tiến" not in no_report and len(no_report) == 15
    text = run("summary", "--as-of", "2022-09-24").stdout
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "Dân Lý thu-hoach-lua-mua: — → 95" in text and "Reported on time: 11.8%" in text
    data = json.loads(run("summary", "--as-of", "2022-09-24", "--format", "json").stdout)
    # laggard_count counts units (one unit may lag on several targets), as every output does
    assert data["laggard_count"] == len({r["unit_path"] for r in rows}) and len(data["missed_reports"]) == 15
    out = tmp_path / "reports" / "%Y-W%V.md"
    run("summary", "--as-of", "2022-09-24", "--format", "markdown", "--output", str(out))
    assert (tmp_path / "reports" / "2022-W38.md").read_text().startswith("# NTM weekly summary")


def test_reports_do_not_write(review, db):
    before = digest(db)
    review("status", "--as-of", "02/11/2018")
    review("laggards", "--as-of", "02/11/2018")
    review("summary", "--as-of", "02/11/2018")
    assert digest(db) == before


def test_hundreds_of_communes_are_grouped_in_tables_not_in_csv(run, tmp_path):
    run("init")
    f = tmp_path / "units.yaml"
    lines = []
    for d in range(3):
        lines.append(f"- name: Huyện {d}\n  kind: district\n  children:")
        lines += [f"    - {{name: Xã {d}-{c}, kind: commune}}" for c in range(80)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run("units", "import", f)
    run("record", "met", "Xã 0-1", "1", "2", "--date", "2026-03-01")
    table = run("status", "--as-of", "2026-03-02").stdout
    assert "Huyện 0" in table and "Xã 0-1" not in table and "--all" in table
    assert "Xã 0-1" in run("status", "--as-of", "2026-03-02", "--all").stdout
    assert len(run("status", "--as-of", "2026-03-02", "-f", "csv").stdout.splitlines()) == 241


def test_period_ends_are_month_or_quarter_ends_then_the_day():
    from ntmtrack.reports.trends import period_ends

    assert period_ends(date(2018, 8, 15), date(2018, 11, 2), "month") == [
        date(2018, 8, 31), date(2018, 9, 30), date(2018, 10, 31), date(2018, 11, 2)]
    assert period_ends(date(2018, 1, 1), date(2018, 11, 2), "quarter") == [
        date(2018, 3, 31), date(2018, 6, 30), date(2018, 9, 30), date(2018, 11, 2)]


def test_trend_shows_the_series_pace_and_projection(review):
    # Minh Châu climbs 4 criteria a month from August: 2 by 31/08, then 6, 10.
    review("record", "unmet", "Minh Châu", *map(str, range(1, 20)), "--date", "2018-07-01")
    review("record", "met", "Minh Châu", "1", "2", "--date", "2018-08-20")
    review("record", "met", "Minh Châu", "3", "4", "5", "6", "--date", "2018-09-20")
    rows = json.loads(review("status", "--trend", "--since", "2018-08-01", "--as-of", "2018-11-02",
                             "--plan", "trieu-son-2018", "-f", "json").stdout)
    minh_chau = next(r for r in rows if r["unit"] == "Minh Châu")
    assert [p["criteria_met"] for p in minh_chau["series"]] == [2, 6, 10, 10]
    assert [p["date"] for p in minh_chau["series"]] == ["2018-08-31", "2018-09-30", "2018-10-31", "2018-11-02"]
    assert minh_chau["pace_per_month"] > 2
    assert minh_chau["projection"] == "late" and minh_chau["projected_date"] > minh_chau["target_date"]
    assert next(r for r in rows if r["unit"] == "Dân Lý")["projection"] == "done"
    flat = review("status", "--trend", "--since", "2018-08-01", "--as-of", "2018-11-02",
                  "--plan", "trieu-son-2018", "-f", "csv").stdout.splitlines()
    assert flat[0].endswith(",met_2018-08-31,met_2018-09-30,met_2018-10-31,met_2018-11-02")
    table = review("status", "--trend", "--since", "2018-08-01", "--as-of", "2018-11-02",
                   "--plan", "trieu-son-2018", "--lang", "vi").stdout
    assert "08/2018" in table and "trễ hạn" in table
    assert "not before" in review("status", "--trend", "--since", "2018-12-01", "--as-of",
                                  "2018-11-02", code=1).stderr


def test_trend_and_html_report_on_29_february(review):
    # The default --since is a year before --as-of; 29/02 has no such day.
    rows = json.loads(review("status", "--trend", "--as-of", "2024-02-29", "-f", "json").stdout)
    assert rows[0]["series"][0]["date"] == "2023-02-28"
    assert "<svg" in review("report", "html", "-", "--as-of", "29/02/2024").stdout


def test_trend_every_must_be_month_or_quarter(review):
    assert "month or quarter" in review("status", "--trend", "--every", "week", code=2).stderr


def test_no_report_counts_a_village_for_its_commune(run, tmp_path):
    """A commune reports when it or a unit below it does: a village's value in the month is
    the commune's report (the families are walked in SQL, villages loaded or not)."""
    units = tmp_path / "units.yaml"
    units.write_text("- {name: Huyện A, kind: district, children: [\n"
                     "    {name: Xã Một, kind: commune, children: [{name: Thôn 1, kind: village}]},\n"
                     "    {name: Xã Hai, kind: commune, children: [{name: Thôn 1, kind: village}]}]}\n",
                     encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: bao-cao-thang\ntitle: Báo cáo tháng\ncriteria_set: qd318-2022\n"
                    "start: 2023-01-01\nend: 2023-12-31\nreport_every: month\n"
                    "targets:\n  - {units: [Xã Một, Xã Hai], criteria: all, by: 2023-12-31}\n",
                    encoding="utf-8")
    run("init")
    run("units", "import", units)
    run("plan", "import", plan)
    run("criteria", "import", EXAMPLES / "thon-ntm-vi-du.yaml")
    run("record", "met", "Xã Một/Thôn 1", "1", "--set", "thon-ntm-vi-du", "--date", "2023-05-10")
    rows = json.loads(run("laggards", "--as-of", "2023-06-05", "-f", "json").stdout)
    missing = [r["unit_path"] for r in rows if r["reason"] == "no_report"]
    assert missing == ["Huyện A/Xã Hai"]
