"""Binding a parsed plan to the register and writing it: units, indicators, targets.

Runs inside the caller's transaction; collects every problem before raising, so one run
reports them all. The same plan twice is a no-op; a changed plan replaces its definition
and targets (observations are never touched).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..model import COMMUNE_KINDS, InputProblems, Problem, Unit
from ..read.plan_file import MetricDoc, PlanDoc, Ref, clean_number
from ..store import plans as db
from ..store import units as store_units
from . import criteria, units
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


class _Binder:
    def __init__(self, conn, doc: PlanDoc, source: str):
        self.conn, self.doc, self.source = conn, doc, source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.scope: set[int] = set()
        self.tree: Tree | None = None

    def problem(self, line, col, message: str) -> None:
        self.problems.append(Problem(self.source, line, col, message))

    def unit(self, ref: Ref, prefer: tuple[str, ...] | None, container: bool = False) -> Unit | None:
        found = units.find(self.conn, ref.text)
        if prefer:
            narrowed = [u for u in found if u.kind in prefer]
            found = narrowed or found
        if container and len(found) > 1:
            outer = units.outermost(self.conn, found)
            found = [outer] if outer else found
        if len(found) > 1 and self.scope:
            inside = [u for u in found if u.id in self.scope]
            if len(inside) == 1:
                found = inside
        if len(found) == 1:
            unit = found[0]
            if unit.active_until and unit.active_until <= self.doc.start.isoformat():
                self.problem(ref.line, ref.col, f"{unit.name} was merged away on "
                                                f"{unit.active_until}, before the plan starts")
                return None
            return unit
        message = units.resolve_problem(self.conn, ref.text)
        if isinstance(message, Unit):
            return message
        if message.startswith("no "):
            message += "; declare it under 'units:' if it is new"
        self.problem(ref.line, ref.col, message)
        return None

    def under(self, ref: Ref) -> list[Unit]:
        container = self.unit(ref, None, container=True)
        if container is None:
            return []
        if self.tree is None:
            self.tree = Tree.load(self.conn)
        start = self.doc.start.isoformat()
        found = []
        for unit_id in self.tree.descendants(container.id):
            u = self.tree.units[unit_id]
            if u["kind"] in COMMUNE_KINDS and not (u["active_until"] and u["active_until"] <= start):
                found.append(store_units.get(self.conn, unit_id))
        if not found:
            self.problem(ref.line, ref.col, f"no commune, town or ward below {container.name}")
        return found


def bind_and_write(conn, doc: PlanDoc, source: str, dry_run: bool = False) -> Outcome:
    """Validate `doc` against the register and write it (in the caller's transaction)."""
    b = _Binder(conn, doc, source)
    created: list[str] = []
    if doc.units:
        try:
            tree = units.import_tree(conn, doc.units, source)
            created = tree.created
            for unit_id in tree.ids:
                b.scope.add(unit_id)
                b.scope.update(store_units.descendant_ids(conn, unit_id))
        except InputProblems as e:
            b.problems += e.problems
    cs = None
    if doc.criteria_set:
        try:
            cs = criteria.get(conn, doc.criteria_set)
        except Exception as e:  # noqa: BLE001 - an unknown set is a data problem here
            b.problem(*doc.criteria_set_pos, str(e))
    rows: list[dict] = []
    seq = 0
    for target in doc.targets:
        seq += 1
        bound = [u for u in (b.unit(r, COMMUNE_KINDS) for r in target.refs) if u]
        if target.under:
            bound += b.under(target.under)
        if cs is not None and target.criteria is not None:
            unknown = [n for n in target.criteria if n not in cs.numbers]
            if unknown:
                b.problem(*target.criteria_pos,
                          f"criteria {', '.join(map(str, unknown))} not in set {cs.code} "
                          f"(it has {cs.numbers[0]}-{cs.numbers[-1]})")
                continue
        numbers = target.criteria if target.criteria is not None else (cs.numbers if cs else [])
        for unit in bound:
            rows.append({"seq": seq, "unit_id": unit.id, "kind": "criteria",
                         "criteria_set": doc.criteria_set, "criteria": numbers,
                         "by": target.by.isoformat(), "all": target.criteria is None})
    indicators: dict[str, dict] = {}
    for metric in doc.metrics:
        seq += 1
        definition = _indicator(b, metric, indicators)
        if definition is None:
            continue
        if definition["measure"] == "%" and metric.kind == "level":
            over = [(r, a) for r, a in metric.amounts if a > 100]
            for r, a in over:
                b.problem(r.line, r.col, f"target {clean_number(a)}% is over 100%")
        pairs: list[tuple[Unit, float, Ref]] = []
        for ref, amount in metric.amounts:
            u = b.unit(ref, None)
            if u:
                pairs.append((u, amount, ref))
        if metric.under:
            pairs += [(u, metric.under_amount, metric.under) for u in b.under(metric.under)]
        seen: set[int] = set()
        for unit, amount, ref in pairs:
            if unit.id in seen:
                b.problem(ref.line, ref.col, f"{unit.name} appears twice in {metric.code}")
                continue
            seen.add(unit.id)
            baseline = metric.baselines.get(ref.text, metric.default_baseline)
            rows.append({"seq": seq, "unit_id": unit.id, "kind": metric.kind,
                         "indicator": metric.code, "amount": amount, "baseline": baseline,
                         "by": metric.by.isoformat(),
                         "milestones": [[d.isoformat(), s] for d, s in metric.milestones]})
        for name in metric.baselines:
            if not any(ref.text == name for _, _, ref in pairs):
                line, col = metric.field_pos.get("baseline", (metric.line, metric.col))
                b.problem(line, col, f"baseline for '{name}', which has no target in {metric.code}")
        _check_sums(b, metric, definition, pairs)
    if b.problems:
        raise InputProblems(b.problems)

    new_hash = digest(doc.document)
    old = db.get(conn, doc.id)
    if old and old["content_hash"] == new_hash and not created:
        return Outcome(doc.id, "unchanged", warnings=b.warnings)
    old_lines = _describe_targets(conn, db.targets(conn, doc.id)) if old else set()
    for definition in indicators.values():
        db.save_indicator(conn, definition)
    if old:
        db.delete(conn, doc.id)
    db.insert(conn, {"id": doc.id, "title": doc.title, "reference": doc.reference,
                     "issued_by": doc.issued_by, "criteria_set": doc.criteria_set,
                     "start": doc.start.isoformat(), "end": doc.end.isoformat(),
                     "report_every": doc.report_every, "note": doc.note,
                     "document": doc.document, "content_hash": new_hash, "source": source})
    db.insert_targets(conn, doc.id, rows)
    new_lines = _describe_targets(conn, db.targets(conn, doc.id))
    changes = [f"+ {line}" for line in sorted(new_lines - old_lines)] + \
              [f"- {line}" for line in sorted(old_lines - new_lines)]
    if old and old_lines == new_lines:
        changes.append("~ plan details (title, dates, reference or notes)")
    return Outcome(doc.id, "replaced" if old else "added", changes, b.warnings, created)


def _indicator(b: _Binder, metric: MetricDoc, seen: dict[str, dict]) -> dict | None:
    existing = seen.get(metric.code) or db.indicator(b.conn, metric.code)
    wanted = {"code": metric.code, "name": metric.name, "measure": metric.measure,
              "direction": metric.direction, "rollup": metric.rollup}
    if existing is None:
        if not metric.name:
            b.problem(metric.line, metric.col,
                      f"indicator '{metric.code}' is new to the register: give it a name")
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
        b.problem(line, col, f"indicator '{metric.code}' has {k} '{existing[k]}' in the register, "
                             f"not '{wanted[k]}' (indicators are register-wide)")
        return None
    seen[metric.code] = dict(existing)
    return existing


def _check_sums(b: _Binder, metric: MetricDoc, definition: dict, pairs) -> None:
    """Warn when children's targets do not add up to their parent's, for sum indicators."""
    if definition["rollup"] != "sum" or len(pairs) < 2:
        return
    if b.tree is None:
        b.tree = Tree.load(b.conn)
    amount_of = {u.id: a for u, a, _ in pairs}
    for unit, amount, ref in pairs:
        children = [a for uid, a in amount_of.items()
                    if uid != unit.id and b.tree.units[uid]["parent_id"] == unit.id]
        if children and abs(sum(children) - amount) > 1e-9:
            b.warnings.append(Problem(
                b.source, ref.line, ref.col,
                f"{metric.code}: targets below {unit.name} add up to "
                f"{clean_number(sum(children))}, not its {clean_number(amount)}", warning=True))


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
    return out
