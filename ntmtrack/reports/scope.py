"""What a report covers, decided once for every report: the communes, the criteria set, the
plans and targets judged, and names that tell units apart.

Every report (status, stats, progress, laggards, trends, summary, and through them the
workbook and the HTML report) asks these functions, so two outputs of one Scope cover the
same units with the same set and the same targets.
"""

from __future__ import annotations

from ..locale import _
from ..model import COMMUNE_KINDS, NtmError, Scope
from ..read.names import distinct_names
from ..register import criteria as criteria_sets
from ..register import periods
from ..register.tree import Tree
from ..register.units import active_on
from ..store import plans as store_plans


def communes(conn, tree: Tree, scope: Scope) -> list[int]:
    """Communes, towns and wards active on the day, at or below the unit reported under, and
    (with a plan) those the plan gives a target; in Vietnamese order."""
    under = scope.under_id
    ids = tree.descendants(under) + [under] if under else list(tree.units)
    ids = [u for u in ids if u in tree.units and tree.units[u]["kind"] in COMMUNE_KINDS
           and active_on(tree.units[u]["active_until"], scope.as_of)]
    if scope.plan_id:
        in_plan = {t["unit_id"] for t in store_plans.targets(conn, scope.plan_id, ids if under else None)}
        ids = [u for u in ids if u in in_plan]
    return sorted(ids, key=lambda u: tree.units[u]["sort_key"])


def units(conn, tree: Tree, scope: Scope) -> set[int] | None:
    """Every unit a report may show (communes, villages, the levels above): those at or below
    the unit reported under and, with a plan, the plan's units and those below them; None for
    the whole register."""
    allowed = set(tree.descendants(scope.under_id)) | {scope.under_id} if scope.under_id else None
    if scope.plan_id:
        planned = {t["unit_id"] for t in store_plans.targets(conn, scope.plan_id) if t["unit_id"] in tree.units}
        planned |= {d for u in planned for d in tree.descendants(u)}
        allowed = planned if allowed is None else allowed & planned
    return allowed


def reading(scope: Scope, unit_ids: list[int]) -> list[int] | None:
    """The communes whose state a report reads: those in scope when --under or --plan narrow
    them (a campaign's 8 communes need not read the nation's), None — everything in one pass,
    cheaper than a list of 10,000 — for the whole register."""
    return unit_ids if scope.under_id or scope.plan_id else None


def criteria_set(conn, scope: Scope, unit_ids: list[int]) -> str:
    """The set a report on these communes uses (criteria_sets.applicable): --set, the plan's,
    the one set of the plans in force covering them, else the set in force on the day. A
    report on the whole register (no --under) asks only --set and --plan."""
    return criteria_sets.applicable(conn, scope.as_of, scope.set_code, scope.plan_id,
                                    unit_ids if scope.under_id else None)


def plans(conn, scope: Scope) -> list[dict]:
    """The plans a report judges: the named plan (an error if unknown), else every plan in
    force on the day."""
    if scope.plan_id:
        plan = store_plans.get(conn, scope.plan_id)
        if plan is None:
            raise NtmError(_("no plan '{plan_id}'; known plans: {value}").format(plan_id=scope.plan_id, value=', '.join(store_plans.ids(conn)) or 'none'))
        return [plan]
    out = []
    for pid in store_plans.ids(conn):
        plan = store_plans.get(conn, pid)
        if periods.in_force(plan["start"], plan["end"], store_plans.last_deadline(conn, pid), scope.as_of):
            out.append(plan)
    return out


def targets(conn, scope: Scope, tree: Tree, plan: dict, criteria_set: str | None = None) -> list[dict]:
    """The plan's targets on units active on the day, at or below the unit reported under
    (with `criteria_set`, only its criteria targets of that set)."""
    under = scope.under_id
    allowed = set(tree.descendants(under)) | {under} if under else None
    # Under a district, its own targets only: the national plan has one per commune.
    read = sorted(allowed) if allowed is not None else None
    return [t for t in store_plans.targets(conn, plan["id"], read, criteria_set)
            if (allowed is None or t["unit_id"] in allowed) and t["unit_id"] in tree.units
            and active_on(tree.units[t["unit_id"]]["active_until"], scope.as_of)]


def labels(tree: Tree, unit_ids) -> dict[int, str]:
    """{unit_id: the name to show} (read.names.distinct_names over the units' paths)."""
    return named(tree, unit_ids)[1]


def named(tree: Tree, unit_ids) -> tuple[dict[int, str], dict[int, str]]:
    """({unit_id: its path}, {unit_id: the name to show}): each path walked once."""
    paths: dict[int, str] = {}
    above: dict[int | None, str] = {}   # siblings share their parent's path: walked once
    units = tree.units
    for u in unit_ids:
        if u in paths:
            continue
        parent = units[u]["parent_id"]
        if parent is None:
            paths[u] = units[u]["name"]
            continue
        head = above.get(parent)
        if head is None:
            head = above[parent] = tree.path(parent)
        paths[u] = f"{head}/{units[u]['name']}"
    shown = distinct_names(paths.values())
    return paths, {u: shown[p] for u, p in paths.items()}


def needs_villages(conn, plans: list[dict], under: int | None = None) -> bool:
    """Whether judging these plans needs the units below communes in the tree: a target on
    one (at or below `under`, the unit reported under), an indicator target (values roll up
    from villages), or money (funds: sections). Without them a national tree is 13,000 units
    instead of 93,000."""
    return store_plans.reach_below_communes(conn, [p["id"] for p in plans], under)
