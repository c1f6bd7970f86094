"""The road to recognition: dossier steps, departments, who is ready (issue 13)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import EXAMPLES, digest

DEPARTMENTS = EXAMPLES / "thanh-hoa-so-nganh.yaml"


@pytest.fixture
def road(ready):
    ready("dossier", "departments", "import", DEPARTMENTS)
    return ready


def _status(run, *args):
    return {r["unit"]: r for r in json.loads(run("dossier", "status", *args, "-f", "json").stdout)}


def test_seed_002_as_dossier_status_prints_it(tmp_path, monkeypatch):
    """The demo holds the 2018 Triệu Sơn review's dossier figures (seed 002)."""
    from conftest import Run

    demo = tmp_path / "demo.db"
    run = Run(monkeypatch, tmp_path / "unused.db")
    run("demo", "--path", demo)
    rows = _status(run, "--db", demo, "--as-of", "02/11/2018")
    dan_ly = rows["Dân Lý"]
    assert (dan_ly["criteria_dossiers"], dan_ly["criteria_total"]) == (19, 19)
    assert dan_ly["general_dossier"] is False and "general_dossier" in dan_ly["missing"]
    assert (dan_ly["departments_sent"], dan_ly["departments_total"], dan_ly["departments_inspected"]) == (8, 17, 5)
    for name in ("Tân Ninh", "Thọ Thế"):
        assert (rows[name]["departments_sent"], rows[name]["departments_total"]) == (17, 17)
        assert rows[name]["departments_inspected"] == 4
    assert rows["Tân Ninh"]["general_dossier"] is True
    assert rows["Minh Châu"]["criteria_dossiers"] == 5
    assert len(rows) == 8 and not any(r["ready"] for r in rows.values())
    table = run("dossier", "status", "--db", demo, "--as-of", "02/11/2018", "--lang", "vi").stdout
    assert "8/5/0 (17)" in table and "hồ sơ chung" in table


def test_machine_keys_are_the_contract(road):
    road("dossier", "record", "Dân Lý", "registered", "--date", "2018-01-10")
    out = road("dossier", "status", "--as-of", "2018-02-01", "-f", "csv").stdout
    assert out.splitlines()[0] == (
        "unit,unit_path,level,criteria_set,step,step_date,criteria_dossiers,criteria_total,"
        "general_dossier,departments_total,departments_sent,departments_inspected,departments_passed,"
        "departments_returned,satisfaction,days_since_step,ready,missing")
    out = road("dossier", "departments", "--as-of", "2018-02-01", "-f", "csv").stdout
    assert out.splitlines()[0] == "department,name,waiting,oldest_days,inspected,passed,returned"


def test_ready_when_every_condition_holds(road):
    run = road
    run("record", "met", "Tân Ninh", *map(str, range(1, 20)), "--set", "qd1980-2016", "--date", "2018-10-01")
    steps = [("criteria_dossiers", "--count", "19"), ("general_dossier",), ("satisfaction", "--value", "92,5"),
             ("council",)]
    for step in steps:
        run("dossier", "record", "Tân Ninh", *step, "--date", "2018-10-20")
    departments = [d["department"] for d in json.loads(
        run("dossier", "departments", "-f", "json").stdout)]
    assert len(departments) == 17
    for code in departments[:-1]:
        run("dossier", "record", "Tân Ninh", "appraised", "--department", code, "--result", "passed",
            "--date", "2018-10-25")
    row = _status(run, "--as-of", "2018-11-01")["Tân Ninh"]
    assert row["missing"] == ["departments"] and not row["ready"]
    assert row["satisfaction"] == 92.5 and row["departments_passed"] == 16
    run("dossier", "record", "Tân Ninh", "appraised", "--department", departments[-1], "--result",
        "returned", "--note", "thiếu biên bản", "--date", "2018-10-26")
    assert _status(run, "--as-of", "2018-11-01")["Tân Ninh"]["departments_returned"] == 1
    run("dossier", "record", "Tân Ninh", "appraised", "--department", departments[-1], "--result",
        "passed", "--date", "2018-10-30")
    row = _status(run, "--as-of", "2018-11-01")["Tân Ninh"]
    assert row["ready"] and row["missing"] == [] and row["departments_returned"] == 0
    run("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "2018-12-25")
    assert _status(run, "--as-of", "2018-12-31")["Tân Ninh"]["step"] == "recognized"


def test_departments_list_the_bottleneck(road):
    run = road
    run("dossier", "record", "Dân Lý", "sent", "--department", "Sở Xây dựng", "--date", "2018-10-01")
    run("dossier", "record", "Tân Ninh", "sent", "--department", "so-xay-dung", "--date", "2018-10-10")
    run("dossier", "record", "Tân Ninh", "sent", "--department", "so-y-te", "--date", "2018-10-10")
    run("dossier", "record", "Tân Ninh", "appraised", "--department", "so-y-te", "--result", "passed",
        "--date", "2018-10-20")
    rows = json.loads(run("dossier", "departments", "--under", "Triệu Sơn", "--as-of", "2018-11-01",
                          "-f", "json").stdout)
    assert rows[0] == {"department": "so-xay-dung", "name": "Sở Xây dựng", "waiting": 2,
                       "oldest_days": 31, "inspected": 0, "passed": 0, "returned": 0}
    health = next(r for r in rows if r["department"] == "so-y-te")
    assert (health["waiting"], health["passed"]) == (0, 1)


def test_dossier_rows_import_from_csv_once(road, tmp_path):
    run = road
    f = tmp_path / "ho-so.csv"
    f.write_text("ngày,xã,chỉ tiêu,giá trị,sở ngành,kết quả thẩm định,ghi chú\n"
                 "20/10/2018,Dân Lý,dossier:criteria_dossiers,19,,,\n"
                 "21/10/2018,Dân Lý,dossier:sent,,so-gtvt,,\n"
                 "25/10/2018,Dân Lý,hồ sơ:appraised,,so-gtvt,trả lại,thiếu biên bản\n", encoding="utf-8")
    assert "3 added" in run("record", "import", f).stderr
    assert "0 added, 3 already present" in run("record", "import", f).stderr
    row = _status(run, "--as-of", "2018-11-01")["Dân Lý"]
    assert (row["criteria_dossiers"], row["departments_sent"], row["departments_returned"]) == (19, 1, 1)
    history = list(csv.DictReader(io.StringIO(run("history", "Dân Lý", "-f", "csv").stdout)))
    assert [(h["measure"], h["department"], h["result"]) for h in history] == [
        ("dossier:criteria_dossiers", "", ""), ("dossier:sent", "so-gtvt", ""),
        ("dossier:appraised", "so-gtvt", "returned")]


@pytest.mark.parametrize("args, words", [
    (["sent"], "--department"),
    (["sent", "--department", "so-khong-co"], "no department"),
    (["appraised", "--department", "so-gtvt"], "--result"),
    (["criteria_dossiers", "--count", "25"], "0 to 19"),
    (["criteria_dossiers"], "--count"),
    (["satisfaction", "--value", "120"], "0 to 100"),
    (["council", "--department", "so-gtvt"], "names no department"),
    (["general_dossier", "--count", "3"], "carries no number"),
])
def test_bad_steps_are_refused_whole(road, db, args, words):
    before = digest(db)
    result = road("dossier", "record", "Dân Lý", *args, "--date", "2018-10-01", code=1)
    assert words in result.stderr and "Traceback" not in result.stderr
    assert digest(db) == before


def test_usage_errors(road):
    road("dossier", "record", "Dân Lý", "flew", code=2)
    road("dossier", "record", "Dân Lý", "appraised", "--department", "so-gtvt", "--result", "maybe", code=2)
    road("dossier", "record", "Dân Lý", "appraised", "--department", "so-gtvt", "--result", "returned", code=2)


def test_a_district_or_village_has_no_dossier(road):
    assert "commune" in road("dossier", "record", "Cụm 4", "registered", code=1).stderr


def test_steps_need_declared_departments(ready):
    assert "departments import" in ready("dossier", "record", "Dân Lý", "sent", "--department",
                                         "so-gtvt", code=1).stderr


def test_a_void_takes_a_step_back(road):
    run = road
    run("dossier", "record", "Dân Lý", "general_dossier", "--date", "2018-10-01")
    obs_id = json.loads(run("history", "Dân Lý", "-f", "json").stdout)[-1]["id"]
    assert _status(run, "--as-of", "2018-11-01")["Dân Lý"]["general_dossier"] is True
    run("record", "void", str(obs_id))
    assert "Dân Lý" not in _status(run, "--as-of", "2018-11-01")


def test_a_merger_starts_the_road_again(road):
    run = road
    run("dossier", "record", "Thọ Phú", "general_dossier", "--date", "2024-10-01")
    run("units", "merge", "Thọ Thế", "--into", "Thọ Phú", "--date", "2025-07-01")
    assert "Thọ Phú" in _status(run, "--as-of", "2025-06-30")
    assert "Thọ Phú" not in _status(run, "--as-of", "2025-08-01")


def test_a_departments_file_is_checked_whole(road, tmp_path, db):
    bad = tmp_path / "bad.yaml"
    bad.write_text("province: Thanh Hóa\ncriteria_set: qd1980-2016\ndepartments:\n"
                   "  - {code: so-a, name: Sở A, criteria: [1, 99]}\n"
                   "  - {code: so-a, name: Sở B}\n  - {code: So B, name: Sở C}\n", encoding="utf-8")
    before = digest(db)
    result = road("dossier", "departments", "import", bad, code=1)
    assert "given twice" in result.stderr and "lower-case" in result.stderr
    assert digest(db) == before
    again = road("dossier", "departments", "import", DEPARTMENTS)
    assert "unchanged" in again.stderr


def test_status_bands_count_communes_by_criteria_met_and_title(ready):
    run = ready
    run("record", "met", "Dân Lý", *map(str, range(1, 20)), "--set", "qd318-2022", "--date", "2023-01-01")
    run("record", "met", "Tân Ninh", *map(str, range(1, 17)), "--set", "qd318-2022", "--date", "2023-01-01")
    run("record", "met", "Thọ Thế", *map(str, range(1, 11)), "--set", "qd318-2022", "--date", "2023-01-01")
    run("record", "recognized", "Dân Lý", "--decision", "1/QĐ", "--date", "2023-02-01")
    run("record", "recognized", "Dân Lý", "--decision", "2/QĐ", "--level", "nang-cao", "--date", "2023-03-01")
    rows = json.loads(run("status", "--bands", "--under", "Triệu Sơn", "--as-of", "2023-06-01",
                          "-f", "json").stdout)
    bands = {r["band"]: r["communes"] for r in rows if "band" in r}
    assert all(set(r) in ({"band", "communes"}, {"level", "communes"}) for r in rows)
    levels = {r["level"]: r["communes"] for r in rows if "level" in r}
    total = len(json.loads(run("status", "--under", "Triệu Sơn", "--as-of", "2023-06-01", "-f", "json").stdout))
    assert bands == {"all": 1, "15-18": 1, "10-14": 1, "under-10": total - 3}
    assert levels == {"ntm": 1, "nang-cao": 1, "kieu-mau": 0, "hien-dai": 0}
    table = run("status", "--bands", "--under", "Triệu Sơn", "--as-of", "2023-06-01", "--lang", "vi").stdout
    assert "đạt đủ 19" in table and "nông thôn mới nâng cao" in table


def test_bands_keep_their_shares_for_other_sizes():
    from ntmtrack.reports.bands import band

    assert [band(n, 19) for n in (19, 18, 15, 14, 10, 9, 0)] == [
        "all", "15-18", "15-18", "10-14", "10-14", "under-10", "under-10"]
    assert [band(n, 20) for n in (20, 16, 15, 11, 10)] == ["all", "15-18", "10-14", "10-14", "under-10"]


PLAN = """plan: ho-so
title: Hồ sơ
criteria_set: qd1980-2016
start: 2018-01-01
end: 2018-12-31
targets:
  - units: [Dân Lý, Tân Ninh]
    criteria: all
    by: 31/12/2018
    dossier: {criteria_dossiers: 31/10/2018, sent: 15/11/2018}
"""


def test_plan_step_deadlines_make_laggards(road, tmp_path):
    run = road
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    run("plan", "import", plan)
    assert "nothing changed" in run("plan", "import", plan).stderr
    plan.write_text(PLAN.replace("sent: 15/11/2018", "sent: 20/11/2018"), encoding="utf-8")
    changed = run("plan", "import", plan).stderr
    assert "+ Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý: dossier step sent by 2018-11-20" in changed
    assert "- Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý: dossier step sent by 2018-11-15" in changed
    plan.write_text(PLAN, encoding="utf-8")
    run("plan", "import", plan)
    run("dossier", "record", "Tân Ninh", "criteria_dossiers", "--count", "19", "--date", "2018-10-20")
    run("dossier", "record", "Dân Lý", "criteria_dossiers", "--count", "12", "--date", "2018-10-20")
    rows = json.loads(run("laggards", "--plan", "ho-so", "--as-of", "2018-11-20", "-f", "json").stdout)
    late = sorted((r["unit"], r["target"], r["deadline"], r["days_left"]) for r in rows
                  if r["reason"] == "dossier_late")
    assert late == [("Dân Lý", "criteria_dossiers", "2018-10-31", -20), ("Dân Lý", "sent", "2018-11-15", -5),
                    ("Tân Ninh", "sent", "2018-11-15", -5)]
    text = run("laggards", "--plan", "ho-so", "--as-of", "2018-11-20", "--lang", "vi").stdout
    assert "trễ 20 ngày" in text
    exported = run("plan", "export", "ho-so").stdout
    assert "criteria_dossiers: '2018-10-31'" in exported or "criteria_dossiers: 2018-10-31" in exported


@pytest.mark.parametrize("dossier, words", [
    ("{sent: 2017-05-01}", "before the plan's start"),
    ("{flown: 2018-05-01}", "unknown dossier step"),
    ("{sent: 31/02/2018}", "sent:"),
    ("[sent]", "maps steps to deadlines"),
])
def test_plan_step_deadlines_are_checked(ready, tmp_path, dossier, words):
    plan = tmp_path / "p.yaml"
    plan.write_text(PLAN.replace("{criteria_dossiers: 31/10/2018, sent: 15/11/2018}", dossier), encoding="utf-8")
    result = ready("plan", "validate", plan, code=1)
    assert words in result.stderr and "p.yaml:10:" in result.stderr


def test_the_summary_lists_dossier_steps_and_departments_holding_them(road):
    run = road
    run("dossier", "record", "Dân Lý", "sent", "--department", "so-y-te", "--date", "2018-10-01")
    run("dossier", "record", "Dân Lý", "sent", "--department", "so-gtvt", "--date", "2018-10-30")
    data = json.loads(run("summary", "--as-of", "2018-11-02", "-f", "json").stdout)
    assert [(s["unit"], s["step"], s["department"]) for s in data["dossier_steps"]] == [
        ("Dân Lý", "sent", "so-gtvt")]
    assert data["departments_waiting"] == [
        {"department": "so-y-te", "name": "Sở Y tế", "waiting": 1, "oldest_days": 32}]
    assert json.loads(run("summary", "--as-of", "2018-11-02", "--waiting-days", "40",
                          "-f", "json").stdout)["departments_waiting"] == []
    text = run("summary", "--as-of", "2018-11-02", "--lang", "vi").stdout
    assert "Sở Y tế: 1 hồ sơ chờ, lâu nhất 32 ngày" in text


def test_outstanding_debt_keeps_a_commune_from_ready(road):
    """18/2022: no outstanding construction debt; ready again once it is paid."""
    run = road
    run("record", "met", "Tân Ninh", *map(str, range(1, 20)), "--set", "qd1980-2016", "--date", "2018-10-01")
    for step in [("criteria_dossiers", "--count", "19"), ("general_dossier",), ("satisfaction", "--value", "95"),
                 ("council",)]:
        run("dossier", "record", "Tân Ninh", *step, "--date", "2018-10-20")
    for d in json.loads(run("dossier", "departments", "-f", "json").stdout):
        run("dossier", "record", "Tân Ninh", "appraised", "--department", d["department"], "--result",
            "passed", "--date", "2018-10-25")
    assert _status(run, "--as-of", "2018-11-01")["Tân Ninh"]["ready"]
    run("funds", "record", "Tân Ninh", "1,2 tỷ", "--source", "dia-phuong", "--kind", "debt",
        "--date", "2018-10-28")
    row = _status(run, "--as-of", "2018-11-01")["Tân Ninh"]
    assert not row["ready"] and row["missing"] == ["debt"]
    assert "debt" in run("dossier", "status", "--as-of", "2018-11-01").stdout
    run("funds", "record", "Tân Ninh", "1,2 tỷ", "--source", "dia-phuong", "--kind", "debt_paid",
        "--date", "2018-10-30")
    assert _status(run, "--as-of", "2018-11-01")["Tân Ninh"]["ready"]


def test_history_of_titles_steps_and_money_reads_back(road, tmp_path, monkeypatch):
    """`record import` of a unit's own history: nothing added to the same register, everything
    to another — dossier steps, titles at a level and their revocation, money."""
    from conftest import Run

    run = road
    run("dossier", "record", "Tân Ninh", "sent", "--department", "so-y-te", "--date", "2018-10-18")
    run("dossier", "record", "Tân Ninh", "appraised", "--department", "so-y-te", "--result", "returned",
        "--note", "thiếu biên bản", "--date", "2018-10-28")
    run("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "2018-12-25")
    run("record", "recognized", "Tân Ninh", "--decision", "7/QĐ-UBND", "--level", "nang-cao", "--date", "2021-12-25")
    run("record", "revoked", "Tân Ninh", "--decision", "9/QĐ-UBND", "--level", "nang-cao", "--date", "2023-12-25")
    run("funds", "record", "Tân Ninh", "1,5 tỷ", "--source", "trung-uong", "--kind", "allocated",
        "--date", "2018-06-01")
    exported = tmp_path / "h.csv"
    exported.write_text(run("history", "Tân Ninh", "-f", "csv").stdout, encoding="utf-8")
    assert "0 added, 6 already present" in run("record", "import", exported).stderr
    other = Run(monkeypatch, tmp_path / "other.db")
    other("init")
    other("units", "import", EXAMPLES / "trieu-son-units.yaml")
    other("dossier", "departments", "import", DEPARTMENTS)
    assert "6 added" in other("record", "import", exported).stderr
    columns = ("date", "measure", "kind", "value", "level", "step", "department", "result", "amount")

    def rows(r):
        return [tuple(h[c] for c in columns) for h in csv.DictReader(io.StringIO(
            r("history", "Tân Ninh", "-f", "csv").stdout))]

    monkeypatch.setenv("NTMTRACK_DB", str(tmp_path / "other.db"))
    copied = rows(other)
    monkeypatch.setenv("NTMTRACK_DB", str(run.db))
    assert copied == rows(run)


def test_two_provinces_departments_are_two_rows(road, tmp_path):
    run = road
    run("units", "add", "Hà Tĩnh", "--kind", "province")
    run("units", "add", "Cẩm Trang", "--kind", "commune", "--parent", "Hà Tĩnh")
    other = tmp_path / "ha-tinh.yaml"
    other.write_text(DEPARTMENTS.read_text(encoding="utf-8").replace("province: Thanh Hóa", "province: Hà Tĩnh"),
                     encoding="utf-8")
    run("dossier", "departments", "import", other)
    for unit in ("Dân Lý", "Tân Ninh", "Cẩm Trang"):
        run("dossier", "record", unit, "sent", "--department", "so-xay-dung", "--date", "2018-10-01")
    rows = json.loads(run("dossier", "departments", "--as-of", "2018-11-02", "-f", "json").stdout)
    assert sorted(r["waiting"] for r in rows if r["department"] == "so-xay-dung") == [1, 2]
    assert [r["waiting"] for r in json.loads(run("dossier", "departments", "--under", "Hà Tĩnh", "--as-of",
                                                 "2018-11-02", "-f", "json").stdout)
            if r["department"] == "so-xay-dung"] == [1]
    assert "Sở Xây dựng (Hà Tĩnh)" in run("dossier", "departments", "--as-of", "2018-11-02").stdout


def test_a_granted_title_ends_the_road_and_the_wait(road):
    run = road
    run("dossier", "record", "Dân Lý", "sent", "--department", "so-y-te", "--date", "2018-10-01")
    run("record", "recognized", "Dân Lý", "--decision", "4706/QĐ-UBND", "--set", "qd1980-2016",
        "--date", "2018-11-12")
    row = _status(run, "--as-of", "2018-11-13")["Dân Lý"]
    assert row["step"] == "recognized" and row["ready"] is False and row["days_since_step"] == 1
    waiting = {r["department"]: r["waiting"] for r in json.loads(
        run("dossier", "departments", "--as-of", "2018-11-13", "-f", "json").stdout)}
    assert waiting["so-y-te"] == 0


def test_a_new_period_starts_a_new_road(road):
    """A 2018 title under qd1980-2016 is not the end of a 2026 road under qd51-2025."""
    run = road
    run("dossier", "record", "Tân Ninh", "general_dossier", "--date", "2018-10-01")
    run("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "2018-12-25")
    run("dossier", "record", "Tân Ninh", "registered", "--date", "2026-03-01")
    run("dossier", "record", "Tân Ninh", "criteria_dossiers", "--count", "3", "--date", "2026-03-05")
    row = _status(run, "--as-of", "2026-04-01")["Tân Ninh"]
    assert row["criteria_set"] == "qd51-2025" and row["step"] == "criteria_dossiers"
    assert row["general_dossier"] is False and row["ready"] is False


def test_a_files_level_carries_to_its_later_rows(road, tmp_path):
    f = tmp_path / "nc.csv"
    f.write_text("date,unit,measure,value,level\n2022-03-01,Dân Lý,dossier:registered,,nang-cao\n"
                 "2022-04-01,Dân Lý,dossier:criteria_dossiers,19,\n", encoding="utf-8")
    road("record", "import", f)
    levels = [h["level"] for h in csv.DictReader(io.StringIO(road("history", "Dân Lý", "-f", "csv").stdout))]
    assert levels == ["nang-cao", "nang-cao"]


def test_a_set_may_require_a_satisfaction_rate(road, tmp_path):
    """A set's `satisfaction_min`: a survey below it is still missing."""
    run = road
    strict = tmp_path / "set.yaml"
    strict.write_text((EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml").read_text(encoding="utf-8")
                      + "satisfaction_min: 90\n", encoding="utf-8")
    run("criteria", "import", strict)
    code = next(line.split(":", 1)[1].strip() for line in strict.read_text(encoding="utf-8").splitlines()
                if line.startswith("code:"))
    plan = tmp_path / "p.yaml"
    plan.write_text(f"plan: p\ntitle: P\ncriteria_set: {code}\nstart: 2022-01-01\nend: 2022-12-31\n"
                    "targets:\n  - unit: Dân Lý\n    criteria: all\n", encoding="utf-8")
    run("plan", "import", plan)
    run("dossier", "record", "Dân Lý", "satisfaction", "--value", "85", "--date", "2022-05-01")
    row = _status(run, "--as-of", "2022-05-02")["Dân Lý"]
    assert row["criteria_set"] == code and row["satisfaction"] == 85 and "satisfaction" in row["missing"]
    run("dossier", "record", "Dân Lý", "satisfaction", "--value", "91", "--date", "2022-05-03")
    assert "satisfaction" not in _status(run, "--as-of", "2022-05-04")["Dân Lý"]["missing"]
