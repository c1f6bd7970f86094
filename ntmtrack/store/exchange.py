"""The exchange in SQL: what a packet carries out of the register, what an imported packet
adds to it, and what the register knows of other origins. Never prints.

An observation's origin is the register that recorded it: the part of its global id before
the colon.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterator

from . import observations as obs_store

ORIGIN = "substr({g}, 1, 36)"

# -- export -----------------------------------------------------------------------------------

_UNIT_COLUMNS = ["id", "name", "kind", "parent_id", "code", "code_edition", "active_until"]


def covered_ids(conn: sqlite3.Connection, under_id: int | None) -> list[int]:
    """The unit and every unit below it (None: every unit)."""
    if under_id is None:
        return [r[0] for r in conn.execute("SELECT id FROM unit ORDER BY id")]
    return [r[0] for r in conn.execute(
        """WITH RECURSIVE down(id) AS (
             SELECT ? UNION SELECT unit.id FROM unit JOIN down ON unit.parent_id = down.id)
           SELECT id FROM down ORDER BY id""", [under_id])]


def plans_touching(conn: sqlite3.Connection, unit_ids: list[int]) -> list[str]:
    """Plans with a target or planned funds on any of the units."""
    units = json.dumps(unit_ids)
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT plan FROM plan_target WHERE unit_id IN (SELECT value FROM json_each(?))"
        " UNION SELECT DISTINCT plan FROM plan_fund WHERE unit_id IN (SELECT value FROM json_each(?))"
        " ORDER BY 1", [units, units])]


def plan_unit_ids(conn: sqlite3.Connection, plan_ids: list[str]) -> set[int]:
    plans = json.dumps(plan_ids)
    return {r[0] for r in conn.execute(
        "SELECT unit_id FROM plan_target WHERE plan IN (SELECT value FROM json_each(?))"
        " UNION SELECT unit_id FROM plan_fund WHERE plan IN (SELECT value FROM json_each(?))",
        [plans, plans])}


def lineage_among(conn: sqlite3.Connection, unit_ids: list[int]) -> list[tuple]:
    """(predecessor, successor, date, event) of lineage touching any of the units."""
    units = json.dumps(unit_ids)
    return conn.execute(
        "SELECT predecessor_id, successor_id, date, event FROM unit_lineage"
        " WHERE predecessor_id IN (SELECT value FROM json_each(?))"
        " OR successor_id IN (SELECT value FROM json_each(?)) ORDER BY id", [units, units]).fetchall()


def with_ancestors(conn: sqlite3.Connection, unit_ids: set[int]) -> list[dict]:
    """The units and every unit above them, parents before children."""
    rows = conn.execute(
        f"""WITH RECURSIVE up(id) AS (
              SELECT value FROM json_each(?)
              UNION SELECT u.parent_id FROM unit u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL),
            depth(id, d) AS (
              SELECT id, 0 FROM unit WHERE parent_id IS NULL AND id IN (SELECT id FROM up)
              UNION ALL SELECT u.id, depth.d + 1 FROM unit u JOIN depth ON u.parent_id = depth.id
              WHERE u.id IN (SELECT id FROM up))
            SELECT {', '.join('u.' + c for c in _UNIT_COLUMNS)} FROM depth JOIN unit u ON u.id = depth.id
            ORDER BY depth.d, u.sort_key, u.id""", [json.dumps(sorted(unit_ids))]).fetchall()
    return [dict(zip(_UNIT_COLUMNS, r)) for r in rows]


def aliases_of(conn: sqlite3.Connection, unit_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for unit_id, alias in conn.execute(
            "SELECT unit_id, alias FROM unit_alias WHERE unit_id IN (SELECT value FROM json_each(?))"
            " ORDER BY rowid", [json.dumps(unit_ids)]):
        out.setdefault(unit_id, []).append(alias)
    return out


_EXPORT_COLUMNS = ["id", "gid", "unit_id", "kind", "criteria_set", "criterion", "indicator",
                   "value", "decision", "voids_gid", "date", "recorded_at", "by", "source", "note",
                   "level", "step", "department", "result", "amount", "fund_kind", "fund_source",
                   "project"]
_SELECT_EXPORT = ("SELECT o.id, o.gid, o.unit_id, o.kind, o.criteria_set, o.criterion, o.indicator,"
                  " o.value, o.decision, (SELECT v.gid FROM observation v WHERE v.id = o.voids),"
                  " o.date, o.recorded_at, o.by, o.source, o.note, o.level, o.step, o.department,"
                  " o.result, o.amount, o.fund_kind, o.fund_source, o.project FROM observation o")


def observations_to_send(conn: sqlite3.Connection, unit_ids: list[int] | None, after_id: int) -> Iterator[dict]:
    """The units' observations recorded here after `after_id` (voids included), and each
    voided observation a void among them points at (a packet carries what its voids cancel),
    in the register's order, straight from the cursor."""
    if unit_ids is None:
        scope, args = "", [after_id]
    else:
        scope, args = " AND o.unit_id IN (SELECT value FROM json_each(?))", [after_id, json.dumps(unit_ids)]
    cursor = conn.execute(
        f"{_SELECT_EXPORT} WHERE (o.id > ?{scope})"
        f" OR o.id IN (SELECT x.voids FROM observation x WHERE x.id > ? AND x.voids IS NOT NULL"
        f" AND x.voids <= ?{scope.replace('o.unit_id', 'x.unit_id')})"
        " ORDER BY o.id", args + [after_id, after_id] + args[1:])
    try:
        while batch := cursor.fetchmany(2000):
            for row in batch:
                yield dict(zip(_EXPORT_COLUMNS, row))
    finally:
        cursor.close()


def plan_rows(conn: sqlite3.Connection, plan_id: str) -> tuple[dict, list[dict], list[dict]]:
    """A plan's row, its targets and its planned funds, as stored."""
    columns = ["id", "title", "reference", "issued_by", "criteria_set", "start", "end",
               "report_every", "note", "document", "content_hash", "source", "imported_at"]
    row = conn.execute("SELECT " + ", ".join(f'"{c}"' for c in columns) + " FROM plan WHERE id=?",
                       [plan_id]).fetchone()
    target_columns = ["seq", "unit_id", "kind", "criteria_set", "criteria", "indicator", "amount",
                      "baseline", "by", "milestones", "dossier"]
    targets = [dict(zip(target_columns, r)) for r in conn.execute(
        f"SELECT {', '.join(target_columns)} FROM plan_target WHERE plan=? ORDER BY seq, id", [plan_id])]
    funds = [dict(zip(["seq", "unit_id", "source", "amount"], r)) for r in conn.execute(
        "SELECT seq, unit_id, source, amount FROM plan_fund WHERE plan=? ORDER BY seq, id", [plan_id])]
    return dict(zip(columns, row)), targets, funds


def indicators_used(conn: sqlite3.Connection, unit_ids: list[int] | None, plan_ids: list[str]) -> list[dict]:
    """Indicators the units' observations or the plans' targets name (rows as stored)."""
    scope = "" if unit_ids is None else " AND unit_id IN (SELECT value FROM json_each(:units))"
    columns = ["code", "name", "measure", "direction", "rollup", "created_at"]
    rows = conn.execute(
        f"SELECT {', '.join(columns)} FROM indicator WHERE code IN ("
        f" SELECT indicator FROM observation WHERE indicator IS NOT NULL{scope}"
        " UNION SELECT indicator FROM plan_target WHERE indicator IS NOT NULL"
        " AND plan IN (SELECT value FROM json_each(:plans))) ORDER BY code",
        {"units": json.dumps(unit_ids), "plans": json.dumps(plan_ids)}).fetchall()
    return [dict(zip(columns, r)) for r in rows]


def imported_sets_used(conn: sqlite3.Connection, unit_ids: list[int] | None, plan_ids: list[str]) -> list[str]:
    """Criteria sets imported into this register (not shipped with ntmtrack) that the units'
    observations or the plans name: every register has the shipped ones."""
    scope = "" if unit_ids is None else " AND unit_id IN (SELECT value FROM json_each(:units))"
    return [r[0] for r in conn.execute(
        "SELECT code FROM criteria_set WHERE origin = 'imported' AND code IN ("
        f" SELECT criteria_set FROM observation WHERE criteria_set IS NOT NULL{scope}"
        " UNION SELECT criteria_set FROM plan_target WHERE plan IN (SELECT value FROM json_each(:plans))"
        " UNION SELECT criteria_set FROM plan WHERE id IN (SELECT value FROM json_each(:plans)))"
        " ORDER BY code", {"units": json.dumps(unit_ids), "plans": json.dumps(plan_ids)})]


def criteria_set_rows(conn: sqlite3.Connection, code: str) -> dict:
    columns = ["code", "decision", "title_vi", "title_en", "date", "effective", "content_hash",
               "document", "imported_at", "applies_to"]
    row = dict(zip(columns, conn.execute(
        f"SELECT {', '.join(columns)} FROM criteria_set WHERE code=?", [code]).fetchone()))
    row["groups"] = [dict(zip(["code", "name_vi", "name_en"], r)) for r in conn.execute(
        "SELECT code, name_vi, name_en FROM criteria_group WHERE criteria_set=? ORDER BY rowid", [code])]
    row["criteria"] = [dict(zip(["number", "name_vi", "name_en", "group_code", "confidence"], r))
                       for r in conn.execute(
        "SELECT number, name_vi, name_en, group_code, confidence FROM criterion WHERE criteria_set=?"
        " ORDER BY number", [code])]
    row["indicators"] = [dict(zip(["criterion", "id", "name_vi", "name_en", "confidence"], r))
                         for r in conn.execute(
        "SELECT criterion, id, name_vi, name_en, confidence FROM criterion_indicator"
        " WHERE criteria_set=? ORDER BY rowid", [code])]
    return row


def sent_mark(conn: sqlite3.Connection, destination: str, under_id: int) -> int:
    row = conn.execute("SELECT last_id FROM exchange_sent WHERE destination=? AND under_id=?",
                       [destination, under_id]).fetchone()
    return row[0] if row else 0


def set_sent_mark(conn: sqlite3.Connection, destination: str, under_id: int, last_id: int, at: str) -> None:
    conn.execute("INSERT INTO exchange_sent (destination, under_id, last_id, sent_at) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT (destination, under_id) DO UPDATE SET last_id = max(last_id, excluded.last_id),"
                 " sent_at = excluded.sent_at", [destination, under_id, last_id, at])


# -- import -----------------------------------------------------------------------------------

_COMPARED = [c for c in _EXPORT_COLUMNS if c not in ("id", "unit_id")]


def present(conn: sqlite3.Connection, gids: list[str]) -> dict[str, dict]:
    """{gid: the stored observation (unit_id, and the fields that travel)} of those present."""
    if not gids:
        return {}
    rows = conn.execute(f"{_SELECT_EXPORT} WHERE o.gid IN (SELECT value FROM json_each(?))",
                        [json.dumps(gids)]).fetchall()
    return {r[1]: dict(zip(_EXPORT_COLUMNS, r)) for r in rows}


def ids_of(conn: sqlite3.Connection, gids: list[str]) -> dict[str, int]:
    if not gids:
        return {}
    return dict(conn.execute("SELECT gid, id FROM observation WHERE gid IN (SELECT value FROM json_each(?))",
                             [json.dumps(gids)]).fetchall())


_IMPORT_COLUMNS = ["gid"] + obs_store.COLUMNS
_INSERT_IMPORTED = (f"INSERT INTO observation ({', '.join(_IMPORT_COLUMNS)})"
                    f" VALUES ({', '.join('?' * len(_IMPORT_COLUMNS))}) ON CONFLICT (gid) DO NOTHING")


def append_imported(conn: sqlite3.Connection, rows: list[dict]) -> int:
    """Append observations that carry their global ids; returns how many were new. The state
    tables follow, as for any append."""
    first = obs_store.next_id(conn)
    before = conn.total_changes
    conn.executemany(_INSERT_IMPORTED, ([r.get(c) for c in _IMPORT_COLUMNS] for r in rows))
    added = conn.total_changes - before
    if added:
        obs_store.advance_state(conn, first)
    return added


def unit_by_code(conn: sqlite3.Connection, code: str, edition: str) -> list[tuple]:
    return conn.execute("SELECT id, kind, parent_id FROM unit WHERE code = ? AND code_edition = ?",
                        [code, edition]).fetchall()


def children_named(conn: sqlite3.Connection, parent_id: int | None, folded: str) -> list[tuple]:
    """(id, kind, code, code_edition, name) of the units under `parent_id` whose name folds to
    `folded` (not aliases: a path names units by their names)."""
    return conn.execute("SELECT id, kind, code, code_edition, name FROM unit WHERE parent_id IS ? AND folded = ?",
                        [parent_id, folded]).fetchall()


def children_aliased(conn: sqlite3.Connection, parent_id: int | None, folded: str) -> list[tuple]:
    """As children_named, for the units under `parent_id` known formerly by `folded`."""
    return conn.execute(
        "SELECT u.id, u.kind, u.code, u.code_edition, u.name FROM unit u"
        " WHERE u.parent_id IS ? AND u.id IN (SELECT unit_id FROM unit_alias WHERE folded = ?)",
        [parent_id, folded]).fetchall()


def children_named_any(conn: sqlite3.Connection, parent_id: int | None, folded: list[str]) -> list[tuple]:
    """As children_named, for any of several folded names."""
    return conn.execute(
        "SELECT id, kind, code, code_edition, name FROM unit WHERE parent_id IS ?"
        " AND folded IN (SELECT value FROM json_each(?))", [parent_id, json.dumps(folded)]).fetchall()


def voided_units(conn: sqlite3.Connection, gids: list[str]) -> dict[str, tuple[int, int]]:
    """{gid: (id, unit_id)} of the held observations among `gids`."""
    if not gids:
        return {}
    return {g: (i, u) for g, i, u in conn.execute(
        "SELECT gid, id, unit_id FROM observation WHERE gid IN (SELECT value FROM json_each(?))",
        [json.dumps(gids)])}


def lineage_reaches(conn: sqlite3.Connection, start: int, goal: int) -> bool:
    """Whether `goal` follows `start` in the lineage (through any number of events)."""
    return conn.execute(
        "WITH RECURSIVE after(id) AS (SELECT ? UNION SELECT l.successor_id FROM unit_lineage l"
        " JOIN after a ON l.predecessor_id = a.id) SELECT 1 FROM after WHERE id = ? LIMIT 1",
        [start, goal]).fetchone() is not None


def fill_code(conn: sqlite3.Connection, unit_id: int, code: str, edition: str) -> None:
    """The unit's official code, when it has none and no other unit has it."""
    conn.execute("UPDATE unit SET code = ?, code_edition = ? WHERE id = ? AND code IS NULL"
                 " AND NOT EXISTS (SELECT 1 FROM unit WHERE code = ? AND code_edition = ?)",
                 [code, edition, unit_id, code, edition])


def end_activity(conn: sqlite3.Connection, unit_id: int, day: str) -> None:
    """The earliest end of activity either side knows (a merger's date)."""
    conn.execute("UPDATE unit SET active_until = min(coalesce(active_until, ?), ?) WHERE id = ?"
                 " AND active_until IS NOT min(coalesce(active_until, ?), ?)", [day, day, unit_id, day, day])


def set_active_until(conn: sqlite3.Connection, unit_id: int, day: str) -> None:
    conn.execute("UPDATE unit SET active_until = ? WHERE id = ?", [day, unit_id])


def add_lineage(conn: sqlite3.Connection, predecessor: int, successor: int, day: str, event: str) -> bool:
    cur = conn.execute("INSERT OR IGNORE INTO unit_lineage (predecessor_id, successor_id, date, event)"
                       " VALUES (?, ?, ?, ?)", [predecessor, successor, day, event])
    return cur.rowcount > 0


def insert_plan(conn: sqlite3.Connection, plan: dict, targets: list[dict], funds: list[dict]) -> None:
    columns = ["id", "title", "reference", "issued_by", "criteria_set", "start", "end",
               "report_every", "note", "document", "content_hash", "source", "imported_at"]
    conn.execute(f"INSERT INTO plan ({', '.join(chr(34) + c + chr(34) for c in columns)})"
                 f" VALUES ({', '.join('?' * len(columns))})", [plan[c] for c in columns])
    conn.executemany(
        "INSERT INTO plan_target (plan, seq, unit_id, kind, criteria_set, criteria, indicator,"
        " amount, baseline, by, milestones, dossier) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(plan["id"], t["seq"], t["unit_id"], t["kind"], t["criteria_set"], t["criteria"],
          t["indicator"], t["amount"], t["baseline"], t["by"], t["milestones"], t["dossier"]) for t in targets])
    conn.executemany("INSERT INTO plan_fund (plan, seq, unit_id, source, amount) VALUES (?,?,?,?,?)",
                     [(plan["id"], f["seq"], f["unit_id"], f["source"], f["amount"]) for f in funds])


def insert_indicator(conn: sqlite3.Connection, row: dict) -> None:
    conn.execute("INSERT INTO indicator (code, name, measure, direction, rollup, created_at)"
                 " VALUES (?, ?, ?, ?, ?, ?)",
                 [row["code"], row["name"], row["measure"], row["direction"], row["rollup"], row["created_at"]])


def indicator_row(conn: sqlite3.Connection, code: str) -> dict | None:
    row = conn.execute("SELECT code, name, measure, direction, rollup FROM indicator WHERE code=?",
                       [code]).fetchone()
    return dict(zip(["code", "name", "measure", "direction", "rollup"], row)) if row else None


def insert_criteria_set(conn: sqlite3.Connection, row: dict) -> None:
    conn.execute(
        "INSERT INTO criteria_set (code, decision, title_vi, title_en, date, effective, origin,"
        " content_hash, document, imported_at, applies_to) VALUES (?,?,?,?,?,?,'imported',?,?,?,?)",
        [row["code"], row["decision"], row["title_vi"], row["title_en"], row["date"], row["effective"],
         row["content_hash"], row["document"], row["imported_at"], row["applies_to"]])
    conn.executemany("INSERT INTO criteria_group (criteria_set, code, name_vi, name_en) VALUES (?,?,?,?)",
                     [(row["code"], g["code"], g["name_vi"], g["name_en"]) for g in row["groups"]])
    conn.executemany(
        "INSERT INTO criterion (criteria_set, number, name_vi, name_en, group_code, confidence)"
        " VALUES (?,?,?,?,?,?)",
        [(row["code"], c["number"], c["name_vi"], c["name_en"], c["group_code"], c["confidence"])
         for c in row["criteria"]])
    conn.executemany(
        "INSERT INTO criterion_indicator (criteria_set, criterion, id, name_vi, name_en, confidence)"
        " VALUES (?,?,?,?,?,?)",
        [(row["code"], i["criterion"], i["id"], i["name_vi"], i["name_en"], i["confidence"])
         for i in row["indicators"]])


def record_conflict(conn: sqlite3.Connection, kind: str, key: str, origin: str, content_hash: str,
                    packet: str, at: str) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO exchange_conflict (kind, key, origin, content_hash, packet, found_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", [kind, key, origin, content_hash, packet, at])
    return cur.rowcount > 0


def log_packet(conn: sqlite3.Connection, row: dict) -> None:
    """The packet's row (a packet imported again keeps its first row; another origin's, or the
    same origin's made at another time, is another packet even with the same content)."""
    conn.execute(
        "INSERT OR IGNORE INTO packet (sha256, origin, made_at, imported_at, file, first_seq, last_seq,"
        " observations, added, newest_date) VALUES (:sha256, :origin, :made_at, :imported_at, :file,"
        " :first_seq, :last_seq, :observations, :added, :newest_date)", row)


def add_origin_units(conn: sqlite3.Connection, origin: str, unit_ids: list[int]) -> None:
    conn.executemany("INSERT OR IGNORE INTO origin_unit (origin, unit_id) VALUES (?, ?)",
                     [(origin, u) for u in unit_ids])


# -- what the register knows of other origins ------------------------------------------------

def verdict_conflicts(conn: sqlite3.Connection, unit_ids: list[int] | None) -> list[tuple]:
    """Pairs of live verdicts from two origins on the same unit, criterion and day that differ:
    (unit_id, criteria_set, criterion, date, kind_a, origin_a, gid_a, kind_b, origin_b, gid_b)."""
    scope = "" if unit_ids is None else " AND a.unit_id IN (SELECT value FROM json_each(:units))"
    live = "{t}.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)"
    return conn.execute(
        f"""SELECT a.unit_id, a.criteria_set, a.criterion, a.date, a.kind, {ORIGIN.format(g='a.gid')},
                   a.gid, b.kind, {ORIGIN.format(g='b.gid')}, b.gid
            FROM observation a JOIN observation b
              ON b.criteria_set = a.criteria_set AND b.criterion = a.criterion
             AND b.unit_id = a.unit_id AND b.date = a.date
            WHERE a.criterion IS NOT NULL AND a.kind != b.kind AND a.kind = 'met'
              AND {ORIGIN.format(g='a.gid')} != {ORIGIN.format(g='b.gid')}
              AND {live.format(t='a')} AND {live.format(t='b')}{scope}
            ORDER BY a.date, a.unit_id, a.criteria_set, a.criterion, a.gid, b.gid""",
        {"units": json.dumps(unit_ids)}).fetchall()


def other_conflicts(conn: sqlite3.Connection) -> list[tuple]:
    """(kind, key, origin, content_hash, packet, found_at) of plans, criteria sets and
    indicators sent with content other than the register kept."""
    return conn.execute("SELECT kind, key, origin, content_hash, packet, found_at FROM exchange_conflict"
                        " ORDER BY found_at, id").fetchall()


def origins(conn: sqlite3.Connection) -> list[tuple]:
    """(origin, packets, last imported_at, last made_at, newest observation date carried,
    file of the last packet) per origin that sent packets."""
    return conn.execute(
        """SELECT p.origin, count(*), max(p.imported_at), max(p.made_at), max(p.newest_date),
                  (SELECT q.file FROM packet q WHERE q.origin = p.origin
                   ORDER BY q.imported_at DESC, q.made_at DESC LIMIT 1)
           FROM packet p GROUP BY p.origin ORDER BY p.origin""").fetchall()


def origin_units(conn: sqlite3.Connection) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for origin, unit_id in conn.execute("SELECT origin, unit_id FROM origin_unit ORDER BY origin, unit_id"):
        out.setdefault(origin, []).append(unit_id)
    return out


def packets_received(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(origin, day imported, newest observation date carried) of every packet."""
    return conn.execute("SELECT origin, substr(imported_at, 1, 10), newest_date FROM packet").fetchall()


def verdict_conflicts_from(conn: sqlite3.Connection, first_id: int) -> list[int]:
    """Ids of the observations appended from `first_id` on whose verdict another origin
    contradicts on the same unit, criterion and day (both live)."""
    live = "{t}.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)"
    return [r[0] for r in conn.execute(
        f"""SELECT DISTINCT a.id FROM observation a NOT INDEXED JOIN observation b
              ON b.criteria_set = a.criteria_set AND b.criterion = a.criterion
             AND b.unit_id = a.unit_id AND b.date = a.date
            WHERE a.id >= ? AND a.criterion IS NOT NULL AND a.kind != b.kind
              AND {ORIGIN.format(g='a.gid')} != {ORIGIN.format(g='b.gid')}
              AND {live.format(t='a')} AND {live.format(t='b')}""", [first_id])]


def units_reported_by_packets(conn: sqlite3.Connection, since: str, until: str) -> set[int]:
    """Units whose origin's packet was imported in since..until: they reported in time."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT ou.unit_id FROM origin_unit ou JOIN packet p ON p.origin = ou.origin"
        " WHERE substr(p.imported_at, 1, 10) BETWEEN ? AND ?", [since, until])}
