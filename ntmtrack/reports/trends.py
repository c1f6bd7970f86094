"""Trends: criteria met per commune at the end of each month or quarter (from the one as-of
function), the pace that shows, and the date that pace would reach every criterion.

Pure rules over state.py and reports.status; knows nothing of the CLI or Rich.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..model import NtmError, UsageError
from . import state
from . import status as reports

DAYS_PER_MONTH = 365.25 / 12
EVERY = ("month", "quarter")


def period_ends(since: date, as_of: date, every: str) -> list[date]:
    """The last day of each month (or quarter) from `since` on, ending with `as_of` itself."""
    if every not in EVERY:
        raise UsageError(f"--every is month or quarter, not '{every}'")
    if since >= as_of:
        raise NtmError(f"--since {since.isoformat()} is not before {as_of.isoformat()}")
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
    xs = [(d - points[0][0]).days / DAYS_PER_MONTH for d, _ in points]
    ys = [v for _, v in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread


def project(met: int, total: int, pace: float | None, as_of: date, target: str | None
            ) -> tuple[str | None, str]:
    """(projected date for meeting all criteria, projection): done | on_time | late |
    stalled (no progress to project from) | no_target."""
    if met >= total:
        return None, "done"
    if not pace or pace <= 0:
        return None, "stalled"
    when = as_of + timedelta(days=round((total - met) / pace * DAYS_PER_MONTH))
    if not target:
        return when.isoformat(), "no_target"
    return when.isoformat(), "on_time" if when.isoformat() <= target else "late"


def trend(conn, as_of: date, since: date, every: str, under_id: int | None,
          plan_id: str | None, set_code: str | None, status: tuple[list[dict], dict] | None = None
          ) -> tuple[list[dict], list[date]]:
    """One row per commune: its series, pace, projected date and target date. `status`: the
    caller's `reports.status` for the same day and scope, when it has one already."""
    ends = period_ends(since, as_of, every)
    rows, totals = status or reports.status(conn, as_of, under_id, plan_id, set_code)
    code = totals["criteria_set"]
    unit_ids = [r["_unit_id"] for r in rows]
    scoped = unit_ids if under_id else None
    series: dict[int, list[int]] = {u: [] for u in unit_ids}
    for end in ends:
        verdicts = state.criteria(conn, end, code, scoped)
        for u in unit_ids:
            series[u].append(len(state.met_numbers(verdicts, u, code)))
    out = []
    for r in rows:
        points = list(zip(ends, series[r["_unit_id"]]))
        pace = pace_per_month(points)
        projected, projection = project(r["criteria_met"], r["criteria_total"], pace, as_of,
                                        r["target_date"])
        out.append({
            "unit": r["unit"], "unit_path": r["unit_path"], "criteria_set": code,
            "criteria_total": r["criteria_total"],
            "series": [{"date": d.isoformat(), "criteria_met": v} for d, v in points],
            "criteria_met": r["criteria_met"],
            "pace_per_month": round(pace, 3) if pace is not None else None,
            "projected_date": projected, "target_date": r["target_date"],
            "projection": projection, "_unit_id": r["_unit_id"],
        })
    return out, ends


def average_series(rows: list[dict]) -> list[tuple[str, float]]:
    """The average criteria met per commune at each period end (for charts and groups)."""
    if not rows:
        return []
    n = len(rows)
    return [(point["date"], round(sum(r["series"][i]["criteria_met"] for r in rows) / n, 2))
            for i, point in enumerate(rows[0]["series"])]
