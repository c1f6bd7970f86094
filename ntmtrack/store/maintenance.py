"""Checking and copying the register: integrity, invariants, online backups. Never prints."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path


def problems(conn: sqlite3.Connection, known_migrations: list[str]) -> list[str]:
    """Everything wrong with the register, one message each; empty when all is well."""
    found: list[str] = []
    for (result,) in conn.execute("PRAGMA integrity_check"):
        if result != "ok":
            found.append(f"integrity: {result}")
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        found.append(f"{table} row {rowid} points at a missing {parent} row")
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set='ntmtrack' ORDER BY rowid")]
    unknown = [n for n in applied if n not in known_migrations]
    if unknown:
        found.append(f"schema: unknown migrations {', '.join(unknown)} (newer ntmtrack?)")
    for unit_id, name in conn.execute("SELECT id, name FROM unit"):
        if unicodedata.normalize("NFC", name) != name:
            found.append(f"unit {unit_id}: name {name!r} is not NFC")
        if any(unicodedata.category(ch) == "Cc" for ch in name):
            found.append(f"unit {unit_id}: name has control characters")
    for obs_id, in conn.execute(
            "SELECT o.id FROM observation o WHERE o.criterion IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM criterion c WHERE c.criteria_set=o.criteria_set AND c.number=o.criterion)"):
        found.append(f"observation {obs_id}: its criterion is not in its set")
    for obs_id, in conn.execute(
            "SELECT id FROM observation WHERE voids IS NOT NULL AND voids NOT IN (SELECT id FROM observation)"):
        found.append(f"observation {obs_id}: voids a missing observation")
    for obs_id, in conn.execute(
            "SELECT id FROM observation WHERE indicator IS NOT NULL AND indicator NOT IN (SELECT code FROM indicator)"):
        found.append(f"observation {obs_id}: unknown indicator")
    from .observations import state_mismatches

    stale = state_mismatches(conn)
    if stale:
        found.append(f"current state: {stale} criterion verdict(s) disagree with the observations")
    for target_id, in conn.execute(
            "SELECT id FROM plan_target WHERE unit_id NOT IN (SELECT id FROM unit)"):
        found.append(f"plan target {target_id}: its unit is missing")
    return found


def backup(conn: sqlite3.Connection, destination: Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write, into
    `destination` (a new, empty file: the caller renames it into place when complete)."""
    target = sqlite3.connect(destination)
    try:
        conn.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def copy_into(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Replace the target register's content with the source's, page by page, under the
    target's own locks (so its WAL and readers stay consistent)."""
    source.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
