"""Observations in SQL: appending them, and the as-of queries over them. Never prints.

Observations are never updated or deleted (triggers refuse it); a void is a new row that
points at the one it cancels. Voids apply whatever the as-of date: a correction says the
original was wrong from the start.
"""

from __future__ import annotations

import contextlib
import json
import operator
import sqlite3
from datetime import datetime, timezone
from typing import Iterator

COLUMNS = ["unit_id", "criteria_set", "criterion", "indicator", "kind", "value", "decision",
           "voids", "date", "recorded_at", "by", "source", "note", "fingerprint", "level", "step",
           "department", "result", "amount", "fund_kind", "fund_source", "project"]
# Rows recorded here: ids and global ids given; a file's row whose 64-bit fingerprint (m013)
# the register holds is left out. The text fingerprint of older rows is never written again.
_LOCAL_COLUMNS = ["id", "gid"] + COLUMNS + ["fingerprint64"]
_BLANK = dict.fromkeys(_LOCAL_COLUMNS)
_VALUES = operator.itemgetter(*_LOCAL_COLUMNS)


def _at(column: str) -> str:
    return f"?{_LOCAL_COLUMNS.index(column) + 1}"


_INSERT = (f"INSERT INTO observation ({', '.join(_LOCAL_COLUMNS)})"
           f" VALUES ({', '.join('?' * len(_LOCAL_COLUMNS))})")
# A fingerprint is found among its unit's observations of its day (it hashes them), by the
# index of a unit's days, which ends with it since m014: one seek.
_FOUND = (f"x.unit_id = {_at('unit_id')} AND x.date = {_at('date')}"
          f" AND x.fingerprint64 = {_at('fingerprint64')}")
_INSERT_NEW = (f"INSERT INTO observation ({', '.join(_LOCAL_COLUMNS)})"
               f" SELECT {', '.join(f'?{n}' for n in range(1, len(_LOCAL_COLUMNS) + 1))}"
               f" WHERE {_at('fingerprint64')} IS NULL"
               f" OR NOT EXISTS (SELECT 1 FROM observation x WHERE {_FOUND})")
_OWNER = f"SELECT x.id FROM observation x WHERE {_FOUND}"
_LIVE = "o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)"

# An indicator's value per key in one pass, latest first: `c` counts the level sets at or
# after each observation, so the value is the last set (c = 1) plus the increases after it
# (c = 0). Rows: (unit_id, indicator, value, last date). Also builds indicator_state (m004).
INDICATOR_SEGMENTS = """
    SELECT unit_id, indicator,
           total(CASE WHEN c = 0 OR (c = 1 AND kind = 'set') THEN value END) AS value,
           max(date) AS date
    FROM (
      SELECT o.id, o.unit_id, o.indicator, o.kind, o.value, o.date,
             sum(o.kind = 'set') OVER (PARTITION BY o.indicator, o.unit_id
                                       ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC ROWS UNBOUNDED PRECEDING) AS c
      FROM observation o
      WHERE {where} AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))
    GROUP BY indicator, unit_id"""


# The day a unit last took part in a merger, up to a day: from then it holds no verdict and
# no title until new observations say so (a merged commune is assessed afresh).
# A CTE `fresh(unit_id, day)` for the queries below.
FRESH = ("fresh(unit_id, day) AS (SELECT successor_id, max(date) FROM unit_lineage"
         " WHERE event = 'merge' AND date <= :as_of GROUP BY successor_id)")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _values(row: dict, obs_id: int, register: str) -> tuple:
    return _VALUES({**_BLANK, **row, "id": obs_id, "gid": gid(register, obs_id)})


def append(conn: sqlite3.Connection, row: dict) -> int | None:
    """Append one observation; returns its id, or None when its fingerprint is present."""
    first = next_id(conn)
    before = conn.total_changes
    cur = conn.execute(_INSERT_NEW, _values(row, first, register_id(conn)))
    if conn.total_changes == before:
        return None
    advance_state(conn, first)
    return cur.lastrowid


def insert_batch(conn: sqlite3.Connection, rows: list[dict], first: int) -> list[int]:
    """Insert rows (dicts) with ids from `first` on, without bringing the state tables up to
    date (advance_state does, once the caller's rows are all in); returns the positions of
    the rows left out because their fingerprint is present."""
    register = register_id(conn)
    before = conn.total_changes
    # Ids given, so each row's global id is known before it is written: a row skipped as
    # already present leaves a gap, never a reused number. A unit's day that holds no
    # imported row cannot hold a row's fingerprint: its rows go in as they are (a new report,
    # most of every import), the others each looked up first (a file imported again).
    held = _days_holding_imports(conn, {(r["unit_id"], r["date"]) for r in rows
                                        if r.get("fingerprint64") is not None})
    plain, looked_up, seen = [], [], set()
    for n, r in enumerate(rows, start=first):
        key = r.get("fingerprint64")
        if key is None:
            plain.append(_values(r, n, register))
        elif (r["unit_id"], r["date"]) in held or (r["unit_id"], r["date"], key) in seen:
            looked_up.append(_values(r, n, register))   # a repeat in this batch: found by the first
        else:
            seen.add((r["unit_id"], r["date"], key))
            plain.append(_values(r, n, register))
    conn.executemany(_INSERT, plain)
    if looked_up:
        conn.executemany(_INSERT_NEW, looked_up)
    if conn.total_changes - before == len(rows):
        return []
    written = {r[0] for r in conn.execute(
        "SELECT id FROM observation WHERE id BETWEEN ? AND ?", [first, first + len(rows) - 1])}
    return [i for i in range(len(rows)) if first + i not in written]


def _days_holding_imports(conn: sqlite3.Connection, days: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (unit_id, date) pairs whose unit holds an imported observation (one with a
    fingerprint) dated that day: one seek each."""
    if not days:
        return set()
    return {(u, d) for u, d in conn.execute(
        "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?) j"
        " WHERE EXISTS (SELECT 1 FROM observation x WHERE x.unit_id = json_extract(j.value, '$[0]')"
        " AND x.date = json_extract(j.value, '$[1]') AND x.fingerprint64 IS NOT NULL)",
        [json.dumps(sorted(days))])}


def insert_at(conn: sqlite3.Connection, row: dict, obs_id: int) -> bool:
    """Insert one row at a free id (a gap insert_batch left); False when its fingerprint is
    present."""
    before = conn.total_changes
    conn.execute(_INSERT_NEW, _values(row, obs_id, register_id(conn)))
    return conn.total_changes > before


def fingerprint_owner(conn: sqlite3.Connection, row: dict, fingerprint64: int) -> int | None:
    """The id of the observation of the row's key and day holding this 64-bit fingerprint, or
    None."""
    found = conn.execute(_OWNER, _values({**row, "fingerprint64": fingerprint64}, 0, "")).fetchone()
    return found[0] if found else None


# An import's page cache, in KiB. A row goes into ten indexes at places spread over the whole
# file; with SQLite's default 2 MB most inserts evict a page changed moments before, and
# every eviction is a write (measured: 6 GB written to import a million rows).
IMPORT_CACHE_KIB = 65536


@contextlib.contextmanager
def import_cache(conn: sqlite3.Connection):
    """The import's page cache for the block, then the connection's own again."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size={before}")


def present_marks(conn: sqlite3.Connection) -> None:
    """An empty temporary set of fingerprints an import found already present (on disk, so
    re-importing a file of a million rows does not hold a million keys in memory)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_present (fingerprint64 INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.import_present")


def mark_present(conn: sqlite3.Connection, fingerprint64: int) -> bool:
    """Note that the import found this fingerprint present; False when it was noted before."""
    before = conn.total_changes
    conn.execute("INSERT OR IGNORE INTO temp.import_present VALUES (?)", [fingerprint64])
    return conn.total_changes > before


def _verdict_on(set_code: str, criterion: str, unit: str, day: str) -> str:
    """The one as-of rule for a key, in SQL: the id of its latest live verdict on or before
    `day` (a same-day tie to the later recording, then the greater global id). The arguments
    are SQL expressions: the key's columns and the day."""
    return (f"(SELECT x.id FROM observation x WHERE x.criteria_set = {set_code}"
            f" AND x.criterion = {criterion} AND x.unit_id = {unit} AND x.date <= {day}"
            " AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)"
            " ORDER BY x.date DESC, x.recorded_at DESC, x.gid DESC LIMIT 1)")


def gid(register: str, seq: int) -> str:
    """The global id of a register's `seq`th observation: no other register can make it, and
    one register's ids sort in recording order (the sequence is zero-padded)."""
    return f"{register}:{seq:012d}"


def register_id(conn: sqlite3.Connection) -> str:
    """The register's permanent id (a UUID made when it was created, or upgraded by m010)."""
    return conn.execute("SELECT value FROM meta WHERE key = 'register_id'").fetchone()[0]


def next_id(conn: sqlite3.Connection) -> int:
    """The id the next appended observation will get."""
    return max_id(conn) + 1


# -- the current state: the latest live verdict per unit and criterion --------------------

_ADVANCE = """
    INSERT INTO criterion_state (unit_id, criteria_set, criterion, observation_id, kind, date)
    SELECT unit_id, criteria_set, criterion, id, kind, date FROM (
      SELECT id, unit_id, criteria_set, criterion, kind, date,
             row_number() OVER (PARTITION BY unit_id, criteria_set, criterion
                                ORDER BY date DESC, recorded_at DESC, gid DESC) AS rank
      FROM observation NOT INDEXED WHERE id >= ? AND criterion IS NOT NULL) WHERE rank = 1
    ON CONFLICT (unit_id, criteria_set, criterion) DO UPDATE SET
      observation_id = excluded.observation_id, kind = excluded.kind, date = excluded.date
    WHERE (excluded.date, (SELECT recorded_at FROM observation WHERE id = excluded.observation_id),
           (SELECT gid FROM observation WHERE id = excluded.observation_id))
        > (criterion_state.date, (SELECT recorded_at FROM observation WHERE id = criterion_state.observation_id),
           (SELECT gid FROM observation WHERE id = criterion_state.observation_id))
"""


# Keys whose new observations all come on or after the kept value's date: carried forward
# (a new level set restarts the value, increases add to it). Earlier-dated arrivals (late
# reports, corrections) make their keys recomputed from all their observations.
_ADVANCE_INDICATORS = """
    INSERT INTO indicator_state (unit_id, indicator, value, date)
    SELECT n.unit_id, n.indicator,
           CASE WHEN n.has_set THEN n.value ELSE coalesce(s.value, 0) + n.value END, n.date
    FROM (
      SELECT unit_id, indicator, min(date) AS first_date, max(date) AS date, max(c) > 0 AS has_set,
             total(CASE WHEN c = 0 OR (c = 1 AND kind = 'set') THEN value END) AS value
      FROM (SELECT o.unit_id, o.indicator, o.kind, o.value, o.date,
                   sum(o.kind = 'set') OVER (PARTITION BY o.indicator, o.unit_id
                                             ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC ROWS UNBOUNDED PRECEDING) AS c
            FROM observation o NOT INDEXED WHERE o.id >= ? AND o.indicator IS NOT NULL)
      GROUP BY indicator, unit_id) n
    LEFT JOIN indicator_state s ON s.indicator = n.indicator AND s.unit_id = n.unit_id
    WHERE s.date IS NULL OR n.first_date >= s.date
    ON CONFLICT (indicator, unit_id) DO UPDATE SET value = excluded.value, date = excluded.date
"""


def _recompute_indicators(conn: sqlite3.Connection, keys: list[tuple]) -> None:
    """Recompute indicator_state for (indicator, unit_id) keys from all their observations."""
    if not keys:
        return
    pairs = json.dumps([list(k) for k in keys])
    conn.execute("DELETE FROM indicator_state WHERE (indicator, unit_id) IN"
                 " (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))", [pairs])
    conn.execute(
        "INSERT INTO indicator_state (unit_id, indicator, value, date) " + INDICATOR_SEGMENTS.format(
            where="(o.indicator, o.unit_id) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))"),
        [pairs])


def advance_state(conn: sqlite3.Connection, first_id: int) -> None:
    """Bring criterion_state and indicator_state up to date with the observations appended
    from `first_id` on.

    New verdicts replace older ones per key (set-based, one statement per batch); a void of a
    key's current verdict makes that key fall back to its latest live verdict, or vanish.
    Indicator values carry forward in order; late or voided ones recompute their keys."""
    # NOT INDEXED: the new rows are a rowid range; the partial indexes would make SQLite walk
    # every verdict or value in the register instead (measured: 0.76 s for one observation).
    conn.execute(_ADVANCE, [first_id])
    # Late: dated before the kept value's day, or on that day but ordered before one already
    # counted (a packet recorded later elsewhere, a clock set wrong). The second check is one
    # per key, not per observation: the earliest new recording against the held ones of that
    # day, so a million same-day appends stay one index range per key.
    late = conn.execute(
        "SELECT DISTINCT o.indicator, o.unit_id FROM observation o NOT INDEXED JOIN indicator_state s"
        " ON s.indicator = o.indicator AND s.unit_id = o.unit_id"
        " WHERE o.id >= :first AND o.indicator IS NOT NULL AND o.date < s.date"
        " UNION"
        " SELECT k.indicator, k.unit_id FROM ("
        "   SELECT o.indicator, o.unit_id, o.date, min(o.recorded_at) AS recorded_at"
        "   FROM observation o NOT INDEXED JOIN indicator_state s"
        "   ON s.indicator = o.indicator AND s.unit_id = o.unit_id"
        "   WHERE o.id >= :first AND o.indicator IS NOT NULL AND o.date = s.date"
        "   GROUP BY o.indicator, o.unit_id) k"
        " WHERE EXISTS (SELECT 1 FROM observation x WHERE x.indicator = k.indicator"
        "   AND x.unit_id = k.unit_id AND x.date = k.date AND x.id < :first"
        "   AND x.recorded_at >= k.recorded_at)",
        {"first": first_id}).fetchall()
    conn.execute(_ADVANCE_INDICATORS, [first_id])
    voided = conn.execute(
        "SELECT v.indicator, v.unit_id FROM observation o NOT INDEXED JOIN observation v ON v.id = o.voids"
        " WHERE o.id >= ? AND o.voids IS NOT NULL AND v.indicator IS NOT NULL", [first_id]).fetchall()
    _recompute_indicators(conn, sorted(set(late) | set(voided)))
    voided_keys = conn.execute(
        "SELECT s.unit_id, s.criteria_set, s.criterion FROM criterion_state s"
        " WHERE s.observation_id IN (SELECT voids FROM observation NOT INDEXED WHERE id >= ? AND voids IS NOT NULL)",
        [first_id]).fetchall()
    for key in voided_keys:
        conn.execute("DELETE FROM criterion_state WHERE unit_id=? AND criteria_set=? AND criterion=?", key)
        conn.execute(
            "INSERT INTO criterion_state (unit_id, criteria_set, criterion, observation_id, kind, date)"
            " SELECT o.unit_id, o.criteria_set, o.criterion, o.id, o.kind, o.date FROM observation o"
            f" WHERE o.unit_id=? AND o.criteria_set=? AND o.criterion=? AND {_LIVE}"
            " ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC LIMIT 1", key)


def state_mismatches(conn: sqlite3.Connection) -> int:
    """Keys where criterion_state or indicator_state disagrees with the observations."""
    recomputed = f"""
        SELECT unit_id, criteria_set, criterion, id, kind, date FROM (
          SELECT o.id, o.unit_id, o.criteria_set, o.criterion, o.kind, o.date,
                 row_number() OVER (PARTITION BY o.unit_id, o.criteria_set, o.criterion
                                    ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC) AS rank
          FROM observation o WHERE o.criterion IS NOT NULL AND {_LIVE}) WHERE rank = 1"""
    kept = "SELECT unit_id, criteria_set, criterion, observation_id, kind, date FROM criterion_state"
    # Values rounded: a sum carried forward and a sum recomputed may differ in the last bits.
    values = ("SELECT unit_id, indicator, round(value, 6), date FROM ("
              + INDICATOR_SEGMENTS.format(where="o.indicator IS NOT NULL") + ")")
    values_kept = "SELECT unit_id, indicator, round(value, 6), date FROM indicator_state"
    return conn.execute(
        f"SELECT (SELECT count(*) FROM ({recomputed} EXCEPT {kept}))"
        f" + (SELECT count(*) FROM ({kept} EXCEPT {recomputed}))"
        f" + (SELECT count(*) FROM ({values} EXCEPT {values_kept}))"
        f" + (SELECT count(*) FROM ({values_kept} EXCEPT {values}))").fetchone()[0]


_READ = ["id", "unit_id", "criteria_set", "criterion", "indicator", "kind", "value", "decision",
         "voids", "date", "recorded_at", "by", "source", "note", "level", "step", "department",
         "result", "amount", "fund_kind", "fund_source", "project"]


def get(conn: sqlite3.Connection, obs_id: int) -> dict | None:
    row = conn.execute(f"SELECT {', '.join(_READ)} FROM observation WHERE id=?", [obs_id]).fetchone()
    return dict(zip(_READ, row)) if row else None


def voided_by(conn: sqlite3.Connection, obs_id: int) -> int | None:
    row = conn.execute("SELECT id FROM observation WHERE voids=?", [obs_id]).fetchone()
    return row[0] if row else None


def history_rows(conn: sqlite3.Connection, unit_ids: list[int], since: str | None, until: str | None,
                 criterion: int | None = None, indicator: str | None = None) -> Iterator[dict]:
    """The units' observations in date order (a criterion's or an indicator's, with their
    voids), one row at a time straight from the cursor: a unit with a million observations is
    never held in memory (`history`, the workbook's week of observations).

    One unit reads its index (unit_id, date) in order, without a sort; several units are
    sorted by SQLite, whose sorter spills to temporary files past its cache, not to RAM."""
    where, args = [], []
    if len(unit_ids) == 1:
        where.append("o.unit_id = ?")
        args.append(unit_ids[0])
    else:
        where.append("o.unit_id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(unit_ids))
    if since:
        where.append("o.date >= ?")
        args.append(since)
    if until:
        where.append("o.date <= ?")
        args.append(until)
    if criterion is not None:
        where.append("(o.criterion = ? OR o.kind = 'void' AND (SELECT criterion FROM observation v"
                     " WHERE v.id = o.voids) = ?)")
        args += [criterion, criterion]
    if indicator is not None:
        where.append("(o.indicator = ? OR o.kind = 'void' AND (SELECT indicator FROM observation v"
                     " WHERE v.id = o.voids) = ?)")
        args += [indicator, indicator]
    cursor = conn.execute(
        f"SELECT {', '.join('o.' + c for c in _READ)},"
        " (SELECT v.id FROM observation v WHERE v.voids = o.id)"
        f" FROM observation o WHERE {' AND '.join(where)} ORDER BY o.date, o.recorded_at, o.gid", args)
    keys = _READ + ["voided_by"]
    try:
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                return
            for r in batch:
                yield dict(zip(keys, r))
    finally:
        cursor.close()


def units_observed(conn: sqlite3.Connection, unit_ids: list[int], since: str, until: str) -> list[int]:
    """Which of `unit_ids` have an observation dated in since..until: one index probe per
    unit, however many observations each has."""
    return [r[0] for r in conn.execute(
        "SELECT u.value FROM json_each(?) u WHERE EXISTS (SELECT 1 FROM observation o"
        " WHERE o.unit_id = u.value AND o.date >= ? AND o.date <= ?)",
        [json.dumps(unit_ids), since, until])]


def criteria_verdicts(conn: sqlite3.Connection, as_of: str, set_code: str | None = None,
                      unit_ids: list[int] | None = None) -> list[tuple]:
    """(unit_id, criteria_set, criterion, kind, date) of the latest live verdict per unit and
    criterion dated on or before `as_of` and not before the unit's latest merger up to that
    day (a merged commune is assessed afresh); ties broken by recording order.

    A key whose current verdict is dated on or before `as_of` answers from criterion_state;
    the others (an earlier day) seek their latest live verdict up to `as_of` in the index."""
    where = []
    args: dict = {"as_of": as_of}
    if set_code:
        where.append("s.criteria_set = :set")
        args["set"] = set_code
    if unit_ids is not None:
        where.append("s.unit_id IN (SELECT value FROM json_each(:units))")
        args["units"] = json.dumps(unit_ids)
    scope = "".join(" AND " + w for w in where)
    return conn.execute(
        f"""WITH {FRESH}
            SELECT s.unit_id, s.criteria_set, s.criterion, s.kind, s.date FROM criterion_state s
            LEFT JOIN fresh f ON f.unit_id = s.unit_id
            WHERE s.date <= :as_of AND (f.day IS NULL OR s.date >= f.day){scope}
            UNION ALL
            SELECT s.unit_id, s.criteria_set, s.criterion, o.kind, o.date
            FROM criterion_state s LEFT JOIN fresh f ON f.unit_id = s.unit_id
            JOIN observation o ON o.id = {_verdict_on('s.criteria_set', 's.criterion', 's.unit_id', ':as_of')}
            WHERE s.date > :as_of AND (f.day IS NULL OR o.date >= f.day){scope}""", args).fetchall()


def met_criteria(conn: sqlite3.Connection, as_of: str, set_code: str,
                 unit_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(unit_id, the criteria it meets as "n,n,…") of every unit meeting one or more criteria
    of the set on `as_of`, by the rule of criteria_verdicts: one row per unit, not per
    verdict, for reports that show only what is met (status, trends).

    Keys whose current verdict is dated after `as_of` seek their verdict of that day in the
    index, but only for units with an observation on or before it: a plan's start before any
    report (a national plan's baseline) costs a probe per unit, not one per key."""
    scope, args = "", {"as_of": as_of, "set": set_code}
    if unit_ids is not None:
        scope = " AND s.unit_id IN (SELECT value FROM json_each(:units))"
        args["units"] = json.dumps(unit_ids)
    return conn.execute(
        f"""WITH {FRESH},
            later(unit_id) AS MATERIALIZED (
              SELECT DISTINCT s.unit_id FROM criterion_state s
              WHERE s.criteria_set = :set AND s.date > :as_of{scope}),
            seen(unit_id) AS MATERIALIZED (
              SELECT l.unit_id FROM later l
              WHERE (SELECT min(o.date) FROM observation o WHERE o.unit_id = l.unit_id) <= :as_of)
            SELECT unit_id, group_concat(criterion) FROM (
              SELECT s.unit_id, s.criterion FROM criterion_state s
              LEFT JOIN fresh f ON f.unit_id = s.unit_id
              WHERE s.criteria_set = :set AND s.kind = 'met' AND s.date <= :as_of
                AND (f.day IS NULL OR s.date >= f.day){scope}
              UNION ALL
              SELECT s.unit_id, s.criterion FROM seen CROSS JOIN criterion_state s ON s.unit_id = seen.unit_id
              LEFT JOIN fresh f ON f.unit_id = s.unit_id
              JOIN observation o ON o.id = {_verdict_on('s.criteria_set', 's.criterion', 's.unit_id', ':as_of')}
              WHERE s.criteria_set = :set AND s.date > :as_of AND o.kind = 'met'
                AND (f.day IS NULL OR o.date >= f.day))
            GROUP BY unit_id""", args).fetchall()


def met_series(conn: sqlite3.Connection, set_code: str, ends: list[str],
               unit_ids: list[int] | None = None) -> list[tuple[int, int, str, str | None]]:
    """The rows of met_series_sql."""
    return conn.execute(*met_series_sql(set_code, ends, unit_ids)).fetchall()


def met_series_sql(set_code: str, ends: list[str], unit_ids: list[int] | None = None) -> tuple[str, dict]:
    """The criteria of the set each unit meets at each of `ends` (days in order), in one
    pass: (unit_id, criteria met at every end by verdicts that no later one replaced before
    the last end, the date of its first live verdict if on or before the first end else of
    its first in the window, "i:n,…" — the change, at end i, of the criteria met by the
    other verdicts: their count at an end is the sum of the changes up to it).

    A key whose current verdict is dated on or before the first end holds it at every end;
    the others read their verdict on the first end (one seek) and their verdicts up to the
    last end, each holding until the next (a window function). Mergers are not applied:
    the caller reads merged units by the as-of rule (met_criteria)."""
    scope, args = "", {"set": set_code, "first": ends[0], "last": ends[-1], "count": len(ends)}
    args.update((f"e{i}", day) for i, day in enumerate(ends))
    # The index of the first end on or after a day (len(ends) when none is).
    bucket = ("CASE " + " ".join(f"WHEN {{day}} <= :e{i} THEN {i}" for i in range(len(ends)))
              + f" ELSE {len(ends)} END")
    if unit_ids is not None:
        scope = " AND s.unit_id IN (SELECT value FROM json_each(:units))"
        args["units"] = json.dumps(unit_ids)
    return (
        f"""WITH moving(unit_id, criterion) AS MATERIALIZED (
              SELECT s.unit_id, s.criterion FROM criterion_state s
              WHERE s.criteria_set = :set AND s.date > :first{scope}),
            seen(unit_id) AS MATERIALIZED (
              SELECT DISTINCT m.unit_id FROM moving m
              WHERE (SELECT min(o.date) FROM observation o WHERE o.unit_id = m.unit_id) <= :first),
            history(unit_id, criterion, kind, date, recorded_at, gid) AS (
              SELECT m.unit_id, m.criterion, o.kind, o.date, o.recorded_at, o.gid
              FROM seen CROSS JOIN moving m ON m.unit_id = seen.unit_id
              JOIN observation o ON o.id = {_verdict_on(':set', 'm.criterion', 'm.unit_id', ':first')}
              UNION ALL
              SELECT x.unit_id, x.criterion, x.kind, x.date, x.recorded_at, x.gid
              FROM moving m CROSS JOIN observation x
              WHERE x.criteria_set = :set AND x.criterion = m.criterion AND x.unit_id = m.unit_id
                AND x.date > :first AND x.date <= :last
                AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)),
            spans AS (
              SELECT unit_id, kind, date, lead(date) OVER (
                       PARTITION BY unit_id, criterion ORDER BY date, recorded_at, gid) AS until
              FROM history),
            -- A verdict holds at the ends from the first on or after its date to the last
            -- before the next one's: +1 there and -1 after, summed per unit and end.
            changes(unit_id, i, change) AS (
              SELECT unit_id, i, sum(change) FROM (
                SELECT unit_id, {bucket.format(day="date")} AS i, 1 AS change FROM spans WHERE kind = 'met'
                UNION ALL
                SELECT unit_id, {bucket.format(day="until")}, -1 FROM spans
                WHERE kind = 'met' AND until IS NOT NULL)
              WHERE i < :count GROUP BY unit_id, i HAVING sum(change) != 0),
            parts(unit_id, steady, first, moving) AS (
              SELECT s.unit_id, sum(s.kind = 'met'), min(s.date), NULL FROM criterion_state s
              WHERE s.criteria_set = :set AND s.date <= :first{scope} GROUP BY s.unit_id
              UNION ALL
              SELECT unit_id, 0, min(date), NULL FROM history GROUP BY unit_id
              UNION ALL
              SELECT unit_id, 0, NULL, group_concat(i || ':' || change) FROM changes GROUP BY unit_id)
            SELECT unit_id, sum(steady), min(first), group_concat(moving) FROM parts
            GROUP BY unit_id""", args)


def indicator_values(conn: sqlite3.Connection, as_of: str, codes: list[str] | None = None,
                     unit_ids: list[int] | None = None) -> list[tuple]:
    """(unit_id, indicator, value, last date) per unit's own observations on or before
    `as_of`: the last level set plus every increase recorded after it.

    Keys not observed after `as_of` answer from indicator_state; the rest are computed from
    their observations up to the day."""
    scope, args = "", {"as_of": as_of}
    if codes is not None:
        scope += " AND s.indicator IN (SELECT value FROM json_each(:codes))"
        args["codes"] = json.dumps(codes)
    if unit_ids is not None:
        scope += " AND s.unit_id IN (SELECT value FROM json_each(:units))"
        args["units"] = json.dumps(unit_ids)
    stale = ("o.date <= :as_of AND (o.indicator, o.unit_id) IN (SELECT s.indicator, s.unit_id"
             f" FROM indicator_state s WHERE s.date > :as_of{scope})")
    return conn.execute(
        f"""SELECT s.unit_id, s.indicator, s.value, s.date FROM indicator_state s
            WHERE s.date <= :as_of{scope}
            UNION ALL {INDICATOR_SEGMENTS.format(where=stale)}""", args).fetchall()


def title_events(conn: sqlite3.Connection, as_of: str, unit_ids: list[int] | None = None) -> list[tuple]:
    """(unit_id, kind, level, criteria_set, decision, date) of every live recognition and
    revocation dated on or before `as_of` and not before the unit's latest merger up to that
    day (a merger takes every title away), in date order per unit. Read through the partial
    index on recognitions, never a scan of every observation."""
    scope, args = "", {"as_of": as_of}
    if unit_ids is not None:
        scope = " AND o.unit_id IN (SELECT value FROM json_each(:units))"
        args["units"] = json.dumps(unit_ids)
    return conn.execute(
        f"""WITH {FRESH}
            SELECT o.unit_id, o.kind, o.level, o.criteria_set, o.decision, o.date
            FROM observation o LEFT JOIN fresh f ON f.unit_id = o.unit_id
            WHERE o.kind IN ('recognized', 'revoked') AND o.date <= :as_of
              AND (f.day IS NULL OR o.date >= f.day) AND {_LIVE}{scope}
            ORDER BY o.unit_id, o.date, o.recorded_at, o.gid""", args).fetchall()


def indicator_series(conn: sqlite3.Connection, unit_id: int, indicator: str) -> list[tuple]:
    """(id, kind, value, date) of a unit's live observations of one indicator, in order."""
    return conn.execute(
        f"SELECT o.id, o.kind, o.value, o.date FROM observation o WHERE o.unit_id=? AND"
        f" o.indicator=? AND {_LIVE} ORDER BY o.date, o.recorded_at, o.gid", [unit_id, indicator])


def reported_units(conn: sqlite3.Connection, since: str, until: str) -> set[int]:
    """Units with at least one live observation dated in since..until (inclusive)."""
    return {r[0] for r in conn.execute(
        f"SELECT DISTINCT o.unit_id FROM observation o WHERE o.date >= ? AND o.date <= ?"
        f" AND o.kind != 'void' AND {_LIVE}", [since, until])}


def max_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM observation").fetchone()[0]


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM observation").fetchone()[0]


def first_verdict_days(conn: sqlite3.Connection, set_code: str,
                       unit_ids: list[int] | None = None) -> dict[int, str]:
    """{unit_id: the date of its first live verdict of the set} — before it, the register
    knows nothing of the unit's criteria (trends leave those periods out)."""
    scope, args = "", [set_code]
    if unit_ids is not None:
        scope = " AND o.unit_id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(unit_ids))
    return dict(conn.execute(
        "SELECT o.unit_id, min(o.date) FROM observation o"
        f" WHERE o.criteria_set = ? AND o.criterion IS NOT NULL AND {_LIVE}{scope}"
        " GROUP BY o.unit_id", args).fetchall())


def first_indicator_days(conn: sqlite3.Connection, indicator: str, since: str, until: str) -> dict[int, str]:
    """{unit_id: the date of its first live observation of the indicator in since..until}."""
    return dict(conn.execute(
        "SELECT o.unit_id, min(o.date) FROM observation o WHERE o.indicator = ?"
        f" AND o.date BETWEEN ? AND ? AND {_LIVE} GROUP BY o.unit_id", [indicator, since, until]).fetchall())
