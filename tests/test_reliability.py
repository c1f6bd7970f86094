"""Reliability: check, backup, concurrent writers, kill -9 mid-import, hostile input."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import EXAMPLES, digest


@pytest.fixture
def busy(run):
    run("init")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    return run


def test_check_passes_then_finds_broken_rows(busy, db):
    assert "register ok" in busy("db", "check").stderr
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("INSERT INTO unit_alias (unit_id, alias, folded) VALUES (9999, 'x', 'x')")
    conn.execute("INSERT INTO unit (name, kind, folded, sort_key, created_at) VALUES "
                 "(?, 'commune', 'x', 'x', 'now')", ["Tho\u0323 Thế"])
    conn.commit()
    conn.close()
    err = busy("db", "check", code=1).stderr
    assert "unit_alias row" in err and "is not NFC" in err and "2 problem(s) found" in err


def test_backup_is_consistent_and_refuses_to_overwrite(busy, db, tmp_path):
    busy("record", "set", "Dân Lý", "thu-hoach-lua-mua", "50", "--date", "2022-09-20")
    copy = tmp_path / "copy.db"
    busy("db", "backup", copy)
    assert digest(copy) == digest(db)
    assert "--force" in busy("db", "backup", copy, code=1).stderr
    busy("db", "backup", copy, "--force")
    info = json.loads(busy("db", "info", "--db", copy, "-f", "json").stdout)
    assert {r["key"]: r["value"] for r in info}["observation_count"] == 1


def _cli(db, *args, **kw):
    return subprocess.Popen([sys.executable, "-m", "ntmtrack", *map(str, args)],
                            env={**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "en"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _big_csv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("date,unit,measure,value,note\n")
        for i in range(rows):
            f.write(f"2022-10-01,Thọ Vực,dien-tich-vu-dong,+1,r{i}\n")


@pytest.mark.slow
def test_two_writers_and_readers_lose_nothing(busy, db, tmp_path):
    big = tmp_path / "big.csv"
    _big_csv(big, 100_000)
    units_before = sqlite3.connect(db).execute("SELECT count(*) FROM unit").fetchone()[0]
    importer = _cli(db, "record", "import", big)
    singles, failures, reads = 0, [], 0
    started, deadline = time.time(), time.time() + 120
    # Keep writing and reading for a while after the import too: appends that waited on the
    # import's lock, then appends and reads racing each other.
    while (importer.poll() is None or time.time() < started + 20) and time.time() < deadline:
        p = _cli(db, "record", "add", "Dân Lý", "dien-tich-vu-dong", "1", "--date", "2022-10-02")
        out, err = p.communicate()
        if p.returncode:
            failures.append(err)
        else:
            singles += 1
        # The reader and the cron job's summary (which writes its file, not the register).
        reader = ("status", "--under", "Triệu Sơn", "-f", "csv") if reads % 2 else (
            "summary", "--output", tmp_path / "tuan-%Y-%m-%d.txt", "--force")
        r = _cli(db, *reader)
        _, rerr = r.communicate()
        reads += 1
        if r.returncode:
            failures.append(rerr)
    _, err = importer.communicate()
    assert importer.returncode == 0, err
    assert failures == []
    assert singles > 0 and reads > 0
    conn = sqlite3.connect(db)
    counts = dict(conn.execute("SELECT unit_id, count(*) FROM observation GROUP BY unit_id").fetchall())
    assert sorted(counts.values()) == sorted([100_000, singles])
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM unit").fetchone()[0] == units_before  # no phantoms
    print(f"two writers: {singles} single appends, {reads} reads, 100000-row import, 0 errors")


@pytest.mark.slow
def test_kill_9_mid_import_is_all_or_nothing(busy, db, tmp_path):
    big = tmp_path / "big.csv"
    _big_csv(big, 20_000)
    outcomes = []
    for attempt in range(20):
        before = sqlite3.connect(db).execute("SELECT count(*) FROM observation").fetchone()[0]
        p = _cli(db, "record", "import", big)
        time.sleep(0.2 + attempt * 0.2)
        p.send_signal(signal.SIGKILL)
        p.communicate()
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = conn.execute("SELECT count(*) FROM observation").fetchone()[0]
        conn.close()
        assert after - before in (0, 20_000)
        outcomes.append(after - before)
    print(f"kill -9 x20: {outcomes.count(0)} absent, {outcomes.count(20_000)} complete")


BAD_FILES = {
    "tab.yaml": ("plan: x\n\ttitle: y\n", "tab character"),
    "python.yaml": ("plan: !!python/object/apply:os.system [ls]\n", "is not allowed"),
    "dup.yaml": ("plan: a\nplan: b\n", "duplicate key 'plan'"),
    "yesno.yaml": ("plan: p\ntitle: T\nstart: 2022-01-01\nend: 2022-02-01\nunits:\n  - {name: no, kind: yes}\n",
                   "unknown unit kind 'yes'"),
    "impossible.yaml": ("plan: p\ntitle: T\nstart: 31/02/2022\nend: 2022-02-01\n", "not a real date"),
    "shape.yaml": ("plan: p\ntitle: T\nstart: 2022/01/01\nend: 2022-02-01\n", "is not a date"),
    "sql.yaml": ("plan: p\ntitle: T\nstart: 2022-01-01\nend: 2022-02-01\ntargets:\n"
                 "  - {unit: \"x'; DROP TABLE unit; --\", criteria: all}\ncriteria_set: qd51-2025\n",
                 "no unit named"),
    "big.yaml": ("plan: p\ntitle: " + "x" * (9 * 1024 * 1024) + "\n", "larger than"),
    "nul.yaml": ("plan: p\x00\n", "NUL"),
    # Found by the fuzz test (tests/test_faults.py): a tag on a key crashed the loader.
    "tag-on-key.yaml": ("!!python/object:os.system plan: \n", "is not allowed"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_hostile_plan_files_change_nothing(busy, db, tmp_path, name):
    text, message = BAD_FILES[name]
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    before = digest(db)
    err = busy("plan", "import", f, code=1).stderr
    assert message in err and "Traceback" not in err
    assert digest(db) == before


def test_ansi_in_a_file_never_reaches_the_terminal(busy, tmp_path):
    f = tmp_path / "ansi.csv"
    f.write_text("date,unit,measure,value,note\n2022-10-01,\x1b[31mX,dien-tich-vu-dong,1,\n", encoding="utf-8")
    err = busy("record", "import", f, code=1).stderr
    assert "\x1b" not in err


def test_lock_held_past_the_timeout_exits_75_and_writes_nothing(busy, db, monkeypatch):
    monkeypatch.setenv("NTMTRACK_BUSY_TIMEOUT", "0.5")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = sqlite3.connect(db).execute("SELECT count(*) FROM observation").fetchone()[0]
        result = busy("record", "set", "Dân Lý", "thu-hoach-lua-mua", "40", "--date",
                      "2022-09-20", code=75)
        assert "busy" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        # readers are not blocked by a writer in WAL mode
        busy("status", "--under", "Triệu Sơn")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sqlite3.connect(db).execute("SELECT count(*) FROM observation").fetchone()[0] == before


def test_excel_csv_is_neutralised_and_plain_csv_stays_exact(busy):
    busy("units", "add", "=HYPERLINK(\"x\",\"y\")", "--kind", "thôn", "--parent", "Dân Lý")
    busy("units", "add", "--kind", "thôn", "--parent", "Dân Lý", "--", "-5 Xóm")
    plain = busy("units", "list", "--under", "Dân Lý", "-f", "csv").stdout_bytes.decode()
    assert not plain.startswith("\ufeff") and "\r\n" not in plain
    assert '"=HYPERLINK(""x"",""y"")"' in plain and ",-5 Xóm," in plain
    excel = busy("units", "list", "--under", "Dân Lý", "-f", "csv", "--excel").stdout_bytes.decode()
    assert excel.startswith("\ufeffid,name") and "\r\n" in excel
    assert "'=HYPERLINK" in excel and "'-5 Xóm" in excel
    assert "\r\n'=HYPERLINK" not in plain


def test_xlsx_export_has_values_only_and_real_cells(busy, tmp_path):
    import zipfile
    from datetime import datetime

    from openpyxl import load_workbook

    busy("units", "add", "=HYPERLINK(\"x\",\"y\")", "--kind", "thôn", "--parent", "Dân Lý")
    busy("record", "set", "=HYPERLINK(\"x\",\"y\")", "dien-tich-vu-dong", "12,5", "--date", "2022-10-01")
    busy("record", "set", "Dân Lý", "thu-hoach-lua-mua", "80", "--date", "2022-10-01")
    out = tmp_path / "bao-cao.xlsx"
    busy("export", "xlsx", out, "--as-of", "2022-10-03", "--lang", "vi")
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and all("<f>" not in z.read(n).decode() for n in sheets)
    book = load_workbook(out)
    assert book.sheetnames[0] == "Tình trạng"
    progress = book["trieu-son-vu-dong-2022"]
    assert progress.freeze_panes == "A3" and progress["A2"].value == "Chỉ tiêu"
    values = [[c.value for c in row] for row in progress.iter_rows(min_row=3)]
    dan_ly = [v for v in values if v[1].strip() == "Dân Lý" and v[0] == "thu-hoach-lua-mua"][0]
    assert dan_ly[3] == 80 and isinstance(dan_ly[7], datetime)
    observed = [[c.value for c in row] for row in book["Số liệu"].iter_rows(min_row=3)]
    assert any(r[1] == '=HYPERLINK("x","y")' and r[4] == 12.5 for r in observed)


def test_views_answer_with_the_sqlite3_module_and_metadata_describes_them(busy, db):
    from ntmtrack.output.datasette import DESCRIPTIONS

    busy("record", "set", "Dân Lý", "thu-hoach-lua-mua", "50", "--date", "2022-09-20")
    busy("record", "add", "Dân Lý", "thu-hoach-lua-mua", "5", "--date", "2022-09-27")
    busy("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    busy("record", "met", "Dân Lý", "1", "--date", "2018-03-01")
    busy("record", "met", "Dân Lý", "2", "--date", "2018-03-01")
    meta = json.loads(busy("db", "datasette-metadata").stdout)
    tables = meta["databases"][db.stem]["tables"]
    conn = sqlite3.connect(db)
    for name, entry in tables.items():
        cursor = conn.execute(f"SELECT * FROM {name}")
        columns = {d[0] for d in cursor.description}
        assert set(entry.get("columns", {})) <= columns, name
        assert " — " in entry["description"]  # English — Vietnamese
    assert set(DESCRIPTIONS) == set(tables)
    criteria = conn.execute("SELECT unit, criterion, met FROM current_criteria ORDER BY criterion").fetchall()
    assert criteria == [("Dân Lý", 1, 1), ("Dân Lý", 2, 1)]
    assert conn.execute("SELECT unit, indicator, value FROM current_indicators").fetchall() == [
        ("Dân Lý", "thu-hoach-lua-mua", 55.0)]
    late = conn.execute("SELECT unit, criteria_met, criteria_wanted, reason FROM laggards"
                        " WHERE unit = 'Dân Lý'").fetchall()
    # The 2018 plan ended long ago: not in force, so no laggard today (as `ntmtrack laggards`);
    # its target is still in target_status, overdue, in a plan no longer in force.
    assert late == []
    assert conn.execute("SELECT state, plan_in_force FROM target_status WHERE unit = 'Dân Lý'"
                        ).fetchall() == [("overdue", 0)]
