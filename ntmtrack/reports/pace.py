"""The one expected-value function: where a target should stand on a given day.

Linear from (start, baseline) to (deadline, goal), through the milestones if any: a
milestone {on: D, share: s} puts the expected value at baseline + s × (goal − baseline) on D.
Before the start the expected value is the baseline; after the deadline, the goal.
Pure arithmetic on dates; imports only the standard library.
"""

from __future__ import annotations

from datetime import date


def expected(start: date, baseline: float, deadline: date, goal: float, on: date,
             milestones: list[tuple[date, float]] | None = None) -> float:
    points = [(start, 0.0)]
    for when, share in sorted(milestones or []):
        if start < when < deadline:
            points.append((when, share))
    points.append((deadline, 1.0))
    if on <= start:
        share = 0.0
    elif on >= deadline:
        share = 1.0
    else:
        share = 1.0
        for (d0, s0), (d1, s1) in zip(points, points[1:]):
            if d0 <= on <= d1:
                span = (d1 - d0).days
                share = s1 if span == 0 else s0 + (s1 - s0) * (on - d0).days / span
                break
    return baseline + share * (goal - baseline)
