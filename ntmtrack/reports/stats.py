"""Criteria statistics: per criterion, the communes in scope meeting it, hardest first.

The communes and the set are status's (scope.py): `--plan` and `--under` scope these too.
"""

from __future__ import annotations

from collections import Counter

from ..model import CriterionStat, Scope
from ..register import criteria as criteria_sets
from ..register.tree import Tree
from . import scope as scoping
from . import state


def criteria_stats(conn, scope: Scope, tree: Tree | None = None) -> list[CriterionStat]:
    tree = tree or Tree.load(conn, scope.under_id, villages=False)
    unit_ids = scoping.communes(conn, tree, scope)
    code = scoping.criteria_set(conn, scope, unit_ids)
    cs = criteria_sets.get(conn, code)
    # The criteria each commune meets, as status reads them (state.met_sets), counted per
    # criterion: communes meeting the same criteria share one set, counted once with its weight.
    met = state.met_sets(conn, scope.as_of, code, scoping.reading(scope, unit_ids))
    alike = Counter(met[u] for u in unit_ids if u in met)
    counts: Counter[int] = Counter()
    for numbers, communes in alike.items():
        for number in numbers:
            counts[number] += communes
    rows = []
    for c in cs.criteria:
        met = counts.get(c.number, 0)
        rows.append(CriterionStat(code, c.number, c.name_vi, c.name_en, met, len(unit_ids),
                                  round(met / len(unit_ids), 4) if unit_ids else None))
    rows.sort(key=lambda r: (r.units_met, r.criterion))
    return rows
