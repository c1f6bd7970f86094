"""Facts about a register for `db info`. Never prints."""

from __future__ import annotations

import sqlite3


def facts(conn: sqlite3.Connection) -> dict:
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set='ntmtrack' ORDER BY rowid")]
    register = conn.execute("SELECT value FROM meta WHERE key='register_id'").fetchone()
    out = {
        "register_id": register[0] if register else None,
        "schema_version": applied[-1] if applied else None,
        "migrations_applied": len(applied),
        "default_criteria_set": (conn.execute(
            "SELECT value FROM meta WHERE key='default_criteria_set'").fetchone() or [None])[0],
        "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
    }
    for table in ("criteria_set", "unit", "plan", "indicator", "observation"):
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                              [table]).fetchone()
        if exists:
            out[f"{table}_count"] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return out
