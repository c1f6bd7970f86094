"""Administrative units: naming them forgivingly (never guessing), trees, merges and lineage.

Domain rules over store.units; knows nothing of the CLI. Data problems become `Problem`s.
"""

from __future__ import annotations

import csv
import difflib
import io
import sqlite3
from dataclasses import dataclass
from datetime import date

from ..model import InputProblems, NtmError, Problem, Unit
from ..read import names, yamldoc
from ..read.unit_files import Node, nodes_from_yaml, parse_kind
from ..store import units as db


def active_on(active_until: str | None, day: date) -> bool:
    """The one rule for whether a unit is active on a day: it is, unless it was merged away
    on or before that day (`active_until` is the merger's date)."""
    return not active_until or active_until > day.isoformat()


def path_of(conn: sqlite3.Connection, unit: Unit) -> str:
    return "/".join([u.name for u in db.ancestors(conn, unit.id)] + [unit.name])


def parent_name(conn: sqlite3.Connection, unit: Unit) -> str:
    return db.get(conn, unit.parent_id).name if unit.parent_id else ""


def _describe(conn: sqlite3.Connection, unit: Unit) -> str:
    return f"{path_of(conn, unit)} ({unit.kind})"


def _candidates(conn: sqlite3.Connection, text: str, kinds: tuple[str, ...] | None) -> list[Unit]:
    found = db.by_code(conn, text)
    if not found:
        folded = names.fold(text)
        found = db.by_folded(conn, folded)
        if not found:
            split = names.split_kind_prefix(folded)
            if split:
                rest, prefix_kinds = split
                found = [u for u in db.by_folded(conn, rest) if u.kind in prefix_kinds]
    if kinds:
        found = [u for u in found if u.kind in kinds]
    return found


def find(conn: sqlite3.Connection, text: str, kinds: tuple[str, ...] | None = None) -> list[Unit]:
    """Every unit `text` names: a code, a name or alias (any case, accents, NFC/NFD, kind
    prefix), or a path `District/Commune` whose parts may skip levels."""
    text = names.nfc(text)
    if "/" in text:
        parts = [p for p in (part.strip() for part in text.split("/")) if p]
        current = _candidates(conn, parts[0], None)
        for part in parts[1:]:
            allowed = {u.id for u in current}
            current = [
                u for u in _candidates(conn, part, None)
                if any(a.id in allowed for a in db.ancestors(conn, u.id))
            ]
        if kinds:
            current = [u for u in current if u.kind in kinds]
        return current
    return _candidates(conn, text, kinds)


def suggestions(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[str]:
    pool = db.all_folded_names(conn)
    by_folded: dict[str, str] = {}
    for folded, display in pool:
        by_folded.setdefault(folded, display)
    query = names.fold(text.split("/")[-1])
    split = names.split_kind_prefix(query)
    close = difflib.get_close_matches(query, by_folded.keys(), n=limit, cutoff=0.6)
    if split and not close:
        close = difflib.get_close_matches(split[0], by_folded.keys(), n=limit, cutoff=0.6)
    return [by_folded[f] for f in close]


def resolve(conn: sqlite3.Connection, text: str, kinds: tuple[str, ...] | None = None,
            container: bool = False, prefer: tuple[str, ...] | None = None) -> Unit:
    """The one unit `text` names, or an NtmError that lists candidates or suggestions.

    With `container` (for --under and --parent) a name shared by a unit and units inside it
    (huyện Triệu Sơn and its thị trấn Triệu Sơn) means the outer one: a commune cannot
    contain its district, so this is not a guess.
    """
    message = resolve_problem(conn, text, kinds, container, prefer)
    if isinstance(message, Unit):
        return message
    raise NtmError(message)


def resolve_problem(conn, text: str, kinds=None, container: bool = False,
                    prefer: tuple[str, ...] | None = None) -> Unit | str:
    """The unit, or the message saying why `text` names none (for Problem lists).

    `prefer` settles a name shared by units of different kinds when exactly one has a
    preferred kind (criteria belong to communes: "Triệu Sơn" there is the thị trấn)."""
    if not names.nfc(text):
        return "a unit name is required"
    found = find(conn, text, kinds)
    if len(found) == 1:
        return found[0]
    if prefer and len(found) > 1:
        preferred = [u for u in found if u.kind in prefer]
        if len(preferred) == 1:
            return preferred[0]
    if container and len(found) > 1:
        outer = outermost(conn, found)
        if outer is not None:
            return outer
    if found:
        listed = "; ".join(_describe(conn, u) for u in sorted(found, key=lambda u: u.id)[:8])
        example = path_of(conn, found[0])
        return (f"'{names.nfc(text)}' is ambiguous: {len(found)} units match: {listed}. "
                f"Write a path, e.g. '{example}'")
    close = suggestions(conn, text)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    what = " or ".join(kinds) if kinds else "unit"
    return f"no {what} named '{names.nfc(text)}'{hint}"


def outermost(conn, found: list[Unit]) -> Unit | None:
    for candidate in found:
        if all(u.id == candidate.id or candidate.id in {a.id for a in db.ancestors(conn, u.id)}
               for u in found):
            return candidate
    return None


# -- trees ---------------------------------------------------------------------------------

@dataclass
class TreeResult:
    created: list[str]
    matched: int
    changed: list[str]
    ids: list[int] | None = None

    def __post_init__(self):
        if self.ids is None:
            self.ids = []


def add(conn, name: str, kind: str, parent: Unit | None, code: str | None = None,
        aliases: list[str] | None = None, edition: str = "") -> int:
    name = names.nfc(name)
    check_name(name)
    unit_id = db.insert(conn, name, kind, parent.id if parent else None, code or None, edition)
    for alias in aliases or []:
        db.add_alias(conn, unit_id, names.nfc(alias))
    return unit_id


def check_name(name: str) -> None:
    if not name:
        raise NtmError("a unit name cannot be empty")
    if names.has_control_chars(name):
        raise NtmError(f"a unit name cannot contain control characters: {name!r}")
    if "/" in name:
        raise NtmError(f"a unit name cannot contain '/' (it separates a path): {name!r}")


def import_tree(conn, roots: list[Node], source: str, parent: Unit | None = None) -> TreeResult:
    """Create or match every node; the same tree twice is a no-op. Raises InputProblems."""
    result = TreeResult([], 0, [])
    problems: list[Problem] = []
    for node in roots:
        _import_node(conn, node, parent, source, result, problems, anchor=parent)
    if problems:
        raise InputProblems(problems)
    return result


def _import_node(conn, node: Node, parent: Unit | None, source, result, problems,
                 anchor: Unit | None) -> None:
    """`anchor` is the nearest ancestor in the file that already existed in the register."""
    def problem(message: str) -> None:
        problems.append(Problem(source, node.line, node.col, message))

    name = names.nfc(node.name)
    try:
        check_name(name)
    except NtmError as e:
        problem(str(e))
        return
    if parent is None:
        existing = [u for u in find(conn, name, (node.kind,))]
        if node.code:
            existing = [u for u in existing if u.code in (None, node.code)] or db.by_code(conn, node.code)
    else:
        existing = [u for u in db.child_by_folded(conn, parent.id, names.fold(name))
                    if u.kind == node.kind]
        if not existing:
            # The register may hold levels the file skips (a cluster between district and
            # commune): the same name and kind further down is the same unit.
            existing = [u for u in db.descendant_by_folded(conn, parent.id, names.fold(name))
                        if u.kind == node.kind]
        if not existing and anchor is not None and anchor.id != parent.id:
            # The file adds a level the register lacks (clusters in a district whose
            # communes were registered directly under it): same unit, moved into the level.
            existing = [u for u in db.descendant_by_folded(conn, anchor.id, names.fold(name))
                        if u.kind == node.kind]
            if len(existing) == 1 and existing[0].parent_id == anchor.id:
                db.set_parent(conn, existing[0].id, parent.id)
                result.changed.append(f"{name}: moved under {parent.name}")
                existing = [db.get(conn, existing[0].id)]
            else:
                existing = []  # a namesake elsewhere in the district is another unit
        if node.code:
            # Bình Đông and Bình Đồng fold alike but are two names: with codes that differ,
            # two communes. The same spelling with another code is a conflict, reported below.
            existing = [u for u in existing if u.code in (None, node.code) or u.name == name]
    if len(existing) > 1:
        listed = "; ".join(_describe(conn, u) for u in existing[:5])
        problem(f"'{name}' matches {len(existing)} units ({listed}); nest it under its parent")
        return
    if existing:
        unit = existing[0]
        anchor = unit
        result.matched += 1
        if node.code and unit.code and unit.code != node.code:
            problem(f"'{name}' already has code {unit.code}, not {node.code}")
            return
        if node.code and not unit.code:
            db.set_code(conn, unit.id, node.code)
            result.changed.append(f"{name}: code {node.code}")
        for alias in node.aliases:
            if db.add_alias(conn, unit.id, names.nfc(alias)):
                result.changed.append(f"{name}: alias {alias}")
    else:
        if node.code and db.by_code(conn, node.code):
            other = db.by_code(conn, node.code)[0]
            problem(f"code {node.code} already belongs to {_describe(conn, other)}")
            return
        unit_id = add(conn, name, node.kind, parent, node.code, node.aliases, node.edition)
        unit = db.get(conn, unit_id)
        result.created.append(name)
    result.ids.append(unit.id)
    for child in node.children:
        _import_node(conn, child, unit, source, result, problems, anchor)


# -- files ------------------------------------------------------------------------------

def nodes_from_text(conn, text: str, source: str, fmt: str) -> TreeResult:
    if fmt == "yaml":
        data, problems = yamldoc.load(text, source)
        if problems:
            raise InputProblems(problems)
        if isinstance(data, dict) and "units" in data:
            data = data["units"]
        nodes, problems = nodes_from_yaml(data, source)
        if problems:
            raise InputProblems(problems)
        return import_tree(conn, nodes, source)
    return _import_csv(conn, text, source)


def _import_csv(conn, text: str, source: str) -> TreeResult:
    reader = csv.reader(io.StringIO(text, newline=""))
    result = TreeResult([], 0, [])
    problems: list[Problem] = []
    header = None
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [names.fold(h).replace(" ", "_") for h in row]
            header = [{"ten": "name", "ten_don_vi": "name", "loai": "kind", "cap": "kind",
                       "truc_thuoc": "parent", "don_vi_cha": "parent", "ma": "code",
                       "ten_khac": "aliases"}.get(h, h) for h in header]
            missing = [k for k in ("name", "kind", "parent") if k not in header]
            if missing:
                raise InputProblems([Problem(source, line, None,
                                             f"missing column(s): {', '.join(missing)}; "
                                             "expected name,kind,parent[,code][,aliases]")])
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(Problem(source, line, None, "more cells than header columns"))
            continue
        record = dict(zip(header, (c.strip() for c in row)))
        name = names.nfc(record.get("name", ""))
        kind = parse_kind(record.get("kind", ""))
        if not name:
            problems.append(Problem(source, line, None, "name is empty"))
            continue
        if names.has_control_chars(name) or "/" in name:
            problems.append(Problem(source, line, None, "a unit name cannot contain control characters or '/'"))
            continue
        if kind is None:
            problems.append(Problem(source, line, None, f"unknown kind '{record.get('kind', '')}'"))
            continue
        parent = None
        if record.get("parent"):
            found = resolve_problem(conn, record["parent"], container=True)
            if isinstance(found, str):
                problems.append(Problem(source, line, None, f"parent: {found}"))
                continue
            parent = found
        aliases = [a.strip() for a in record.get("aliases", "").split(";") if a.strip()]
        node = Node(name, kind, record.get("code") or None, aliases, [], line, None)
        try:
            sub = import_tree(conn, [node], source, parent)
        except InputProblems as e:
            problems.extend(e.problems)
            continue
        result.created += sub.created
        result.matched += sub.matched
        result.changed += sub.changed
    if problems:
        raise InputProblems(problems)
    return result


# -- merges -------------------------------------------------------------------------------

def _day(text: str):
    from datetime import date as _date

    return _date.fromisoformat(text)


def merge(conn, old: list[Unit], new: Unit, date: str) -> None:
    """Record that `old` units became `new` on `date`. The old units keep their history but
    are inactive from that date; `new` inherits no criteria (a merged commune is re-assessed)."""
    for unit in old:
        if unit.id == new.id:
            raise NtmError(f"cannot merge {unit.name} into itself")
        if not active_on(unit.active_until, _day(date)):
            raise NtmError(f"{unit.name} was already merged away on {unit.active_until}")
        db.deactivate(conn, unit.id, date)
        db.add_lineage(conn, unit.id, new.id, date, "merge")
