"""Safe at every edge (issue 18): every error one line, values finite and said once, the
register's file in odd places, text that never reaches a terminal raw."""

from __future__ import annotations

import json
import os
import stat

import pytest
from conftest import EXAMPLES, digest

BOUNDARY_DATES = ["0001-01-01", "9999-12-31", "31/12/9999", "", "2018-02-30"]
BOUNDARY_NUMBERS = ["99999999999999999999", "1e400", "inf", "-inf", "nan", "", "-0", "1" * 400]


@pytest.fixture
def season(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    return ready


def _one_line_error(result):
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    if result.exit_code:
        assert result.stderr.strip(), result.exception
        # one line, or Click's usage block for exit 2
        assert result.exit_code == 2 or result.stderr.strip().count("\n") == 0, result.stderr


REPORTS = [("status",), ("status", "--trend"), ("laggards",), ("summary",), ("criteria", "stats"),
           ("progress", "trieu-son-2018"), ("history", "Dân Lý")]


@pytest.mark.parametrize("day", BOUNDARY_DATES)
def test_every_report_with_boundary_dates(season, tmp_path, day):
    for args in REPORTS + [("report", "html", "-"), ("export", "xlsx", tmp_path / f"x{len(day)}.xlsx", "--force")]:
        _one_line_error(season(*args, "--as-of", day, code=None))
    _one_line_error(season("status", "--trend", "--since", day, code=None))
    _one_line_error(season("summary", "--since", day, code=None))


@pytest.mark.parametrize("value", BOUNDARY_NUMBERS)
def test_numbers_at_the_edges_are_refused_in_one_line(season, db, value):
    before = digest(db)
    for args in [("record", "set", "Dân Lý", "dien-tich-vu-dong", value),
                 ("record", "add", "Dân Lý", "dien-tich-vu-dong", value),
                 ("record", "void", value), ("laggards", "--threshold", value),
                 ("criteria", "show", value)]:
        result = season(*args, code=None)
        _one_line_error(result)
    assert digest(db) == before or value == "-0"


def test_a_huge_void_id_is_a_clean_error(season):
    result = season("record", "void", "99999999999999999999", code=None)
    assert result.exit_code in (1, 2) and "Traceback" not in result.stderr


def test_infinite_values_never_reach_json(season, tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("date,unit,measure,value\n2022-10-01,Dân Lý,dien-tich-vu-dong," + "9" * 400 + "\n",
                 encoding="utf-8")
    result = season("record", "import", f, code=1)
    assert "Traceback" not in result.stderr
    json.loads(season("progress", "trieu-son-vu-dong-2022", "--as-of", "2022-11-01", "-f", "json").stdout)


def test_record_set_takes_a_level_not_a_sign(season, db):
    before = digest(db)
    result = season("record", "set", "Dân Lý", "dien-tich-vu-dong", "+5", code=1)
    assert "record add" in result.stderr
    assert digest(db) == before


def test_a_file_naming_a_column_twice_is_refused(season, db, tmp_path):
    before = digest(db)
    for header in ("date,unit,measure,value,value", "date,ngày,unit,measure,value"):
        f = tmp_path / "twice.csv"
        f.write_text(header + "\n2022-10-01,2022-10-01,Dân Lý,dien-tich-vu-dong,5\n", encoding="utf-8")
        result = season("record", "import", f, code=1)
        assert "twice" in result.stderr or "more than once" in result.stderr, result.stderr
    assert digest(db) == before


def test_busy_timeout_of_any_value(season, monkeypatch):
    for value in ("inf", "nan", "-1", "abc", "1e400", ""):
        monkeypatch.setenv("NTMTRACK_BUSY_TIMEOUT", value)
        _one_line_error(season("status", code=None))
        _one_line_error(season("record", "met", "Dân Lý", "1", "--date", "2018-05-01", code=None))


# -- the register's file in odd places ---------------------------------------------------------

def _nothing_beside(folder, names):
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_db_at_a_fifo_is_refused_without_hanging(run, tmp_path):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for args in (("status",), ("init",), ("db", "check")):
        result = run(*args, "--db", fifo, code=1)
        assert "not a regular file" in result.stderr or "FIFO" in result.stderr, result.stderr
    _nothing_beside(tmp_path, ["pipe.db"])


def test_db_at_a_device_is_refused(run, tmp_path):
    result = run("status", "--db", "/dev/null", code=1)
    assert "not a regular file" in result.stderr
    result = run("init", "--db", "/dev/null", code=1)
    assert not os.path.exists("/dev/null-journal") and not os.path.exists("/dev/null-wal")


def test_db_at_an_empty_file_is_refused_unless_init(run, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = run("status", "--db", empty, code=1)
    assert "empty" in result.stderr and "init" in result.stderr
    assert empty.stat().st_size == 0
    _nothing_beside(tmp_path, ["empty.db"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_db_unreadable_is_a_clear_error(run, tmp_path):
    run("init", "--db", tmp_path / "r.db")
    os.chmod(tmp_path / "r.db", 0)
    result = run("status", "--db", tmp_path / "r.db", code=1)
    assert "permission" in result.stderr


def test_a_read_only_register_can_be_read(ready, db, tmp_path):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    os.chmod(db, 0o400)
    try:
        ready("status", "--as-of", "2018-11-02", "-f", "json")
        ready("db", "check")
        if os.geteuid() != 0:   # root writes to read-only files
            result = ready("record", "met", "Dân Lý", "1", "--date", "2018-05-01", code=1)
            assert "read-only" in result.stderr
    finally:
        os.chmod(db, 0o600)


def test_criteria_import_replace_in_use_says_why(ready, tmp_path):
    text = (EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml").read_text(encoding="utf-8")
    f = tmp_path / "tinh.yaml"
    f.write_text(text, encoding="utf-8")
    ready("criteria", "import", f)
    code = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("code:")][0]
    ready("record", "met", "Dân Lý", "20", "--set", code, "--date", "2022-05-01")
    f.write_text(text.replace("number: 20", "number: 21"), encoding="utf-8")
    result = ready("criteria", "import", f, "--replace", code=1)
    assert "FOREIGN KEY" not in result.stderr and "observation" in result.stderr


def test_outputs_and_their_temporaries_are_private(season, tmp_path):
    season("report", "html", tmp_path / "r.html", "--as-of", "2018-11-02")
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o600


def test_a_plan_naming_a_target_twice_is_refused(ready, db, tmp_path):
    before = digest(db)
    f = tmp_path / "dup.yaml"
    f.write_text("""plan: dup
title: Dup
criteria_set: qd1980-2016
start: 2018-01-01
end: 2018-12-31
targets:
  - {unit: Dân Lý, criteria: all}
  - {units: [Dân Lý, Tân Ninh], criteria: all}
  - {unit: Dân Lý, criteria: [1, 2], by: 2018-06-30}
metrics:
  - {code: a, name: A, measure: hộ, target: 5, unit: Dân Lý}
  - {code: a, name: A, measure: hộ, target: 6, unit: Dân Lý}
""", encoding="utf-8")
    result = ready("plan", "import", f, code=1)
    assert ":8:" in result.stderr and "same criteria target" in result.stderr
    assert ":12:" in result.stderr and "already has a target of a" in result.stderr
    assert result.stderr.count("\n") == 2     # the partial target [1, 2] is a target of its own
    assert digest(db) == before


# Every command, every boundary value in every argument and option: exit 0, 1 or 2 and at most
# one line (or Click's usage block), never a traceback (issue 18, rule 6).
EDGE_VALUES = ["0001-01-01", "9999-12-31", "99999999999999999999", "inf", "nan", "", "-1",
               "\x1b[2J", "\u202e"]
COMMANDS = [
    ["status", "--as-of", "{v}"], ["status", "--under", "{v}"], ["status", "--set", "{v}"],
    ["status", "--plan", "{v}"], ["status", "--threshold", "{v}"],
    ["status", "--trend", "--since", "{v}"], ["status", "--trend", "--every", "{v}"],
    ["laggards", "--as-of", "{v}"], ["laggards", "--threshold", "{v}"], ["laggards", "--under", "{v}"],
    ["progress", "{v}"], ["progress", "trieu-son-2018", "--as-of", "{v}"],
    ["summary", "--since", "{v}"], ["summary", "--as-of", "{v}"], ["summary", "--format", "{v}"],
    ["history", "{v}"], ["history", "Dân Lý", "--since", "{v}"], ["history", "Dân Lý", "--as-of", "{v}"],
    ["criteria", "show", "{v}"], ["criteria", "list", "--set", "{v}"], ["criteria", "stats", "--as-of", "{v}"],
    ["units", "show", "{v}"], ["units", "list", "--under", "{v}"], ["units", "list", "--kind", "{v}"],
    ["units", "add", "{v}", "--kind", "commune", "--parent", "Triệu Sơn"],
    ["units", "add", "Xã Mới", "--kind", "{v}"], ["units", "rename", "Dân Lý", "{v}"],
    ["units", "move", "Dân Lý", "--parent", "{v}"],
    ["units", "merge", "Thọ Thế", "--into", "Thọ Phú", "--date", "{v}"],
    ["plan", "show", "{v}"], ["plan", "export", "{v}"], ["plan", "remove", "{v}", "--yes"],
    ["record", "met", "Dân Lý", "{v}", "--date", "2018-05-01"],
    ["record", "met", "Dân Lý", "1", "--date", "{v}"], ["record", "met", "Dân Lý", "1", "--set", "{v}"],
    ["record", "set", "Dân Lý", "dien-tich-vu-dong", "{v}"], ["record", "add", "{v}", "dien-tich-vu-dong", "1"],
    ["record", "recognized", "Dân Lý", "--decision", "{v}"], ["record", "void", "{v}"],
    ["record", "import", "{v}"], ["record", "import", "-", "--input-format", "{v}"],
    ["record", "import", "-", "--input-format", "csv", "--decimal-mark", "{v}"],
    ["db", "backup", "{v}"], ["report", "html", "{v}"], ["export", "xlsx", "{v}"],
    ["summary", "--output", "{v}"], ["status", "--lang", "{v}"], ["status", "--format", "{v}"],
]


@pytest.mark.parametrize("value", EDGE_VALUES, ids=[repr(v) for v in EDGE_VALUES])
def test_every_command_with_every_boundary_value(season, tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    for template in COMMANDS:
        args = [a.replace("{v}", value) for a in template]
        result = season(*args, input="", code=None)
        _one_line_error(result)
        assert "\x1b" not in result.stderr and "\u202e" not in result.stderr, (args, result.stderr)


def test_history_carries_values_exactly_in_every_format(season):
    season("record", "set", "Dân Lý", "dien-tich-vu-dong", "1234567.5", "--date", "2022-10-02")
    season("record", "add", "Dân Lý", "dien-tich-vu-dong", "999999999999.25", "--date", "2022-10-03")
    csv_text = season("history", "Dân Lý", "-f", "csv").stdout
    assert ",1234567.5," in csv_text and ",+999999999999.25," in csv_text
    assert "e+" not in csv_text


def test_unit_names_follow_the_text_rule_too(ready, db):
    before = digest(db)
    for name in ("Xc\ue000", "Xb\u0378"):
        result = ready("units", "add", name, "--kind", "commune", "--parent", "Triệu Sơn", code=1)
        assert "position 3" in result.stderr, result.stderr
    assert digest(db) == before
