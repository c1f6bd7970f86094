"""A plan in two steps: binding it to the register, which only reads, then saving it.

`bind(conn, doc)` resolves every unit, criteria set, criterion and indicator the plan names
and returns the target rows with every problem and warning at once, writing nothing: units
the plan's `units:` tree would create (or move, code, alias) are seen as they will be, held
in memory with provisional negative ids. `plan validate` binds on a read-only connection.
`save(conn, bound)` writes, in the caller's transaction: the units tree, the indicators, the
plan and its targets. The same plan twice is a no-op; a changed plan replaces its definition
and targets (observations are never touched).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field

from ..locale import _
from ..model import COMMUNE_KINDS, InputProblems, NtmError, Problem, Unit
from ..read import names
from ..read.plan_file import MetricDoc, PlanDoc, Ref, clean_number
from ..read.unit_files import Node
from ..store import funds as store_funds
from ..store import observations as store_obs
from ..store import plans as db
from ..store import units as store_units
from . import criteria, unit_trees, units
from .tree import Tree


@dataclass
class Outcome:
    plan: str
    status: str                 # added | unchanged | replaced
    changes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class UnitView:
    """The register's units as a plan sees them. Without a `units:` tree, the register as it
    is (the lookups of register/units.py); with one, the register plus what the tree would
    create, move, code and alias — in memory, so that binding never writes."""

    def __init__(self, conn):
        self.conn = conn
        self.overlay = False
        self._tree: Tree | None = None
        self._new_ids = itertools.count(-1, -1)
        self._names: dict[str, set[int]] = {}   # folded name or alias → units the tree adds it to
        self._codes: dict[str, set[int]] = {}

    @property
    def tree(self) -> Tree:
        if self._tree is None:
            self._tree = Tree.load(self.conn)
        return self._tree

    # -- reading ---------------------------------------------------------------------------

    def unit(self, unit_id: int) -> Unit:
        if not self.overlay:
            return store_units.get(self.conn, unit_id)
        u = self.tree.units[unit_id]
        return Unit(unit_id, u["name"], u["kind"], u["parent_id"], u["code"],
                    active_until=u["active_until"])

    def path(self, unit_id: int) -> str:
        if self.overlay or self._tree is not None:
            return self.tree.path(unit_id)
        return units.path_of(self.conn, store_units.get(self.conn, unit_id))

    def descendants(self, unit_id: int) -> list[int]:
        if self.overlay or self._tree is not None:
            return self.tree.descendants(unit_id)
        return store_units.descendant_ids(self.conn, unit_id)

    def find(self, text: str, kinds: tuple[str, ...] | None = None) -> list[Unit]:
        """Every unit `text` names (register/units.find's rules)."""
        if not self.overlay:
            return units.find(self.conn, text, kinds)
        text = names.nfc(text)
        split = units.path_parts(text)
        if split is None:
            current = self._candidates(text)
        else:
            parts, exact = split
            current = self._candidates(parts[0]) if parts else []
            if exact:
                current = [i for i in current if self.tree.units[i]["parent_id"] is None]
            for part in parts[1:]:
                allowed = set(current)
                current = [i for i in self._candidates(part)
                           if (self.tree.units[i]["parent_id"] in allowed if exact
                               else any(a in allowed for a in self.tree.ancestors(i)))]
        found = [self.unit(i) for i in sorted(current, key=_id_order)]
        return [u for u in found if u.kind in kinds] if kinds else found

    def _matching(self, folded: str) -> set[int]:
        return {u.id for u in store_units.by_folded(self.conn, folded)} | self._names.get(folded, set())

    def by_code(self, code: str) -> list[int]:
        return sorted({u.id for u in store_units.by_code(self.conn, code)} | self._codes.get(code, set()),
                      key=_id_order)

    def _candidates(self, text: str) -> list[int]:
        found = set(self.by_code(text))
        if not found:
            folded = names.fold(text)
            found = self._matching(folded)
            if not found:
                split = names.split_kind_prefix(folded)
                if split:
                    rest, prefix_kinds = split
                    found = {i for i in self._matching(rest) if self.tree.units[i]["kind"] in prefix_kinds}
        return sorted(found, key=_id_order)

    def outermost(self, found: list[Unit]) -> Unit | None:
        if not self.overlay:
            return units.outermost(self.conn, found)
        for candidate in found:
            if all(u.id == candidate.id or candidate.id in self.tree.ancestors(u.id) for u in found):
                return candidate
        return None

    def problem(self, text: str, found: list[Unit], pick) -> str:
        """Why `text` names no single unit (register/units.resolve_problem's words), each
        suggestion checked with `pick`, the caller's way of reading a name."""
        if found:
            return units.ambiguous_message(text, found, lambda u: self.path(u.id), pick)
        message = units.resolve_problem(self.conn, text)
        return message if isinstance(message, str) and message.startswith("no ") \
            else _("no unit named '{text}'").format(text=names.nfc(text))

    # -- a units tree, seen before it is written (register/unit_trees.import_tree's rules) -------

    def preview(self, roots: list[Node], source: str) -> tuple[list[int], list[str], list[Problem]]:
        """(the ids of the tree's units in the order import_tree visits them — provisional
        ids below 0 for those it would create —, the paths it would create, problems)."""
        self.overlay = True
        order: list[int] = []
        created: list[str] = []
        problems: list[Problem] = []
        for node in roots:
            self._node(node, None, None, source, order, created, problems)
        return order, created, problems

    def _node(self, node: Node, parent: int | None, anchor: int | None, source: str,
              order: list[int], created: list[str], problems: list[Problem]) -> None:
        def problem(message: str) -> None:
            problems.append(Problem(source, node.line, node.col, message))

        tree = self.tree
        name = names.nfc(node.name)
        try:
            units.check_name(name)
        except NtmError as e:
            problem(str(e))
            return
        folded = names.fold(name)

        def same(ids) -> list[int]:
            matching = self._matching(folded)
            return [i for i in ids if i in matching and tree.units[i]["kind"] == node.kind]

        if parent is None:
            existing = [u.id for u in self.find(name, (node.kind,))]
            if node.code:
                existing = [i for i in existing if tree.units[i]["code"] in (None, node.code)] \
                    or self.by_code(node.code)
        else:
            existing = same(tree.children.get(parent, []))
            if not existing:  # a seeded unit is matched only at its own path (unit_trees)
                existing = [i for i in same(tree.descendants(parent)) if not tree.units[i]["edition"]]
            if not existing and anchor is not None and anchor != parent:
                existing = [i for i in same(tree.descendants(anchor)) if not tree.units[i]["edition"]]
                if len(existing) == 1 and tree.units[existing[0]]["parent_id"] == anchor:
                    self._move(existing[0], parent)
                else:
                    existing = []
            if node.code:
                existing = [i for i in existing
                            if tree.units[i]["code"] in (None, node.code) or tree.units[i]["name"] == name]
        if len(existing) > 1:
            listed = "; ".join(f"{tree.path(i)} ({tree.units[i]['kind']})" for i in existing[:5])
            problem(_("'{name}' matches {count} units ({listed}); nest it under its parent").format(name=name, count=len(existing), listed=listed))
            return
        if existing:
            unit_id = anchor = existing[0]
            code = tree.units[unit_id]["code"]
            if node.code and code and code != node.code:
                problem(_("'{name}' already has code {code}, not {code2}").format(name=name, code=code, code2=node.code))
                return
            if node.code and not code:
                tree.units[unit_id]["code"] = node.code
                self._codes.setdefault(node.code, set()).add(unit_id)
            for alias in node.aliases:
                self._names.setdefault(names.fold(names.nfc(alias)), set()).add(unit_id)
        else:
            if node.code and self.by_code(node.code):
                other = self.by_code(node.code)[0]
                problem(_("code {code} already belongs to {other} ({kind})").format(code=node.code, other=tree.path(other), kind=tree.units[other]['kind']))
                return
            unit_id = self._create(name, node, parent)
            created.append(tree.path(unit_id))
        order.append(unit_id)
        for child in node.children:
            self._node(child, unit_id, anchor, source, order, created, problems)

    def _create(self, name: str, node: Node, parent: int | None) -> int:
        unit_id = next(self._new_ids)
        self.tree.units[unit_id] = {"name": name, "kind": node.kind, "parent_id": parent,
                                    "code": node.code, "active_until": None,
                                    "sort_key": names.sort_key(name), "edition": ""}
        self.tree.children.setdefault(parent, []).append(unit_id)
        for text in [name, *node.aliases]:
            self._names.setdefault(names.fold(names.nfc(text)), set()).add(unit_id)
        if node.code:
            self._codes.setdefault(node.code, set()).add(unit_id)
        return unit_id

    def _move(self, unit_id: int, parent: int) -> None:
        old = self.tree.units[unit_id]["parent_id"]
        self.tree.children[old].remove(unit_id)
        self.tree.children.setdefault(parent, []).append(unit_id)
        self.tree.units[unit_id]["parent_id"] = parent


def _id_order(unit_id: int) -> tuple[bool, int]:
    """Units of the register first, by id; then those a plan would create, in its order."""
    return unit_id < 0, abs(unit_id)


@dataclass
class Bound:
    """A plan bound to the register: the rows `save` writes (unit ids below 0 are units the
    plan's tree creates), the indicator definitions, and every problem found."""

    doc: PlanDoc
    rows: list[dict]
    indicators: dict[str, dict]
    problems: list[Problem]
    view: UnitView
    order: list[int] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    funds: list[dict] = field(default_factory=list)   # {seq, unit_id, source, amount}

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    def path(self, unit_id: int) -> str:
        return self.view.path(unit_id)


class _Binder:
    def __init__(self, conn, doc: PlanDoc):
        self.conn, self.doc, self.source = conn, doc, doc.source
        self.view = UnitView(conn)
        self.problems: list[Problem] = []
        self.scope: set[int] = set()      # the units of the plan's tree and those below them
        self.declared: set[int] = set()   # the units its tree names

    def problem(self, line, col, message: str) -> None:
        self.problems.append(Problem(self.source, line, col, message))

    def warning(self, line, col, message: str) -> None:
        self.problems.append(Problem(self.source, line, col, message, warning=True))

    def unit(self, ref: Ref, prefer: tuple[str, ...] | None, container: bool = False) -> Unit | None:
        found = self._settled(ref.text, prefer, container)
        if len(found) == 1:
            unit = found[0]
            if not units.active_on(unit.active_until, self.doc.start):
                self.problem(ref.line, ref.col, _("{name} was merged away on {active_until}, before the plan starts").format(name=unit.name, active_until=unit.active_until))
                return None
            return unit
        message = self.view.problem(ref.text, found, lambda t: self._settled(t, prefer, container))
        if message.startswith("no "):
            message += "; declare it under 'units:' if it is new"
        self.problem(ref.line, ref.col, message)
        return None

    def _settled(self, text: str, prefer: tuple[str, ...] | None, container: bool) -> list[Unit]:
        """The units `text` names, narrowed by the rules that are not guesses: the preferred
        kind, the outermost container, the units the plan's own tree names or holds."""
        found = self.view.find(text)
        if prefer:
            narrowed = [u for u in found if u.kind in prefer]
            found = narrowed or found
        if container and len(found) > 1:
            outer = self.view.outermost(found)
            found = [outer] if outer else found
        if len(found) > 1 and self.scope:
            # The units the tree names first (its Tân Ninh under the district, not the 2025
            # Tân Ninh below the province it also names), then those below them.
            for settled in (self.declared, self.scope):
                inside = [u for u in found if u.id in settled]
                if len(inside) == 1:
                    found = inside
                    break
        return found

    def under(self, ref: Ref) -> list[Unit]:
        container = self.unit(ref, None, container=True)
        if container is None:
            return []
        tree = self.view.tree
        found = []
        for unit_id in tree.descendants(container.id):
            u = tree.units[unit_id]
            if u["kind"] in COMMUNE_KINDS and units.active_on(u["active_until"], self.doc.start):
                found.append(self.view.unit(unit_id))
        if not found:
            self.problem(ref.line, ref.col, _("no commune, town or ward below {name}").format(name=container.name))
        return found


def bind(conn, doc: PlanDoc) -> tuple[Bound, list[Problem]]:
    """Bind `doc` to the register, reading only: (the bound plan, every problem — errors and
    warnings, each FILE:LINE:COL). Save the bound plan with `save` when there are no errors."""
    b = _Binder(conn, doc)
    order: list[int] = []
    created: list[str] = []
    if doc.units:
        order, created, tree_problems = b.view.preview(doc.units, doc.source)
        b.problems += tree_problems
        b.declared.update(order)
        for unit_id in order:
            b.scope.add(unit_id)
            b.scope.update(b.view.descendants(unit_id))
    cs = None
    if doc.criteria_set:
        try:
            cs = criteria.get(conn, doc.criteria_set)
        except Exception as e:  # noqa: BLE001 - an unknown set is a data problem here
            b.problem(*doc.criteria_set_pos, str(e))
    rows: list[dict] = []
    seq = 0
    # A target said twice would be judged twice (and listed twice by laggards): refused.
    said: dict[tuple, Ref | None] = {}
    for target in doc.targets:
        seq += 1
        bound = [u for u in (b.unit(r, COMMUNE_KINDS) for r in target.refs) if u]
        if target.under:
            bound += b.under(target.under)
        if cs is not None and target.criteria is not None:
            unknown = [n for n in target.criteria if n not in cs.numbers]
            if unknown:
                b.problem(*target.criteria_pos,
                          _("criteria {str} not in set {code} (it has {numbers}-{numbers2})").format(str=', '.join(map(str, unknown)), code=cs.code, numbers=cs.numbers[0], numbers2=cs.numbers[-1]))
                continue
        numbers = target.criteria if target.criteria is not None else (cs.numbers if cs else [])
        for unit in bound:
            key = ("criteria", unit.id, tuple(sorted(numbers)), target.by)
            if key in said:
                b.problem(*target.criteria_pos, _("{name} is given the same criteria target (by {isoformat}) twice").format(name=unit.name, isoformat=target.by.isoformat()))
                continue
            said[key] = None
            rows.append({"seq": seq, "unit_id": unit.id, "kind": "criteria",
                         "criteria_set": doc.criteria_set, "criteria": numbers,
                         "by": target.by.isoformat(), "all": target.criteria is None,
                         "dossier": {k: v.isoformat() for k, v in target.dossier.items()}})
    indicators: dict[str, dict] = {}
    for metric in doc.metrics:
        seq += 1
        definition = _indicator(b, metric, indicators)
        if definition is None:
            continue
        if definition["measure"] == "%" and metric.kind == "level":
            over = [(r, a) for r, a in metric.amounts if a > 100]
            for r, a in over:
                b.problem(r.line, r.col, _("target {amount} is over 100%").format(amount=f"{clean_number(a)}%"))
        pairs: list[tuple[Unit, float, Ref]] = []
        for ref, amount in metric.amounts:
            u = b.unit(ref, None)
            if u:
                pairs.append((u, amount, ref))
        if metric.under:
            pairs += [(u, metric.under_amount, metric.under) for u in b.under(metric.under)]
        seen: set[int] = set()
        unique = []
        for unit, amount, ref in pairs:
            if unit.id in seen:
                b.problem(ref.line, ref.col, _("{name} appears twice in {code}").format(name=unit.name, code=metric.code))
                continue
            seen.add(unit.id)
            if ("indicator", unit.id, metric.code) in said:
                b.problem(ref.line, ref.col, _("{name} already has a target of {code} in this plan; one target per unit and indicator").format(name=unit.name, code=metric.code))
                continue
            said[("indicator", unit.id, metric.code)] = ref
            unique.append((unit, amount, ref))
            baseline = metric.baselines.get(ref.text, metric.default_baseline)
            rows.append({"seq": seq, "unit_id": unit.id, "kind": metric.kind,
                         "indicator": metric.code, "amount": amount, "baseline": baseline,
                         "by": metric.by.isoformat(),
                         "milestones": [[d.isoformat(), s] for d, s in metric.milestones]})
        for name in metric.baselines:
            if not any(ref.text == name for _unused, _unused, ref in pairs):
                line, col = metric.field_pos.get("baseline", (metric.line, metric.col))
                b.problem(line, col, _("baseline for '{name}', which has no target in {code}").format(name=name, code=metric.code))
        _check_sums(b, metric, definition, pairs)
        if definition["direction"] == "down":
            _warn_unmeasured(b, metric, definition, unique)
    funds = _bind_funds(b, doc, seq)
    return Bound(doc, rows, indicators, b.problems, b.view, order, created, funds), b.problems


def _bind_funds(b: _Binder, doc: PlanDoc, seq: int) -> list[dict]:
    """The `funds:` section's rows: every unit named (any kind; `under:` gives the communes
    below), each source's amount; a unit given one source twice is refused."""
    rows: list[dict] = []
    seen: set[tuple[int, str]] = set()
    for entry in doc.funds:
        seq += 1
        bound = [(u, r) for u, r in ((b.unit(r, None), r) for r in entry.refs) if u]
        if entry.under:
            bound += [(u, entry.under) for u in b.under(entry.under)]
        for unit, ref in bound:
            for source, amount in entry.amounts.items():
                if (unit.id, source) in seen:
                    b.problem(ref.line, ref.col, _("{name} is given {source} funds twice in this plan").format(name=unit.name, source=source))
                    continue
                seen.add((unit.id, source))
                rows.append({"seq": seq, "unit_id": unit.id, "source": source, "amount": amount})
    return rows


def save(conn, bound: Bound) -> Outcome:
    """Write a bound plan (in the caller's transaction): its units tree, its indicators, the
    plan and its targets. Refuses a plan bound with errors."""
    if bound.errors:
        raise InputProblems(bound.errors)
    doc = bound.doc
    created: list[str] = []
    ids: dict[int, int] = {}
    if doc.units:
        tree = unit_trees.import_tree(conn, doc.units, doc.source)
        created = tree.created
        if len(tree.ids) != len(bound.order) or any(
                seen >= 0 and seen != written for seen, written in zip(bound.order, tree.ids)):
            raise NtmError(_("{source}: the register changed while the plan was being bound; nothing was written, try again").format(source=doc.source))
        ids = {seen: written for seen, written in zip(bound.order, tree.ids) if seen < 0}
    rows = [dict(r, unit_id=ids.get(r["unit_id"], r["unit_id"])) for r in bound.rows]
    funds = [dict(r, unit_id=ids.get(r["unit_id"], r["unit_id"])) for r in bound.funds]
    new_hash = digest(doc.document)
    old = db.get(conn, doc.id)
    if old and old["content_hash"] == new_hash and not created:
        return Outcome(doc.id, "unchanged", warnings=bound.warnings)
    old_lines = (_describe_targets(conn, db.targets(conn, doc.id))
                 | _describe_funds(conn, store_funds.plan_funds(conn, [doc.id]))) if old else set()
    for definition in bound.indicators.values():
        db.save_indicator(conn, definition)
    if old:
        db.delete(conn, doc.id)
    db.insert(conn, {"id": doc.id, "title": doc.title, "reference": doc.reference,
                     "issued_by": doc.issued_by, "criteria_set": doc.criteria_set,
                     "start": doc.start.isoformat(), "end": doc.end.isoformat(),
                     "report_every": doc.report_every, "note": doc.note,
                     "document": doc.document, "content_hash": new_hash, "source": doc.source})
    db.insert_targets(conn, doc.id, rows)
    store_funds.insert_plan_funds(conn, doc.id, funds)
    new_lines = (_describe_targets(conn, db.targets(conn, doc.id))
                 | _describe_funds(conn, store_funds.plan_funds(conn, [doc.id])))
    changes = [f"+ {line}" for line in sorted(new_lines - old_lines)] + \
              [f"- {line}" for line in sorted(old_lines - new_lines)]
    if old and old_lines == new_lines:
        changes.append("~ plan details (title, dates, reference or notes)")
    return Outcome(doc.id, "replaced" if old else "added", changes, bound.warnings, created)


def bind_and_write(conn, doc: PlanDoc, source: str | None = None, dry_run: bool = False) -> Outcome:
    """Bind then save (in the caller's transaction); InputProblems when the plan has errors."""
    if source is not None and source != doc.source:
        from dataclasses import replace

        doc = replace(doc, source=source)
    bound, _unused = bind(conn, doc)
    return save(conn, bound)


def _indicator(b: _Binder, metric: MetricDoc, seen: dict[str, dict]) -> dict | None:
    existing = seen.get(metric.code) or db.indicator(b.conn, metric.code)
    wanted = {"code": metric.code, "name": metric.name, "measure": metric.measure,
              "direction": metric.direction, "rollup": metric.rollup}
    if existing is None:
        if not metric.name:
            b.problem(metric.line, metric.col,
                      _("indicator '{code}' is new to the register: give it a name").format(code=metric.code))
            return None
        definition = {**wanted, "direction": metric.direction or "up",
                      "rollup": metric.rollup or "sum"}
        seen[metric.code] = definition
        return definition
    disagree = [k for k in ("name", "measure", "direction", "rollup")
                if wanted[k] is not None and wanted[k] != existing[k]]
    if disagree and metric.code not in seen:
        others = [p for p in db.indicator_plans(b.conn, metric.code) if p != b.doc.id]
        if not others and not db.indicator_has_observations(b.conn, metric.code):
            definition = {k: wanted[k] if wanted[k] is not None else existing[k] for k in existing}
            seen[metric.code] = definition
            return definition
    if disagree:
        k = disagree[0]
        line, col = metric.field_pos.get(k, (metric.line, metric.col))
        b.problem(line, col, _("indicator '{code}' has {k} '{existing}' in the register, not '{wanted}' (indicators are register-wide)").format(code=metric.code, k=k, existing=existing[k], wanted=wanted[k]))
        return None
    seen[metric.code] = dict(existing)
    return existing


def _check_sums(b: _Binder, metric: MetricDoc, definition: dict, pairs) -> None:
    """Warn when children's targets do not add up to their parent's, for sum indicators."""
    if definition["rollup"] != "sum" or len(pairs) < 2:
        return
    tree = b.view.tree
    amount_of = {u.id: a for u, a, _unused in pairs}
    for unit, amount, ref in pairs:
        children = [a for uid, a in amount_of.items()
                    if uid != unit.id and tree.units[uid]["parent_id"] == unit.id]
        if children and abs(sum(children) - amount) > 1e-9:
            b.warning(ref.line, ref.col, _("{code}: targets below {name} add up to {children}, not its {amount}").format(code=metric.code, name=unit.name, children=clean_number(sum(children)), amount=clean_number(amount)))


def _warn_unmeasured(b: _Binder, metric: MetricDoc, definition: dict, pairs) -> None:
    """Rule 6: a `down` target with no baseline and no value on the plan's start takes its
    first value recorded inside the plan as its baseline (reports/progress.baseline_of).
    Say so, at the unit, so the plan can give a baseline instead."""
    start = b.doc.start.isoformat()
    wanted = [(unit, ref) for unit, _unused, ref in pairs
              if metric.baselines.get(ref.text, metric.default_baseline) is None]
    if not wanted:
        return
    rolls_up = definition.get("rollup") != "none"
    measured_by = {unit.id: [unit.id] + (b.view.descendants(unit.id) if rolls_up else [])
                   for unit, _unused in wanted}
    real = sorted({i for ids in measured_by.values() for i in ids if i > 0})
    valued = {row[0] for row in store_obs.indicator_values(b.conn, start, [metric.code], real)} if real else set()
    for unit, ref in wanted:
        if any(i in valued for i in measured_by[unit.id]):
            continue
        b.warning(ref.line, ref.col,
                  _("{code} (direction: down) for {name} has no baseline and no value on {start}, the plan's start: its first value recorded inside the plan will be the baseline (give 'baseline:' to set one)").format(code=metric.code, name=unit.name, start=start))


def _describe_targets(conn, rows: list[dict]) -> set[str]:
    out = set()
    for t in rows:
        name = units.path_of(conn, store_units.get(conn, t["unit_id"]))
        if t["kind"] == "criteria":
            what = f"criteria {','.join(map(str, t['criteria']))}"
        else:
            verb = "reach" if t["kind"] == "level" else "add"
            what = f"{t['indicator']} {verb} {clean_number(t['amount'])}"
            if t["baseline"] is not None:
                what += f" from {clean_number(t['baseline'])}"
        out.add(f"{name}: {what} by {t['by']}")
        for step, day in sorted((t.get("dossier") or {}).items()):
            out.add(f"{name}: dossier step {step} by {day}")
    return out


def _describe_funds(conn, rows: list[dict]) -> set[str]:
    """A plan's capital as lines of its changes: `Kỳ Anh/Kỳ Xuân: funds trung-uong 1500000000
    đồng` (exact đồng: a changed amount shows what it was and what it is)."""
    return {f"{units.path_of(conn, store_units.get(conn, r['unit_id']))}: funds {r['source']} "
            f"{r['amount']} đồng" for r in rows}
