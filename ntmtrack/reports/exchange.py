"""What the register knows of other registers: conflicting verdicts and content (`exchange
conflicts`), and who has reported (`exchange status`). Pure functions of the register and the
day; never print.
"""

from __future__ import annotations

from datetime import date

from ..register.tree import Tree
from ..store import exchange as db
from ..store import plans as plan_store
from .laggards import last_period

CONFLICT_KEYS = ["type", "unit", "unit_path", "criteria_set", "criterion", "date", "verdict_a",
                 "origin_a", "verdict_b", "origin_b", "key", "content_hash"]
STATUS_KEYS = ["origin", "units", "top_units", "packets", "last_file", "last_imported", "newest_date",
               "report_every", "period_start", "period_end", "late"]


def conflicts(conn, under_id: int | None) -> list[dict]:
    """Each pair of contradicting verdicts from two origins (same unit, criterion and day; both
    kept, the state follows the tie-break), then each plan, criteria set or indicator a second
    origin sent with other content (the first kept)."""
    tree = Tree.load(conn)
    allowed = None if under_id is None else [under_id, *tree.descendants(under_id)]
    rows = []
    for unit_id, set_code, number, day, kind_a, origin_a, _, kind_b, origin_b, _ in db.verdict_conflicts(conn, allowed):
        rows.append({"type": "verdict", "unit": tree.units[unit_id]["name"], "unit_path": tree.path(unit_id),
                     "criteria_set": set_code, "criterion": number, "date": day, "verdict_a": kind_a,
                     "origin_a": origin_a, "verdict_b": kind_b, "origin_b": origin_b, "key": None,
                     "content_hash": None})
    # Under a unit: the plans with targets there; criteria sets and indicators are everyone's.
    plans = None if allowed is None else set(db.plans_touching(conn, allowed))
    for kind, key, origin, digest, _packet, found_at in db.other_conflicts(conn):
        if kind == "plan" and plans is not None and key not in plans:
            continue
        rows.append({"type": kind, "unit": None, "unit_path": None, "criteria_set": None,
                     "criterion": None, "date": found_at[:10], "verdict_a": "kept",
                     "origin_a": None, "verdict_b": "not kept", "origin_b": origin, "key": key,
                     "content_hash": digest})
    return rows


def status(conn, as_of: date) -> list[dict]:
    """Per origin that sent packets: the units its packets cover, its last packet, the newest
    observation date it carried, and whether it is late: a plan with `report_every` has targets
    on its units and no packet of it arrived in the last reporting period closed by `as_of`."""
    tree = Tree.load(conn)
    covered = db.origin_units(conn)
    received: dict[str, list[str]] = {}
    for origin, day, _newest in db.packets_received(conn):
        received.setdefault(origin, []).append(day)
    plans = [p for p in (plan_store.get(conn, pid) for pid in plan_store.ids(conn)) if p["report_every"]]
    targets = {p["id"]: {t["unit_id"] for t in plan_store.targets(conn, p["id"])} for p in plans}
    rows = []
    for origin, packets, last_imported, _made, newest, last_file in db.origins(conn):
        units = covered.get(origin, [])
        family = set(units)
        top = [u for u in units if tree.units[u]["parent_id"] not in family]
        report_every = period = None
        late = False
        for plan in plans:
            if not targets[plan["id"]] & family:
                continue
            span = last_period(plan["report_every"], as_of)
            if not span or span[1] < date.fromisoformat(plan["start"]) or span[0] > date.fromisoformat(plan["end"]):
                continue
            arrived = any(span[0].isoformat() <= day <= span[1].isoformat() for day in received.get(origin, ()))
            if period is None or span[1] > period[1] or not arrived:
                report_every, period = plan["report_every"], span
            late = late or not arrived
        rows.append({"origin": origin, "units": len(units),
                     "top_units": "; ".join(sorted(tree.path(u) for u in top)),
                     "packets": packets, "last_file": last_file, "last_imported": last_imported,
                     "newest_date": newest, "report_every": report_every,
                     "period_start": period[0].isoformat() if period else None,
                     "period_end": period[1].isoformat() if period else None, "late": late})
    return rows
