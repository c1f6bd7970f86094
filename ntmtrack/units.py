"""Administrative units: naming them forgivingly (never guessing), trees, merges and lineage.

Domain rules over store.units; knows nothing of the CLI. Data problems become `Problem`s.
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass

from . import names
from .model import KIND_ALIASES, UNIT_KINDS, InputProblems, NtmError, Problem, Unit
from .store import units as db


def parse_kind(text: str) -> str | None:
    """'commune', 'xã', 'Xa', 'thị trấn' → the English kind; None when unknown."""
    folded = names.fold(text).replace("_", " ")
    if folded.replace(" ", "_") in UNIT_KINDS:
        return folded.replace(" ", "_")
    return KIND_ALIASES.get(folded)


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


@dataclass
class Node:
    """One unit of a tree being imported, with where it was written."""

    name: str
    kind: str
    code: str | None
    aliases: list[str]
    children: list["Node"]
    line: int | None = None
    col: int | None = None
    edition: str = ""


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


def nodes_from_yaml(data, source: str) -> tuple[list[Node], list[Problem]]:
    """A YAML list of `{name, kind, code?, aliases?, children?}` → nodes and problems."""
    problems: list[Problem] = []
    if not isinstance(data, list):
        line = getattr(data, "line", None)
        return [], [Problem(source, line, getattr(data, "col", None),
                            "a units tree is a list of {name, kind, children} entries")]
    return [n for n in (_node(item, source, problems) for item in data) if n], problems


_NODE_KEYS = {"name", "kind", "code", "aliases", "alias", "children"}


def _node(item, source: str, problems: list[Problem]) -> Node | None:
    line, col = getattr(item, "line", None), getattr(item, "col", None)
    if not isinstance(item, dict):
        problems.append(Problem(source, line, col, "expected a unit: {name: …, kind: …}"))
        return None
    for key in item:
        if key not in _NODE_KEYS:
            hint = difflib.get_close_matches(key, _NODE_KEYS, n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(Problem(source, key.line, key.col, f"unknown key '{key}'{more}"))
    name, kind_text = item.get("name"), item.get("kind")
    ok = True
    if not isinstance(name, str) or not names.nfc(name):
        problems.append(Problem(source, line, col, "a unit needs a name"))
        ok = False
    elif names.has_control_chars(name) or "/" in name:
        problems.append(Problem(source, name.line, name.col,
                                "a unit name cannot contain control characters or '/'"))
        ok = False
    kind = parse_kind(kind_text) if isinstance(kind_text, str) else None
    if kind is None:
        where = kind_text if isinstance(kind_text, str) else item
        shown = f" '{kind_text}'" if isinstance(kind_text, str) else ""
        problems.append(Problem(source, getattr(where, "line", line), getattr(where, "col", col),
                                f"unknown unit kind{shown}; use one of: {', '.join(UNIT_KINDS)}"))
        ok = False
    code = item.get("code")
    if code is not None and not isinstance(code, str):
        problems.append(Problem(source, line, col, "code must be text"))
        ok = False
    raw_aliases = item.get("aliases", item.get("alias", []))
    if isinstance(raw_aliases, str):
        raw_aliases = [raw_aliases]
    if not isinstance(raw_aliases, list) or not all(isinstance(a, str) for a in raw_aliases):
        problems.append(Problem(source, line, col, "aliases must be a list of names"))
        raw_aliases = []
    children_data = item.get("children", [])
    children: list[Node] = []
    if children_data in ("", None):
        children_data = []
    if not isinstance(children_data, list):
        problems.append(Problem(source, getattr(children_data, "line", line),
                                getattr(children_data, "col", col), "children must be a list"))
    else:
        children = [n for n in (_node(c, source, problems) for c in children_data) if n]
    if not ok:
        return None
    return Node(names.nfc(name), kind, names.nfc(code) if code else None,
                [names.nfc(a) for a in raw_aliases], children, line, col)


# -- merges -------------------------------------------------------------------------------

def merge(conn, old: list[Unit], new: Unit, date: str) -> None:
    """Record that `old` units became `new` on `date`. The old units keep their history but
    are inactive from that date; `new` inherits no criteria (a merged commune is re-assessed)."""
    for unit in old:
        if unit.id == new.id:
            raise NtmError(f"cannot merge {unit.name} into itself")
        if unit.active_until and unit.active_until <= date:
            raise NtmError(f"{unit.name} was already merged away on {unit.active_until}")
        db.deactivate(conn, unit.id, date)
        db.add_lineage(conn, unit.id, new.id, date, "merge")
