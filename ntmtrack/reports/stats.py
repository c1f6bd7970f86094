"""Criteria statistics: per criterion, the communes in scope meeting it, hardest first.

The communes and the set are status's (scope.py): `--plan` and `--under` scope these too.
"""

from __future__ import annotations

from ..model import CriterionStat, Scope
from ..register import criteria as criteria_sets
from ..register.tree import Tree
from ..store import observations as store_obs
from . import scope as scoping


def criteria_stats(conn, scope: Scope, tree: Tree | None = None) -> list[CriterionStat]:
    tree = tree or Tree.load(conn, scope.under_id, villages=False)
    unit_ids = scoping.communes(conn, tree, scope)
    code = scoping.criteria_set(conn, scope, unit_ids)
    cs = criteria_sets.get(conn, code)
    # The verdicts of state.criteria, counted as they come: one pass, no per-commune sets.
    in_scope = set(unit_ids)
    counts: dict[int, int] = {}
    for unit_id, _code, number, kind, _on in store_obs.criteria_verdicts(
            conn, scope.as_of.isoformat(), code, scoping.reading(scope, unit_ids)):
        if kind == "met" and unit_id in in_scope:
            counts[number] = counts.get(number, 0) + 1
    rows = []
    for c in cs.criteria:
        met = counts.get(c.number, 0)
        rows.append(CriterionStat(code, c.number, c.name_vi, c.name_en, met, len(unit_ids),
                                  round(met / len(unit_ids), 4) if unit_ids else None))
    rows.sort(key=lambda r: (r.units_met, r.criterion))
    return rows
