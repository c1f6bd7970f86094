"""Finding observations already in the register with the same content: the same unit,
measure, value (or decision) and date, still live (not voided). Used to say "already
recorded" instead of recording a fact twice, and to re-import the register's own exports."""

from __future__ import annotations

import sqlite3

_SAME = """
    SELECT o.id FROM observation o
    WHERE o.unit_id = ? AND o.kind = ? AND o.date = ?
      AND o.criteria_set IS ? AND o.criterion IS ? AND o.indicator IS ? AND o.value IS ?
      AND o.decision IS ? AND o.level IS ? AND o.step IS ? AND o.department IS ?
      AND o.result IS ? AND o.amount IS ? AND o.fund_kind IS ? AND o.fund_source IS ?
      AND o.project IS ?
      AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
    ORDER BY o.id"""


def identical(conn: sqlite3.Connection, row: dict) -> list[int]:
    """The ids of live observations with `row`'s content (notes, who and where aside)."""
    return [r[0] for r in conn.execute(_SAME, [
        row["unit_id"], row["kind"], row["date"], row.get("criteria_set"), row.get("criterion"),
        row.get("indicator"), row.get("value"), row.get("decision"), row.get("level"),
        row.get("step"), row.get("department"), row.get("result"), row.get("amount"),
        row.get("fund_kind"), row.get("fund_source"), row.get("project")])]
