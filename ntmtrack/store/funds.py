"""Money in SQL: a plan's capital (plan_fund) and the funds observations. Never prints.

Amounts are integers of đồng in and out (SQLite INTEGER, summed exactly). Funds observations
are rows of the observation table (kind 'funds'), appended and voided like every other;
these queries read only the live ones.
"""

from __future__ import annotations

import json
import sqlite3

_LIVE = "o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)"


def insert_plan_funds(conn: sqlite3.Connection, plan_id: str, rows: list[dict]) -> None:
    conn.executemany(
        "INSERT INTO plan_fund (plan, seq, unit_id, source, amount) VALUES (?,?,?,?,?)",
        [(plan_id, r["seq"], r["unit_id"], r["source"], int(r["amount"])) for r in rows])


def plan_funds(conn: sqlite3.Connection, plan_ids: list[str] | None = None) -> list[dict]:
    """{plan, seq, unit_id, source, amount} of the plans' `funds:` sections, in plan order."""
    where, args = "", []
    if plan_ids is not None:
        where = " WHERE f.plan IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(plan_ids))
    keys = ["plan", "seq", "unit_id", "source", "amount"]
    return [dict(zip(keys, r)) for r in conn.execute(
        "SELECT f.plan, f.seq, f.unit_id, f.source, f.amount FROM plan_fund f"
        f"{where} ORDER BY f.plan, f.seq, f.id", args)]


def plans_with_funds(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT plan FROM plan_fund ORDER BY plan")]


def flows(conn: sqlite3.Connection, since: str, until: str) -> list[tuple[int, str, str, int]]:
    """(unit_id, fund_kind, fund_source, total đồng) of the live funds observations that add up
    (allocated, disbursed, contributed, debt_paid) dated in since..until."""
    return conn.execute(
        "SELECT o.unit_id, o.fund_kind, o.fund_source, sum(o.amount) FROM observation o"
        " WHERE o.kind = 'funds' AND o.fund_kind != 'debt' AND o.date >= ? AND o.date <= ?"
        f" AND {_LIVE} GROUP BY o.unit_id, o.fund_kind, o.fund_source", [since, until]).fetchall()


def debts(conn: sqlite3.Connection, as_of: str) -> list[tuple[int, str, int]]:
    """(unit_id, fund_source, outstanding đồng) on the day, per unit and source: the last live
    `debt` level dated on or before it, less the `debt_paid` amounts dated after that level
    up to the day (never below 0). A unit and source with no `debt` level has no debt."""
    return conn.execute(
        f"""WITH level AS (
              SELECT unit_id, fund_source, amount, date, recorded_at, gid FROM (
                SELECT o.unit_id, o.fund_source, o.amount, o.date, o.recorded_at, o.gid,
                       row_number() OVER (PARTITION BY o.unit_id, o.fund_source
                                          ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC) AS rank
                FROM observation o
                WHERE o.kind = 'funds' AND o.fund_kind = 'debt' AND o.date <= :as_of AND {_LIVE})
              WHERE rank = 1)
            SELECT l.unit_id, l.fund_source,
                   max(0, l.amount - coalesce((
                     SELECT sum(o.amount) FROM observation o
                     WHERE o.kind = 'funds' AND o.fund_kind = 'debt_paid'
                       AND o.unit_id = l.unit_id AND o.fund_source = l.fund_source
                       AND o.date <= :as_of AND (o.date, o.recorded_at, o.gid) > (l.date, l.recorded_at, l.gid)
                       AND {_LIVE}), 0))
            FROM level l""", {"as_of": as_of}).fetchall()


def ancestors_of(conn: sqlite3.Connection, unit_ids: list[int]) -> list[tuple[int, int]]:
    """(unit_id, ancestor_id) for each unit and each unit above it, the unit itself included."""
    if not unit_ids:
        return []
    return conn.execute(
        """WITH RECURSIVE up(unit_id, ancestor_id) AS (
             SELECT value, value FROM json_each(?)
             UNION ALL
             SELECT up.unit_id, u.parent_id FROM up JOIN unit u ON u.id = up.ancestor_id
             WHERE u.parent_id IS NOT NULL)
           SELECT unit_id, ancestor_id FROM up""", [json.dumps(sorted(set(unit_ids)))]).fetchall()
