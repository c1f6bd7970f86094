"""Telling re-imported rows by their 64-bit fingerprint (m013): files imported before the
migration stay "already present", identical rows of one file stay separate facts, and an
import remembers nothing per row to count them."""

from __future__ import annotations

import hashlib
import sqlite3

from conftest import digest, downgrade

ROWS = ("date,unit,measure,value,note\n"
        "2018-10-01,Dân Lý,1,met,\n"
        "2018-10-01,Dân Lý,2,đạt,kiểm tra lại\n"
        "2018-10-01,Dân Lý,2,đạt,kiểm tra lại\n"      # the same report twice: two facts
        "2018-10-02,Thọ Thế,17,chưa đạt,\n")


def _old_fingerprints(path) -> None:
    """The text fingerprints ntmtrack wrote before m013, by its rule of then (frozen here):
    SHA-1 of the row's content and its occurrence number in the file."""
    conn = sqlite3.connect(path)
    # Written as the rows are, so the append-only trigger steps aside for the test.
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'observation_append_only_update'").fetchone()[0]
    conn.execute("DROP TRIGGER observation_append_only_update")
    seen: dict[str, int] = {}
    rows = conn.execute("SELECT id, unit_id, criteria_set, criterion, indicator, kind, value, decision,"
                        " date, note FROM observation ORDER BY id").fetchall()
    for obs_id, *fields in rows:
        content = "|".join(str(f) for f in fields)
        seen[content] = n = seen.get(content, 0) + 1
        conn.execute("UPDATE observation SET fingerprint = ? WHERE id = ?",
                     [hashlib.sha1(f"{content}|{n}".encode()).hexdigest(), obs_id])
    conn.execute(trigger)
    conn.commit()
    conn.close()


def test_a_file_imported_before_m013_is_already_present_after_it(ready, db, tmp_path, monkeypatch):
    run = ready
    f = tmp_path / "bao-cao.csv"
    f.write_text(ROWS, encoding="utf-8")
    assert "4 added, 0 already present" in run("record", "import", f, "--set", "qd1980-2016").stderr
    old = downgrade(db, tmp_path / "m010.db", "m013_integer_fingerprints")
    _old_fingerprints(old)
    conn = sqlite3.connect(old)
    assert "fingerprint64" not in [r[1] for r in conn.execute("PRAGMA table_info(observation)")]
    assert conn.execute("SELECT count(DISTINCT fingerprint) FROM observation").fetchone()[0] == 4
    conn.close()
    monkeypatch.setenv("NTMTRACK_DB", str(old))
    before = run("history", "Dân Lý", "-f", "csv").stdout
    # Opening migrates; the same file again adds nothing, identical rows included.
    assert "0 added, 4 already present" in run("record", "import", f, "--set", "qd1980-2016").stderr
    assert run("history", "Dân Lý", "-f", "csv").stdout == before
    # A third copy of the repeated report is a new fact.
    f.write_text(ROWS + "2018-10-01,Dân Lý,2,đạt,kiểm tra lại\n", encoding="utf-8")
    assert "1 added, 4 already present" in run("record", "import", f, "--set", "qd1980-2016").stderr


def test_identical_rows_count_once_each_across_files(ready, db, tmp_path):
    """A file holding a report once, then a file holding it twice: its second copy is new."""
    run = ready
    once, twice = tmp_path / "once.csv", tmp_path / "twice.csv"
    header = "date,unit,measure,value,note\n"
    row = "2018-10-01,Dân Lý,3,đạt,\n"
    once.write_text(header + row, encoding="utf-8")
    twice.write_text(header + row + "2018-10-01,Dân Lý,4,đạt,\n" + row, encoding="utf-8")
    assert "1 added, 0 already present" in run("record", "import", once).stderr
    assert "2 added, 1 already present" in run("record", "import", twice).stderr
    before = digest(db)
    assert "0 added, 3 already present" in run("record", "import", twice).stderr
    assert "0 added, 1 already present" in run("record", "import", once).stderr
    assert digest(db) == before
    ids = [r[0] for r in sqlite3.connect(db).execute("SELECT id FROM observation ORDER BY id")]
    assert len(ids) == 3


def test_repeats_in_one_batch_and_across_batches(ready, db, tmp_path, monkeypatch):
    """The same report many times, some in one batch and some in the next: each a fact, and
    the file again adds nothing."""
    from ntmtrack.register import recording

    monkeypatch.setattr(recording, "BATCH", 3)
    run = ready
    f = tmp_path / "lap.csv"
    f.write_text("date,unit,measure,value\n" + "2018-10-01,Dân Lý,5,đạt\n" * 7
                 + "2018-10-01,Dân Lý,6,đạt\n", encoding="utf-8")
    assert "8 added, 0 already present" in run("record", "import", f).stderr
    assert "0 added, 8 already present" in run("record", "import", f).stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(DISTINCT fingerprint64) FROM observation").fetchone()[0] == 8
    assert conn.execute("SELECT count(*) FROM observation WHERE fingerprint IS NOT NULL").fetchone()[0] == 0


def test_a_file_imported_before_m014_is_already_present_after_it(ready, db, tmp_path, monkeypatch):
    """m014 finds a fingerprint through its key's own index: a register of m013, with its
    unique index of fingerprints, opens to the same answers."""
    run = ready
    f = tmp_path / "bao-cao.csv"
    f.write_text(ROWS, encoding="utf-8")
    run("record", "import", f, "--set", "qd1980-2016")
    old = downgrade(db, tmp_path / "m013.db", "m014_fingerprints_by_unit_day")
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'observation_fingerprint64'").fetchone()[0] == 1
    conn.close()
    monkeypatch.setenv("NTMTRACK_DB", str(old))
    assert "0 added, 4 already present" in run("record", "import", f, "--set", "qd1980-2016").stderr
    conn = sqlite3.connect(old)
    indexes = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observation'"))
    conn.close()
    assert "observation_fingerprint64" not in indexes
    assert indexes["observation_unit"].endswith("(unit_id, date, fingerprint64)")
    f.write_text(ROWS + "2018-10-01,Dân Lý,2,đạt,kiểm tra lại\n", encoding="utf-8")
    assert "1 added, 4 already present" in run("record", "import", f, "--set", "qd1980-2016").stderr


def test_many_rows_of_one_unit_and_day_are_each_one_seek(ready, db, tmp_path, monkeypatch):
    """Two thousand '+1' of one indicator for one village on one day, each with its own note,
    then the same file again: every row added once, then every row already present — found by
    the index of the unit's days ending with the fingerprint, never by reading the day's other
    rows."""
    run = ready
    plan = tmp_path / "p.yaml"
    plan.write_text("plan: cay-2018\ntitle: Cây\nstart: 2018-01-01\nend: 2018-12-31\n"
                    "metrics:\n  - code: cay\n    name: Cây\n    targets: {Dân Lý: 5000}\n    by: 2018-12-31\n",
                    encoding="utf-8")
    run("plan", "import", plan)
    from ntmtrack.register import recording

    monkeypatch.setattr(recording, "BATCH", 300)   # repeats within a batch and across batches
    f = tmp_path / "cay.csv"
    f.write_text("date,unit,measure,value,note\n"
                 + "".join(f"2018-10-01,Dân Lý,cay,+1,hộ {i}\n" for i in range(2000))
                 + "2018-10-01,Dân Lý,cay,+1,hộ 7\n", encoding="utf-8")   # a repeat: a fact too
    assert "2001 added, 0 already present" in run("record", "import", f).stderr
    assert "0 added, 2001 already present" in run("record", "import", f).stderr
    conn = sqlite3.connect(db)
    plan_rows = conn.execute("EXPLAIN QUERY PLAN SELECT 1 FROM observation x WHERE x.unit_id = 1"
                             " AND x.date = '2018-10-01' AND x.fingerprint64 = 5").fetchall()
    assert "fingerprint64=?" in plan_rows[-1][3]
    assert conn.execute("SELECT total(value) FROM observation WHERE indicator = 'cay'").fetchone()[0] == 2001
