"""Issue 12's list, each item reproduced through the CLI as a user met it, then the rule that
fixes it: one scope, one rule per question, one label catalogue."""

from __future__ import annotations

import json
import re
import warnings
from datetime import date, timedelta

import pytest
from conftest import EXAMPLES


@pytest.fixture
def review(ready):
    """Triệu Sơn at its 02/11/2018 review: the 2018 plan, the reported dossiers, criteria met."""
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    for commune, criteria, day in [("Dân Lý", range(1, 20), "2018-10-15"),
                                   ("Thọ Thế", range(1, 18), "2018-09-15"),
                                   ("Minh Châu", range(1, 11), "2018-08-15")]:
        ready("record", "met", commune, *map(str, criteria), "--date", day)
    return ready


def _json(run, *args):
    return json.loads(run(*args, "-f", "json").stdout)


# -- 1. --threshold reaches criteria targets too ---------------------------------------------

def test_threshold_applies_to_criteria_targets(review):
    rows = _json(review, "laggards", "--plan", "trieu-son-2018", "--as-of", "02/11/2018")
    assert any(r["unit"] == "Minh Châu" and isinstance(r["target"], list) for r in rows)
    low = _json(review, "laggards", "--plan", "trieu-son-2018", "--as-of", "02/11/2018",
                "--threshold", "0.1")
    # Minh Châu's 10 criteria against 15.9 expected is above 10% of the expected progress.
    assert not [r for r in low if r["unit"] == "Minh Châu" and isinstance(r["target"], list)]
    status = {r["unit"]: r["state"] for r in _json(
        review, "status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "--threshold", "0.1")}
    assert status["Minh Châu"] == "on_track"
    assert review("laggards", "--threshold", "1.5", code=2)


# -- 2. --plan scopes every section --------------------------------------------------------

def test_plan_scopes_criteria_stats_workbook_and_html(review, tmp_path):
    stats = _json(review, "criteria", "stats", "--plan", "trieu-son-2018", "--as-of", "02/11/2018")
    assert {s["units_total"] for s in stats} == {8}
    whole = _json(review, "criteria", "stats", "--set", "qd1980-2016", "--as-of", "02/11/2018")
    assert {s["units_total"] for s in whole} == {20}   # 18 communes and 2 towns
    html = review("report", "html", "-", "--plan", "trieu-son-2018", "--as-of", "02/11/2018").stdout
    assert re.search(r'id="units">8<', html)
    assert re.findall(r"\d+/(\d+)</td><td class=\"num\">", html) and \
        set(re.findall(r"\d+/(\d+)</td><td class=\"num\">", html)) == {"8"}
    from openpyxl import load_workbook

    review("export", "xlsx", tmp_path / "b.xlsx", "--plan", "trieu-son-2018", "--as-of", "02/11/2018")
    sheet = load_workbook(tmp_path / "b.xlsx")["Criteria"]
    totals = {sheet.cell(row=r, column=4).value for r in range(3, sheet.max_row + 1)}
    assert totals == {8}


# -- 3. --under at every level, no traceback ----------------------------------------------

def test_under_a_cluster_with_sums_outside_it(ready, tmp_path):
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    ready("record", "set", "Dân Lý", "dien-tich-vu-dong", "30", "--date", "2022-10-20")
    for args in [("laggards",), ("progress", "trieu-son-vu-dong-2022"), ("summary",),
                 ("export", "xlsx", tmp_path / "x.xlsx"), ("report", "html", tmp_path / "r.html")]:
        result = ready(*args, "--under", "Cụm 1", "--as-of", "2022-11-01")
        assert "Traceback" not in result.stderr
    rows = _json(ready, "progress", "trieu-son-vu-dong-2022", "--under", "Cụm 1", "--as-of", "2022-11-01")
    assert all(r["unit_path"].startswith("Thanh Hóa/Triệu Sơn/Cụm 1") for r in rows)
    cluster = [r for r in rows if r["unit"] == "Cụm 1" and r["indicator"] == "dien-tich-vu-dong"][0]
    assert cluster["actual"] in (None, 0)   # Dân Lý's 30 ha is in Cụm 4, not here


def test_every_report_for_every_unit_of_the_tree(review, tmp_path):
    review("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    names = [u["path"] for u in _json(review, "units", "list")]
    assert len(names) >= 28
    for path in names:
        for args in [("status",), ("status", "--trend"), ("laggards",), ("summary",),
                     ("criteria", "stats"), ("progress", "trieu-son-2018"),
                     ("progress", "trieu-son-vu-dong-2022")]:
            result = review(*args, "--under", path, "--as-of", "2018-11-02", code=None)
            assert result.exit_code == 0, (args, path, result.stderr)
        review("report", "html", "-", "--under", path, "--as-of", "2018-11-02")
        review("export", "xlsx", tmp_path / "b.xlsx", "--under", path, "--as-of", "2018-11-02",
               "--force")


# -- 4. direction: down, baselines --------------------------------------------------------

POVERTY = """plan: ngheo-2024
title: Giảm nghèo 2024
start: 2024-01-01
end: 2024-12-31
metrics:
  - code: ty-le-ngheo
    name: Tỷ lệ hộ nghèo
    measure: "%"
    direction: down
    rollup: mean
    target: 2.5
    unit: Dân Lý
{baseline}"""


def _poverty(run, tmp_path, baseline=""):
    f = tmp_path / "ngheo.yaml"
    f.write_text(POVERTY.format(baseline=baseline), encoding="utf-8")
    run("plan", "import", f)


def test_a_down_target_without_baseline_starts_from_its_first_value(ready, tmp_path):
    _poverty(ready, tmp_path)
    ready("record", "set", "Dân Lý", "ty-le-ngheo", "4", "--date", "2024-02-01")
    ready("record", "set", "Dân Lý", "ty-le-ngheo", "3.2", "--date", "2024-06-01")
    row = _json(ready, "progress", "ngheo-2024", "--as-of", "2024-06-30")[0]
    assert row["baseline"] == 4 and row["actual"] == 3.2
    assert row["percent_of_target"] == pytest.approx(80 / 1.5, abs=0.01)   # 0.8 of 1.5 points
    assert row["state"] != "done"
    late = _json(ready, "progress", "ngheo-2024", "--as-of", "2025-01-05")[0]
    assert late["state"] == "overdue"
    assert [r["unit"] for r in _json(ready, "laggards", "--plan", "ngheo-2024", "--as-of", "2025-01-05")] == ["Dân Lý"]


def test_a_down_target_moving_away_is_behind_with_negative_progress(ready, tmp_path):
    _poverty(ready, tmp_path, "    baseline: 2\n")
    ready("record", "set", "Dân Lý", "ty-le-ngheo", "3.2", "--date", "2024-06-01")
    row = _json(ready, "progress", "ngheo-2024", "--as-of", "2024-06-30")[0]
    assert row["percent_of_target"] < 0 and row["state"] == "behind"
    ready("record", "set", "Dân Lý", "ty-le-ngheo", "2.1", "--date", "2024-07-01")
    row = _json(ready, "progress", "ngheo-2024", "--as-of", "2024-07-02")[0]
    assert row["state"] == "done" and row["percent_of_target"] >= 100


def test_a_down_target_of_a_commune_takes_its_villages_first_values(ready, tmp_path):
    plan = tmp_path / "down.yaml"
    plan.write_text("""plan: hg-ngheo-2023
title: Giảm nghèo
start: 2023-01-01
end: 2023-12-31
units:
  - name: Hà Tĩnh
    kind: province
    children:
      - name: Hợp Giang
        kind: commune
        children: [{name: Cẩm Trang, kind: village}, {name: Hợp Phát, kind: village}]
metrics:
  - {code: ngheo-hg, name: Tỷ lệ hộ nghèo, measure: "%", direction: down, rollup: mean, target: 2.5, unit: Hợp Giang}
""", encoding="utf-8")
    ready("plan", "import", plan)
    ready("record", "set", "Cẩm Trang", "ngheo-hg", "3.0", "--date", "2023-03-01")
    ready("record", "set", "Hợp Phát", "ngheo-hg", "3.4", "--date", "2023-03-01")
    row = _json(ready, "progress", "hg-ngheo-2023", "--as-of", "2023-06-30")[0]
    assert row["baseline"] == pytest.approx(3.2) and row["actual"] == pytest.approx(3.2)
    ready("record", "set", "Cẩm Trang", "ngheo-hg", "2.0", "--date", "2023-09-01")
    ready("record", "set", "Hợp Phát", "ngheo-hg", "2.2", "--date", "2023-09-01")
    row = _json(ready, "progress", "hg-ngheo-2023", "--as-of", "2024-01-05")[0]
    assert row["state"] == "done" and row["actual"] == pytest.approx(2.1)
    assert _json(ready, "laggards", "--plan", "hg-ngheo-2023", "--as-of", "2024-01-05") == []


# -- 5. a partial target that is met -------------------------------------------------------

PARTIAL = """plan: muc-tieu-2018
title: Tiêu chí trọng tâm
criteria_set: qd1980-2016
start: 2018-01-01
end: 2018-12-31
targets:
  - unit: Minh Châu
    criteria: [1, 2, 3, 8]
    by: 2018-11-30
"""


def test_a_met_partial_target_is_target_met_and_no_laggard(ready, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(PARTIAL, encoding="utf-8")
    ready("plan", "import", f)
    ready("record", "met", "Minh Châu", "1", "2", "3", "8", "--date", "2018-10-01")
    row = _json(ready, "status", "--plan", "muc-tieu-2018", "--as-of", "2018-11-02")[0]
    assert row["state"] == "target_met" and row["target_missing"] == []
    assert row["missing"][:2] == [4, 5]
    assert _json(ready, "laggards", "--plan", "muc-tieu-2018", "--as-of", "2018-11-02") == []
    vi = ready("status", "--plan", "muc-tieu-2018", "--as-of", "2018-11-02", "--lang", "vi").stdout
    assert "đạt chỉ tiêu" in vi


# -- 6, 7. trends: no months before the first observation; tiny paces ---------------------

def test_trend_leaves_out_periods_before_the_first_observation(review):
    rows = _json(review, "status", "--trend", "--plan", "trieu-son-2018", "--as-of", "2018-11-02")
    by = {r["unit"]: r for r in rows}
    series = [p["criteria_met"] for p in by["Dân Lý"]["series"]]
    assert series[0] is None and series[-1] == 19
    assert all(p["criteria_met"] is None for p in by["Dân Lực"]["series"])
    assert by["Dân Lực"]["projection"] == "stalled"
    csv = review("status", "--trend", "--plan", "trieu-son-2018", "--as-of", "2018-11-02", "-f", "csv").stdout
    assert ",," in csv.splitlines()[1] or csv.splitlines()[1].endswith(",")


def test_a_tiny_pace_is_stalled_not_a_traceback():
    from ntmtrack.reports.trends import project

    assert project(3, 19, 2e-17, date(2025, 6, 30), "2025-12-31") == (None, "stalled")
    assert project(3, 19, 1e-5, date(2025, 6, 30), None) == (None, "stalled")
    when, projection = project(18, 19, 1.0, date(2025, 6, 30), "2025-12-31")
    assert projection == "on_time" and when.startswith("2025-07")


def test_on_time_share_counts_only_campaigns_in_force(review):
    review("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    data = json.loads(review("summary", "--as-of", "2018-11-02", "-f", "json").stdout)
    # trieu-son-2018 reports monthly: its 8 communes all reported in October ...
    assert data["reported_on_time_share"] == 1.0
    data = json.loads(review("summary", "--as-of", "2018-12-05", "-f", "json").stdout)
    assert data["reported_on_time_share"] == 0.0      # ... and none in November
    # the winter campaign of 2022-2023 is not in force in 2024: no one is expected to report
    data = json.loads(review("summary", "--as-of", "2024-01-05", "-f", "json").stdout)
    assert data["reported_on_time_share"] is None


def test_summary_keeps_to_the_plan(review):
    review("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    review("plan", "import", EXAMPLES / "xa-45-ngay-2022.yaml")
    code = [i["indicator"] for i in _json(review, "plan", "show", "hop-giang-45-ngay-2022")["targets"]
            if i["indicator"]][0]
    review("record", "add", "Cẩm Trang", code, "3", "--date", "2018-10-30")
    scoped = json.loads(review("summary", "--plan", "trieu-son-2018", "--as-of", "2018-11-02", "-f", "json").stdout)
    assert all(g["unit_path"].startswith("Thanh Hóa/") for g in scoped["indicator_gains"])
    whole = json.loads(review("summary", "--as-of", "2018-11-02", "-f", "json").stdout)
    assert any(g["unit"] == "Cẩm Trang" for g in whole["indicator_gains"])


# -- 8. which criteria set ----------------------------------------------------------------

def test_the_set_follows_the_date(ready):
    out = ready("record", "met", "Dân Lý", "1", "2", "3", "--date", "15/10/2018")
    assert "(qd1980-2016)" in out.stderr and "warning" not in out.stderr
    out = ready("record", "met", "Dân Lý", "4", "--set", "qd318-2022", "--date", "12/10/2018")
    assert "warning: criteria set qd318-2022 was not in force on 2018-10-12" in out.stderr
    assert "qd1980-2016 was" in out.stderr
    rows = _json(ready, "status", "--as-of", "2018-11-02")
    assert {r["criteria_set"] for r in rows} == {"qd1980-2016"}
    assert {r["criteria_met"] for r in rows if r["unit"] == "Dân Lý"} == {3}
    html = ready("report", "html", "-", "--as-of", "2018-11-02").stdout
    assert "qd1980-2016" in html and "0/10" not in html
    assert _json(ready, "status", "--as-of", "2026-03-01")[0]["criteria_set"] == "qd51-2025"
    assert _json(ready, "status", "--as-of", "2023-01-01")[0]["criteria_set"] == "qd318-2022"
    assert _json(ready, "status", "--as-of", "2012-01-01")[0]["criteria_set"] == "qd491-2009"


def test_the_set_rule_through_the_library(ready, db):
    from ntmtrack.register import criteria
    from ntmtrack.store import open_register

    with open_register(db, readonly=True) as reg:
        on = lambda d: criteria.in_force(reg.conn, date.fromisoformat(d))  # noqa: E731
        assert [on(d) for d in ("2009-04-16", "2016-11-30", "2016-12-01", "2022-03-07",
                                "2022-03-08", "2026-02-14", "2026-02-15")] == [
            "qd491-2009", "qd491-2009", "qd1980-2016", "qd1980-2016", "qd318-2022",
            "qd318-2022", "qd51-2025"]
        assert criteria.applicable(reg.conn, date(2018, 5, 1), "qd318-2022") == "qd318-2022"
        assert criteria.not_in_force(reg.conn, "qd318-2022", date(2018, 5, 1))
        assert criteria.not_in_force(reg.conn, "qd1980-2016", date(2018, 5, 1)) is None


# -- 10. Vietnamese outputs ----------------------------------------------------------------

def test_vietnamese_workbook_and_tables_show_labels_and_short_numbers(review, tmp_path):
    from openpyxl import load_workbook

    review("export", "xlsx", tmp_path / "b.xlsx", "--as-of", "02/11/2018", "--lang", "vi")
    book = load_workbook(tmp_path / "b.xlsx")
    values = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    for code in ("on_track", "behind", "meets_all", "met", "set", "command line"):
        assert code not in values, code
    assert "chậm" in values
    table = review("laggards", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "--lang", "vi").stdout
    assert "17,4024" not in table and "17,4" in table
    demo = review("demo", "--path", tmp_path / "demo.db", "--lang", "vi")
    assert "on_track" not in demo.stdout and "meets_all" not in demo.stdout


# -- 11. namesakes told apart ---------------------------------------------------------------

XOM = """plan: xom-2022
title: Thôn xóm
start: 2022-01-01
end: 2022-12-31
report_every: month
units:
  - name: Triệu Sơn
    kind: district
    children:
      - name: Đức Thành
        kind: commune
        children: [{name: Xóm 1, kind: village}]
      - name: Hợp Lý
        kind: commune
        children: [{name: Xóm 1, kind: village}]
metrics:
  - code: ho-trong-cay
    name: Hộ trồng cây
    measure: hộ
    targets: {Đức Thành/Xóm 1: 40, Hợp Lý/Xóm 1: 30}
    by: 2022-06-30
"""


def test_namesakes_are_told_apart_in_human_outputs(ready, tmp_path):
    f = tmp_path / "xom.yaml"
    f.write_text(XOM, encoding="utf-8")
    ready("plan", "import", f)
    for args in [("laggards",), ("progress", "xom-2022"), ("summary",)]:
        out = ready(*args, "--as-of", "2022-05-15").stdout
        assert "Xóm 1 (Đức Thành)" in out and "Xóm 1 (Hợp Lý)" in out, args
    html = ready("report", "html", "-", "--as-of", "2022-05-15").stdout
    assert "Xóm 1 (Đức Thành)" in html
    rows = _json(ready, "laggards", "--as-of", "2022-05-15")
    assert {r["unit"] for r in rows if "Xóm" in r["unit"]} == {"Xóm 1"}   # machine: name + path
    assert {r["unit_path"] for r in rows if "Xóm" in r["unit"]} >= {
        "Thanh Hóa/Triệu Sơn/Đức Thành/Xóm 1", "Thanh Hóa/Triệu Sơn/Hợp Lý/Xóm 1"}


# -- 14. the workbook --------------------------------------------------------------------

def test_workbook_sheets_headers_percentages_filters(review, tmp_path):
    from openpyxl import load_workbook

    for suffix in ("mot", "hai"):
        f = tmp_path / f"{suffix}.yaml"
        text = (EXAMPLES / "trieu-son-vu-dong-2022.yaml").read_text(encoding="utf-8")
        f.write_text(text.replace("plan: trieu-son-vu-dong-2022",
                                  f"plan: ke-hoach-san-xuat-vu-dong-nam-2022-{suffix}"), encoding="utf-8")
        review("plan", "import", f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = review("export", "xlsx", tmp_path / "b.xlsx", "--as-of", "2022-11-01")
    assert "warn" not in result.stderr.lower()
    book = load_workbook(tmp_path / "b.xlsx")
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len(set(book.sheetnames)) == len(book.sheetnames)
    for ws in book:
        headers = [c.value for c in ws[2] if c.value is not None]
        assert len(headers) == len(set(headers)), (ws.title, headers)
        assert ws.auto_filter.ref, ws.title
        for row in ws.iter_rows(min_row=3):
            name = row[0].value if ws.title != "Criteria" else None
            if isinstance(name, str):
                assert name == name.strip(), (ws.title, name)
    share = book["Criteria"]["E3"]
    assert share.number_format.endswith("%") and 0 <= share.value <= 1


# -- 13. the HTML header -----------------------------------------------------------------

def test_html_header_names_the_committee(review):
    def header(*args):
        html = review("report", "html", "-", "--as-of", "02/11/2018", "--lang", "vi", *args).stdout
        return re.search(r'<div class="left">.*?<strong>(.*?)</strong>', html, re.S).group(1), html

    assert header("--under", "Triệu Sơn")[0] == "HUYỆN TRIỆU SƠN"
    assert header("--under", "Dân Lý")[0] == "XÃ DÂN LÝ"
    assert header()[0] == "TỈNH THANH HÓA"
    assert header("--office", "UBND huyện Triệu Sơn")[0] == "HUYỆN TRIỆU SƠN"
    assert header("--office", "Văn phòng điều phối NTM tỉnh")[0] == "VĂN PHÒNG ĐIỀU PHỐI NTM TỈNH"
    assert header("--office", "Huyện X", "--under", "Dân Lý")[0] == "XÃ DÂN LÝ"   # --under wins
    assert header("--under", "Cụm 4")[0] == "HUYỆN TRIỆU SƠN"   # a cluster has no committee
    _, html = header("--plan", "trieu-son-2018")
    lag = _json(review, "laggards", "--plan", "trieu-son-2018", "--as-of", "02/11/2018")
    units = len({r["unit_path"] for r in lag})
    assert units < len(lag)
    assert f'<span id="laggard-units">{units}</span>' in html


def test_today_is_the_local_date(ready):
    # The views' local date is tested across time zones in test_datasette_views; here the CLI's
    # today: tomorrow (local) is still the future.
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "future" in ready("record", "met", "Dân Lý", "1", "--date", tomorrow, code=1).stderr


def test_the_workbook_and_the_report_list_the_laggards_of_indicator_targets_as_laggards_does(ready, tmp_path):
    # The writers judge each plan's progress once and hand it to the laggard rule: the
    # villages behind on their indicator must be the very ones `laggards` lists.
    from openpyxl import load_workbook

    f = tmp_path / "xom.yaml"
    f.write_text(XOM, encoding="utf-8")
    ready("plan", "import", f)
    ready("record", "set", "Đức Thành/Xóm 1", "ho-trong-cay", "35", "--date", "2022-05-01")
    rows = _json(ready, "laggards", "--as-of", "2022-05-15")
    behind = sorted((r["unit_path"], r["reason"]) for r in rows if r["reason"] in ("behind", "overdue"))
    assert behind == [("Thanh Hóa/Triệu Sơn/Hợp Lý/Xóm 1", "behind")]
    out = tmp_path / "book.xlsx"
    ready("export", "xlsx", out, "--as-of", "2022-05-15", "--lang", "en")
    sheet = load_workbook(out, read_only=True)["Laggards"]
    cells = [r for r in sheet.iter_rows(values_only=True)]
    header = cells[1]
    listed = [dict(zip(header, r)) for r in cells[2:] if r[0]]
    assert len(listed) == len(rows)
    assert [(r["Target"], r["Actual"], r["Shortfall"], r["Days left"]) for r in listed] == [
        (r["target"], r["actual"], r["shortfall"], r["days_left"]) for r in rows]
    assert listed[0]["Unit"] == "Xóm 1 (Hợp Lý)" and listed[0]["Target"] == "ho-trong-cay"
    html = ready("report", "html", "-", "--as-of", "2022-05-15").stdout
    assert f'<span id="laggard-units">{len({r["unit_path"] for r in rows})}</span>' in html


def test_a_report_under_a_commune_loads_villages_only_when_its_own_targets_reach_them(ready, tmp_path):
    # The XOM plan's indicator targets are on two villages of Triệu Sơn: a report under either
    # commune needs villages, a report under a commune without them does not — and the plan
    # as a whole does.
    import sqlite3

    from ntmtrack.store.plans import reach_below_communes

    f = tmp_path / "xom.yaml"
    f.write_text(XOM, encoding="utf-8")
    ready("plan", "import", f)
    conn = sqlite3.connect(ready.db)
    targeted = [r[0] for r in conn.execute(
        "SELECT DISTINCT u.parent_id FROM plan_target t JOIN unit u ON u.id = t.unit_id ORDER BY 1")]
    district, other = conn.execute(
        "SELECT (SELECT id FROM unit WHERE kind = 'district'),"
        " (SELECT id FROM unit WHERE kind = 'commune' AND id NOT IN (SELECT value FROM json_each(?)))",
        [json.dumps(targeted)]).fetchone()
    assert len(targeted) == 2
    assert reach_below_communes(conn, ["xom-2022"]) is True
    assert reach_below_communes(conn, ["xom-2022"], district) is True
    assert all(reach_below_communes(conn, ["xom-2022"], commune) is True for commune in targeted)
    assert reach_below_communes(conn, ["xom-2022"], other) is False
    paths = {u: p for u, p in conn.execute(
        "WITH RECURSIVE up(id, path, parent) AS (SELECT id, name, parent_id FROM unit"
        " UNION ALL SELECT up.id, u.name || '/' || up.path, u.parent_id FROM up JOIN unit u ON u.id = up.parent)"
        " SELECT id, path FROM up WHERE parent IS NULL")}
    conn.close()
    # And the reports under each say what the whole register's says of their own units.
    national = _json(ready, "laggards", "--as-of", "2022-05-15")
    for commune in (*targeted, other):
        under = _json(ready, "laggards", "--as-of", "2022-05-15", "--under", paths[commune])
        assert under == [r for r in national if r["unit_path"].startswith(paths[commune] + "/")
                         or r["unit_path"] == paths[commune]]
    assert any(_json(ready, "laggards", "--as-of", "2022-05-15", "--under", paths[c]) for c in targeted)
