"""Checking and copying the register: integrity, invariants (NFC names, siblings that print
alike, lineage cycles), online backups. Never prints."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

from ..locale import _
from ..read import names
from .units import ancestors


def problems(conn: sqlite3.Connection, known_migrations: list[str]) -> list[str]:
    """Everything wrong with the register, one message each; empty when all is well."""
    found: list[str] = []
    for (result,) in conn.execute("PRAGMA integrity_check"):
        if result != "ok":
            found.append(_("integrity: {result}").format(result=result))
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        found.append(_("{table} row {rowid} points at a missing {parent} row").format(table=table, rowid=rowid, parent=parent))
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set='ntmtrack' ORDER BY rowid")]
    unknown = [n for n in applied if n not in known_migrations]
    if unknown:
        found.append(_("schema: unknown migrations {names} (newer ntmtrack?)").format(names=", ".join(unknown)))
    for unit_id, name in conn.execute("SELECT id, name FROM unit"):
        if unicodedata.normalize("NFC", name) != name:
            found.append(_("unit {id}: name {name} is not NFC").format(id=unit_id, name=repr(name)))
        if any(unicodedata.category(ch) == "Cc" for ch in name):
            found.append(_("unit {id}: name has control characters").format(id=unit_id))
        hidden = names.invisible_chars(name)
        if hidden:
            found.append(_("unit {id}: name '{name}' has invisible or direction-changing characters ({char} at position {position})").format(
                id=unit_id, name=names.show_invisible(name), char=names.describe_char(hidden[0][1]),
                position=hidden[0][0]))
    for obs_id, in conn.execute(
            "SELECT o.id FROM observation o WHERE o.criterion IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM criterion c WHERE c.criteria_set=o.criteria_set AND c.number=o.criterion)"):
        found.append(_("observation {id}: its criterion is not in its set").format(id=obs_id))
    for obs_id, in conn.execute(
            "SELECT id FROM observation WHERE voids IS NOT NULL AND voids NOT IN (SELECT id FROM observation)"):
        found.append(_("observation {id}: voids a missing observation").format(id=obs_id))
    for obs_id, in conn.execute(
            "SELECT id FROM observation WHERE indicator IS NOT NULL AND indicator NOT IN (SELECT code FROM indicator)"):
        found.append(_("observation {id}: unknown indicator").format(id=obs_id))
    from .observations import state_mismatches

    stale = state_mismatches(conn)
    if stale:
        found.append(_("current state: {count} criterion verdict(s) disagree with the observations").format(count=stale))
    for target_id, in conn.execute(
            "SELECT id FROM plan_target WHERE unit_id NOT IN (SELECT id FROM unit)"):
        found.append(_("plan target {id}: its unit is missing").format(id=target_id))
    found += sibling_problems(conn)
    found += lineage_cycles(conn)
    return found


def sibling_problems(conn: sqlite3.Connection) -> list[str]:
    """Siblings of one kind that print alike (case, width, lookalike letters) or differ only
    in diacritics without codes that tell them apart: what an older ntmtrack let `units
    rename` make. One line for each unit after the first of its group; read one group of
    siblings at a time."""
    def path(unit_id: int, name: str) -> str:
        return names.show_invisible("/".join([u.name for u in ancestors(conn, unit_id)] + [name]))

    found: list[str] = []
    group, first, shown = None, {}, {}
    for unit_id, name, kind, parent_id, code in conn.execute(
            "SELECT id, name, kind, parent_id, code FROM unit ORDER BY parent_id, kind, id"):
        if (parent_id, kind) != group:
            group, first, shown = (parent_id, kind), {}, {}
        shown[unit_id] = (name, code)
        twin = unit_id
        for key in names.lookalike_keys(name):
            twin = first.setdefault(key, unit_id)
            if twin != unit_id:
                break
        if twin != unit_id:
            found.append(_("unit {id} {path}: prints like its sibling {twin_path} (unit {twin}); rename one (units rename)").format(
                id=unit_id, path=path(unit_id, name), twin_path=path(twin, shown[twin][0]), twin=twin))
            continue
        twin = first.setdefault(("folded", names.fold(name)), unit_id)
        other_code = shown[twin][1]
        if twin != unit_id and not (code and other_code and code != other_code):
            found.append(_("unit {id} {path}: differs from its sibling {twin_path} (unit {twin}) only in diacritics, and no code tells them apart").format(
                id=unit_id, path=path(unit_id, name), twin_path=path(twin, shown[twin][0]), twin=twin))
    return found


def lineage_cycles(conn: sqlite3.Connection) -> list[str]:
    """Mergers that lead back to a unit they started from (each unit of the cycle merged
    away into the next, so none is active): one line per cycle."""
    successors: dict[int, list[int]] = {}
    for before, after in conn.execute(
            "SELECT predecessor_id, successor_id FROM unit_lineage ORDER BY id"):
        successors.setdefault(before, []).append(after)
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[int]] = []
    for start in successors:
        if start in state:
            continue
        path, stack = [start], [iter(successors.get(start, ()))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(successors.get(nxt, ())))
    if not cycles:
        return []
    shown = {r[0]: names.show_invisible(r[1]) for r in conn.execute("SELECT id, name FROM unit")}
    return [_("lineage cycle: ") + " → ".join(f"{shown.get(u, '?')} (unit {u})" for u in [*cycle, cycle[0]])
            + ": each was merged into the next, so none of them is active" for cycle in cycles]


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
