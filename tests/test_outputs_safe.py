"""No output command ever destroys the register, replaces what it should not, or leaves half
a file behind (issue 18, rule 1). Every file-writing command goes through one function."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from conftest import EXAMPLES, digest

from ntmtrack.model import NtmError
from ntmtrack.output.files import OutputFile

# Every command that writes a file, as (arguments before the path, arguments after it).
WRITERS = [
    (["report", "html"], []),
    (["export", "xlsx"], []),
    (["summary", "--output"], []),
    (["plan", "export", "trieu-son-2018", "-o"], []),
    (["db", "backup"], []),
]


@pytest.fixture
def planned(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    return ready


def _ids():
    return [" ".join(w[0][:2]) for w in WRITERS]


@pytest.mark.parametrize("before,after", WRITERS, ids=_ids())
@pytest.mark.parametrize("force", [False, True])
def test_no_output_overwrites_the_register(planned, db, before, after, force):
    kept = digest(db)
    size = db.stat().st_size
    result = planned(*before, db, *after, *(["--force"] if force else []), code=1)
    assert "register" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert digest(db) == kept and db.stat().st_size == size
    assert not [p for p in db.parent.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("before,after", WRITERS, ids=_ids())
def test_nor_through_a_symlink_a_hard_link_dotdot_or_its_wal(planned, db, tmp_path, before, after):
    kept = digest(db)
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    (tmp_path / "sub").mkdir()
    for path in (tmp_path / "link.db", tmp_path / "hard.db", tmp_path / "sub" / ".." / db.name,
                 Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        planned(*before, path, *after, "--force", code=1)
    assert digest(db) == kept
    assert (tmp_path / "link.db").is_symlink()


@pytest.mark.parametrize("before,after", WRITERS[:4], ids=_ids()[:4])
def test_another_register_is_never_replaced(planned, db, tmp_path, before, after):
    planned("db", "backup", tmp_path / "copy.db")
    kept = (tmp_path / "copy.db").read_bytes()
    result = planned(*before, tmp_path / "copy.db", *after, "--force", code=1)
    assert "SQLite" in result.stderr
    assert (tmp_path / "copy.db").read_bytes() == kept


def test_a_backup_may_replace_an_older_backup_with_force(planned, tmp_path):
    planned("db", "backup", tmp_path / "copy.db")
    planned("db", "backup", tmp_path / "copy.db", code=1)
    result = planned("db", "backup", tmp_path / "copy.db", "--force")
    assert f"({(tmp_path / 'copy.db').stat().st_size} bytes)" in result.stderr


@pytest.mark.parametrize("before,after", WRITERS, ids=_ids())
def test_an_existing_file_needs_force_and_is_then_replaced_whole(planned, tmp_path, before, after):
    target = tmp_path / "out.file"
    target.write_text("keep me")
    result = planned(*before, target, *after, code=1)
    assert "--force" in result.stderr
    assert target.read_text() == "keep me"
    planned(*before, target, *after, "--force")
    assert target.read_bytes() != b"keep me" and target.stat().st_size > 100
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("before,after", WRITERS, ids=_ids())
def test_new_outputs_are_private_and_leave_nothing_beside(planned, tmp_path, before, after):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "result"
    planned(*before, target, *after)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["result"]


@pytest.mark.parametrize("before,after", WRITERS, ids=_ids())
def test_a_directory_is_refused(planned, tmp_path, before, after):
    result = planned(*before, tmp_path, *after, "--force", code=1)
    assert "directory" in result.stderr


def test_a_symlink_to_an_output_is_written_through(planned, tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    (tmp_path / "link.html").symlink_to(real)
    planned("report", "html", tmp_path / "link.html", "--force")
    assert (tmp_path / "link.html").is_symlink()
    assert real.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("before,after", WRITERS, ids=_ids())
def test_a_fifo_is_written_as_a_stream_not_replaced(planned, tmp_path, before, after):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    planned(*before, fifo, *after, "--force")
    reader.join(10)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert len(received[0]) > 100


def test_dev_null_stays_a_device(planned):
    planned("db", "backup", "/dev/null", "--force")
    planned("report", "html", "/dev/null", "--force")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_report_html_to_stdout(planned):
    assert planned("report", "html", "-").stdout.startswith("<!DOCTYPE html>")


def test_a_failure_while_writing_leaves_the_old_target_and_no_temporary(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("the good one")
    output = OutputFile(target, force=True)
    with pytest.raises(RuntimeError):
        with output as temporary:
            temporary.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "the good one"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_the_target_is_checked_before_any_work(tmp_path):
    register = tmp_path / "r.db"
    register.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(NtmError, match="register"):
        OutputFile(tmp_path / "x" / ".." / "r.db", protect=(register,), force=True)
    with pytest.raises(NtmError, match="does not exist"):
        OutputFile(tmp_path / "missing" / "out.html")
    OutputFile(tmp_path / "new" / "out.html", make_parents=True).write_text("ok")
    assert (tmp_path / "new" / "out.html").read_text() == "ok"


def test_two_backups_to_one_path_each_report_the_true_size(planned, db, tmp_path):
    import subprocess
    import sys

    target = tmp_path / "same.db"
    command = [sys.executable, "-m", "ntmtrack", "db", "backup", str(target), "--force", "--db", str(db)]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(60), p.stderr.read()) for p in runs]
    size = target.stat().st_size
    for code, err in results:
        assert code == 0, err
        assert f"({size} bytes)" in err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_the_vietnamese_message(planned, db):
    result = planned("report", "html", db, "--lang", "vi", code=1)
    assert "không bao giờ ghi đè" in result.stderr


def test_a_file_that_appears_meanwhile_is_not_replaced_without_force(tmp_path):
    target = tmp_path / "tuan.md"
    output = OutputFile(target)            # checked: nothing there yet
    target.write_text("another job's report")
    with pytest.raises(NtmError, match="--force"):
        output.write_text("mine")
    assert target.read_text() == "another job's report"
    assert [p.name for p in tmp_path.iterdir()] == ["tuan.md"]


def test_directories_made_for_an_output_go_when_it_fails(tmp_path):
    output = OutputFile(tmp_path / "a" / "b" / "r.md", make_parents=True)
    assert not (tmp_path / "a").exists()   # nothing made before the work
    with pytest.raises(RuntimeError):
        with output:
            raise RuntimeError("the report failed")
    assert list(tmp_path.iterdir()) == []


def test_errors_name_the_target_not_the_temporary(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.geteuid() == 0:
            pytest.skip("root writes anywhere")
        with pytest.raises(NtmError) as e:
            OutputFile(folder / "r.html").write_text("x")
        assert "r.html" in str(e.value) and ".partial" not in str(e.value)
    finally:
        os.chmod(folder, 0o700)
