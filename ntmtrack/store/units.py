"""Units, their aliases and lineage in SQL. Never prints."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

from ..model import Unit
from ..read.names import fold, sort_key

_COLUMNS = "u.id, u.name, u.kind, u.parent_id, u.code, u.active_until, u.code_edition"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _unit(row) -> Unit:
    return Unit(id=row[0], name=row[1], kind=row[2], parent_id=row[3], code=row[4],
                active_until=row[5], edition=row[6])


def insert(conn: sqlite3.Connection, name: str, kind: str, parent_id: int | None,
           code: str | None = None, edition: str = "") -> int:
    cur = conn.execute(
        "INSERT INTO unit (name, kind, parent_id, code, code_edition, folded, sort_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [name, kind, parent_id, code, edition, fold(name), sort_key(name), _now()],
    )
    return cur.lastrowid


def next_id(conn: sqlite3.Connection) -> int:
    """The id the next inserted unit gets (SQLite's own rule for an INTEGER PRIMARY KEY)."""
    return conn.execute("SELECT coalesce(max(id), 0) + 1 FROM unit").fetchone()[0]


def insert_many(conn: sqlite3.Connection, units) -> None:
    """Insert units given as (id, name, kind, parent_id, code, edition), parents first, in
    one statement (a national tree is 100,000 of them)."""
    now = _now()
    conn.executemany(
        "INSERT INTO unit (id, name, kind, parent_id, code, code_edition, folded, sort_key, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((unit_id, name, kind, parent_id, code, edition, fold(name), sort_key(name), now)
         for unit_id, name, kind, parent_id, code, edition in units))


_ADD_ALIAS = "INSERT OR IGNORE INTO unit_alias (unit_id, alias, folded) VALUES (?, ?, ?)"


def add_aliases(conn: sqlite3.Connection, aliases) -> None:
    """add_alias for many (unit_id, alias) pairs."""
    conn.executemany(_ADD_ALIAS, ((unit_id, alias, fold(alias)) for unit_id, alias in aliases))


def add_alias(conn: sqlite3.Connection, unit_id: int, alias: str) -> bool:
    return conn.execute(_ADD_ALIAS, [unit_id, alias, fold(alias)]).rowcount > 0


def aliases(conn: sqlite3.Connection, unit_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT alias FROM unit_alias WHERE unit_id=? ORDER BY rowid", [unit_id])]


def get(conn: sqlite3.Connection, unit_id: int) -> Unit:
    row = conn.execute(f"SELECT {_COLUMNS} FROM unit u WHERE id=?", [unit_id]).fetchone()
    return _unit(row)


def by_code(conn: sqlite3.Connection, code: str) -> list[Unit]:
    return [_unit(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM unit u WHERE code=?", [code])]


def by_folded(conn: sqlite3.Connection, folded: str) -> list[Unit]:
    """Units whose name or one of whose aliases folds to `folded`."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM unit u WHERE folded=? UNION "
        f"SELECT {_COLUMNS} FROM unit u JOIN unit_alias a ON a.unit_id=u.id WHERE a.folded=?",
        [folded, folded],
    )
    return [_unit(r) for r in rows]


def child_by_folded(conn: sqlite3.Connection, parent_id: int | None, folded: str) -> list[Unit]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM unit u WHERE parent_id IS ? AND (folded=? OR id IN "
        "(SELECT unit_id FROM unit_alias WHERE folded=?))",
        [parent_id, folded, folded],
    )
    return [_unit(r) for r in rows]


def descendant_by_folded(conn: sqlite3.Connection, unit_id: int, folded: str) -> list[Unit]:
    rows = conn.execute(
        f"""WITH RECURSIVE down(id) AS (
              SELECT id FROM unit WHERE parent_id=?
              UNION ALL SELECT unit.id FROM unit JOIN down ON unit.parent_id = down.id)
            SELECT {_COLUMNS} FROM down JOIN unit u ON u.id = down.id
            WHERE u.folded=? OR u.id IN (SELECT unit_id FROM unit_alias WHERE folded=?)""",
        [unit_id, folded, folded])
    return [_unit(r) for r in rows]


def children(conn: sqlite3.Connection, parent_id: int | None) -> list[Unit]:
    """The units directly under `parent_id` (None: the top units)."""
    return [_unit(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM unit u WHERE parent_id IS ? ORDER BY id", [parent_id])]


# UNION, not UNION ALL: a register damaged into a parent cycle still ends the walk.
_SUBTREE = """WITH RECURSIVE down(id) AS (
                SELECT ? UNION SELECT unit.id FROM unit JOIN down ON unit.parent_id = down.id)"""


def subtree(conn: sqlite3.Connection, unit_id: int) -> list[tuple]:
    """(id, name, kind, parent_id, code, code_edition) of the unit and every unit below it, in
    one query."""
    return conn.execute(
        f"{_SUBTREE} SELECT u.id, u.name, u.kind, u.parent_id, u.code, u.code_edition"
        " FROM down JOIN unit u ON u.id = down.id",
        [unit_id]).fetchall()


def subtree_aliases(conn: sqlite3.Connection, unit_id: int) -> list[tuple[int, str]]:
    """(unit id, folded alias) of every alias in the unit's subtree."""
    return conn.execute(
        f"{_SUBTREE} SELECT a.unit_id, a.folded FROM down JOIN unit_alias a ON a.unit_id = down.id",
        [unit_id]).fetchall()


def aliases_folded(conn: sqlite3.Connection, unit_id: int) -> set[str]:
    return {r[0] for r in conn.execute("SELECT folded FROM unit_alias WHERE unit_id=?", [unit_id])}


def ancestors(conn: sqlite3.Connection, unit_id: int) -> list[Unit]:
    """From the root down to the unit's parent."""
    rows = conn.execute(
        f"""WITH RECURSIVE up(id, depth) AS (
              SELECT parent_id, 1 FROM unit WHERE id=?
              UNION ALL SELECT unit.parent_id, depth + 1 FROM unit JOIN up ON unit.id = up.id
              WHERE unit.parent_id IS NOT NULL)
            SELECT {_COLUMNS} FROM up JOIN unit u ON u.id = up.id ORDER BY depth DESC""",
        [unit_id],
    )
    return [_unit(r) for r in rows]


def descendant_ids(conn: sqlite3.Connection, unit_id: int) -> list[int]:
    rows = conn.execute(
        """WITH RECURSIVE down(id) AS (
              SELECT id FROM unit WHERE parent_id=?
              UNION ALL SELECT unit.id FROM unit JOIN down ON unit.parent_id = down.id)
           SELECT id FROM down""",
        [unit_id],
    )
    return [r[0] for r in rows]


def children_names(conn: sqlite3.Connection, unit_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM unit WHERE parent_id=? ORDER BY sort_key", [unit_id])]


def all_units(conn: sqlite3.Connection, under: int | None = None,
              leave_out: tuple[str, ...] = ()) -> list[tuple]:
    """(id, name, kind, parent_id, code, active_until, sort_key, code_edition) for every unit, or for the
    units below `under` with `under` and its ancestors (enough to name paths); without the
    kinds in `leave_out`."""
    columns = "id, name, kind, parent_id, code, active_until, sort_key, code_edition"
    if under is None:
        return conn.execute(f"SELECT {columns} FROM unit WHERE kind NOT IN (SELECT value FROM json_each(?))",
                            [json.dumps(list(leave_out))]).fetchall()
    return conn.execute(
        f"""WITH RECURSIVE below(id) AS (
              SELECT ? UNION ALL SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id),
            above(id) AS (
              SELECT parent_id FROM unit WHERE id = ?
              UNION ALL SELECT u.parent_id FROM unit u JOIN above a ON u.id = a.id
              WHERE u.parent_id IS NOT NULL)
            SELECT {columns} FROM unit WHERE id IN (SELECT id FROM below UNION SELECT id FROM above)
              AND kind NOT IN (SELECT value FROM json_each(?))""",
        [under, under, json.dumps(list(leave_out))]).fetchall()


def families_reporting(conn: sqlite3.Connection, unit_ids: list[int], since: str, until: str,
                       reported: set[int] = frozenset()) -> set[int]:
    """Those of `unit_ids` that, or a unit below which, has a live observation dated in
    since..until (inclusive), or is in `reported` (units that reported by other routes).
    One index probe per unit of the families: proportional to the units asked about, never a
    scan of the register's observations."""
    if not unit_ids:
        return set()
    # UNION, not UNION ALL: a register damaged into a parent cycle still ends the walk.
    return {r[0] for r in conn.execute(
        """WITH RECURSIVE family(top, id) AS (
              SELECT value, value FROM json_each(:units)
              UNION SELECT f.top, u.id FROM family f JOIN unit u ON u.parent_id = f.id)
           SELECT DISTINCT f.top FROM family f
           WHERE f.id IN (SELECT value FROM json_each(:reported))
              OR EXISTS (SELECT 1 FROM observation o
                         WHERE o.unit_id = f.id AND o.date >= :since AND o.date <= :until
                           AND o.kind != 'void'
                           AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))""",
        {"units": json.dumps(unit_ids), "reported": json.dumps(sorted(reported)),
         "since": since, "until": until})}


def units_around(conn: sqlite3.Connection, unit_ids: list[int]) -> list[tuple]:
    """all_units' columns for the units, every unit below them and every unit above them (what
    judging targets on them needs: values roll up from below, paths name the units above)."""
    columns = "id, name, kind, parent_id, code, active_until, sort_key, code_edition"
    return conn.execute(
        f"""WITH RECURSIVE seed(id) AS (SELECT value FROM json_each(?)),
            below(id) AS (SELECT id FROM seed UNION SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id),
            above(id) AS (SELECT id FROM seed
              UNION SELECT u.parent_id FROM unit u JOIN above a ON u.id = a.id WHERE u.parent_id IS NOT NULL)
            SELECT {columns} FROM unit WHERE id IN (SELECT id FROM below UNION SELECT id FROM above)""",
        [json.dumps(unit_ids)]).fetchall()


def all_folded_names(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(folded, display name) for every name and alias: the pool for "did you mean"."""
    return conn.execute(
        "SELECT folded, name FROM unit UNION SELECT folded, alias FROM unit_alias"
    ).fetchall()


def folded_names_of_units(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(folded name or alias, unit id, the unit's name) for every unit: "did you mean" offers
    the unit's name even when the alias was the close match."""
    return conn.execute(
        "SELECT folded, id, name FROM unit"
        " UNION SELECT a.folded, u.id, u.name FROM unit_alias a JOIN unit u ON u.id = a.unit_id"
    ).fetchall()


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM unit").fetchone()[0]


def rename(conn: sqlite3.Connection, unit_id: int, new_name: str) -> None:
    conn.execute("UPDATE unit SET name=?, folded=?, sort_key=? WHERE id=?",
                 [new_name, fold(new_name), sort_key(new_name), unit_id])


def set_parent(conn: sqlite3.Connection, unit_id: int, parent_id: int | None) -> None:
    conn.execute("UPDATE unit SET parent_id=? WHERE id=?", [parent_id, unit_id])


def set_code(conn: sqlite3.Connection, unit_id: int, code: str, edition: str = "") -> None:
    conn.execute("UPDATE unit SET code=?, code_edition=? WHERE id=?", [code, edition, unit_id])


def deactivate(conn: sqlite3.Connection, unit_id: int, until: str) -> None:
    conn.execute("UPDATE unit SET active_until=? WHERE id=?", [until, unit_id])


def add_lineage(conn: sqlite3.Connection, predecessor: int, successor: int, date: str,
                event: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO unit_lineage (predecessor_id, successor_id, date, event)"
        " VALUES (?, ?, ?, ?)",
        [predecessor, successor, date, event],
    )


def successor_ids(conn: sqlite3.Connection, unit_id: int) -> set[int]:
    """Every unit the unit became, through any chain of mergers (its lineage forward)."""
    return {r[0] for r in conn.execute(
        """WITH RECURSIVE after(id) AS (
              SELECT successor_id FROM unit_lineage WHERE predecessor_id = ?
              UNION SELECT l.successor_id FROM unit_lineage l JOIN after ON l.predecessor_id = after.id)
           SELECT id FROM after""", [unit_id])}


def lineage_edges(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(predecessor, successor) of every lineage row, in the order they were recorded."""
    return conn.execute("SELECT predecessor_id, successor_id FROM unit_lineage ORDER BY id").fetchall()


def data_version(conn: sqlite3.Connection) -> int:
    """A number that changes whenever another connection commits to the register (SQLite's
    `PRAGMA data_version`): what was read before it changed may be stale."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


def lineage(conn: sqlite3.Connection, unit_id: int) -> tuple[list[tuple], list[tuple]]:
    """(predecessors, successors) as (unit id, name, date, event)."""
    before = conn.execute(
        "SELECT u.id, u.name, l.date, l.event FROM unit_lineage l JOIN unit u"
        " ON u.id=l.predecessor_id WHERE l.successor_id=? ORDER BY l.date, u.sort_key",
        [unit_id]).fetchall()
    after = conn.execute(
        "SELECT u.id, u.name, l.date, l.event FROM unit_lineage l JOIN unit u"
        " ON u.id=l.successor_id WHERE l.predecessor_id=? ORDER BY l.date, u.sort_key",
        [unit_id]).fetchall()
    return before, after


def names_starting(conn: sqlite3.Connection, folded_prefix: str, limit: int = 50) -> list[tuple]:
    """(name, kind, code) of active units whose folded name starts with the prefix (an index
    range, not a scan), in Vietnamese order."""
    return conn.execute(
        "SELECT name, kind, code FROM unit WHERE folded >= ? AND folded < ? AND active_until IS NULL"
        " ORDER BY sort_key LIMIT ?", [folded_prefix, folded_prefix + "\U0010ffff", limit]).fetchall()


def top_units(conn: sqlite3.Connection) -> list[Unit]:
    """Units with no parent (a province's register: the province), active ones first."""
    return [_unit(r) for r in conn.execute(
        "SELECT id, name, kind, parent_id, code, active_until, code_edition FROM unit WHERE parent_id IS NULL"
        " ORDER BY active_until IS NOT NULL, sort_key")]


def merger_days(conn: sqlite3.Connection, as_of: str, unit_ids: list[int] | None = None) -> dict[int, str]:
    """{unit_id: the latest date on or before `as_of` when other units were merged into it}."""
    scope, args = "", [as_of]
    if unit_ids is not None:
        scope = " AND successor_id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(unit_ids))
    return dict(conn.execute(
        "SELECT successor_id, max(date) FROM unit_lineage WHERE event = 'merge' AND date <= ?"
        f"{scope} GROUP BY successor_id", args).fetchall())
