"""Titles: which recognition a unit holds after its decisions (recognitions, revocations)."""

from __future__ import annotations

from ..locale import _
from ..model import LEVEL_RANK, NtmError
from ..store import observations as db


def held_titles(events) -> list[dict]:
    """The titles a unit holds after its decisions, (kind, level, criteria_set, decision, date)
    in date order: a recognition grants its level; a revocation withdraws its level and every
    level above it (an advanced or model title rests on the NTM one). Lowest level first."""
    held: dict[str, dict] = {}
    for kind, level, code, decision, on in events:
        if kind == "recognized":
            held[level] = {"level": level, "criteria_set": code, "decision": decision, "date": on}
        else:
            for other in [x for x in held if x == level or LEVEL_RANK[x] > LEVEL_RANK[level]]:
                del held[other]
    return sorted(held.values(), key=lambda t: (LEVEL_RANK[t["level"]], t["date"]))


def holds(title: dict | None, level: str, set_code: str) -> dict | None:
    """The title a unit holds at `level` under `set_code` (from reports/state.recognitions),
    or None: a road to a level under one set ends with a title at that level under that set."""
    for t in (title or {}).get("titles", ()):
        if t["level"] == level and t["criteria_set"] == set_code:
            return t
    return None


def check_revocable(conn, unit, level: str, on: str, label: str) -> None:
    """A revocation must withdraw a title the unit holds on its date."""
    events = [e[1:] for e in db.title_events(conn, on, [unit.id])]
    if not any(t["level"] == level for t in held_titles(events)):
        raise NtmError(_("{name} holds no {label} title on {on}: nothing to revoke").format(name=unit.name, label=label, on=on))
