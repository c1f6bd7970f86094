"""The floors of the reports (issue 17, target 1): for `laggards`, `summary`, `progress` and
`criteria stats` on the national benchmark register, the best SQL I could write over the
register's own tables (the state tables `criterion_state` and `indicator_state` included) for
the same answer, and a check that it reproduces the command's numbers.

    python benchmarks/floors_reports.py [--db benchmarks/work/national.db] [--runs 5]

Each `*_floor(info, today)` returns a `Floor`: the statements (run in one process, one after the
other; their time is the floor's SQL), the ntmtrack arguments whose output they answer, and
`check(results, stdout)`, which returns the differences ([] when the SQL and the command agree).
A report's floor is the minimal Typer app's trivial subcommand (run.py MINIMAL_APP) plus
`measure()`. `fold_into_suite()` gives run.py what it needs: (name, ntmtrack arguments, SQL
seconds, differences) per report.

The SQL answers the benchmark register's case, which the checks hold it to: no titles, no
mergers, no dossier steps, no money, one criteria set for the verdicts, today's verdicts all
dated on or before today. It is the lower bound of what a report over these tables can cost,
not a second implementation of the rules.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
NTMTRACK = [sys.executable, "-m", "ntmtrack"]


@dataclass
class Floor:
    name: str
    args: list[str]                     # the ntmtrack command answered
    statements: list[tuple[str, dict]]  # (sql, parameters), run in order
    check: Callable[[list[list[tuple]], str], list[str]]
    notes: list[str] = field(default_factory=list)


# -- pieces shared by the statements -----------------------------------------------------------



def paths(needed: str) -> str:
    """A CTE `paths(id, path)` for the units of the query `needed` (one column of unit ids),
    each walked up to its root."""
    return f"""walk(id, up, path) AS (
    SELECT u.id, u.parent_id, u.name FROM unit u WHERE u.id IN ({needed})
    UNION ALL SELECT w.id, a.parent_id, a.name || '/' || w.path FROM walk w JOIN unit a ON a.id = w.up),
  paths(id, path) AS MATERIALIZED (SELECT id, path FROM walk WHERE up IS NULL)"""

# The criteria targets of plans in force today on active units, with the count of their
# criteria met today (criterion_state) and on the plan's start (the latest live verdict up to
# then: criterion_state when dated by then, else a seek in the verdict index).
IN_FORCE = """
  in_force AS MATERIALIZED (
    SELECT p.id, p.start, p."end", p.report_every FROM plan p
    WHERE p.start <= :today AND :today <= max(p."end", (SELECT max(by) FROM plan_target z WHERE z.plan = p.id)))"""
TARGETS = """
  targets AS (
    SELECT t.id, t.plan, t.unit_id, t.criteria_set, t.criteria, t.by, f.start,
           (SELECT count(DISTINCT w.value) FROM json_each(t.criteria) w) AS goal
    FROM plan_target t JOIN in_force f ON f.id = t.plan JOIN unit u ON u.id = t.unit_id
    WHERE t.kind = 'criteria' AND (u.active_until IS NULL OR u.active_until > :today))"""
CRITERIA_TARGETS = IN_FORCE + "," + TARGETS + """,
  met_now AS (
    SELECT t.id, count(*) AS n FROM targets t JOIN criterion_state s
      ON s.unit_id = t.unit_id AND s.criteria_set = t.criteria_set
    WHERE s.kind = 'met' AND s.date <= :today AND s.criterion IN (SELECT value FROM json_each(t.criteria))
    GROUP BY t.id),
  met_start AS (
    SELECT t.id, count(*) AS n FROM targets t JOIN criterion_state s
      ON s.unit_id = t.unit_id AND s.criteria_set = t.criteria_set
    WHERE s.criterion IN (SELECT value FROM json_each(t.criteria))
      AND CASE WHEN s.date <= t.start THEN s.kind ELSE (
            SELECT x.kind FROM observation x
            WHERE x.criteria_set = s.criteria_set AND x.criterion = s.criterion
              AND x.unit_id = s.unit_id AND x.date <= t.start
              AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
            ORDER BY x.date DESC, x.recorded_at DESC, x.gid DESC LIMIT 1) END = 'met'
    GROUP BY t.id),
  judged AS MATERIALIZED (
    SELECT t.*, coalesce(n.n, 0) AS actual, coalesce(b.n, 0) AS baseline,
           coalesce(b.n, 0) + (t.goal - coalesce(b.n, 0)) * CASE
             WHEN :today <= t.start THEN 0.0 WHEN :today >= t.by THEN 1.0
             ELSE (julianday(:today) - julianday(t.start)) / (julianday(t.by) - julianday(t.start)) END
             AS expected
    FROM targets t LEFT JOIN met_now n ON n.id = t.id LEFT JOIN met_start b ON b.id = t.id),
  criteria_laggards AS (
    SELECT j.*, CASE
        WHEN j.actual >= j.goal THEN 'done'
        WHEN :today > j.by THEN 'overdue'
        WHEN j.actual - j.baseline < 0 THEN 'behind'
        WHEN j.expected - j.baseline > 0
             AND j.actual - j.baseline < :threshold * (j.expected - j.baseline) - 1e-9 THEN 'behind'
        ELSE 'on_track' END AS reason
    FROM judged j)"""

# The units expected to report in the plan's last closed month, and those that did not (no
# live observation of theirs or of a unit below them dated in that month).
NO_REPORT = """
  expected_reporters AS (
    SELECT DISTINCT t.plan, t.unit_id FROM plan_target t JOIN in_force f ON f.id = t.plan
    JOIN unit u ON u.id = t.unit_id
    WHERE f.report_every = 'month' AND (u.active_until IS NULL OR u.active_until > :today)
      AND :period_end >= f.start AND :period_start <= f."end"),
  family(plan, top, id) AS (
    SELECT plan, unit_id, unit_id FROM expected_reporters
    UNION ALL SELECT f.plan, f.top, u.id FROM family f JOIN unit u ON u.parent_id = f.id),
  reported AS (
    SELECT DISTINCT f.plan, f.top FROM family f WHERE EXISTS (
      SELECT 1 FROM observation o WHERE o.unit_id = f.id AND o.date BETWEEN :period_start AND :period_end
        AND o.kind != 'void' AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))),
  missing AS MATERIALIZED (
    SELECT e.plan, e.unit_id FROM expected_reporters e
    WHERE NOT EXISTS (SELECT 1 FROM reported r WHERE r.plan = e.plan AND r.top = e.unit_id))"""


def _last_month(today: date) -> tuple[str, str]:
    last = today.replace(day=1) - timedelta(days=1)
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    if today == following - timedelta(days=1):
        last = today
    return last.replace(day=1).isoformat(), last.isoformat()


def _params(today: date) -> dict:
    start, end = _last_month(today)
    return {"today": today.isoformat(), "threshold": 0.8, "period_start": start, "period_end": end}


LAGGARDS_SQL = f"""WITH RECURSIVE {CRITERIA_TARGETS.strip()},
  {NO_REPORT.strip()},
  shown AS MATERIALIZED (SELECT unit_id FROM criteria_laggards WHERE reason IN ('behind', 'overdue')
                         UNION SELECT unit_id FROM missing),
  {paths("SELECT unit_id FROM shown")}
SELECT p.path, c.plan, c.reason, c.actual, round(c.expected, 4), c.goal, c.by,
       round(CASE WHEN c.reason = 'overdue' THEN c.goal ELSE c.expected END - c.actual, 4),
       CAST(julianday(c.by) - julianday(:today) AS INTEGER), NULL, NULL
FROM criteria_laggards c JOIN paths p ON p.id = c.unit_id WHERE c.reason IN ('behind', 'overdue')
UNION ALL
SELECT p.path, m.plan, 'no_report', NULL, NULL, NULL, :period_end, NULL,
       CAST(julianday(:period_end) - julianday(:today) AS INTEGER), :period_start, :period_end
FROM missing m JOIN paths p ON p.id = m.unit_id"""


def _num(text: str):
    if text in ("", None):
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-6
    return a == b


def _compare(name: str, sql_rows: dict, command_rows: dict) -> list[str]:
    out = []
    for key in sorted(set(sql_rows) | set(command_rows), key=str):
        a, b = sql_rows.get(key), command_rows.get(key)
        if a is None or b is None or len(a) != len(b) or not all(_same(x, y) for x, y in zip(a, b)):
            out.append(f"{name} {key}: SQL {a} / ntmtrack {b}")
    return out


def _laggard_key_rows(rows) -> dict:
    """{(unit_path, plan, reason, deadline): (actual, expected, goal, shortfall, days_left)}."""
    return {(r[0], r[1], r[2], r[6]): tuple(r[i] for i in (3, 4, 5, 7, 8)) for r in rows}


def laggards_floor(info: dict, today: date) -> Floor:
    def check(results, stdout):
        command = {}
        for r in csv.DictReader(io.StringIO(stdout)):
            if r["reason"] not in ("behind", "overdue", "no_report"):
                return [f"laggards: a reason the floor does not compute: {r['reason']}"]
            command[(r["unit_path"], r["plan"], r["reason"], r["deadline"])] = tuple(
                _num(r[k]) for k in ("actual", "expected", "goal", "shortfall", "days_left"))
        return _compare("laggards", _laggard_key_rows(results[0]), command)

    return Floor("laggards national", ["laggards", "-f", "csv"], [(LAGGARDS_SQL, _params(today))], check)


def criteria_stats_floor(info: dict, today: date) -> Floor:
    sql = """
        WITH communes AS (SELECT id FROM unit WHERE kind IN ('commune', 'town', 'ward')
                          AND (active_until IS NULL OR active_until > :today))
        SELECT c.number, (SELECT count(*) FROM criterion_state s
                          WHERE s.criteria_set = :set AND s.criterion = c.number AND s.kind = 'met'
                            AND s.date <= :today AND s.unit_id IN communes),
               (SELECT count(*) FROM communes)
        FROM criterion c WHERE c.criteria_set = :set"""

    def check(results, stdout):
        command = {int(r["criterion"]): (int(r["units_met"]), int(r["units_total"]))
                   for r in csv.DictReader(io.StringIO(stdout))}
        return _compare("criteria stats", {n: (m, t) for n, m, t in results[0]}, command)

    return Floor("criteria stats national", ["criteria", "stats", "-f", "csv"],
                 [(sql, {"today": today.isoformat(), "set": "qd51-2025"})], check)


def progress_floor(info: dict, today: date) -> Floor:
    """Every indicator target of the plan (village level targets here) with its baseline (the
    value on the plan's start: the last level set up to then plus the increases after it),
    its value today (indicator_state), the expected value and state, and the roll-up rows of
    every unit above them (sum or mean of the targets below, as the indicator says)."""
    sql = f"""
    WITH RECURSIVE
      plan_ AS (SELECT id, start FROM plan WHERE id = :plan),
      targets AS MATERIALIZED (
        SELECT t.unit_id, t.indicator, t.amount AS goal, t.by, p.start,
               CASE WHEN i.direction = 'down' THEN -1 ELSE 1 END AS sign, i.rollup
        FROM plan_target t JOIN plan_ p ON p.id = t.plan JOIN indicator i ON i.code = t.indicator
        WHERE t.kind != 'criteria'),
      own AS (
        SELECT unit_id, indicator, goal, by, start, sign, rollup,
               total(CASE WHEN c = 0 OR (c = 1 AND kind = 'set') THEN value END) AS baseline,
               (SELECT s.value FROM indicator_state s WHERE s.indicator = w.indicator
                  AND s.unit_id = w.unit_id AND s.date <= :today) AS actual
        FROM (SELECT t.*, o.kind, o.value,
                     sum(o.kind = 'set') OVER (PARTITION BY t.indicator, t.unit_id
                        ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC ROWS UNBOUNDED PRECEDING) AS c
              FROM targets t LEFT JOIN observation o ON o.indicator = t.indicator AND o.unit_id = t.unit_id
                AND o.date <= t.start AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)) w
        GROUP BY indicator, unit_id),
      paced AS (
        SELECT o.*, o.baseline + (o.goal - o.baseline) * CASE
                 WHEN :today <= o.start THEN 0.0 WHEN :today >= o.by THEN 1.0
                 ELSE (julianday(:today) - julianday(o.start)) / (julianday(o.by) - julianday(o.start)) END
                 AS expected
        FROM own o),
      own_ AS MATERIALIZED (SELECT * FROM paced),
      up(indicator, above, goal, by, start, sign, rollup, baseline, actual, expected) AS (
        SELECT o.indicator, u.parent_id, o.goal, o.by, o.start, o.sign, o.rollup, o.baseline,
               coalesce(o.actual, o.baseline), o.expected
        FROM own_ o JOIN unit u ON u.id = o.unit_id WHERE u.parent_id IS NOT NULL AND o.rollup != 'none'
        UNION ALL SELECT up.indicator, u.parent_id, up.goal, up.by, up.start, up.sign, up.rollup, up.baseline,
               up.actual, up.expected
        FROM up JOIN unit u ON u.id = up.above WHERE u.parent_id IS NOT NULL),
      rolled AS (
        SELECT above AS unit_id, indicator,
               CASE WHEN rollup = 'mean' THEN avg(goal) ELSE sum(goal) END AS goal, max(by) AS by,
               start, sign, rollup,
               CASE WHEN rollup = 'mean' THEN avg(baseline) ELSE sum(baseline) END AS baseline,
               CASE WHEN rollup = 'mean' THEN avg(actual) ELSE sum(actual) END AS actual,
               CASE WHEN rollup = 'mean' THEN avg(expected) ELSE sum(expected) END AS expected
        FROM up GROUP BY above, indicator),
      rows_ AS MATERIALIZED (
        SELECT unit_id, indicator, goal, by, start, sign, baseline, actual, expected, 0 AS rollup FROM own_
        UNION ALL
        SELECT unit_id, indicator, goal, by, start, sign, baseline, actual, expected, 1 FROM rolled),
      {paths("SELECT DISTINCT unit_id FROM rows_")}
    SELECT p.path, r.indicator, round(r.baseline, 4), round(r.actual, 4), round(r.goal, 4),
           (100.0 * CASE
             WHEN r.sign * (coalesce(r.actual, r.baseline) - r.goal) >= -1e-9 THEN
               CASE WHEN r.sign * (r.goal - r.baseline) > 1e-9
                    THEN max(1.0, r.sign * (coalesce(r.actual, r.baseline) - r.baseline) / (r.sign * (r.goal - r.baseline)))
                    ELSE 1.0 END
             WHEN abs(r.goal - r.baseline) <= 1e-9 THEN 0.0
             ELSE r.sign * (coalesce(r.actual, r.baseline) - r.baseline) / abs(r.goal - r.baseline) END),
           round(r.expected, 4), r.by,
           CASE WHEN r.sign * (coalesce(r.actual, r.baseline) - r.goal) >= -1e-9 THEN 'done'
                WHEN :today > r.by THEN 'overdue'
                WHEN r.sign * (coalesce(r.actual, r.baseline) - r.baseline) < -1e-9 THEN 'behind'
                WHEN r.sign * (r.expected - r.baseline) > 0 AND r.sign * (coalesce(r.actual, r.baseline) - r.baseline)
                     < 0.8 * r.sign * (r.expected - r.baseline) - 1e-9 THEN 'behind'
                ELSE 'on_track' END,
           r.rollup
    FROM rows_ r JOIN paths p ON p.id = r.unit_id"""

    def check(results, stdout):
        sql_rows = {(r[0], r[1]): (r[2], r[3], r[4], round(r[5], 4), r[6], r[7], r[8], bool(r[9]))
                    for r in results[0]}
        command = {}
        for r in csv.DictReader(io.StringIO(stdout)):
            command[(r["unit_path"], r["indicator"])] = (
                _num(r["baseline"]), _num(r["actual"]), _num(r["goal"]), _num(r["percent_of_target"]),
                _num(r["expected"]), r["deadline"], r["state"], r["rollup"] == "true")
        return _compare("progress", sql_rows, command)

    plan = info["campaign_plan"]
    return Floor(f"progress {plan}", ["progress", plan, "-f", "csv"],
                 [(sql, {"today": today.isoformat(), "plan": plan})], check)


def summary_floor(info: dict, today: date) -> Floor:
    """The digest's sections over the week before today: the laggards (LAGGARDS_SQL), the
    targets due in the next 30 days, criteria verdicts and indicator values observed in the
    week (the only ones that can have changed), recognitions and dossier steps of the week."""
    since = (today - timedelta(days=7)).isoformat()
    params = {**_params(today), "since": since, "horizon": (today + timedelta(days=30)).isoformat()}
    due = f"""WITH RECURSIVE {IN_FORCE.strip()}, {TARGETS.strip()},
        soon AS MATERIALIZED (SELECT unit_id, plan, by FROM targets WHERE by > :today AND by <= :horizon),
        {paths("SELECT unit_id FROM soon")}
        SELECT p.path, t.plan, t.by FROM soon t JOIN paths p ON p.id = t.unit_id"""
    reporters = f"""WITH RECURSIVE {IN_FORCE.strip()}, {NO_REPORT.strip().split(', family(')[0].split('family(plan')[0].rstrip().rstrip(',')}
        SELECT count(*) FROM expected_reporters"""
    week = """SELECT o.kind, count(*) FROM observation o INDEXED BY observation_unit
              WHERE o.date > :since AND o.date <= :today GROUP BY o.kind"""

    def check(results, stdout):
        data = json.loads(stdout)
        lag, due_rows, (expected,), observed = results[0], results[1], results[2][0], results[3]
        missed = [r for r in lag if r[2] == "no_report"]
        share = round(1 - len(missed) / expected, 4) if expected else None
        out = []
        for key, value in (("laggard_count", len({r[0] for r in lag})), ("missed_reports", len(missed)),
                           ("due_soon", len(due_rows)), ("reported_on_time_share", share)):
            shown = data[key]
            shown = len(shown) if isinstance(shown, list) else shown
            if shown != value:
                out.append(f"summary {key}: SQL {value} / ntmtrack {shown}")
        week_sections = ("newly_met", "newly_lost", "indicator_gains", "recognitions", "dossier_steps")
        if observed:
            out.append(f"summary: the floor does not judge a week with observations ({observed})")
        elif any(data[k] for k in week_sections):
            out.append("summary: changes shown for a week without observations")
        return out

    return Floor("summary national", ["summary", "-f", "json"],
                 [(LAGGARDS_SQL, params), (due, params), (reporters, params), (week, params)], check,
                 ["the week's sections are empty on the benchmark register (nothing observed in it)"])


def floors(info: dict, today: date | None = None) -> list[Floor]:
    today = today or date.today()
    return [laggards_floor(info, today), summary_floor(info, today), progress_floor(info, today),
            criteria_stats_floor(info, today)]


def run_statements(conn, floor: Floor) -> list[list[tuple]]:
    return [conn.execute(sql, {k: v for k, v in params.items() if f":{k}" in sql}).fetchall()
            for sql, params in floor.statements]


def measure(db: Path, floor: Floor, runs: int = 5) -> float:
    """Median seconds of the floor's statements, each run in a fresh read-only connection."""
    samples = []
    for _ in range(runs + 1):
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        start = time.perf_counter()
        run_statements(conn, floor)
        samples.append(time.perf_counter() - start)
        conn.close()
    return statistics.median(samples[1:])


def check(db: Path, floor: Floor, env: dict) -> list[str]:
    """The differences between the floor's SQL and the command's output ([] = the same)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    results = run_statements(conn, floor)
    conn.close()
    p = subprocess.run(NTMTRACK + floor.args, env={**env, "NTMTRACK_DB": str(db)},
                       capture_output=True, text=True)
    if p.returncode not in (0, 3):
        return [f"ntmtrack {' '.join(floor.args)} exited {p.returncode}: {p.stderr[-300:]}"]
    return floor.check(results, p.stdout)


def fold_into_suite(db: Path, info: dict, env: dict, runs: int = 5) -> list[dict]:
    """For run.py: {name, args, sql_seconds, differences} per report (its floor is the minimal
    app's trivial subcommand + sql_seconds)."""
    return [{"name": f.name, "args": f.args, "sql_seconds": measure(db, f, runs),
             "differences": check(db, f, env)} for f in floors(info)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "work" / "national.db")
    parser.add_argument("--input", type=Path, default=HERE / "work" / "input")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    info = json.loads((args.input / "manifest.json").read_text())
    env = {**os.environ, "NTMTRACK_LANG": "vi", "NO_COLOR": "1", "COLUMNS": "120"}
    for r in fold_into_suite(args.db, info, env, args.runs):
        verdict = "reproduces the command" if not r["differences"] else f"{len(r['differences'])} DIFFERENCES"
        print(f"  {r['name']:28} SQL {r['sql_seconds']:.3f} s  {verdict}", flush=True)
        for d in r["differences"][:5]:
            print(f"      {d}")


if __name__ == "__main__":
    main()
