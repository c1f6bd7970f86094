"""Shared fixtures: a register in tmp_path (through NTMTRACK_DB) and a CLI runner."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ntmtrack.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Run:
    def __init__(self, monkeypatch, db: Path):
        self.runner = CliRunner()
        self.db = db
        monkeypatch.setenv("NTMTRACK_DB", str(db))
        monkeypatch.setenv("NTMTRACK_LANG", "en")
        monkeypatch.delenv("NTMTRACK_DEBUG", raising=False)
        monkeypatch.setenv("COLUMNS", "200")

    def __call__(self, *args: str, input: str | bytes | None = None, code: int | None = 0):
        result = self.runner.invoke(app, [str(a) for a in args], input=input)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code}, expected {code}\nstdout: {result.stdout}\n"
                f"stderr: {result.stderr}\n{result.exception!r}")
        return result


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "register.db"


@pytest.fixture
def run(monkeypatch, db) -> Run:
    return Run(monkeypatch, db)


@pytest.fixture
def ready(run) -> Run:
    """A register with the shipped criteria sets and Triệu Sơn's units."""
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    return run


def digest(path: Path) -> str:
    """A hash of the register's content (the file and its WAL), to prove nothing changed."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    return hashlib.sha256(dump.encode()).hexdigest()
