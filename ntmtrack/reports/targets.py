"""The one answer to "what state is this target in": criteria targets and indicator targets,
in either direction, against the expected value (pace.py) and the behind threshold.

Progress is measured from the baseline toward the goal in the target's direction. A unit at
or beyond its goal is `done` while it stays there, whatever the baseline; one that moved away
from its goal has negative progress and is `behind` (`overdue` after the deadline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..model import DEFAULT_THRESHOLD
from . import pace

_EPSILON = 1e-9


@dataclass(frozen=True)
class Progress:
    """Where one target stands on the day."""

    baseline: float
    actual: float | None
    goal: float
    expected: float
    deadline: str
    state: str          # done | on_track | behind | overdue
    share: float        # progress from the baseline toward the goal, 1.0 = reached


def reached(value: float, goal: float, direction: str = "up") -> bool:
    """At or beyond the goal in the target's direction (up: at least; down: at most)."""
    sign = -1 if direction == "down" else 1
    return sign * (value - goal) >= -_EPSILON


def share_of_target(value: float, baseline: float, goal: float, direction: str = "up") -> float:
    """How far `value` has come from the baseline toward the goal, in the target's
    direction: 1.0 = reached; negative when it moved away. A unit at or beyond its goal has
    at least 1.0 whatever the baseline."""
    sign = -1 if direction == "down" else 1
    if reached(value, goal, direction):
        span = sign * (goal - baseline)
        return max(1.0, sign * (value - baseline) / span) if span > _EPSILON else 1.0
    span = abs(goal - baseline)
    if span <= _EPSILON:
        return 0.0
    return sign * (value - baseline) / span


def judge(actual: float | None, baseline: float, goal: float, expected: float, deadline: date,
          as_of: date, direction: str = "up", threshold: float = DEFAULT_THRESHOLD) -> str:
    """done | overdue | behind | on_track.

    done: at or beyond the goal. overdue: the deadline passed short of it. behind: moved away
    from the goal, or progress since the baseline below `threshold` × the progress expected
    by now. A unit with no value yet is judged at its baseline."""
    sign = -1 if direction == "down" else 1
    value = baseline if actual is None else actual
    if reached(value, goal, direction):
        return "done"
    if as_of > deadline:
        return "overdue"
    made = sign * (value - baseline)
    due = sign * (expected - baseline)
    if made < -_EPSILON:
        return "behind"
    if due > 0 and made < threshold * due - _EPSILON:
        return "behind"
    return "on_track"


def criteria(wanted: list[int], met_now: set[int], met_at_start: set[int], recognized: bool,
             plan_start: date, deadline: str, as_of: date,
             threshold: float = DEFAULT_THRESHOLD) -> Progress:
    """A criteria target: the count of its criteria met, from those met on the plan's start.
    A unit recognised under the target's set has met it."""
    wanted_set = set(wanted)
    goal = len(wanted_set)
    actual = goal if recognized else len(met_now & wanted_set)
    baseline = len(met_at_start & wanted_set)
    due = date.fromisoformat(deadline)
    expected = pace.expected(plan_start, baseline, due, goal, as_of)
    state = judge(actual, baseline, goal, expected, due, as_of, "up", threshold)
    return Progress(baseline, actual, goal, expected, deadline, state,
                    share_of_target(actual, baseline, goal))


def indicator(baseline: float, actual: float | None, goal: float, plan_start: date, deadline: str,
              as_of: date, direction: str, milestones: list[tuple[date, float]] | None = None,
              threshold: float = DEFAULT_THRESHOLD) -> Progress:
    due = date.fromisoformat(deadline)
    expected = pace.expected(plan_start, baseline, due, goal, as_of, milestones)
    state = judge(actual, baseline, goal, expected, due, as_of, direction, threshold)
    value = baseline if actual is None else actual
    return Progress(baseline, actual, goal, expected, deadline, state,
                    share_of_target(value, baseline, goal, direction))


WORST_FIRST = {"overdue": 0, "behind": 1, "on_track": 2, "done": 3}
