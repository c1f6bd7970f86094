"""Unit trees imported from files, seeds and plans: planned in memory (each subtree read in one
query, every sibling rule of register/units.py checked), then written — in time linear in the
tree's size, with the write lock taken only for the write.

Domain rules over store.units; knows nothing of the CLI. Data problems become `Problem`s.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field

from ..locale import _
from ..model import InputProblems, NtmError, Problem, Unit
from ..read import names, yamldoc
from ..read.unit_files import Node, nodes_from_yaml, parse_kind
from ..store import units as db
from ..store import write_transaction
from .units import check_labels, check_name, lookalike_message, path_of, resolve_problem

# -- editions ------------------------------------------------------------------------------
# A seed is one official edition's tree (vietnam-provinces 2025.10: province → commune). Its
# units sit where that edition puts them, so they are matched only at their own path, never
# by the rules that let a hand-written file skip or add levels; and a seeded node matches no
# unit of another edition's map — Tân Ninh under the 2018 district is not the 2025 Tân Ninh.

def edition_may_match(unit_edition: str, edition: str) -> bool:
    """Whether a unit's code, from `unit_edition`, may be the same code as one of `edition`:
    always for a code typed without an edition (either side), else only within one edition."""
    return not edition or not unit_edition or unit_edition == edition


def same_map(unit_edition: str, unit_code: str | None, edition: str, code: str | None) -> bool:
    """Whether a unit may be the node of an import at the same name and place. A node of an
    official edition matches a unit with no code, or one whose code comes from that edition
    (or was typed), or one holding the very same code; a unit of another edition with another
    code is another map's unit. Nodes without an edition (files, plans) match as before."""
    if not edition:
        return True
    if not unit_code:
        return True
    return edition_may_match(unit_edition, edition) or unit_code == code


# -- trees ---------------------------------------------------------------------------------
# An import is planned, reading only, then applied: the plan holds the register's units it
# touches in memory (each subtree read in one query) with those it will create, so matching a
# node costs the same under a commune of 10,000 villages as under an empty one, and the write
# lock is needed only to apply.

@dataclass
class TreeResult:
    created: list[str]
    matched: int
    changed: list[str]
    ids: list[int] | None = None

    def __post_init__(self):
        if self.ids is None:
            self.ids = []


class _U:
    """A unit as an import sees it: one of the register's (id > 0) or one it will create
    (id < 0 until written)."""

    __slots__ = ("id", "name", "kind", "code", "edition", "parent", "parent_id", "folded",
                 "aliases", "children", "index", "keys", "size", "complete")

    def __init__(self, unit_id, name, kind, code, parent_id, edition=""):
        self.id, self.name, self.kind, self.code = unit_id, name, kind, code
        self.edition = edition              # the official edition its code came from, or ""
        self.parent: _U | None = None       # the unit above, once it is read
        self.parent_id = parent_id          # the register's, for a unit whose parent is unread
        self.folded = names.fold(name)
        self.aliases: set[str] | None = None          # folded aliases, once read
        self.children: dict[_U, None] | None = None   # once the subtree is read (complete)
        self.index: dict[str, list[_U]] | None = None  # children by folded name and alias
        self.keys: dict[tuple, _U] | None = None       # children by (kind, lookalike key)
        self.size = 1                                  # units in the subtree, once complete
        self.complete = False


@dataclass
class TreePlan:
    """What an import will do, found reading only: `apply_plan` writes it."""

    planner: "_Planner"
    ops: list[tuple] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    matched: int = 0
    changed: list[str] = field(default_factory=list)
    visited: list[_U] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Planner:
    def __init__(self, conn):
        self.conn = conn
        self.by_id: dict[int, _U] = {}
        self.by_folded: dict[str, dict[_U, None]] = {}   # every unit read or planned
        self.codes: dict[str, list[_U]] = {}             # codes this import gives
        self.top = _U(None, "", "", None, None)          # stands above the top units
        self._new_ids = itertools.count(-1, -1)
        # The id SQLite will give the next unit, read with the rest (the write lock is taken
        # only to write; a writer in between makes the import plan again under it).
        self.next_id = db.next_id(conn)

    # reading the register, each part once

    def _folded(self, u: _U, folded: str) -> None:
        self.by_folded.setdefault(folded, {})[u] = None

    def obj(self, unit: Unit) -> _U:
        u = self.by_id.get(unit.id)
        if u is None:
            u = self.by_id[unit.id] = _U(unit.id, unit.name, unit.kind, unit.code, unit.parent_id,
                                         unit.edition)
            u.parent = self.by_id.get(unit.parent_id) if unit.parent_id else None
            self._folded(u, u.folded)
        return u

    def _aliases(self, u: _U) -> set[str]:
        if u.aliases is None:
            u.aliases = db.aliases_folded(self.conn, u.id) if u.id > 0 else set()
            for folded in u.aliases:
                self._folded(u, folded)
        return u.aliases

    def ensure(self, root: _U) -> None:
        """Read `root`'s whole subtree, with aliases, in two queries (once)."""
        if root.complete or root is self.top:
            return
        loaded, fresh, register_parent = [], set(), {}
        for unit_id, name, kind, parent_id, code, edition in db.subtree(self.conn, root.id):
            u = self.by_id.get(unit_id)
            if u is None:
                u = self.by_id[unit_id] = _U(unit_id, name, kind, code, parent_id, edition)
                self._folded(u, u.folded)
            loaded.append(u)
            register_parent[u] = parent_id
            if not u.complete:
                fresh.add(u)
                u.children = {}
        aliases: dict[int, set[str]] = {}
        for unit_id, folded in db.subtree_aliases(self.conn, root.id):
            aliases.setdefault(unit_id, set()).add(folded)
        for u in loaded:
            if u.aliases is None:
                u.aliases = aliases.get(u.id, set())
                for folded in u.aliases:
                    self._folded(u, folded)
            parent = self.by_id.get(register_parent[u]) if register_parent[u] else None
            if u.parent is None and u is not root:
                u.parent = parent  # a unit this import moved keeps its new parent
            if u.parent is parent and parent in fresh:
                parent.children[u] = None
        if root.parent is None and root.parent_id:
            root.parent = self.by_id.get(root.parent_id)
        order, stack = [], [root]
        while stack:  # sizes bottom-up, over the units read just now
            u = stack.pop()
            if u in fresh:
                order.append(u)
                stack.extend(u.children)
        for u in reversed(order):
            u.size = 1 + sum(c.size for c in u.children)
            u.complete = True

    def top_children(self) -> dict:
        if self.top.children is None:
            self.top.children = {self.obj(u): None for u in db.top_units(self.conn)}
        return self.top.children

    # looking things up

    def _child_index(self, parent: _U) -> dict[str, list[_U]]:
        if parent.index is None:
            parent.index = {}
            for c in parent.children:
                for folded in {c.folded, *self._aliases(c)}:
                    parent.index.setdefault(folded, []).append(c)
        return parent.index

    def _keys(self, parent: _U) -> dict[tuple, _U]:
        if parent.keys is None:
            parent.keys = {}
            for c in (self.top_children() if parent is self.top else parent.children):
                for key in names.lookalike_keys(c.name):
                    parent.keys.setdefault((c.kind, key), c)
        return parent.keys

    def lookalike(self, parent: _U | None, name: str, kind: str, exclude: _U | None = None) -> _U | None:
        keys = self._keys(parent if parent is not None else self.top)
        for key in names.lookalike_keys(name):
            other = keys.get((kind, key))
            if other is not None and other is not exclude:
                return other
        return None

    def named_children(self, parent: _U, folded: str, kind: str) -> list[_U]:
        self.ensure(parent)
        return [u for u in self._child_index(parent).get(folded, ()) if u.kind == kind]

    def named_below(self, root: _U, folded: str, kind: str) -> list[_U]:
        """Units of `kind` named (or aliased) `folded` anywhere below `root`: whichever is
        fewer, the units so named (each checked upward) or the subtree (walked down)."""
        self.ensure(root)
        candidates = self.by_folded.get(folded, {})
        if len(candidates) <= root.size:
            return [u for u in candidates if u.kind == kind and u is not root and self._below(u, root)]
        found, stack = [], list(root.children)
        while stack:
            u = stack.pop()
            if u.kind == kind and (u.folded == folded or folded in self._aliases(u)):
                found.append(u)
            stack.extend(u.children or ())
        return found

    @staticmethod
    def _below(u: _U, root: _U) -> bool:
        up = u.parent
        while up is not None:
            if up is root:
                return True
            up = up.parent
        return False

    def _union(self, units: list[Unit], planned) -> list[_U]:
        return list(dict.fromkeys([self.obj(u) for u in units] + list(planned)))

    def by_code(self, code: str, edition: str = "") -> list[_U]:
        """Units holding `code`; for a code of an official `edition`, only those whose code
        may be the same (that edition's, or one typed without an edition): the same number
        names other units in other editions."""
        found = self._union(db.by_code(self.conn, code), self.codes.get(code, ()))
        return [u for u in found if edition_may_match(u.edition, edition)]

    def find(self, name: str, kind: str) -> list[_U]:
        """register/units.find's rules for a name, over the register and the plan."""
        found = self.by_code(name)
        if not found:
            folded = names.fold(name)
            found = self._union(db.by_folded(self.conn, folded), self.by_folded.get(folded, ()))
            if not found:
                split = names.split_kind_prefix(folded)
                if split:
                    rest, kinds = split
                    found = [u for u in self._union(db.by_folded(self.conn, rest),
                                                    self.by_folded.get(rest, ())) if u.kind in kinds]
        return [u for u in found if u.kind == kind]

    def path(self, u: _U) -> str:
        parts, top = [], u
        while top is not None:
            parts.append(top.name)
            if top.parent is None and top.parent_id and top.id and top.id > 0:
                parts += [a.name for a in reversed(db.ancestors(self.conn, top.id))]
                break
            top = top.parent
        return "/".join(reversed(parts))

    def describe(self, u: _U) -> str:
        return f"{self.path(u)} ({u.kind})"

    # what the plan changes, in memory

    def _attach(self, u: _U, parent: _U | None) -> None:
        holder = parent if parent is not None else self.top
        children = self.top_children() if holder is self.top else holder.children
        children[u] = None
        u.parent = parent
        if holder.index is not None:
            for folded in {u.folded, *self._aliases(u)}:
                holder.index.setdefault(folded, []).append(u)
        if holder.keys is not None:
            for key in names.lookalike_keys(u.name):
                holder.keys.setdefault((u.kind, key), u)
        up = parent
        while up is not None:
            up.size += u.size
            up = up.parent

    def _detach(self, u: _U) -> None:
        holder = u.parent
        del holder.children[u]
        if holder.index is not None:
            for folded in {u.folded, *self._aliases(u)}:
                holder.index[folded] = [c for c in holder.index.get(folded, ()) if c is not u]
        if holder.keys is not None:
            for key in names.lookalike_keys(u.name):
                if holder.keys.get((u.kind, key)) is u:
                    del holder.keys[(u.kind, key)]
        up = holder
        while up is not None:
            up.size -= u.size
            up = up.parent

    def create(self, name: str, node: Node, parent: _U | None) -> _U:
        u = _U(next(self._new_ids), name, node.kind, node.code, None, node.edition if node.code else "")
        u.aliases, u.children, u.complete = {names.fold(names.nfc(a)) for a in node.aliases}, {}, True
        for folded in {u.folded, *u.aliases}:
            self._folded(u, folded)
        if node.code:
            self.codes.setdefault(node.code, []).append(u)
        self._attach(u, parent)
        return u

    def move(self, u: _U, parent: _U) -> None:
        self._detach(u)
        self._attach(u, parent)

    def set_code(self, u: _U, code: str, edition: str) -> None:
        u.code, u.edition = code, edition
        self.codes.setdefault(code, []).append(u)

    def add_alias(self, u: _U, alias: str) -> bool:
        folded = names.fold(alias)
        if folded in self._aliases(u):
            return False
        u.aliases.add(folded)
        self._folded(u, folded)
        if u.parent is not None and u.parent.index is not None:
            same = u.parent.index.setdefault(folded, [])
            if u not in same:  # an alias folding like the unit's own name
                same.append(u)
        return True

    # the rules of import_tree

    def plan(self, roots: list[Node], source: str, parent: Unit | None = None) -> TreePlan:
        plan = TreePlan(self)
        top = self.obj(parent) if parent is not None else None
        for node in roots:
            self._node(plan, node, top, source, anchor=top)
        return plan

    def _node(self, plan: TreePlan, node: Node, parent: _U | None, source: str,
              anchor: _U | None) -> None:
        """`anchor` is the nearest ancestor in the file that already existed in the register."""
        def problem(message: str) -> None:
            plan.problems.append(Problem(source, node.line, node.col, message))

        name = names.nfc(node.name)
        try:
            check_name(name)
            check_labels(node.code, node.aliases)
        except NtmError as e:
            problem(str(e))
            return
        folded = names.fold(name)
        if parent is None:
            existing = self.find(name, node.kind)
            if node.code:
                existing = ([u for u in existing if u.code in (None, node.code)]
                            or self.by_code(node.code, node.edition))
        else:
            existing = self.named_children(parent, folded, node.kind)
            if not existing and not node.edition:
                # The register may hold levels the file skips (a cluster between district and
                # commune): the same name and kind further down is the same unit.
                existing = [u for u in self.named_below(parent, folded, node.kind) if not u.edition]
            if not existing and not node.edition and anchor is not None and anchor is not parent:
                # The file adds a level the register lacks (clusters in a district whose
                # communes were registered directly under it): same unit, moved into the level.
                existing = [u for u in self.named_below(anchor, folded, node.kind) if not u.edition]
                if len(existing) == 1 and existing[0].parent is anchor:
                    other = self.lookalike(parent, existing[0].name, node.kind, exclude=existing[0])
                    if other is not None:
                        problem(lookalike_message(existing[0].name, other.name, self.path(other)))
                        return
                    self.move(existing[0], parent)
                    plan.ops.append(("move", existing[0], parent))
                    plan.changed.append(f"{name}: moved under {parent.name}")
                else:
                    existing = []  # a namesake elsewhere in the district is another unit
            if node.code:
                # Bình Đông and Bình Đồng fold alike but are two names: with codes that differ,
                # two communes. The same spelling with another code is a conflict, reported below.
                existing = [u for u in existing if u.code in (None, node.code) or u.name == name]
        existing = [u for u in existing if same_map(u.edition, u.code, node.edition, node.code)]
        if len(existing) > 1:
            listed = "; ".join(self.describe(u) for u in existing[:5])
            problem(_("'{name}' matches {count} units ({listed}); nest it under its parent").format(name=name, count=len(existing), listed=listed))
            return
        if existing:
            unit = anchor = existing[0]
            plan.matched += 1
            if node.code and unit.code and unit.code != node.code:
                problem(_("'{name}' already has code {code}, not {code2}").format(name=name, code=unit.code, code2=node.code))
                return
            if node.code and not unit.code:
                taken = [u for u in self.by_code(node.code, node.edition) if u is not unit]
                if taken:
                    problem(_("code {code} already belongs to {taken}").format(code=node.code, taken=self.describe(taken[0])))
                    return
                self.set_code(unit, node.code, node.edition)
                plan.ops.append(("code", unit, node.code, node.edition))
                plan.changed.append(f"{name}: code {node.code}")
            for alias in node.aliases:
                if self.add_alias(unit, names.nfc(alias)):
                    plan.ops.append(("alias", unit, names.nfc(alias)))
                    plan.changed.append(f"{name}: alias {alias}")
        else:
            taken = self.by_code(node.code, node.edition) if node.code else []
            if taken:
                problem(_("code {code} already belongs to {taken}").format(code=node.code, taken=self.describe(taken[0])))
                return
            other = self.lookalike(parent, name, node.kind)
            if other is not None:
                problem(lookalike_message(name, other.name, self.path(other)))
                return
            unit = self.create(name, node, parent)
            plan.ops.append(("create", unit, node))
            plan.created.append(name)
        plan.visited.append(unit)
        for child in node.children:
            self._node(plan, child, unit, source, anchor)


def plan_tree(conn, roots: list[Node], source: str, parent: Unit | None = None) -> TreePlan:
    """What importing `roots` (under `parent`) would do, reading only. Raises InputProblems."""
    plan = _Planner(conn).plan(roots, source, parent)
    if plan.problems:
        raise InputProblems(plan.problems)
    return plan


def apply_plan(conn, plan: TreePlan) -> TreeResult:
    """Write a plan (in the caller's transaction): inserts and updates only. The new units
    go in first, in one statement with the ids SQLite would have given them one by one
    (parents before children), then the changes to units already there."""
    planner = plan.planner
    created, aliases = [], []
    for op in plan.ops:
        if op[0] == "create":
            u, node = op[1], op[2]
            u.parent_id = u.parent.id if u.parent is not None else None
            u.id, planner.next_id = planner.next_id, planner.next_id + 1
            created.append((u.id, u.name, u.kind, u.parent_id, node.code or None, node.edition))
            aliases += [(u.id, names.nfc(alias)) for alias in node.aliases]
            planner.by_id[u.id] = u
    db.insert_many(conn, created)
    db.add_aliases(conn, aliases)
    for op in plan.ops:
        what, u = op[0], op[1]
        if what == "code":
            db.set_code(conn, u.id, op[2], op[3])
        elif what == "alias":
            db.add_alias(conn, u.id, op[2])
        elif what == "move":
            db.set_parent(conn, u.id, op[2].id)
    return TreeResult(list(plan.created), plan.matched, list(plan.changed), [u.id for u in plan.visited])


def import_tree(conn, roots: list[Node], source: str, parent: Unit | None = None) -> TreeResult:
    """Create or match every node, in the caller's transaction; the same tree twice is a
    no-op. Raises InputProblems."""
    return apply_plan(conn, plan_tree(conn, roots, source, parent))


def import_nodes(conn, roots: list[Node], source: str) -> TreeResult:
    """`import_tree` taking the write lock only to write: the tree is checked and matched
    first, reading; if another writer committed meanwhile it is checked again under the lock.
    `conn` must not be in a transaction."""
    seen = db.data_version(conn)
    plan = plan_tree(conn, roots, source)
    with write_transaction(conn):
        if db.data_version(conn) != seen:
            plan = plan_tree(conn, roots, source)
        return apply_plan(conn, plan)


# -- files ------------------------------------------------------------------------------

def _yaml_nodes(text: str, source: str, positions: bool = True) -> list[Node]:
    data, problems = yamldoc.load(text, source, positions)
    if problems:
        raise InputProblems(problems)
    if isinstance(data, dict) and "units" in data:
        data = data["units"]
    nodes, problems = nodes_from_yaml(data, source)
    if problems:
        raise InputProblems(problems)
    return nodes


def _yaml_plan(conn, text: str, source: str) -> TreePlan:
    """A YAML tree planned against the register. Read first without positions (a national
    tree of 100,000 units in half the memory); a file with a problem is read again with them,
    to say FILE:LINE:COL."""
    try:
        return plan_tree(conn, _yaml_nodes(text, source, positions=False), source)
    except InputProblems:
        return plan_tree(conn, _yaml_nodes(text, source), source)


def nodes_from_text(conn, text: str, source: str, fmt: str, delimiter: str | None = None) -> TreeResult:
    """Import a YAML tree or a CSV in the caller's transaction."""
    if fmt == "yaml":
        return apply_plan(conn, _yaml_plan(conn, text, source))
    return _apply_all(conn, _csv_plans(conn, text, source, delimiter))


def import_text(conn, text: str, source: str, fmt: str, delimiter: str | None = None) -> TreeResult:
    """Import a YAML tree or a CSV, taking the write lock only to write: the file is read,
    checked and matched against the register first; if another writer committed meanwhile it
    is matched again under the lock."""
    def planned() -> list[TreePlan]:
        if fmt == "yaml":
            return [_yaml_plan(conn, text, source)]
        return _csv_plans(conn, text, source, delimiter)

    seen = db.data_version(conn)
    plans = planned()
    with write_transaction(conn):
        if db.data_version(conn) != seen:
            plans = planned()
        return _apply_all(conn, plans)


def _apply_all(conn, plans: list[TreePlan]) -> TreeResult:
    result = TreeResult([], 0, [], [])
    for plan in plans:
        sub = apply_plan(conn, plan)
        result.created += sub.created
        result.matched += sub.matched
        result.changed += sub.changed
        result.ids += sub.ids
    return result


def _csv_plans(conn, text: str, source: str, delimiter: str | None = None) -> list[TreePlan]:
    """A CSV's rows as trees planned against the register, reading only. A row's parent is a
    unit an earlier row makes (by name or a path ending in it, levels may be skipped), else a
    unit of the register; rows under one parent are planned together, so 10,000 villages under
    one commune read that commune once. Raises InputProblems with every bad row."""
    from ..read.text import first_line, sniff_delimiter

    delimiter = delimiter or sniff_delimiter(first_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    groups: dict[int | None, tuple[Unit | None, list[Node]]] = {}
    made: dict[str, list[tuple[Node, list[str]]]] = {}   # folded name → (node, folded full path)
    registered: dict[str, Unit | str] = {}
    paths: dict[int, list[str]] = {}
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
                                             _("missing column(s): {missing}; expected name,kind,parent[,code][,aliases]").format(missing=', '.join(missing)))])
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(Problem(source, line, None, _("more cells than header columns")))
            continue
        record = dict(zip(header, (c.strip() for c in row)))
        name = names.nfc(record.get("name", ""))
        kind = parse_kind(record.get("kind", ""))
        if not name:
            problems.append(Problem(source, line, None, _("name is empty")))
            continue
        if names.has_control_chars(name) or "/" in name:
            problems.append(Problem(source, line, None, _("a unit name cannot contain control characters or '/'")))
            continue
        if kind is None:
            problems.append(Problem(source, line, None, _("unknown kind '{value}'").format(value=record.get('kind', ''))))
            continue
        aliases = [a.strip() for a in record.get("aliases", "").split(";") if a.strip()]
        node = Node(name, kind, record.get("code") or None, aliases, [], line, None)
        parent_text = record.get("parent") or ""
        host = _made_parent(parent_text, made) if parent_text else None
        if isinstance(host, str):
            problems.append(Problem(source, line, None, _("parent: {host}").format(host=host)))
            continue
        if host is not None:
            host_node, host_path = host
            siblings = host_node.children
            full = host_path + [names.fold(name)]
        else:
            parent = None
            if parent_text:
                if parent_text not in registered:
                    registered[parent_text] = resolve_problem(conn, parent_text, container=True)
                parent = registered[parent_text]
                if isinstance(parent, str):
                    problems.append(Problem(source, line, None, _("parent: {parent}").format(parent=parent)))
                    continue
                if parent.id not in paths:
                    paths[parent.id] = [names.fold(p) for p in path_of(conn, parent).split("/")]
            siblings = groups.setdefault(parent.id if parent else None, (parent, []))[1]
            full = (paths[parent.id] if parent else []) + [names.fold(name)]
        twin = next((n for n in siblings if names.fold(n.name) == names.fold(name) and n.kind == kind), None)
        if twin is not None:   # the same unit twice in the file: one unit
            continue
        siblings.append(node)
        made.setdefault(names.fold(name), []).append((node, full))
        if node.code:
            made.setdefault(("code", node.code.strip().lower()), []).append((node, full))
    planner = _Planner(conn)  # one for the file: each part of the register read once
    plans = []
    for parent, roots in groups.values():
        plan = planner.plan(roots, source, parent)
        problems.extend(plan.problems)
        plans.append(plan)
    if problems:
        raise InputProblems(sorted(problems, key=lambda p: p.line or 0))
    return plans


def _made_parent(text: str, made: dict) -> tuple[Node, list[str]] | str | None:
    """The unit an earlier row made that `text` names (its name, a path whose parts appear in
    order in the unit's path and end with its name, or its code); a message when several do."""
    parts = [names.fold(p) for p in text.split("/") if p.strip()]
    if not parts:
        return None
    found = [(node, full) for node, full in made.get(parts[-1], ()) if _in_order(parts, full)]
    if not found and len(parts) == 1:
        found = list(made.get(("code", text.strip().lower()), ()))
    if len(found) > 1:
        return _("'{text}' names {count} units made by rows above; write more of its path").format(
            text=text, count=len(found))
    return found[0] if found else None


def _in_order(parts: list[str], full: list[str]) -> bool:
    position = 0
    for part in parts[:-1]:
        try:
            position = full.index(part, position, len(full) - 1) + 1
        except ValueError:
            return False
    return full[-1] == parts[-1]
