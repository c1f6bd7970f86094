"""When a plan is in force: the one rule, for recording (which set applies) and for reports
(which plans and targets are judged)."""

from __future__ import annotations

from datetime import date


def in_force(start: str, end: str, last_deadline: str | None, day: date) -> bool:
    """A plan is in force from its start to its end or its last deadline, whichever is later
    (Thọ Cường's target of 31/12/2019 keeps the 2018 plan in force through 2019)."""
    last = max(end, last_deadline or end)
    return start <= day.isoformat() <= last
