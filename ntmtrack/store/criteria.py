"""Criteria sets and the register's settings (meta) in SQL. Never prints."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

from ..model import CriteriaSet, Criterion


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", [key]).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                 " SET value=excluded.value", [key, value])


def content_hash(conn: sqlite3.Connection, code: str) -> str | None:
    row = conn.execute("SELECT content_hash FROM criteria_set WHERE code=?", [code]).fetchone()
    return row[0] if row else None


def codes(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT code FROM criteria_set ORDER BY code")]


def delete(conn: sqlite3.Connection, code: str) -> None:
    conn.execute("DELETE FROM criteria_set WHERE code=?", [code])


def save(conn: sqlite3.Connection, cs: CriteriaSet, origin: str, digest: str, document: dict) -> None:
    conn.execute(
        "INSERT INTO criteria_set (code, decision, title_vi, title_en, date, effective, origin,"
        " content_hash, document, imported_at, applies_to) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [cs.code, cs.decision, cs.title_vi, cs.title_en, cs.date, cs.effective, origin, digest,
         json.dumps(document, ensure_ascii=False, sort_keys=True),
         datetime.now(timezone.utc).isoformat(timespec="seconds"),
         cs.extra.get("applies_to") or "commune"],
    )
    conn.executemany(
        "INSERT INTO criteria_group (criteria_set, code, name_vi, name_en) VALUES (?,?,?,?)",
        [(cs.code, g["code"], g["name_vi"], g.get("name_en")) for g in cs.groups],
    )
    conn.executemany(
        "INSERT INTO criterion (criteria_set, number, name_vi, name_en, group_code, confidence)"
        " VALUES (?,?,?,?,?,?)",
        [(cs.code, c.number, c.name_vi, c.name_en, c.group, c.confidence) for c in cs.criteria],
    )
    conn.executemany(
        "INSERT INTO criterion_indicator (criteria_set, criterion, id, name_vi, name_en, confidence)"
        " VALUES (?,?,?,?,?,?)",
        [(cs.code, c.number, i["id"], i["name_vi"], i.get("name_en"), i.get("confidence"))
         for c in cs.criteria for i in c.indicators],
    )


def load(conn: sqlite3.Connection, code: str) -> CriteriaSet | None:
    row = conn.execute(
        "SELECT code, decision, title_vi, title_en, date, effective, document FROM criteria_set"
        " WHERE code=?", [code]).fetchone()
    if not row:
        return None
    indicators: dict[int, list[dict]] = {}
    for number, ind_id, name_vi, name_en, confidence in conn.execute(
        "SELECT criterion, id, name_vi, name_en, confidence FROM criterion_indicator"
        " WHERE criteria_set=? ORDER BY rowid", [code]):
        indicators.setdefault(number, []).append(
            {"id": ind_id, "name_vi": name_vi, "name_en": name_en, "confidence": confidence})
    criteria = tuple(
        Criterion(code, number, name_vi, name_en, group, confidence,
                  tuple(indicators.get(number, [])))
        for number, name_vi, name_en, group, confidence in conn.execute(
            "SELECT number, name_vi, name_en, group_code, confidence FROM criterion"
            " WHERE criteria_set=? ORDER BY number", [code])
    )
    groups = tuple(
        {"code": g, "name_vi": vi, "name_en": en} for g, vi, en in conn.execute(
            "SELECT code, name_vi, name_en FROM criteria_group WHERE criteria_set=? ORDER BY rowid",
            [code]))
    document = json.loads(row[6])
    return CriteriaSet(row[0], row[1], row[2], row[3], row[4], row[5], criteria, groups,
                       extra=document)


def summaries(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute(
        "SELECT s.code, s.decision, s.title_vi, s.title_en, coalesce(nullif(s.effective, 'null'), s.date), s.origin,"
        " (SELECT count(*) FROM criterion c WHERE c.criteria_set=s.code),"
        " (SELECT count(*) FROM criterion_indicator i WHERE i.criteria_set=s.code)"
        " FROM criteria_set s ORDER BY coalesce(nullif(s.effective, 'null'), s.date) DESC, s.code")
    keys = ["code", "decision", "title_vi", "title_en", "effective", "origin", "criteria",
            "indicators"]
    return [dict(zip(keys, r)) for r in rows]


def plans_using(conn: sqlite3.Connection, code: str) -> list[str]:
    has_plans = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='plan'").fetchone()
    if not has_plans:
        return []
    return [r[0] for r in conn.execute("SELECT id FROM plan WHERE criteria_set=?", [code])]


def national_sets(conn: sqlite3.Connection) -> list[tuple[str, str | None]]:
    """(code, the day it took effect) of every shipped (national) set, oldest first; a set
    without an `effective` date takes effect on its decision's date."""
    return [tuple(r) for r in conn.execute(
        "SELECT code, coalesce(nullif(effective, 'null'), date) AS since FROM criteria_set"
        " WHERE origin = 'shipped'"
        " ORDER BY since IS NULL, since, code")]


def effective_day(conn: sqlite3.Connection, code: str) -> tuple[str | None, str] | None:
    """(the day the set took effect, its origin), None for an unknown set."""
    row = conn.execute("SELECT coalesce(nullif(effective, 'null'), date), origin FROM criteria_set WHERE code=?",
                       [code]).fetchone()
    return (row[0], row[1]) if row else None


def observed_criteria(conn: sqlite3.Connection, code: str) -> set[int]:
    """The criteria of the set that observations (live or voided) refer to."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT criterion FROM observation WHERE criteria_set = ? AND criterion IS NOT NULL",
        [code])}


def numbers(conn: sqlite3.Connection, code: str) -> list[int]:
    """The criterion numbers of a set, in order (none for an unknown set)."""
    return [r[0] for r in conn.execute(
        "SELECT number FROM criterion WHERE criteria_set = ? ORDER BY number", [code])]
