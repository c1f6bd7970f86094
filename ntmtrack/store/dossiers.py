"""Dossiers in SQL: a province's appraising departments, and the dossier steps recorded."""

from __future__ import annotations

import json
import sqlite3

from .observations import FRESH

_LIVE = "o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)"


def replace_departments(conn: sqlite3.Connection, province_id: int, departments: list[dict]) -> None:
    """The province's departments become exactly these ({code, name, name_en, criteria:
    {set: [numbers]}}); steps keep naming departments by code, so none is lost."""
    conn.execute("DELETE FROM department_criterion WHERE province_id = ?", [province_id])
    conn.execute("DELETE FROM department WHERE province_id = ?", [province_id])
    conn.executemany(
        "INSERT INTO department (province_id, code, name, name_en, seq) VALUES (?, ?, ?, ?, ?)",
        [(province_id, d["code"], d["name"], d.get("name_en"), seq)
         for seq, d in enumerate(departments, 1)])
    conn.executemany(
        "INSERT INTO department_criterion (province_id, department, criteria_set, criterion)"
        " VALUES (?, ?, ?, ?)",
        [(province_id, d["code"], code, n) for d in departments
         for code, numbers in d["criteria"].items() for n in numbers])


def departments(conn: sqlite3.Connection, province_ids: list[int] | None = None) -> list[dict]:
    """Departments of the provinces (all when None), in the order declared, each with its
    criteria per set."""
    scope, args = "", []
    if province_ids is not None:
        scope = " WHERE d.province_id IN (SELECT value FROM json_each(?))"
        args.append(json.dumps(province_ids))
    rows = conn.execute(
        "SELECT d.province_id, d.code, d.name, d.name_en, d.seq,"
        " (SELECT json_group_array(json_array(c.criteria_set, c.criterion)) FROM department_criterion c"
        "  WHERE c.province_id = d.province_id AND c.department = d.code)"
        f" FROM department d{scope} ORDER BY d.province_id, d.seq", args).fetchall()
    out = []
    for province_id, code, name, name_en, seq, pairs in rows:
        criteria: dict[str, list[int]] = {}
        for set_code, number in json.loads(pairs or "[]"):
            criteria.setdefault(set_code, []).append(number)
        out.append({"province_id": province_id, "code": code, "name": name, "name_en": name_en,
                    "seq": seq, "criteria": {k: sorted(v) for k, v in criteria.items()}})
    return out


def provinces_of(conn: sqlite3.Connection, unit_ids: list[int]) -> dict[int, int | None]:
    """{unit: the province it lies in (itself when it is one), None outside any}, in one
    query however many units."""
    out = dict.fromkeys(unit_ids)
    out.update(conn.execute(
        """WITH RECURSIVE up(start, id, parent_id, kind) AS (
             SELECT u.id, u.id, u.parent_id, u.kind FROM unit u
             WHERE u.id IN (SELECT value FROM json_each(?))
             UNION ALL SELECT up.start, p.id, p.parent_id, p.kind FROM up JOIN unit p ON p.id = up.parent_id
             WHERE up.kind != 'province')
           SELECT start, id FROM up WHERE kind = 'province'""", [json.dumps(list(unit_ids))]).fetchall())
    return out


def province_of(conn: sqlite3.Connection, unit_id: int) -> int | None:
    """The province a unit lies in (itself when it is one)."""
    row = conn.execute(
        """WITH RECURSIVE up(id, parent_id, kind) AS (
             SELECT id, parent_id, kind FROM unit WHERE id = ?
             UNION ALL SELECT u.id, u.parent_id, u.kind FROM unit u JOIN up ON u.id = up.parent_id)
           SELECT id FROM up WHERE kind = 'province' LIMIT 1""", [unit_id]).fetchone()
    return row[0] if row else None


STEP_COLUMNS = ["id", "unit_id", "step", "level", "department", "result", "value", "date",
                "criteria_set", "note"]


def steps(conn: sqlite3.Connection, as_of: str, unit_ids: list[int] | None = None,
          since: str | None = None) -> list[dict]:
    """Live dossier steps dated on or before `as_of` (and on or after `since`), none from
    before a unit's latest merger up to that day, in date and recording order."""
    scope, args = "", {"as_of": as_of, "since": since or "0000-00-00"}
    if unit_ids is not None:
        scope = " AND o.unit_id IN (SELECT value FROM json_each(:units))"
        args["units"] = json.dumps(unit_ids)
    cursor = conn.execute(
        f"""WITH {FRESH}
            SELECT {', '.join('o.' + c for c in STEP_COLUMNS)}
            FROM observation o INDEXED BY observation_step LEFT JOIN fresh f ON f.unit_id = o.unit_id
            WHERE o.kind = 'step' AND o.date <= :as_of AND o.date >= :since
              AND (f.day IS NULL OR o.date >= f.day) AND {_LIVE}{scope}
            ORDER BY o.date, o.recorded_at, o.gid""", args)
    return [dict(zip(STEP_COLUMNS, r)) for r in cursor]
