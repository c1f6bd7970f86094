import os
import sqlite3
import stat

import pytest
from conftest import EXAMPLES, digest, downgrade

from ntmtrack.store import connection, open_register
from ntmtrack.store import migrations as schema


def test_init_is_idempotent_and_creates_a_private_wal_register(run, db):
    first = run("init")
    assert "Register ready" in first.stderr
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    before = digest(db)
    assert "already up to date" in run("init").stderr
    assert digest(db) == before
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == connection.APPLICATION_ID


def test_every_connection_sets_foreign_keys_busy_timeout_synchronous(run, db):
    run("init")
    with open_register(db) as reg:
        conn = reg.conn
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with connection.write_transaction(conn):
            conn.execute("INSERT INTO meta VALUES ('x', 'y')")
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_missing_register_says_how_to_create_it_and_creates_nothing(run, db):
    result = run("units", "list", code=1)
    assert "no register at" in result.stderr and "ntmtrack init" in result.stderr
    assert not db.exists()


def test_default_location_is_the_user_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("NTMTRACK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert connection.resolve_path(None) == tmp_path / "xdg" / "ntmtrack" / "ntmtrack.db"
    monkeypatch.setenv("NTMTRACK_DB", str(tmp_path / "env.db"))
    assert connection.resolve_path(None) == tmp_path / "env.db"
    assert connection.resolve_path(tmp_path / "flag.db") == tmp_path / "flag.db"


@pytest.mark.parametrize("kind", ["directory", "text", "other-sqlite"])
def test_not_a_register_is_refused_cleanly(run, tmp_path, kind):
    target = tmp_path / "x.db"
    if kind == "directory":
        target.mkdir()
    elif kind == "text":
        target.write_text("hello, not a database\n" * 10)
    else:
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE foo (a)")
        conn.commit()
        conn.close()
    before = target.read_bytes() if target.is_file() else None
    result = run("units", "list", "--db", target, code=1)
    assert "Traceback" not in result.stderr
    assert {"directory": "is a directory", "text": "not an SQLite file",
            "other-sqlite": "not an ntmtrack register"}[kind] in result.stderr
    if before is not None:
        assert target.read_bytes() == before


def test_read_only_register_gives_a_clear_error(run, db):
    run("init")
    run("units", "list")
    os.chmod(db, 0o400)
    try:
        if os.geteuid() == 0:
            pytest.skip("root ignores file permissions")
        result = run("units", "add", "X", "--kind", "province", code=1)
        assert "read-only" in result.stderr
    finally:
        os.chmod(db, 0o600)


def test_migrations_pin_the_final_schema(run, db):
    run("init")
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")}
    assert tables >= {"_sqlite_migrations", "meta", "criteria_set", "criteria_group", "criterion",
                      "criterion_indicator", "unit", "unit_alias", "unit_lineage"}
    unit_columns = [r[1] for r in conn.execute("PRAGMA table_info(unit)")]
    assert unit_columns == ["id", "name", "kind", "parent_id", "code", "code_edition", "folded",
                            "sort_key", "active_until", "created_at"]
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert applied == schema.known_names()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.known_names())
    # every table is STRICT and has a primary key: it browses well in Datasette
    for table in tables - {"_sqlite_migrations"}:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name=?", [table]).fetchone()[0]
        assert "STRICT" in sql and "PRIMARY KEY" in sql, table


def test_latest_migration_constant_matches_the_migrations():
    assert connection.LATEST_MIGRATION == schema.known_names()[-1]
    assert connection.MIGRATION_SET == schema.MIGRATION_SET


def test_register_from_a_newer_ntmtrack_is_refused_unchanged(run, db):
    run("init")
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('ntmtrack', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = digest(db)
    result = run("units", "list", code=1)
    assert "newer ntmtrack" in result.stderr
    assert digest(db) == before


def test_older_register_is_upgraded_on_open(run, db):
    """A register left at the first migration gains the later ones when opened."""
    from sqlite_utils import Database

    names = schema.known_names()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    database = Database(conn)
    if len(names) > 1:
        schema.migrations.apply(database, stop_before=names[1])
    else:
        schema.migrations.apply(database)
    conn.close()
    run("init")
    conn = sqlite3.connect(db)
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert applied == names
    assert "qd51-2025" in run("criteria", "sets", "-f", "csv").stdout


def test_failed_write_changes_nothing(run, db):
    run("init")
    before = digest(db)
    with pytest.raises(RuntimeError):
        with open_register(db) as reg, connection.write_transaction(reg.conn):
            reg.conn.execute("INSERT INTO meta VALUES ('half', 'written')")
            raise RuntimeError("stop half-way")
    assert digest(db) == before


def test_version_and_help(run):
    assert run("--version").stdout.startswith("ntmtrack ")
    assert "units" in run("--help").stdout
    assert run(code=2).exit_code == 2


def test_m004_m005_build_the_current_state_and_views_of_an_m003_register(run, db, monkeypatch):
    """A register with verdicts and voids, taken back to m003, upgrades to the same reports."""
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    for number, verdict, day in [(1, "met", "2018-03-01"), (2, "met", "2018-03-01"),
                                 (2, "unmet", "2018-05-01"), (3, "met", "2018-06-01")]:
        run("record", verdict, "Dân Lý", str(number), "--date", day)
    run("record", "void", "3")  # the unmet on criterion 2: back to met
    before = {d: run("status", "--as-of", d, "-f", "csv").stdout for d in ("2018-04-01", "2018-12-31")}
    assert ",qd1980-2016,3,19,4 5 6" in before["2018-12-31"]  # Dân Lý: 1, 2, 3 met
    old = downgrade(db, db.with_name("m003.db"), "m004_current_state")
    monkeypatch.setenv("NTMTRACK_DB", str(old))
    assert "criterion_state" not in {r[0] for r in sqlite3.connect(old).execute(
        "SELECT name FROM sqlite_master")}
    db = old
    after = {d: run("status", "--as-of", d, "-f", "csv").stdout for d in before}
    assert after == before
    assert "register ok" in run("db", "check").stderr
    assert sqlite3.connect(db).execute("SELECT count(*) FROM criterion_state").fetchone()[0] == 3
    assert sqlite3.connect(db).execute("SELECT count(*) FROM current_criteria WHERE met").fetchone()[0] == 3


def test_m007_keeps_every_observation_and_reads_old_recognitions_as_ntm(ready, db, monkeypatch):
    """An m006 register with verdicts, a void and a recognition upgrades with the same ids and
    the same reports; its recognitions become NTM titles; the new kinds are accepted after."""
    run = ready
    run("record", "met", "Dân Lý", "1", "2", "--date", "2018-03-01")
    run("record", "unmet", "Dân Lý", "2", "--date", "2018-05-01")
    run("record", "void", "3")
    run("record", "recognized", "Dân Lý", "--decision", "12/QĐ-UBND", "--date", "2018-10-30")
    before = run("status", "--as-of", "2018-12-31", "-f", "csv").stdout
    old = downgrade(db, db.with_name("m006.db"), "m007_road_to_recognition")
    conn = sqlite3.connect(old)
    rows_before = conn.execute("SELECT id, kind, date, voids FROM observation ORDER BY id").fetchall()
    assert "level" not in [r[1] for r in conn.execute("PRAGMA table_info(observation)")]
    conn.close()
    monkeypatch.setenv("NTMTRACK_DB", str(old))
    assert run("status", "--as-of", "2018-12-31", "-f", "csv").stdout == before
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT id, kind, date, voids FROM observation ORDER BY id").fetchall() == rows_before
    assert conn.execute("SELECT level FROM observation WHERE kind = 'recognized'").fetchall() == [("ntm",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert {"current_criteria", "target_status", "laggards"} <= views
    conn.close()
    assert "register ok" in run("db", "check").stderr
    run("record", "revoked", "Dân Lý", "--decision", "99/QĐ-UBND", "--date", "2019-06-01")
    assert ",ntm," not in run("status", "--as-of", "2019-12-31", "-f", "csv").stdout
