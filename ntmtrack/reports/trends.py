"""Trends: criteria met per commune at the end of each month or quarter (from the one as-of
function), the pace that shows, and the date that pace would reach every criterion.

Periods before a commune's first verdict of the set are unknown (None), not 0: the pace is
fitted only on periods with data. `status` judges a commune against the pace its plan asks
for (from the plan's start to the deadline); the projection extrapolates the commune's own
recent pace. So a commune can be `on_track` (ahead of 80% of the plan's line) and projected
`late` (its last months slower than what remains needs): both are reported, each by its rule.
Pure rules over state.py and status; knows nothing of the CLI or Rich.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..locale import _
from ..model import NtmError, Scope, TrendPoint, TrendRow, UsageError
from . import scope as scoping
from . import state
from . import status as criteria_status

DAYS_PER_MONTH = 365.25 / 12
EVERY = ("month", "quarter")


def period_ends(since: date, as_of: date, every: str) -> list[date]:
    """The last day of each month (or quarter) from `since` on, ending with `as_of` itself."""
    if every not in EVERY:
        raise UsageError(_("--every is month or quarter, not '{every}'").format(every=every))
    if since >= as_of:
        raise NtmError(_("--since {isoformat} is not before {isoformat2}").format(isoformat=since.isoformat(), isoformat2=as_of.isoformat()))
    step = 1 if every == "month" else 3
    year, month = since.year, since.month
    if every == "quarter":
        month = ((month - 1) // 3) * 3 + 3  # the quarter's last month
    ends = []
    while True:
        end = date(year, month, calendar.monthrange(year, month)[1])
        if end >= as_of:
            break
        if end >= since:
            ends.append(end)
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return ends + [as_of]


def pace_per_month(points: list[tuple[date, int]]) -> float | None:
    """Least-squares slope of criteria met against time, in criteria per month."""
    if len(points) < 2:
        return None
    xs = [(d - points[0][0]).days / DAYS_PER_MONTH for d, _unused in points]
    ys = [v for _unused, v in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread


# A pace that needs longer than this to reach every criterion is no pace at all.
HORIZON_DAYS = 100 * 365


def project(met: int, total: int, pace: float | None, as_of: date, target: str | None
            ) -> tuple[str | None, str]:
    """(projected date for meeting all criteria, projection): done | on_time | late |
    stalled (no progress to project from, or more than a hundred years of it) | no_target."""
    if met >= total:
        return None, "done"
    if not pace or pace <= 0:
        return None, "stalled"
    days = (total - met) / pace * DAYS_PER_MONTH
    if days > HORIZON_DAYS:
        return None, "stalled"
    when = as_of + timedelta(days=round(days))
    if not target:
        return when.isoformat(), "no_target"
    return when.isoformat(), "on_time" if when.isoformat() <= target else "late"


def trend(conn, scope: Scope, since: date, every: str, status=None) -> tuple[list[TrendRow], list[date]]:
    """One row per commune of `status` for the scope: its series, pace, projected date and
    target date. `status`: the caller's (rows, totals) for the same scope, when it has one."""
    ends = period_ends(since, scope.as_of, every)
    rows, totals = status or criteria_status.status(conn, scope)
    code = totals.criteria_set
    unit_ids = [r.unit_id for r in rows]
    scoped = scoping.reading(scope, unit_ids)
    met = state.met_series(conn, code, ends, scoped)
    unknown = (None,) * len(ends)
    days = [d.isoformat() for d in ends]
    # Communes with the same series share its points and its pace (most do: a series is a
    # dozen small counts), so each distinct series is fitted once.
    fitted: dict[tuple, tuple[tuple[TrendPoint, ...], float | None]] = {}
    out = []
    for r in rows:
        values = met.get(r.unit_id, unknown)
        found = fitted.get(values)
        if found is None:
            pace = pace_per_month([(d, v) for d, v in zip(ends, values) if v is not None])
            found = fitted[values] = (tuple(TrendPoint(d, v) for d, v in zip(days, values)), pace)
        points, pace = found
        projected, projection = project(r.criteria_met, r.criteria_total, pace, scope.as_of,
                                        r.target_date)
        out.append(TrendRow(
            unit=r.unit, unit_path=r.unit_path, criteria_set=code, criteria_total=r.criteria_total,
            criteria_met=r.criteria_met,
            pace_per_month=round(pace, 3) if pace is not None else None,
            projected_date=projected, target_date=r.target_date, projection=projection,
            series=points, unit_id=r.unit_id, label=r.label))
    return out, ends


def average_series(rows: list[TrendRow]) -> list[tuple[str, float | None]]:
    """The average criteria met per commune with data at each period end (charts, groups)."""
    if not rows:
        return []
    out = []
    for i, point in enumerate(rows[0].series):
        known = [r.series[i].criteria_met for r in rows if r.series[i].criteria_met is not None]
        out.append((point.date, round(sum(known) / len(known), 2) if known else None))
    return out
