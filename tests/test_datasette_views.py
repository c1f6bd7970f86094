"""The Datasette views agree with the CLI for today (issue 12, rules 8 and 9).

One register built from the examples (plans that ended long ago) plus a plan in force today
with partial, full and overdue criteria targets, a recognition, a void, a merger, and
indicator targets of every kind (sum and mean roll-ups through villages, `none`, `down` with
and without a value on the plan's start, increases). Then, for today:
`target_status` against `status --plan`, `laggards` against the `overdue` rows of
`ntmtrack laggards`, the equality filters Datasette sends (the value as text), an m005
register upgraded, and "today" being the local date in any time zone.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import EXAMPLES, Run, downgrade

from ntmtrack.output.datasette import DESCRIPTIONS
from ntmtrack.store import connection
from ntmtrack.store import migrations as schema

COMMUNE_KINDS = {"commune", "town", "ward"}
PLAN = "thu-nghiem-nay"


def _day(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _plan_yaml() -> str:
    """A plan in force today: started 300 days ago, ends in 200 days; deadlines in the past
    and in the future."""
    return f"""plan: {PLAN}
title: Kế hoạch đang thực hiện
criteria_set: qd318-2022
start: {_day(-300)}
end: {_day(200)}
targets:
  - unit: Dân Lý            # partial, on track or behind: 15 met before the start, 16 inside
    criteria: [16, 17]
    by: {_day(200)}
  - unit: Thọ Thế           # partial, met: target_met
    criteria: [16, 17]
    by: {_day(-30)}
  - unit: Minh Châu         # partial, 1 of 3 by a passed deadline: overdue
    criteria: [1, 2, 3]
    by: {_day(-60)}
  - unit: Tân Ninh          # full, deadline passed, recognised: never a laggard
    criteria: all
    by: {_day(-10)}
  - unit: Khuyến Nông       # full, every criterion met: meets_all
    criteria: all
    by: {_day(-5)}
  - unit: Thọ Vực           # merged away: no status row, never a laggard
    criteria: [1, 2]
    by: {_day(-100)}
  - unit: Dân Quyền         # criterion 5 met, then voided: overdue since yesterday
    criteria: [5, 6]
    by: {_day(-1)}
  - unit: Thọ Cường         # full, far from it: behind
    criteria: all
metrics:
  - code: ho-dat-chuan
    name: Hộ đạt chuẩn
    measure: hộ
    rollup: sum
    targets: {{Dân Quyền: 50, Dân Lực: 40, Cụm 6: 100, Thọ Phú: 10}}
    by: {_day(-20)}
  - code: ty-le-ngheo
    name: Tỷ lệ hộ nghèo
    measure: "%"
    direction: down
    rollup: mean
    target: 2.5
    units: [Đồng Tiến, Đồng Lợi, Thái Hòa, Đồng Thắng]
    by: {_day(-25)}
  - code: km-duong
    name: Đường giao thông mới
    measure: km
    increases: {{Vân Sơn: 5, An Nông: 3}}
    by: {_day(-40)}
  - code: nha-van-hoa
    name: Nhà văn hóa
    measure: nhà
    rollup: none
    target: 3
    units: [Tiến Nông, Cụm 3]
    by: {_day(-45)}
  - code: cho-nong-thon
    name: Chợ nông thôn
    measure: chợ
    target: 2
    unit: Nông Trường
"""


def _build(run: Run, tmp) -> None:
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    # Plans that ended years ago: their targets are overdue, but no plan in force holds them.
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    run("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    for village in ("Thôn 1", "Thôn 2", "Thôn 3"):
        run("units", "add", village, "--kind", "village", "--parent", "Dân Quyền")
    run("units", "add", "Xóm A", "--kind", "village", "--parent", "Thái Hòa")
    run("units", "add", "Xóm B", "--kind", "village", "--parent", "Thái Hòa")
    run("units", "add", "Xóm C", "--kind", "village", "--parent", "Thái Hòa/Xóm B")
    run("units", "add", "Xóm D", "--kind", "village", "--parent", "Thái Hòa/Xóm B")
    plan = tmp / "plan.yaml"
    plan.write_text(_plan_yaml(), encoding="utf-8")
    run("plan", "import", plan)

    def met(unit, numbers, day):
        return run("record", "met", unit, *map(str, numbers), "--set", "qd318-2022", "--date", _day(day))

    met("Dân Lý", range(1, 16), -400)
    met("Dân Lý", [16], -100)
    met("Thọ Thế", [16, 17], -150)
    met("Minh Châu", [1], -200)
    met("Tân Ninh", [1, 2, 3], -200)
    run("record", "recognized", "Tân Ninh", "--decision", "123/QĐ-UBND", "--set", "qd318-2022",
        "--date", _day(-20))
    met("Khuyến Nông", range(1, 20), -90)
    met("Thọ Cường", [1, 2], -400)
    met("Thọ Vực", [1], -200)
    met("Dân Quyền", [5], -100)
    history = json.loads(run("history", "Dân Quyền", "-f", "json").stdout)
    run("record", "void", str(history[-1]["id"]))
    run("units", "merge", "Thọ Vực", "Thọ Phú", "--into", "Thọ Tân", "--date", _day(-50),
        "--kind", "commune", "--parent", "Cụm 5")

    def value(verb, unit, code, amount, day):
        run("record", verb, unit, code, str(amount), "--date", _day(day))

    # sum, through villages; Cụm 6 from its communes' own values
    value("set", "Thôn 1", "ho-dat-chuan", 10, -200)
    value("set", "Thôn 2", "ho-dat-chuan", 15, -200)
    value("add", "Thôn 2", "ho-dat-chuan", 5, -150)
    value("set", "Dân Lực", "ho-dat-chuan", 40, -100)
    value("set", "Minh Châu", "ho-dat-chuan", 30, -100)
    value("set", "Tân Ninh", "ho-dat-chuan", 20, -100)
    # down, mean: Đồng Tiến has a value on the start (its baseline); Đồng Lợi only inside the
    # plan (its first one is its baseline); Thái Hòa only through its villages, Xóm B through
    # its own (the mean of the means: (3 + (1 + 4) / 2) / 2 = 2.75, above 2.5); Đồng Thắng has
    # nothing at all.
    value("set", "Đồng Tiến", "ty-le-ngheo", 4, -400)
    value("set", "Đồng Tiến", "ty-le-ngheo", 3, -100)
    value("set", "Đồng Lợi", "ty-le-ngheo", 3.5, -200)
    value("set", "Đồng Lợi", "ty-le-ngheo", 2, -100)
    value("set", "Xóm A", "ty-le-ngheo", 3, -100)
    value("set", "Xóm C", "ty-le-ngheo", 1, -100)
    value("set", "Xóm D", "ty-le-ngheo", 4, -100)
    # increases on the value on the start
    value("set", "Vân Sơn", "km-duong", 10, -400)
    value("add", "Vân Sơn", "km-duong", 2, -100)
    value("set", "An Nông", "km-duong", 4, -100)
    # no roll-up: Cụm 3 stays without a value whatever its communes hold
    value("set", "Tiến Nông", "nha-van-hoa", 1, -100)
    value("set", "Vân Sơn", "nha-van-hoa", 5, -100)


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """(run, db) of the register above, built once; tests only read it."""
    tmp = tmp_path_factory.mktemp("views")
    with pytest.MonkeyPatch.context() as mp:
        run = Run(mp, tmp / "register.db")
        _build(run, tmp)
        yield run, run.db


def _query(db, sql, params=()):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cursor = conn.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor]
    finally:
        conn.close()


def _number(value):
    return None if value is None else round(float(value), 4)


def _cli_overdue(run):
    rows = json.loads(run("laggards", "-f", "json").stdout)
    return [r for r in rows if r["reason"] == "overdue"]


def _laggard_key(r):
    target = " ".join(map(str, r["target"])) if isinstance(r["target"], list) else r["target"]
    return (r["unit_path"], r["plan"], target, _number(r["actual"]), _number(r["expected"]),
            _number(r["goal"]), _number(r["shortfall"]), r["days_left"], r["deadline"])


def _view_key(r):
    return (r["unit_path"], r["plan"], r["target"], _number(r["actual"]), _number(r["expected"]),
            _number(r["goal"]), _number(r["shortfall"]), r["days_left"], r["target_date"])


def _assert_target_status_agrees(run, db, plan):
    status = {r["unit_path"]: r for r in json.loads(run("status", "--plan", plan, "-f", "json").stdout)}
    rows = _query(db, "SELECT * FROM target_status WHERE plan = ?", [plan])
    assert rows
    shown = [r for r in rows if r["active"]]
    # the same communes: those status gives a criteria target
    assert {r["unit_path"] for r in shown if r["unit_kind"] in COMMUNE_KINDS} == {
        p for p, s in status.items() if s["state"] != "no_target"}
    per_unit = Counter(r["unit_path"] for r in shown)
    for r in shown:
        s = status[r["unit_path"]]
        assert (r["criteria_met"], r["criteria_total"], r["criteria_set"]) == (
            s["criteria_met"], s["criteria_total"], s["criteria_set"]), r
        assert r["recognized"] == (s["state"] == "recognized")
        wanted = set(map(int, r["criteria"].split()))
        assert r["criteria_wanted"] == len(wanted)
        if per_unit[r["unit_path"]] == 1:  # status judges the commune by its one target
            assert r["state"] == s["state"], r
            assert r["wanted_met"] == len(wanted - set(s["target_missing"]))
            assert r["target_date"] == s["target_date"]
    for r in rows:
        if not r["active"]:
            assert r["state"] == "merged" and r["unit_path"] not in status
    return rows


def test_target_status_agrees_with_status_for_every_plan(register):
    run, db = register
    for plan in (PLAN, "trieu-son-2018"):
        _assert_target_status_agrees(run, db, plan)
    rows = {r["unit"]: r for r in _query(db, "SELECT * FROM target_status WHERE plan = ?", [PLAN])}
    # the issue's partial target: 1 of [16, 17], while the commune meets 16 of 19
    assert (rows["Dân Lý"]["criteria_met"], rows["Dân Lý"]["criteria_total"],
            rows["Dân Lý"]["criteria_wanted"], rows["Dân Lý"]["wanted_met"]) == (16, 19, 2, 1)
    assert {u: r["state"] for u, r in rows.items()} == {
        "Dân Lý": rows["Dân Lý"]["state"], "Thọ Thế": "target_met", "Minh Châu": "overdue",
        "Tân Ninh": "recognized", "Khuyến Nông": "meets_all", "Thọ Vực": "merged",
        "Dân Quyền": "overdue", "Thọ Cường": "behind"}
    assert rows["Dân Lý"]["state"] in ("on_track", "behind")
    assert rows["Dân Quyền"]["wanted_met"] == 0  # the void counts
    assert all(r["plan_in_force"] == 1 for r in rows.values())
    old = _query(db, "SELECT DISTINCT plan_in_force FROM target_status WHERE plan = 'trieu-son-2018'")
    assert old == [{"plan_in_force": 0}]


def test_behind_criteria_targets_agree_with_laggards(register):
    run, db = register
    behind = {(r["unit_path"], r["plan"]) for r in json.loads(run("laggards", "-f", "json").stdout)
              if r["reason"] == "behind" and isinstance(r["target"], list)}
    view = {(r["unit_path"], r["plan"]) for r in _query(
        db, "SELECT unit_path, plan FROM target_status WHERE plan_in_force = 1 AND state = 'behind'")}
    assert view == behind and behind


def test_laggards_view_holds_exactly_the_overdue_rows_of_the_cli(register):
    run, db = register
    cli = _cli_overdue(run)
    view = _query(db, "SELECT * FROM laggards")
    assert Counter(map(_view_key, view)) == Counter(map(_laggard_key, cli))
    assert [r["days_left"] for r in view] == sorted(r["days_left"] for r in view)  # worst first
    found = {(r["unit"], r["target"]) for r in view}
    assert found == {
        ("Minh Châu", "1 2 3"), ("Dân Quyền", "5 6"),                 # criteria
        ("Dân Quyền", "ho-dat-chuan"), ("Cụm 6", "ho-dat-chuan"),    # sums: 30 of 50, 50 of 100
        ("Đồng Tiến", "ty-le-ngheo"), ("Thái Hòa", "ty-le-ngheo"),   # down: 3 > 2.5, 2.75 > 2.5
        ("Đồng Thắng", "ty-le-ngheo"),                               # down, nothing recorded
        ("Vân Sơn", "km-duong"),                                      # 12 of 10 + 5
        ("Tiến Nông", "nha-van-hoa"), ("Cụm 3", "nha-van-hoa"),      # no roll-up
    }
    # never: plans long ended, merged-away units, recognised units, targets met
    assert not {r["plan"] for r in view} - {PLAN}
    assert not {"Thọ Vực", "Thọ Phú", "Tân Ninh", "Thọ Thế", "Khuyến Nông", "Đồng Lợi",
                "An Nông", "Dân Lực"} & {r["unit"] for r in view}
    rows = {(r["unit"], r["target"]): r for r in view}
    assert rows[("Thái Hòa", "ty-le-ngheo")]["actual"] == pytest.approx(2.75)
    assert rows[("Dân Quyền", "ho-dat-chuan")]["actual"] == 30
    assert rows[("Cụm 3", "nha-van-hoa")]["actual"] == 0
    assert rows[("Đồng Thắng", "ty-le-ngheo")]["actual"] is None
    assert rows[("Minh Châu", "1 2 3")]["criteria_met"] == 1
    assert rows[("Minh Châu", "1 2 3")]["indicator"] is None
    assert rows[("Vân Sơn", "km-duong")]["criteria_set"] is None


def _datasette_count(db, view, column, value):
    # What Datasette runs for `/db/view?column=value`: the value bound as text.
    return _query(db, f'SELECT count(*) AS n FROM {view} WHERE "{column}" = :p0', {"p0": value})[0]["n"]


@pytest.mark.parametrize("view, column", [
    ("current_criteria", "met"), ("current_criteria", "criterion"),
    ("target_status", "criteria_met"), ("target_status", "criteria_wanted"),
    ("target_status", "wanted_met"), ("target_status", "recognized"), ("target_status", "active"),
    ("target_status", "plan_in_force"), ("target_status", "days_left"), ("target_status", "state"),
    ("target_status", "expected"), ("laggards", "criteria_met"), ("laggards", "days_left"),
    ("laggards", "actual"), ("laggards", "goal"), ("laggards", "shortfall"), ("laggards", "reason"),
])
def test_equality_filters_match_text_values(register, view, column):
    _, db = register
    values = Counter(r[column] for r in _query(db, f'SELECT "{column}" FROM {view}') if r[column] is not None)
    assert values
    for value, count in values.items():
        assert _datasette_count(db, view, column, str(value)) == count, (view, column, value)
        assert _datasette_count(db, view, column, value) == count
        if isinstance(value, float) and value.is_integer():  # `?actual=30`, not only `30.0`
            assert _datasette_count(db, view, column, str(int(value))) == count


def test_met_and_criteria_met_filters_as_the_issue_reports_them(register):
    _, db = register
    met = _query(db, "SELECT * FROM current_criteria WHERE met = 1")
    assert met and _query(db, "SELECT * FROM current_criteria WHERE met = '1'") == met
    none_met = _query(db, "SELECT * FROM target_status WHERE criteria_met = 0")
    assert none_met and _query(db, "SELECT * FROM target_status WHERE criteria_met = '0'") == none_met


def test_every_view_column_is_described_in_both_languages(register):
    _, db = register
    for view in ("current_criteria", "current_indicators", "target_status", "laggards"):
        conn = sqlite3.connect(db)
        try:
            columns = [d[0] for d in conn.execute(f"SELECT * FROM {view} LIMIT 0").description]
        finally:
            conn.close()
        (en, vi), described = DESCRIPTIONS[view]
        assert en and vi
        assert set(described) == set(columns), view
        assert all(cen and cvi for cen, cvi in described.values())


def _copy(db, target):
    source = sqlite3.connect(db)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return target


M005_COLUMNS = {
    "current_criteria": ["unit", "unit_code", "unit_kind", "criteria_set", "criterion",
                         "criterion_name_vi", "criterion_name_en", "met", "verdict_date",
                         "observation_id", "unit_id"],
    "target_status": ["plan", "unit", "unit_code", "criteria_set", "criteria_wanted",
                      "criteria_met", "target_date", "unit_id"],
    "laggards": ["plan", "unit", "unit_code", "criteria_set", "criteria_wanted", "criteria_met",
                 "target_date", "reason", "unit_id"],
}


def test_an_m005_register_upgrades_to_views_that_agree(register, tmp_path, monkeypatch):

    _, built = register
    db = downgrade(built, tmp_path / "old.db", "m006_views_agree")  # the frozen m005 views
    conn = sqlite3.connect(db, isolation_level=None)
    # what m005 gets wrong: text filters find nothing, plans long ended are laggards
    assert conn.execute("SELECT count(*) FROM current_criteria WHERE met = '1'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM laggards WHERE plan = 'trieu-son-2018'").fetchone()[0]
    conn.close()
    # An up-to-date register is recognised by its last migration (connection.LATEST_MIGRATION).
    monkeypatch.setattr(connection, "LATEST_MIGRATION", schema.known_names()[-1])
    run = Run(monkeypatch, db)
    run("db", "info")
    applied = [r["name"] for r in _query(db, "SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert applied == schema.known_names()
    for view, first in M005_COLUMNS.items():  # users' URLs: the old columns first, in order
        columns = list(_query(db, f"SELECT * FROM {view} LIMIT 1")[0])
        assert columns[:len(first)] == first, view
    _assert_target_status_agrees(run, db, PLAN)
    assert Counter(map(_view_key, _query(db, "SELECT * FROM laggards"))) == Counter(
        map(_laggard_key, _cli_overdue(run)))
    assert _datasette_count(db, "current_criteria", "met", "1") > 0
    assert "register ok" in run("db", "check").stderr


@pytest.fixture
def far_zone():
    """A time zone whose date differs from UTC's right now (UTC+14 from 10:00 UTC, else
    UTC-12), set for the C library too, as SQLite's 'localtime' reads it."""
    saved = os.environ.get("TZ")
    zone = "XYZ-14" if datetime.now(timezone.utc).hour >= 10 else "XYZ+12"  # POSIX signs
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield zone
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_today_is_the_local_date_in_the_views_and_the_cli(register, far_zone, tmp_path, monkeypatch):
    _, built = register
    today = date.today()
    assert today != datetime.now(timezone.utc).date()  # the zone is far enough to tell
    conn = sqlite3.connect(":memory:")
    assert conn.execute("SELECT date('now', 'localtime')").fetchone()[0] == today.isoformat()
    conn.close()
    db = _copy(built, tmp_path / "zoned.db")
    run = Run(monkeypatch, db)
    for row in _query(db, "SELECT target_date, days_left FROM target_status"):
        assert date.fromisoformat(row["target_date"]) - timedelta(days=row["days_left"]) == today
    view = _query(db, "SELECT * FROM laggards")
    assert view and Counter(map(_view_key, view)) == Counter(map(_laggard_key, _cli_overdue(run)))
    for row in view:
        assert date.fromisoformat(row["target_date"]) - timedelta(days=row["days_left"]) == today


def test_the_views_take_today_from_the_local_clock_only():
    # Rule 8, in the frozen SQL: no view reads UTC's date.
    for sql in (schema._M006_CURRENT_CRITERIA, schema._M006_TARGET_STATUS, schema._M006_LAGGARDS):
        assert "date('now')" not in sql and "'now'" not in sql.replace("date('now', 'localtime')", "")
    assert "date('now', 'localtime')" in schema._M006_TARGET_STATUS
    assert "date('now', 'localtime')" in schema._M006_LAGGARDS


def test_views_follow_mergers_and_revocations(register, tmp_path, monkeypatch):
    """m008: a commune that absorbs another loses its verdicts from the merger; a revoked
    title is no title — in target_status and current_criteria as in `status`."""
    _, built = register
    db = _copy(built, tmp_path / "road.db")
    run = Run(monkeypatch, db)
    run("units", "merge", "Đồng Lợi", "--into", "Khuyến Nông", "--date", _day(-3))
    run("record", "revoked", "Tân Ninh", "--decision", "9/QĐ-UBND", "--date", _day(-2))
    rows = {r["unit"]: r for r in _assert_target_status_agrees(run, db, PLAN)}
    assert rows["Khuyến Nông"]["criteria_met"] == 0 and rows["Khuyến Nông"]["state"] == "overdue"
    assert rows["Tân Ninh"]["recognized"] == 0 and rows["Tân Ninh"]["state"] == "overdue"
    assert not _query(db, "SELECT * FROM current_criteria WHERE unit = 'Khuyến Nông'")
    run("record", "recognized", "Tân Ninh", "--decision", "10/QĐ-UBND", "--set", "qd318-2022",
        "--date", _day(-1))
    rows = {r["unit"]: r for r in _assert_target_status_agrees(run, db, PLAN)}
    assert rows["Tân Ninh"]["recognized"] == 1
