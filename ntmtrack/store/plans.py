"""Plans, their targets and the register's indicators in SQL. Never prints."""

from __future__ import annotations

import functools
import json
import sqlite3
from datetime import datetime, timezone


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_hash(conn: sqlite3.Connection, plan_id: str) -> str | None:
    row = conn.execute("SELECT content_hash FROM plan WHERE id=?", [plan_id]).fetchone()
    return row[0] if row else None


_PLAN_COLUMNS = ["id", "title", "reference", "issued_by", "criteria_set", "start", "end",
                 "report_every", "note", "document", "content_hash", "source", "imported_at"]


def get(conn: sqlite3.Connection, plan_id: str) -> dict | None:
    row = conn.execute(
        "SELECT " + ", ".join(f'"{c}"' for c in _PLAN_COLUMNS) + " FROM plan WHERE id=?",
        [plan_id]).fetchone()
    return dict(zip(_PLAN_COLUMNS, row)) if row else None


def ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM plan ORDER BY id")]


def titles(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT id, title FROM plan ORDER BY id").fetchall()


def summaries(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute(
        """SELECT p.id, p.title, p.reference, p.criteria_set, p.start, p."end", p.report_every,
                  (SELECT count(DISTINCT unit_id) FROM plan_target t WHERE t.plan = p.id),
                  (SELECT count(*) FROM plan_target t WHERE t.plan = p.id AND t.kind = 'criteria'),
                  (SELECT count(*) FROM plan_target t WHERE t.plan = p.id AND t.kind != 'criteria'),
                  p.imported_at
           FROM plan p ORDER BY p.start DESC, p.id""")
    keys = ["plan", "title", "reference", "criteria_set", "start", "end", "report_every",
            "units", "criteria_targets", "indicator_targets", "imported_at"]
    return [dict(zip(keys, r)) for r in rows]


def delete(conn: sqlite3.Connection, plan_id: str) -> None:
    conn.execute("DELETE FROM plan WHERE id=?", [plan_id])


def insert(conn: sqlite3.Connection, plan: dict) -> None:
    conn.execute(
        'INSERT INTO plan (id, title, reference, issued_by, criteria_set, start, "end",'
        " report_every, note, document, content_hash, source, imported_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [plan["id"], plan["title"], plan.get("reference"), plan.get("issued_by"),
         plan.get("criteria_set"), plan["start"], plan["end"], plan.get("report_every"),
         plan.get("note"), json.dumps(plan["document"], ensure_ascii=False),
         plan["content_hash"], plan.get("source"), _now()])


def insert_targets(conn: sqlite3.Connection, plan_id: str, targets: list[dict]) -> None:
    conn.executemany(
        "INSERT INTO plan_target (plan, seq, unit_id, kind, criteria_set, criteria, indicator,"
        " amount, baseline, by, milestones, dossier) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(plan_id, t["seq"], t["unit_id"], t["kind"], t.get("criteria_set"),
          json.dumps(t["criteria"]) if t.get("criteria") is not None else None,
          t.get("indicator"), t.get("amount"), t.get("baseline"), t["by"],
          json.dumps(t["milestones"]) if t.get("milestones") else None,
          json.dumps(t["dossier"], sort_keys=True) if t.get("dossier") else None) for t in targets])


_TARGET_COLUMNS = ["id", "plan", "seq", "unit_id", "kind", "criteria_set", "criteria",
                   "indicator", "amount", "baseline", "by", "milestones", "dossier"]


@functools.lru_cache(maxsize=256)
def _numbers(text: str) -> tuple:
    # A national plan repeats the same few criteria lists on 10,000 targets.
    return tuple(json.loads(text))


def targets(conn: sqlite3.Connection, plan_id: str | None = None,
            unit_ids: list[int] | None = None, criteria_set: str | None = None) -> list[dict]:
    """The targets of a plan (or all), of some units, or only the criteria targets of a set."""
    sql = "SELECT " + ", ".join(f"t.{c}" for c in _TARGET_COLUMNS) + " FROM plan_target t"
    where, args = [], []
    if plan_id is not None:
        where.append("t.plan = ?")
        args.append(plan_id)
    if criteria_set is not None:
        where.append("t.kind = 'criteria' AND t.criteria_set = ?")
        args.append(criteria_set)
    if unit_ids is not None:
        where.append("t.unit_id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(unit_ids))
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY t.plan, t.seq, t.id"
    out = []
    for row in conn.execute(sql, args):
        t = dict(zip(_TARGET_COLUMNS, row))
        t["criteria"] = list(_numbers(t["criteria"])) if t["criteria"] else None
        t["milestones"] = json.loads(t["milestones"]) if t["milestones"] else []
        t["dossier"] = json.loads(t["dossier"]) if t["dossier"] else {}
        out.append(t)
    return out


_INDICATOR_COLUMNS = ["code", "name", "measure", "direction", "rollup"]


def indicator(conn: sqlite3.Connection, code: str) -> dict | None:
    row = conn.execute("SELECT code, name, measure, direction, rollup FROM indicator WHERE code=?",
                       [code]).fetchone()
    return dict(zip(_INDICATOR_COLUMNS, row)) if row else None


def indicators(conn: sqlite3.Connection) -> list[dict]:
    return [dict(zip(_INDICATOR_COLUMNS, r)) for r in conn.execute(
        "SELECT code, name, measure, direction, rollup FROM indicator ORDER BY code")]


def save_indicator(conn: sqlite3.Connection, ind: dict) -> None:
    conn.execute(
        "INSERT INTO indicator (code, name, measure, direction, rollup, created_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET name=excluded.name,"
        " measure=excluded.measure, direction=excluded.direction, rollup=excluded.rollup",
        [ind["code"], ind["name"], ind.get("measure"), ind["direction"], ind["rollup"], _now()])


def indicator_plans(conn: sqlite3.Connection, code: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT plan FROM plan_target WHERE indicator=? ORDER BY plan", [code])]


def indicator_has_observations(conn: sqlite3.Connection, code: str) -> bool:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='observation'").fetchone()
    if not exists:
        return False
    return conn.execute("SELECT 1 FROM observation WHERE indicator=? LIMIT 1", [code]).fetchone() is not None


def criteria_spans(conn: sqlite3.Connection) -> list[tuple[int, str, str, str | None, str]]:
    """(unit_id, plan start, plan end, plan's last deadline, criteria set) of every criteria
    target: what decides which plans' sets cover a unit on a day, read once per command."""
    return conn.execute(
        "SELECT t.unit_id, p.start, p.\"end\", d.last, t.criteria_set FROM plan_target t"
        " JOIN plan p ON p.id = t.plan"
        " JOIN (SELECT plan, max(by) AS last FROM plan_target GROUP BY plan) d ON d.plan = t.plan"
        " WHERE t.kind = 'criteria'").fetchall()


def reach_below_communes(conn: sqlite3.Connection, plan_ids: list[str], under: int | None = None) -> bool:
    """Whether any of the plans has a target on a unit below communes, an indicator target, or
    a `funds:` section — with `under`, a target at or below that unit (a district's report
    reads its own hundred targets, not the national plan's ten thousand)."""
    if not plan_ids:
        return False
    ids = json.dumps(plan_ids)
    reaching = ("(t.kind != 'criteria' OR u.kind IN ('village', 'household_group'))"
                " AND t.plan IN (SELECT value FROM json_each(:ids))")
    funds = " OR EXISTS (SELECT 1 FROM plan_fund f WHERE f.plan IN (SELECT value FROM json_each(:ids)))"
    if under is None:
        return conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM plan_target t JOIN unit u ON u.id = t.unit_id WHERE {reaching})"
            + funds, {"ids": ids}).fetchone()[0] == 1
    return conn.execute(
        "WITH RECURSIVE below(id) AS (SELECT :under UNION ALL"
        "  SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id)"
        " SELECT EXISTS (SELECT 1 FROM below b JOIN plan_target t ON t.unit_id = b.id"
        f"  JOIN unit u ON u.id = t.unit_id WHERE {reaching})" + funds,
        {"ids": ids, "under": under}).fetchone()[0] == 1


def indicator_units_observed(conn: sqlite3.Connection, since: str, until: str,
                             under: int | None = None) -> dict[int, str]:
    """{unit_id: its kind} of the units (at or below `under`) with an indicator observation
    dated after `since` up to `until`: the only ones whose values can differ between the two
    days."""
    if under is None:
        return dict(conn.execute(
            "SELECT DISTINCT o.unit_id, u.kind FROM observation o INDEXED BY observation_indicator"
            " JOIN unit u ON u.id = o.unit_id"
            " WHERE o.indicator IS NOT NULL AND o.date > ? AND o.date <= ?", [since, until]).fetchall())
    return dict(conn.execute(
        """WITH RECURSIVE below(id) AS (
              SELECT ? UNION SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id)
           SELECT u.id, u.kind FROM below b JOIN unit u ON u.id = b.id
           WHERE EXISTS (SELECT 1 FROM observation o WHERE o.unit_id = b.id
                         AND o.date > ? AND o.date <= ? AND o.indicator IS NOT NULL)""",
        [under, since, until]).fetchall())


def criteria_spans_of(conn: sqlite3.Connection, unit_ids) -> list[tuple[int, str, str, str | None, str]]:
    """criteria_spans() of these units only (their plans' last deadlines over all targets)."""
    return conn.execute(
        "WITH mine AS MATERIALIZED (SELECT unit_id, plan, criteria_set FROM plan_target"
        "   WHERE kind = 'criteria' AND unit_id IN (SELECT value FROM json_each(?))),"
        " d AS (SELECT plan, max(by) AS last FROM plan_target WHERE plan IN (SELECT plan FROM mine)"
        "   GROUP BY plan)"
        " SELECT m.unit_id, p.start, p.\"end\", d.last, m.criteria_set FROM mine m"
        " JOIN plan p ON p.id = m.plan JOIN d ON d.plan = m.plan", [json.dumps(list(unit_ids))]).fetchall()


def last_deadline(conn: sqlite3.Connection, plan_id: str) -> str | None:
    return conn.execute("SELECT max(by) FROM plan_target WHERE plan = ?", [plan_id]).fetchone()[0]
