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


def downgrade(source: Path, target: Path, stop_before: str) -> Path:
    """A genuine older register at `target`: the migrations before `stop_before` applied to a
    new file, then every row of `source` copied into the columns the older schema has (the
    state tables and views that older schema builds itself are left to it)."""
    import sqlite3

    from sqlite_utils import Database

    from ntmtrack.store import migrations as schema

    old = sqlite3.connect(target, isolation_level=None)
    old.execute("PRAGMA journal_mode=WAL")
    schema.migrations.apply(Database(old), stop_before=stop_before)
    old.execute("ATTACH DATABASE ? AS new", [str(source)])
    old.execute("BEGIN")
    for table in ("meta", "criteria_set", "criteria_group", "criterion", "criterion_indicator",
                  "unit", "unit_alias", "unit_lineage", "indicator", "plan", "plan_target",
                  "observation", "criterion_state", "indicator_state"):
        have = [r[1] for r in old.execute(f"PRAGMA main.table_info({table})")]
        if not have:
            continue
        columns = ", ".join(f'"{c}"' for c in have)
        old.execute(f"DELETE FROM main.{table}")
        old.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM new.{table}")
    old.execute("COMMIT")
    old.execute("DETACH DATABASE new")
    old.close()
    return target


def pytest_collection_modifyitems(config, items):
    """The long tests first. The suite runs on every core (pytest-xdist, `--dist worksteal`):
    started first, a long test runs beside the others; started last, it would run alone at
    the end while the other cores wait."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
