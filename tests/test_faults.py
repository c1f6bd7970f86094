"""Faults and races: the SQL every write issues, signals, a full file system, migrations run
twice at once, backups taken under load, damaged files, huge lines, and fuzzed input.

The numbers T1-T33 refer to the checklist in shared/reference/reliability.md, section 7.
"""

import os
import random
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ntmtrack.model import NtmError
from ntmtrack.store import connection, migrations

PACKAGE = Path(__file__).resolve().parent.parent / "ntmtrack"


@pytest.fixture
def season(run):
    run("init")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    return run


def _cli(db, *args, env=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "ntmtrack", *map(str, args)],
                            env={**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "en", **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _csv(path, rows, unit="Thọ Vực", tag="r"):
    with open(path, "w", encoding="utf-8") as f:
        f.write("date,unit,measure,value,note\n")
        for i in range(rows):
            f.write(f"2022-10-01,{unit},dien-tich-vu-dong,+1,{tag}{i}\n")


def _count(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM observation").fetchone()[0]
    finally:
        conn.close()


def _healthy(db):
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


# --- T1, T3: what every writing command says to SQLite -------------------------------------

WRITES = [
    ("units", "add", "Xóm Mới", "--kind", "thôn", "--parent", "Dân Lý"),
    ("units", "rename", "Xóm Mới", "Xóm Mới Hai"),
    ("plan", "import", EXAMPLES / "trieu-son-2018.yaml"),
    ("record", "set", "Dân Lý", "thu-hoach-lua-mua", "40", "--date", "2022-09-20"),
    ("record", "met", "Dân Lý", "1", "--date", "2022-09-20", "--set", "qd318-2022"),
    ("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv"),
    ("record", "void", "1", "--note", "nhầm"),
    ("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml"),
]


def test_every_write_begins_immediate_and_commits_once(season, monkeypatch):
    traces: list[str] = []
    pragmas: list[tuple] = []
    real_connect, real_close = connection._connect, connection.Register.close

    def traced(path, readonly):
        conn = real_connect(path, readonly)
        conn.set_trace_callback(traces.append)
        return conn

    def close(register):
        # Checked after the write: `foreign_keys=ON` issued inside a transaction is a no-op.
        conn = register.conn
        conn.set_trace_callback(None)
        pragmas.append(tuple(conn.execute(f"PRAGMA {p}").fetchone()[0] for p in
                             ("foreign_keys", "journal_mode", "synchronous", "busy_timeout",
                              "application_id")))
        real_close(register)

    monkeypatch.setattr(connection, "_connect", traced)
    monkeypatch.setattr(connection.Register, "close", close)
    for command in WRITES:
        traces.clear()
        season(*command)
        statements = [s.strip() for s in traces if not s.startswith("--")]
        begins = [i for i, s in enumerate(statements) if s.upper().startswith("BEGIN")]
        commits = [i for i, s in enumerate(statements) if s.upper() == "COMMIT"]
        assert [statements[i] for i in begins] == ["BEGIN IMMEDIATE"], (command, statements[:5])
        assert len(commits) == 1, command
        writes = [i for i, s in enumerate(statements)
                  if re.match(r"(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", s, re.I)]
        assert writes and all(begins[0] < i < commits[0] for i in writes), command
    assert pragmas and set(pragmas) == {(1, "wal", 2, 30000, connection.APPLICATION_ID)}


def test_no_code_path_removes_sqlite_journal_files():
    # T12: deleting -wal/-shm/-journal of a live register loses committed transactions.
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for suffix in ("-wal", "-shm", "-journal"):
            for quote in "'\"":
                assert quote + suffix not in text, f"{source.name} names {suffix} files"


# --- T5, T6: the concurrency harness can see the bug it guards against ----------------------

def _read_then_write(db, immediate: bool, seconds: float) -> tuple[int, int]:
    """Loop read-then-write transactions against the register; (committed, failed)."""
    conn = sqlite3.connect(db, timeout=30, isolation_level=None)
    done = failed = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            n = conn.execute("SELECT count(*) FROM observation").fetchone()[0]
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)", [str(n)])
            conn.execute("COMMIT")
            done += 1
        except sqlite3.OperationalError as e:
            assert "locked" in str(e) or "busy" in str(e)
            failed += 1
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        time.sleep(0.005)
    conn.close()
    return done, failed


@pytest.mark.slow
def test_harness_detects_deferred_transactions(season, db, tmp_path):
    big = tmp_path / "big.csv"
    _csv(big, 20_000)
    measured = {}
    for immediate in (False, True):
        writer = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys, time\n"
             "c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)\n"
             "end = time.time() + 6\n"
             "while time.time() < end:\n"
             "    c.execute('BEGIN IMMEDIATE')\n"
             "    c.execute(\"INSERT OR REPLACE INTO meta (key, value) VALUES ('other', 'x')\")\n"
             "    time.sleep(0.02)\n"
             "    c.execute('COMMIT')\n"
             "    time.sleep(0.01)\n", str(db)])
        time.sleep(0.3)
        measured[immediate] = _read_then_write(db, immediate, 4)
        writer.wait()
    print(f"read-then-write under a second writer: deferred {measured[False]}, "
          f"immediate {measured[True]} (committed, failed)")
    assert measured[False][1] > 0, "a deferred read-then-write must fail: the harness is blind"
    assert measured[True][1] == 0 and measured[True][0] > 0


def test_a_reader_left_open_does_not_block_a_write(season, db):
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    cursor = reader.execute("SELECT * FROM unit")
    cursor.fetchone()  # a pager stopped half way through
    try:
        season("record", "set", "Dân Lý", "thu-hoach-lua-mua", "40", "--date", "2022-09-20")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert _count(db) == 1


# --- T10, T11, T9: signals and a file system that refuses to grow -------------------------

@pytest.mark.slow
@pytest.mark.parametrize("signum, code, message", [
    (signal.SIGINT, 130, "interrupted; nothing was written"),
    (signal.SIGTERM, 143, "terminated; nothing was written"),
])
def test_a_signal_mid_import_rolls_back_with_a_message(season, db, tmp_path, signum, code, message):
    big = tmp_path / "big.csv"
    _csv(big, 200_000)
    before = digest(db)
    # As at a terminal: a shell running this suite in the background ignores SIGINT, and a
    # child that starts with SIGINT ignored never sees Ctrl-C.
    p = _cli(db, "record", "import", big,
             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Wait until the import holds the write lock, then signal it.
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            time.sleep(0.05)
        except sqlite3.OperationalError:
            break
    probe.close()
    time.sleep(0.5)
    p.send_signal(signum)
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert err.strip() == message
    _healthy(db)
    assert digest(db) == before


def _limit_file_size(limit):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return apply


@pytest.mark.slow
def test_file_size_limit_mid_import_is_a_clean_error(season, db, tmp_path):
    big = tmp_path / "big.csv"
    _csv(big, 50_000)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(db)
    size = db.stat().st_size
    p = _cli(db, "record", "import", big, preexec_fn=_limit_file_size(size + 256 * 1024))
    _, err = p.communicate(timeout=120)
    assert p.returncode == 1, err
    assert err.startswith("error: the register file could not be written")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    _healthy(db)
    assert digest(db) == before


@pytest.mark.parametrize("k", [1, 2, 4999, 5000, 5001, 10001, 12000])
def test_a_failure_at_any_row_leaves_the_register_unchanged(season, db, tmp_path, monkeypatch, k):
    # Rows are written in batches of 5,000 inside one transaction: a failure after a batch
    # boundary must undo the batches already written (bare insert_all would have committed them).
    from ntmtrack.read import observation_files as record_files
    from ntmtrack.register import recording

    assert recording.BATCH == 5000
    big = tmp_path / "rows.csv"
    _csv(big, 12000)
    real = record_files.read_delimited

    def failing(*args, **kw):
        for n, row in enumerate(real(*args, **kw), start=1):
            if n == k:
                raise OSError(5, "Input/output error")
            yield row

    monkeypatch.setattr(record_files, "read_delimited", failing)
    before = digest(db)
    assert "Input/output error" in season("record", "import", big, code=1).stderr
    assert digest(db) == before


@pytest.mark.slow
def test_kill_9_near_commit_of_a_large_import_is_all_or_nothing(season, db, tmp_path):
    # T9's second half: kills land around the COMMIT, where the WAL is being written.
    big = tmp_path / "big.csv"
    _csv(big, 50_000)
    _cli(db, "record", "import", big).communicate()
    before_rows = sqlite3.connect(db).execute(
        "SELECT count(*), max(id) FROM observation").fetchone()
    # How long an import takes here, measured on a copy so the register stays as it is.
    probe = tmp_path / "probe.db"
    _cli(db, "db", "backup", probe).communicate()
    _csv(tmp_path / "probe.csv", 50_000, unit="Dân Lý", tag="p")
    start = time.time()
    _cli(probe, "record", "import", tmp_path / "probe.csv").communicate()
    whole = time.time() - start
    rng = random.Random(20221001)
    outcomes = []
    for attempt in range(10):
        other = tmp_path / "other.csv"
        _csv(other, 50_000, unit="Dân Lý", tag=f"a{attempt}-")
        baseline = _count(db)
        p = _cli(db, "record", "import", other)
        time.sleep(max(0.0, whole - 0.5 + rng.random() * 0.6))
        p.send_signal(signal.SIGKILL)
        p.communicate()
        _healthy(db)
        conn = sqlite3.connect(db)
        # Rows that were there before stay exactly as they were.
        assert conn.execute("SELECT count(*), max(id) FROM observation WHERE unit_id ="
                            " (SELECT id FROM unit WHERE name='Thọ Vực')").fetchone() == before_rows
        conn.close()
        gained = _count(db) - baseline
        assert gained in (0, 50_000)
        outcomes.append(gained)
    print(f"kill -9 near commit: {outcomes.count(0)} absent, {outcomes.count(50_000)} complete "
          f"(import takes {whole:.1f} s)")


# --- T19: two processes creating or upgrading the same register ----------------------------

@pytest.mark.slow
def test_two_inits_at_once_apply_each_migration_once(tmp_path):
    for attempt in range(5):
        db = tmp_path / f"race-{attempt}.db"
        first, second = _cli(db, "init"), _cli(db, "init")
        results = [p.communicate() + (p.returncode,) for p in (first, second)]
        assert [r[2] for r in results] == [0, 0], results
        conn = sqlite3.connect(db)
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
        assert len(names) == len(set(names)) == len(migrations.known_names())
        assert conn.execute("SELECT count(*) FROM criteria_set").fetchone()[0] >= 4
        conn.close()


def test_a_migration_that_fails_half_way_changes_nothing(run, db, monkeypatch):
    run("init")
    before = digest(db)
    schema = sqlite3.connect(db).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    version = sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0]

    @migrations.migrations(name="m999_broken")
    def broken(database):
        database.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(connection, "LATEST_MIGRATION", "m999_broken")
    try:
        err = run("units", "list", code=1).stderr
    finally:
        migrations.migrations._migrations.pop()
    assert "disk I/O error" in err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()
    assert digest(db) == before


# --- T17: backups taken while others write -------------------------------------------------

@pytest.mark.slow
def test_backups_under_load_are_whole_snapshots(season, db, tmp_path):
    big = tmp_path / "big.csv"
    _csv(big, 100_000)
    importer = _cli(db, "record", "import", big)
    backups = []
    for i in range(8):
        single = _cli(db, "record", "add", "Dân Lý", "dien-tich-vu-dong", "1", "--date", "2022-10-02")
        copy = tmp_path / f"copy-{i}.db"
        b = _cli(db, "db", "backup", copy)
        _, err = b.communicate(timeout=120)
        assert b.returncode == 0, err
        single.communicate()
        backups.append(copy)
    importer.communicate(timeout=300)
    for copy in backups:
        _healthy(copy)
        conn = sqlite3.connect(copy)
        imported, singles, ids = conn.execute(
            "SELECT sum(unit_id = (SELECT id FROM unit WHERE name='Thọ Vực')),"
            " sum(unit_id = (SELECT id FROM unit WHERE name='Dân Lý')), max(id) - count(*)"
            " FROM observation").fetchone()
        conn.close()
        # All of the import or none of it; the single appends a contiguous prefix.
        assert (imported or 0) in (0, 100_000) and ids in (None, 0)
        assert oct(copy.stat().st_mode & 0o777) == "0o600"
    print(f"backups under load: {len(backups)} taken, all whole")


# --- T18: a damaged file --------------------------------------------------------------------

def test_check_reports_a_page_corrupted_file(season, db, tmp_path):
    _csv(tmp_path / "rows.csv", 3000)
    season("record", "import", tmp_path / "rows.csv")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    damaged = tmp_path / "damaged.db"
    data = bytearray(db.read_bytes())
    for p in range(pages // 2, pages - 1):  # overwrite the body of the later pages
        data[p * page + 8: p * page + page - 8] = os.urandom(page - 16)
    damaged.write_bytes(bytes(data))
    result = season("db", "check", "--db", damaged, code=1)
    assert "Traceback" not in result.stderr
    assert "integrity" in result.stderr or "damaged" in result.stderr


# --- T30: one enormous line -----------------------------------------------------------------

def _peak_rss_kib(args, db):
    p = subprocess.Popen([sys.executable, "-m", "ntmtrack", *map(str, args)],
                         env={**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "en"},
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err.decode(), usage.ru_maxrss


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["one-field", "tiny-fields"])
def test_a_100_mb_line_is_refused_without_reading_it_into_memory(season, db, tmp_path, shape):
    small = tmp_path / "small.csv"
    _csv(small, 10)
    _, _, baseline = _peak_rss_kib(["record", "import", small, "--dry-run"], db)
    huge = tmp_path / "huge.csv"
    with open(huge, "w") as f:
        f.write("date,unit,measure,value,note\n2022-10-01,Thọ Vực,dien-tich-vu-dong,1,")
        chunk = ("x" * 1_000_000) if shape == "one-field" else ("," * 1_000_000)
        for _ in range(100):
            f.write(chunk)
        f.write("\n")
    before = digest(db)
    code, err, peak = _peak_rss_kib(["record", "import", huge], db)
    assert code == 1 and "line longer than 1 MB" in err
    assert peak - baseline < 50 * 1024, f"peak RSS grew by {(peak - baseline) // 1024} MiB"
    assert digest(db) == before


# --- T22: fuzzed input reaches only ntmtrack's own errors ----------------------------------

_YAML_PIECES = st.sampled_from([
    "plan: ", "title: ", "start: ", "end: ", "targets:", "units:", "criteria: ", "all", "unit: ",
    "under: ", "indicator: ", "target: ", "by: ", "2022-02-30", "2022-01-01", "31/02/2022", "no",
    "yes", "00010", "1:20", "- ", "  ", "\n", "\t", "{", "}", "[", "]", ", ", ": ", "&a ", "*a",
    "<<: ", "!!python/object:os.system ", "!x ", "'", '"', "#", "%YAML 1.1\n", "---\n", "...",
    "Thọ Vực", "Dân Lý", "\x00", "\ufeff", "-5", "150%", "x" * 50, "? ", "|\n", ">\n",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_YAML_PIECES, max_size=60).map("".join) | st.binary(max_size=300).map(
    lambda b: b.decode("latin-1")))
def test_fuzzed_plans_give_only_ntmtrack_errors(text):
    from ntmtrack.read import plan_file as plans

    try:
        plans.parse(text, "fuzz.yaml")
    except NtmError:
        pass


_CSV_ALPHABET = st.sampled_from(list("date,unit;measure\tvalue\"\n\r 0123456789-./:%ạỳ\x00\ufeff=+"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_CSV_ALPHABET, max_size=300).map("".join), st.sampled_from(["utf-8", "utf-16", "cp1258"]))
def test_fuzzed_csv_gives_only_ntmtrack_errors(text, encoding):
    import io

    from ntmtrack.read import observation_files as record_files

    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        for _ in record_files.read_delimited(io.BytesIO(data), "fuzz.csv", None, None):
            pass
    except NtmError:
        pass


def test_invalid_bytes_on_stdin_under_a_c_locale_are_refused_before_any_write(season, db):
    # T26: cron runs with no LANG; Python's text stdin would then let bad bytes through as
    # surrogates. ntmtrack reads stdin as bytes and decodes strictly.
    before = digest(db)
    data = "date,unit,measure,value,note\n2022-10-01,Thọ Vực,dien-tich-vu-dong,5,".encode() + b"\xe0\xff\n"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NTMTRACK_DB": str(db), "LC_ALL": "C"}
    p = subprocess.run([sys.executable, "-m", "ntmtrack", "record", "import", "-", "--input-format", "csv"], input=data,
                       env=env, capture_output=True)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == 1 and "utf-8" in err.lower() and "Traceback" not in err
    assert digest(db) == before
