"""Floors for `status` and `status --trend` (issue 17): the best single SQL statement over the
register's own tables (the state tables included) for the same answer as the command, and a
check that it gives that answer.

Each `*_sql()` returns (SQL text, parameters); each `check_*()` runs the SQL and the command
on a register and raises AssertionError where they disagree. The floor of a command is a
trivial Typer subcommand (run.py's MINIMAL_APP) plus `timed_sql()` of its statement.

    python benchmarks/floors_status.py REGISTER [--under CODE] [--past DAY]

runs every check and prints each statement's time. Rules restated in SQL (they must follow
reports/status.py, targets.py, pace.py, trends.py): the communes active on the day at or below
the unit reported under; a criterion's verdict is its latest live one on or before the day
(criterion_state when dated on or before it, else a seek in the index); targets of the plans in
force on the day with the report's set, judged from the criteria met on the plan's start
against the linear pace, 0.8 × the expected progress. Recognitions, mergers and debt are read
as the register of the benchmark has them (none): the statements carry the recognition
columns as NULL-or-latest and leave mergers and debt out; the checks compare the columns the
statements compute.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date

COMMUNES = "('commune', 'town', 'ward')"
VILLAGES = "('village', 'household_group')"
THRESHOLD = 0.8

# The verdicts of the set met on :as_of per unit: criterion_state's when dated on or before
# the day; else the latest live verdict up to the day, sought only for units observed by then.
_MET = """
  later(unit_id) AS MATERIALIZED (
    SELECT DISTINCT s.unit_id FROM criterion_state s
    WHERE s.criteria_set = :set AND s.date > {day} AND s.unit_id IN (SELECT id FROM communes)),
  seen(unit_id) AS MATERIALIZED (
    SELECT l.unit_id FROM later l
    WHERE (SELECT min(o.date) FROM observation o WHERE o.unit_id = l.unit_id) <= {day}),
  {name}(unit_id, criterion) AS MATERIALIZED (
    SELECT s.unit_id, s.criterion FROM criterion_state s
    WHERE s.criteria_set = :set AND s.kind = 'met' AND s.date <= {day}
      AND s.unit_id IN (SELECT id FROM communes)
    UNION ALL
    SELECT s.unit_id, s.criterion FROM seen CROSS JOIN criterion_state s ON s.unit_id = seen.unit_id
    WHERE s.criteria_set = :set AND s.date > {day} AND (
      SELECT x.kind FROM observation x
      WHERE x.criteria_set = s.criteria_set AND x.criterion = s.criterion
        AND x.unit_id = s.unit_id AND x.date <= {day}
        AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
      ORDER BY x.date DESC, x.recorded_at DESC, x.gid DESC LIMIT 1) = 'met')"""


def _communes(under: bool) -> str:
    """The tree from the unit reported under (or the roots) down to communes, with paths."""
    if under:
        start = """
  up(id, parent_id, path) AS (
    SELECT id, parent_id, name FROM unit WHERE id = :under
    UNION ALL SELECT u.id, u.parent_id, u.name || '/' || up.path FROM up JOIN unit u ON u.id = up.parent_id),
  tree(id, kind, name, parent, path, sort_key, active_until) AS (
    SELECT u.id, u.kind, u.name, (SELECT name FROM unit p WHERE p.id = u.parent_id),
           (SELECT path FROM up WHERE parent_id IS NULL), u.sort_key, u.active_until
    FROM unit u WHERE u.id = :under"""
    else:
        start = """
  tree(id, kind, name, parent, path, sort_key, active_until) AS (
    SELECT id, kind, name, NULL, name, sort_key, active_until FROM unit WHERE parent_id IS NULL"""
    return start + f"""
    UNION ALL
    SELECT u.id, u.kind, u.name, t.name, t.path || '/' || u.name, u.sort_key, u.active_until
    FROM tree t JOIN unit u ON u.parent_id = t.id WHERE u.kind NOT IN {VILLAGES}),
  communes AS MATERIALIZED (
    SELECT * FROM tree WHERE kind IN {COMMUNES} AND (active_until IS NULL OR active_until > :as_of))"""


def status_sql(as_of: str, set_code: str, under: int | None = None) -> tuple[str, dict]:
    """One row per commune, in `status`'s order: unit, unit_path, parent, criteria_met,
    criteria_total, missing (JSON), target_date, plan, state, target_missing (JSON),
    recognition."""
    sql = f"""WITH RECURSIVE {_communes(under is not None).lstrip()},
  {_MET.format(day=":as_of", name="met").lstrip()},
  numbers(n) AS (SELECT number FROM criterion WHERE criteria_set = :set),
  plans AS (
    SELECT p.id, p.start FROM plan p
    WHERE p.start <= :as_of AND :as_of <= max(p."end", (SELECT max(by) FROM plan_target t WHERE t.plan = p.id))),
  targets AS MATERIALIZED (
    SELECT t.id, t.plan, t.unit_id, t.by, t.criteria, p.start FROM plan_target t JOIN plans p ON p.id = t.plan
    WHERE t.kind = 'criteria' AND t.criteria_set = :set AND t.unit_id IN (SELECT id FROM communes)),
  starts(day) AS (SELECT DISTINCT start FROM targets),
  observed(unit_id, day) AS MATERIALIZED (
    SELECT DISTINCT t.unit_id, d.day FROM starts d CROSS JOIN targets t
    WHERE (SELECT min(o.date) FROM observation o WHERE o.unit_id = t.unit_id) <= d.day),
  base(unit_id, criterion, day) AS MATERIALIZED (
    SELECT s.unit_id, s.criterion, d.day FROM observed d CROSS JOIN criterion_state s ON s.unit_id = d.unit_id
    WHERE s.criteria_set = :set
      AND (SELECT x.kind FROM observation x
           WHERE x.criteria_set = s.criteria_set AND x.criterion = s.criterion
             AND x.unit_id = s.unit_id AND x.date <= d.day
             AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
           ORDER BY x.date DESC, x.recorded_at DESC, x.gid DESC LIMIT 1) = 'met'),
  judged AS MATERIALIZED (
    SELECT t.*,
           (SELECT count(DISTINCT value) FROM json_each(t.criteria)) AS goal,
           (SELECT count(*) FROM (SELECT DISTINCT value FROM json_each(t.criteria)) c
            WHERE EXISTS (SELECT 1 FROM met m WHERE m.unit_id = t.unit_id AND m.criterion = c.value)) AS actual,
           (SELECT count(*) FROM (SELECT DISTINCT value FROM json_each(t.criteria)) c
            WHERE EXISTS (SELECT 1 FROM base b WHERE b.unit_id = t.unit_id AND b.criterion = c.value
                          AND b.day = t.start)) AS baseline
    FROM targets t),
  stated AS MATERIALIZED (
    SELECT j.*, CASE
      WHEN j.actual >= j.goal THEN 'done'
      WHEN :as_of > j.by THEN 'overdue'
      WHEN j.actual < j.baseline THEN 'behind'
      WHEN e.expected - j.baseline > 0
           AND j.actual - j.baseline < {THRESHOLD} * (e.expected - j.baseline) - 1e-9 THEN 'behind'
      ELSE 'on_track' END AS state
    FROM judged j, (SELECT CASE WHEN :as_of <= j2.start THEN j2.baseline WHEN :as_of >= j2.by THEN j2.goal
                           ELSE j2.baseline + (julianday(:as_of) - julianday(j2.start))
                                / (julianday(j2.by) - julianday(j2.start)) * (j2.goal - j2.baseline) END AS expected,
                           j2.id FROM judged j2) e WHERE e.id = j.id),
  -- per commune: its targets, those still open, the worst open one (overdue, behind,
  -- on_track; then the earliest deadline), the earliest and the latest deadline
  per_target AS MATERIALIZED (
    SELECT unit_id, count(*) AS n, sum(state != 'done') AS open,
           CAST(substr(min(CASE WHEN state != 'done' THEN
             (CASE state WHEN 'overdue' THEN 0 WHEN 'behind' THEN 1 ELSE 2 END) || by || printf('%012d', id) END), 12) AS INTEGER) AS worst,
           substr(min(CASE WHEN state != 'done' THEN
             (CASE state WHEN 'overdue' THEN 0 WHEN 'behind' THEN 1 ELSE 2 END) || by || state END), 12) AS worst_state,
           CAST(substr(min(by || printf('%012d', id)), 11) AS INTEGER) AS earliest,
           CAST(substr(max(by || printf('%012d', id)), 11) AS INTEGER) AS latest
    FROM stated GROUP BY unit_id),
  counted AS MATERIALIZED (
    SELECT unit_id, count(*) AS met, json_group_array(criterion) AS list FROM met GROUP BY unit_id),
  -- the latest live recognition or revocation (the levels of titles are left out: the
  -- benchmark's register has none)
  recognized AS MATERIALIZED (
    SELECT unit_id, decision FROM (
      SELECT o.unit_id, o.kind, o.decision, row_number() OVER (
               PARTITION BY o.unit_id ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC) AS r
      FROM communes c CROSS JOIN observation o INDEXED BY observation_recognized ON o.unit_id = c.id
      WHERE o.kind IN ('recognized', 'revoked') AND o.date <= :as_of
        AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))
    WHERE r = 1 AND kind = 'recognized'),
  judged_rows AS (
    SELECT c.*, coalesce(k.met, 0) AS met, g.decision, pt.earliest, pt.latest, pt.worst,
           CASE WHEN g.decision IS NOT NULL THEN 'recognized'
                WHEN coalesce(k.met, 0) >= (SELECT count(*) FROM numbers) THEN 'meets_all'
                WHEN pt.unit_id IS NULL THEN 'no_target'
                WHEN pt.open = 0 THEN 'target_met'
                ELSE pt.worst_state END AS row_state
    FROM communes c LEFT JOIN counted k ON k.unit_id = c.id
    LEFT JOIN recognized g ON g.unit_id = c.id LEFT JOIN per_target pt ON pt.unit_id = c.id)
  SELECT c.name AS unit, c.path AS unit_path, c.parent, c.met AS criteria_met,
         (SELECT count(*) FROM numbers) AS criteria_total,
         (SELECT json_group_array(n) FROM (SELECT n FROM numbers
            WHERE n NOT IN (SELECT criterion FROM met m WHERE m.unit_id = c.id) ORDER BY n)) AS missing,
         sh.by AS target_date, sh.plan AS plan, c.row_state AS state,
         coalesce((SELECT json_group_array(value) FROM (
            SELECT DISTINCT w.value FROM targets t, json_each(t.criteria) w WHERE t.unit_id = c.id
              AND w.value NOT IN (SELECT criterion FROM met m WHERE m.unit_id = c.id) ORDER BY w.value)), '[]') AS target_missing,
         c.decision AS recognition
  FROM judged_rows c
  LEFT JOIN stated sh ON sh.id = CASE
      WHEN c.row_state IN ('recognized', 'meets_all') THEN c.earliest
      WHEN c.row_state = 'target_met' THEN c.latest ELSE c.worst END
  ORDER BY c.sort_key, c.id"""
    return sql, {"as_of": as_of, "set": set_code, "under": under}


def groups_sql(as_of: str, set_code: str) -> tuple[str, dict]:
    """`status` national table: per province (the level below the whole register), communes,
    those meeting all criteria, recognised, average criteria met, behind and overdue."""
    sql, args = status_sql(as_of, set_code)
    head = sql.split("\n  SELECT c.name AS unit,", 1)[0]
    return (head + """
  SELECT substr(path, 1, instr(path || '/', '/') - 1) AS grp, count(*),
         sum(met = (SELECT count(*) FROM numbers)), count(decision), round(avg(met), 2),
         sum(row_state = 'behind'), sum(row_state = 'overdue')
  FROM judged_rows GROUP BY grp""", args)


def trend_status_sql(set_code: str) -> tuple[str, dict]:
    """What a trend row carries beside its series: per commune with a verdict of the set, the
    criteria met today (criterion_state) and its earliest target date of the set."""
    return ("""SELECT s.unit_id, sum(s.kind = 'met'),
         (SELECT min(t.by) FROM plan_target t WHERE t.unit_id = s.unit_id AND t.kind = 'criteria'
            AND t.criteria_set = :set)
  FROM criterion_state s WHERE s.criteria_set = :set GROUP BY s.unit_id""", {"set": set_code})


def trend_sql(set_code: str, ends: list[str], under: int | None = None) -> tuple[str, dict]:
    """Per commune with a verdict of the set, its criteria met at each end (JSON array, null
    before its first live verdict): one window function over the verdicts that change
    within the ends, the rest from criterion_state."""
    args = {"set": set_code, "as_of": ends[-1], "under": under, "first": ends[0],
            "last": ends[-1], "ends": json.dumps(ends)}
    sql = f"""WITH RECURSIVE {_communes(under is not None).lstrip()},
  ends(i, day) AS (SELECT key, value FROM json_each(:ends)),
  moving(unit_id, criterion) AS MATERIALIZED (
    SELECT s.unit_id, s.criterion FROM criterion_state s
    WHERE s.criteria_set = :set AND s.date > :first AND s.unit_id IN (SELECT id FROM communes)),
  history(unit_id, criterion, kind, date, recorded_at, gid) AS MATERIALIZED (
    SELECT m.unit_id, m.criterion, o.kind, o.date, o.recorded_at, o.gid FROM moving m
    JOIN observation o ON o.id = (
      SELECT x.id FROM observation x WHERE x.criteria_set = :set AND x.criterion = m.criterion
        AND x.unit_id = m.unit_id AND x.date <= :first
        AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
      ORDER BY x.date DESC, x.recorded_at DESC, x.gid DESC LIMIT 1)
    UNION ALL
    SELECT x.unit_id, x.criterion, x.kind, x.date, x.recorded_at, x.gid FROM moving m CROSS JOIN observation x
    WHERE x.criteria_set = :set AND x.criterion = m.criterion AND x.unit_id = m.unit_id
      AND x.date > :first AND x.date <= :last
      AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)),
  spans AS (
    SELECT unit_id, kind, date, lead(date) OVER (PARTITION BY unit_id, criterion
                                                ORDER BY date, recorded_at, gid) AS until FROM history
    UNION ALL
    SELECT s.unit_id, s.kind, s.date, NULL FROM criterion_state s
    WHERE s.criteria_set = :set AND s.date <= :first AND s.unit_id IN (SELECT id FROM communes)),
  firsts(unit_id, first) AS (SELECT unit_id, min(date) FROM spans GROUP BY unit_id),
  steady(unit_id, met) AS (
    SELECT unit_id, count(*) FROM spans WHERE until IS NULL AND date <= :first AND kind = 'met' GROUP BY unit_id),
  changing(unit_id, i, met) AS (
    SELECT s.unit_id, e.i, count(*) FROM spans s JOIN ends e ON e.day >= s.date AND (s.until IS NULL OR e.day < s.until)
    WHERE s.kind = 'met' AND NOT (s.until IS NULL AND s.date <= :first) GROUP BY s.unit_id, e.i)
  SELECT f.unit_id, (SELECT json_group_array(CASE WHEN f.first <= e.day
                       THEN coalesce(st.met, 0) + coalesce((SELECT met FROM changing c WHERE c.unit_id = f.unit_id AND c.i = e.i), 0)
                       END) FROM ends e)
  FROM firsts f LEFT JOIN steady st ON st.unit_id = f.unit_id"""
    return sql, args


# -- running and checking --------------------------------------------------------------------

def timed_sql(conn, sql_and_args, runs: int = 5) -> float:
    sql, args = sql_and_args
    conn.execute(sql, args).fetchall()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.execute(sql, args).fetchall()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _command(db: str, *args: str) -> str:
    env = {**os.environ, "NTMTRACK_DB": db, "NTMTRACK_LANG": "vi", "NO_COLOR": "1", "COLUMNS": "120"}
    return subprocess.run([sys.executable, "-m", "ntmtrack", *args], env=env, check=True,
                          capture_output=True, text=True).stdout


def _unit_id(conn, code: str | None) -> int | None:
    return conn.execute("SELECT id FROM unit WHERE code = ?", [code]).fetchone()[0] if code else None


def _json_rows(conn, sql_and_args) -> list[dict]:
    cur = conn.execute(*sql_and_args)
    keys = [d[0] for d in cur.description]
    rows = []
    for values in cur:
        row = dict(zip(keys, values))
        for key in ("missing", "target_missing"):
            row[key] = json.loads(row[key])
        rows.append(row)
    return rows


def check_status(conn, db: str, as_of: str, set_code: str, under: str | None = None) -> None:
    """The statement's rows equal `status -f json`'s in every column it computes."""
    args = ["status", "-f", "json", "--as-of", as_of, "--set", set_code] + (["--under", under] if under else [])
    command = json.loads(_command(db, *args))
    floor = _json_rows(conn, status_sql(as_of, set_code, _unit_id(conn, under)))
    keys = list(floor[0]) if floor else []
    assert [{k: r[k] for k in keys} for r in command] == floor, f"status {args} differs"


def check_groups(conn, db: str, as_of: str, set_code: str) -> None:
    """The per-province figures equal `status`'s national table (Vietnamese decimal comma)."""
    table = _command(db, "status", "--as-of", as_of, "--set", set_code)
    shown = {}
    for line in table.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 8 and parts[-1].isdigit() and parts[-2].isdigit():
            name = " ".join(parts[:-7])
            shown[name] = (int(parts[-7]), int(parts[-6]), int(parts[-5]),
                           float(parts[-4].replace(",", ".")), int(parts[-2]), int(parts[-1]))
    floor = {g: (n, all_, rec, avg, behind, overdue)
             for g, n, all_, rec, avg, behind, overdue in conn.execute(*groups_sql(as_of, set_code))}
    for name, (n, all_, rec, avg, behind, overdue) in floor.items():
        assert shown[name][:3] == (n, all_, rec) and shown[name][4:] == (behind, overdue), name
        assert abs(shown[name][3] - avg) < 0.051, (name, shown[name][3], avg)
    assert len(shown) == len(floor)


def check_trend(conn, db: str, as_of: str, set_code: str, under: str | None = None) -> None:
    """The series equal `status --trend -f json`'s (default --since: a year before)."""
    args = ["status", "--trend", "-f", "json", "--as-of", as_of, "--set", set_code] + (["--under", under] if under else [])
    command = json.loads(_command(db, *args))
    if not command:
        return
    ends = [p["date"] for p in command[0]["series"]]
    floor = {u: json.loads(s) for u, s in conn.execute(*trend_sql(set_code, ends, _unit_id(conn, under)))}
    paths = dict(conn.execute(*_paths(under and _unit_id(conn, under))))
    got = {paths[u]: series for u, series in floor.items()}
    for row in command:
        series = [p["criteria_met"] for p in row["series"]]
        assert got.get(row["unit_path"], [None] * len(ends)) == series, row["unit_path"]


def _paths(under):
    return (f"""WITH RECURSIVE {_communes(under is not None).lstrip()} SELECT id, path FROM communes""",
            {"as_of": "9999-12-31", "under": under})


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--under", default="T01H01")
    parser.add_argument("--past", default="2024-06-30")
    parser.add_argument("--set", default="qd51-2025")
    args = parser.parse_args()
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    today = date.today().isoformat()
    district = _unit_id(conn, args.under)
    from ntmtrack.reports.trends import period_ends
    from ntmtrack.read.dates import year_before

    ends = [d.isoformat() for d in period_ends(year_before(date.today()), date.today(), "month")]
    for name, statement, check in [
        ("status --under", status_sql(today, args.set, district),
         lambda: check_status(conn, args.db, today, args.set, args.under)),
        ("status -f json (national)", status_sql(today, args.set),
         lambda: check_status(conn, args.db, today, args.set)),
        ("status (national table)", groups_sql(today, args.set),
         lambda: check_groups(conn, args.db, today, args.set)),
        (f"status --as-of {args.past} --set {args.set}", status_sql(args.past, args.set),
         lambda: check_status(conn, args.db, args.past, args.set)),
        ("status --trend", trend_sql(args.set, ends),
         lambda: check_trend(conn, args.db, today, args.set)),
    ]:
        check()
        print(f"{name:45} {timed_sql(conn, statement):.3f} s  (same answer as the command)")


if __name__ == "__main__":
    main()
