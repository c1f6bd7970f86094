"""The suite's own floors: for each timed command, the best SQL we know for the same answer over
the register's own tables (state tables included), and a check that this answer is the
command's. Used by run.py for every command that benchmarks/floors_status.py and
benchmarks/floors_reports.py (written separately) do not cover.

Every floor function takes the context (a dict: today, past, district, province, set, plans,
trend ends …) and returns a list of (sql, params, check): `sql` is one statement run with
`conn.execute(sql, params).fetchall()` on a read-only connection, `check(rows, output)` gets
those rows and the bytes of the command's machine-readable output and returns the
differences (an empty list: the same answer). Only the standard library: the floor is what a
hand-written script would cost.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict

COMMUNE_KINDS = "('commune', 'town', 'ward')"

# The path of a commune as ntmtrack prints it (province/district/cluster/commune): the
# synthetic register is four levels deep, so three joins beat a recursive walk.
PATH = "p3.name || '/' || p2.name || '/' || p1.name || '/' || c.name"
PATH_JOINS = ("JOIN unit p1 ON p1.id = c.parent_id JOIN unit p2 ON p2.id = p1.parent_id "
              "JOIN unit p3 ON p3.id = p2.parent_id")


def _below(under: bool) -> tuple[str, str]:
    """A recursive CTE for the units at or below :under (by code), and the filter using it."""
    if not under:
        return "", ""
    return ("below(id) AS (SELECT id FROM unit WHERE code = :under UNION ALL "
            "SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id),",
            "AND u.id IN (SELECT id FROM below)")


def _communes(under: bool) -> str:
    cte, where = _below(under)
    return (f"WITH RECURSIVE {cte} c AS (SELECT u.id, u.name, u.parent_id, u.sort_key FROM unit u "
            f"WHERE u.kind IN {COMMUNE_KINDS} AND (u.active_until IS NULL OR u.active_until > :d) "
            f"{where})")


def _diff(name: str, ours: list, theirs: list, limit: int = 3) -> list[str]:
    if ours == theirs:
        return []
    if len(ours) != len(theirs):
        return [f"{name}: {len(ours)} rows by SQL, {len(theirs)} in the output"]
    bad = [(a, b) for a, b in zip(ours, theirs) if a != b]
    return [f"{name}: {len(bad)} rows differ, e.g. SQL {a!r} vs output {b!r}" for a, b in bad[:limit]]


def _bits(mask: int | None, total: int) -> tuple[int, list[int]]:
    mask = int(mask or 0)
    met = [n for n in range(1, total + 1) if mask >> n & 1]
    return len(met), [n for n in range(1, total + 1) if n not in met]


def _csv(output: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output.decode("utf-8-sig"))))


def _num(text):
    if text in (None, ""):
        return None
    value = float(text)
    return int(value) if value == int(value) else value


# --- status -----------------------------------------------------------------------------

def _status_sql(under: bool, as_of_past: bool) -> str:
    if as_of_past:
        # The state table holds the latest verdict; where it is later than the day, one index
        # seek (observation_criterion) finds the verdict that held then.
        met = ("(SELECT sum(1 << s.criterion) FROM criterion_state s WHERE s.unit_id = c.id "
               "AND s.criteria_set = :set AND CASE WHEN s.date <= :d THEN s.kind = 'met' ELSE "
               "coalesce((SELECT o.kind = 'met' FROM observation o WHERE o.criteria_set = s.criteria_set "
               "AND o.criterion = s.criterion AND o.unit_id = s.unit_id AND o.date <= :d "
               "ORDER BY o.date DESC, o.id DESC LIMIT 1), 0) END)")
    else:
        met = ("(SELECT sum(1 << s.criterion) FROM criterion_state s WHERE s.unit_id = c.id "
               "AND s.criteria_set = :set AND s.kind = 'met' AND s.date <= :d)")
    return (f"{_communes(under)} SELECT {PATH}, {met}, "
            "(SELECT min(t.by) FROM plan_target t WHERE t.unit_id = c.id AND t.kind = 'criteria' "
            "AND t.criteria_set = :set) "
            f"FROM c {PATH_JOINS} ORDER BY c.sort_key")


def _status_check(total: int):
    def check(rows, output: bytes) -> list[str]:
        ours = [(p, *_bits(m, total), t) for p, m, t in rows]
        theirs = [(r["unit_path"], r["criteria_met"], list(r["missing"]), r["target_date"])
                  for r in json.loads(output)]
        return _diff("status (path, criteria met, missing, target date)", ours, theirs)
    return check


def floor_status(ctx):
    return [(_status_sql(False, False), {"d": ctx["today"], "set": ctx["set"]}, _status_check(ctx["total"]))]


def floor_status_under(ctx):
    return [(_status_sql(True, False), {"d": ctx["today"], "set": ctx["set"], "under": ctx["district"]},
             _status_check(ctx["total"]))]


def floor_status_as_of(ctx):
    """`--as-of` a past day without --set: the set in force on that day (ctx past_set)."""
    return [(_status_sql(False, True), {"d": ctx["past"], "set": ctx["past_set"]},
             _status_check(ctx["past_total"]))]


def floor_status_as_of_set(ctx):
    """`--as-of` a past day with the plans' set: the verdicts that held then."""
    return [(_status_sql(False, True), {"d": ctx["past"], "set": ctx["set"]}, _status_check(ctx["total"]))]


def floor_status_table(ctx):
    """The national table groups communes by province: units, meeting all, average met."""
    sql = (f"{_communes(False)} SELECT p3.name, count(*), sum(m = :total), sum(m) FROM ("
           "SELECT c.id, c.parent_id, (SELECT count(*) FROM criterion_state s WHERE s.unit_id = c.id "
           "AND s.criteria_set = :set AND s.kind = 'met' AND s.date <= :d) AS m FROM c) c "
           f"{PATH_JOINS} GROUP BY p3.id ORDER BY p3.sort_key")

    def check(rows, output: bytes) -> list[str]:
        groups: dict[str, list[int]] = {}
        for r in json.loads(output):
            groups.setdefault(r["unit_path"].split("/")[0], []).append(r["criteria_met"])
        theirs = sorted((g, len(v), sum(x == ctx["total"] for x in v), sum(v)) for g, v in groups.items())
        return _diff("status groups (province, communes, meeting all, criteria met)",
                     sorted(tuple(r) for r in rows), theirs)
    return [(sql, {"d": ctx["today"], "set": ctx["set"], "total": ctx["total"]}, check)]


def floor_status_trend(ctx):
    """Criteria met per commune at each period end: the state row where it is dated on or
    before the end, else (an end before the latest verdict) one index seek for the verdict
    that held then."""
    sql = (f"{_communes(False)}, e(d) AS (SELECT value FROM json_each(:ends)) "
           f"SELECT {PATH}, e.d, (SELECT count(*) FROM criterion_state s WHERE s.unit_id = c.id "
           "AND s.criteria_set = :set AND CASE WHEN s.date <= e.d THEN s.kind = 'met' ELSE "
           "coalesce((SELECT o.kind = 'met' FROM observation o WHERE o.criteria_set = s.criteria_set "
           "AND o.criterion = s.criterion AND o.unit_id = s.unit_id AND o.date <= e.d "
           f"ORDER BY o.date DESC, o.id DESC LIMIT 1), 0) END) FROM c {PATH_JOINS}, e")

    def check(rows, output: bytes) -> list[str]:
        ours = defaultdict(dict)
        for path, d, n in rows:
            ours[path][d] = n
        theirs = {r["unit_path"]: {k[4:]: int(v or 0) for k, v in r.items() if k.startswith("met_")}
                  for r in _csv(output)}
        a = sorted((p, tuple(v.get(d, 0) for d in ctx["trend_ends"])) for p, v in ours.items())
        b = sorted((p, tuple(v.get(d, 0) for d in ctx["trend_ends"])) for p, v in theirs.items())
        return _diff("trend (path, met at each end)", a, b)
    return [(sql, {"d": ctx["today"], "set": ctx["set"], "ends": json.dumps(ctx["trend_ends"])}, check)]


# --- criteria stats ---------------------------------------------------------------------

def floor_criteria_stats(ctx):
    sql = (f"{_communes(False)} SELECT n.number, coalesce(m.k, 0), (SELECT count(*) FROM c) "
           "FROM criterion n LEFT JOIN (SELECT s.criterion, count(*) AS k FROM criterion_state s "
           "JOIN c ON c.id = s.unit_id WHERE s.criteria_set = :set AND s.kind = 'met' AND s.date <= :d "
           "GROUP BY s.criterion) m ON m.criterion = n.number WHERE n.criteria_set = :set ORDER BY n.number")

    def check(rows, output: bytes) -> list[str]:
        theirs = sorted((int(r["criterion"]), int(r["units_met"]), int(r["units_total"])) for r in _csv(output))
        return _diff("criteria stats (criterion, met, total)", sorted(tuple(r) for r in rows), theirs)
    return [(sql, {"d": ctx["today"], "set": ctx["set"]}, check)]


# --- laggards ---------------------------------------------------------------------------

def _laggards_sql(under: bool) -> str:
    """Criteria targets behind or overdue (baseline: the verdicts that held on the plan's
    start, one index seek per state row), and units of a monthly-reporting plan with no
    observation, their own or below them, in the last closed month."""
    cte, where = _below(under)
    return f"""
WITH RECURSIVE {cte}
plans AS (SELECT p.id, p.start, p.report_every FROM plan p
          WHERE p.start <= :d AND :d <= max(p."end", (SELECT max(by) FROM plan_target WHERE plan = p.id))),
crit AS MATERIALIZED (
  SELECT t.unit_id, t.plan, t.by, p.start,
         (SELECT count(DISTINCT w.value) FROM json_each(t.criteria) w) AS wanted,
         (SELECT count(*) FROM criterion_state s, json_each(t.criteria) w WHERE s.unit_id = t.unit_id
            AND s.criteria_set = t.criteria_set AND s.criterion = w.value AND s.kind = 'met') AS met,
         -- no observation of the unit on or before the start (one seek): nothing was met then
         CASE WHEN NOT EXISTS (SELECT 1 FROM observation o WHERE o.unit_id = t.unit_id AND o.date <= p.start)
         THEN 0 ELSE (SELECT count(*) FROM json_each(t.criteria) w
            WHERE (SELECT o.kind FROM observation o WHERE o.criteria_set = t.criteria_set
                   AND o.criterion = w.value AND o.unit_id = t.unit_id AND o.date <= p.start
                   ORDER BY o.date DESC, o.id DESC LIMIT 1) = 'met') END AS baseline
  FROM plan_target t JOIN plans p ON p.id = t.plan JOIN unit u ON u.id = t.unit_id
  WHERE t.kind = 'criteria' AND (u.active_until IS NULL OR u.active_until > :d) {where}),
judged AS MATERIALIZED (
  SELECT *, CASE WHEN :d <= start THEN baseline WHEN :d >= by THEN wanted
            ELSE baseline + (julianday(:d) - julianday(start)) / (julianday(by) - julianday(start))
                 * (wanted - baseline) END AS expected FROM crit),
silent AS (
  SELECT DISTINCT t.unit_id, t.plan FROM plan_target t JOIN plans p ON p.id = t.plan
  JOIN unit u ON u.id = t.unit_id
  WHERE p.report_every = 'month' AND (u.active_until IS NULL OR u.active_until > :d) {where}
    AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.unit_id = t.unit_id AND o.date BETWEEN :p0 AND :p1)
    AND NOT EXISTS (SELECT 1 FROM unit v JOIN observation o ON o.unit_id = v.id
                    WHERE v.parent_id = t.unit_id AND o.date BETWEEN :p0 AND :p1))
SELECT j.unit_id, j.plan, CASE WHEN :d > j.by THEN 'overdue' ELSE 'behind' END, j.met, round(j.expected, 4), j.by
FROM judged j
WHERE j.met < j.wanted AND (:d > j.by OR j.met - j.baseline < 0.8 * (j.expected - j.baseline) - 1e-9)
UNION ALL
SELECT unit_id, plan, 'no_report', NULL, NULL, :p1 FROM silent"""


def _last_month(today: str) -> tuple[str, str]:
    from datetime import date, timedelta
    d = date.fromisoformat(today)
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    if d == nxt - timedelta(days=1):
        last = d
    else:
        last = d.replace(day=1) - timedelta(days=1)
    return last.replace(day=1).isoformat(), last.isoformat()


def _laggard_pairs(rows, conn_paths) -> list:
    return sorted((conn_paths.get(u, u), plan, reason) for u, plan, reason, *_ in rows)


def _laggards(ctx, under: str | None):
    p0, p1 = _last_month(ctx["today"])
    params = {"d": ctx["today"], "p0": p0, "p1": p1}
    if under:
        params["under"] = under

    def check(rows, output: bytes) -> list[str]:
        theirs = _csv(output)
        ours = defaultdict(int)
        for _, _, reason, *_ in rows:
            ours[reason] += 1
        got = defaultdict(int)
        for r in theirs:
            got[r["reason"]] += 1
        problems = [] if dict(ours) == dict(got) else [f"laggards by reason: SQL {dict(ours)} vs output {dict(got)}"]
        ours_overdue = sorted((r[5], r[3]) for r in rows if r[2] in ("overdue", "behind"))
        theirs_overdue = sorted((r["deadline"], _num(r["actual"])) for r in theirs if r["reason"] in ("overdue", "behind"))
        return problems + _diff("laggards (deadline, actual)", ours_overdue, theirs_overdue)
    return [(_laggards_sql(bool(under)), params, check)]


def floor_laggards(ctx):
    return _laggards(ctx, None)


def floor_laggards_under(ctx):
    return _laggards(ctx, ctx["province"])


def floor_laggards_district(ctx):
    return _laggards(ctx, ctx["district"])


# --- summary ----------------------------------------------------------------------------

def _summary(ctx, under: str | None):
    """The week's changes (state rows dated in the week, with the verdict that held before
    it), the laggards, the targets due in 30 days."""
    cte, where = _below(bool(under))
    params = {"d": ctx["today"], "since": ctx["week_since"], "set": ctx["set"], "soon": ctx["due_horizon"]}
    if under:
        params["under"] = under
    changes = (f"WITH RECURSIVE {cte} x AS (SELECT 1) "
               "SELECT s.unit_id, s.criterion, s.kind, (SELECT o.kind FROM observation o WHERE "
               "o.criteria_set = s.criteria_set AND o.criterion = s.criterion AND o.unit_id = s.unit_id "
               "AND o.date <= :since ORDER BY o.date DESC, o.id DESC LIMIT 1) "
               "FROM criterion_state s JOIN unit u ON u.id = s.unit_id "
               f"WHERE s.criteria_set = :set AND s.date > :since AND s.date <= :d {where}")
    gains = (f"WITH RECURSIVE {cte} x AS (SELECT 1) SELECT s.unit_id, s.indicator, s.value "
             f"FROM indicator_state s JOIN unit u ON u.id = s.unit_id WHERE s.date > :since AND s.date <= :d {where}")
    due = (f"WITH RECURSIVE {cte} x AS (SELECT 1) SELECT t.unit_id, t.plan, t.by FROM plan_target t "
           f"JOIN unit u ON u.id = t.unit_id WHERE t.by > :d AND t.by <= :soon {where}")
    lag = _laggards(ctx, under)[0]
    holder = {}

    def keep(name):
        def check(rows, output):
            holder[name] = rows
            return []
        return check

    def check_laggards(rows, output: bytes) -> list[str]:
        doc = json.loads(output)
        newly_met = {u for u, _, kind, before in holder.get("changes", []) if kind == "met" and before != "met"}
        ours = (len(newly_met), len(holder.get("due", [])), len({r[0] for r in rows}),
                sum(r[2] == "no_report" for r in rows))
        theirs = (len(doc["newly_met"]), len(doc["due_soon"]), doc["laggard_count"], len(doc["missed_reports"]))
        return [] if ours == theirs else [
            f"summary (newly met, due soon, laggard units, missed reports): SQL {ours} vs output {theirs}"]
    return [(changes, params, keep("changes")), (gains, params, keep("gains")),
            (due, params, keep("due")), (lag[0], {**lag[1]}, check_laggards)]


def floor_summary(ctx):
    return _summary(ctx, None)


def floor_summary_under(ctx):
    return _summary(ctx, ctx["district"])


# --- progress ---------------------------------------------------------------------------

def _progress(ctx, under: str | None):
    """The campaign's village targets with their current values (the state table), and the
    sums for the units above (communes, clusters, districts, the province) in one pass."""
    cte, where = _below(bool(under))
    sql = (f"WITH RECURSIVE {cte} t AS (SELECT t.unit_id, t.indicator, t.amount FROM plan_target t "
           f"JOIN unit u ON u.id = t.unit_id WHERE t.plan = :plan AND t.kind != 'criteria' {where}), "
           "v AS (SELECT t.unit_id, t.indicator, t.amount, s.value FROM t LEFT JOIN indicator_state s "
           "ON s.indicator = t.indicator AND s.unit_id = t.unit_id AND s.date <= :d), "
           "up(unit_id, indicator, amount, value, depth) AS (SELECT unit_id, indicator, amount, value, 0 FROM v "
           "UNION ALL SELECT u.parent_id, up.indicator, up.amount, up.value, up.depth + 1 FROM up "
           "JOIN unit u ON u.id = up.unit_id WHERE u.parent_id IS NOT NULL) "
           "SELECT unit_id, indicator, sum(amount), sum(value), min(depth) FROM up GROUP BY unit_id, indicator")
    paths = ("WITH RECURSIVE a(id, up, path) AS (SELECT id, parent_id, name FROM unit WHERE id IN "
             "(SELECT unit_id FROM plan_target WHERE plan = :plan) UNION ALL SELECT a.id, u.parent_id, "
             "u.name || '/' || a.path FROM a JOIN unit u ON u.id = a.up) SELECT id, path FROM a WHERE up IS NULL")
    holder = {}

    def keep(rows, output):
        holder["rows"] = rows
        return []

    def check(rows, output: bytes) -> list[str]:
        path = dict(rows)
        targeted = set(path.values())
        ours = sorted((path[u], i, _num(str(a)), _num(str(v)) if v is not None else None)
                      for u, i, a, v, depth in holder.get("rows", []) if depth == 0)
        theirs = sorted((r["unit_path"], r["indicator"], _num(r["goal"]), _num(r["actual"]))
                        for r in _csv(output) if r["unit_path"] in targeted)
        return _diff("progress targets (path, indicator, goal, actual)", ours, theirs)
    params = {"d": ctx["today"], "plan": ctx["campaign_plan"]}
    if under:
        params["under"] = under
    return [(sql, params, keep), (paths, {"plan": ctx["campaign_plan"]}, check)]


def floor_progress(ctx):
    return _progress(ctx, None)


def floor_progress_under(ctx):
    return _progress(ctx, ctx["district"])


# --- the week's observations (a sheet of the workbook) -----------------------------------

def floor_week_observations(ctx):
    sql = ("SELECT o.date, o.unit_id, o.criterion, o.indicator, o.kind, o.value, o.note, o.by, o.source "
           "FROM unit u JOIN observation o ON o.unit_id = u.id AND o.date > :since AND o.date <= :d "
           "ORDER BY o.date, o.id")
    return [(sql, {"d": ctx["today"], "since": ctx["week_since"]}, lambda rows, output: [])]


# --- record met -------------------------------------------------------------------------

def record_met(db_path: str, ctx) -> None:
    """The work of `record met` by hand, on a copy of the register: one observation (its gid
    as the trigger writes it) and the criterion's state row, in one BEGIN IMMEDIATE
    transaction with the register's synchronous=FULL."""
    import sqlite3
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN IMMEDIATE")
    unit_id = conn.execute("SELECT id FROM unit WHERE code = '00001'").fetchone()[0]
    cur = conn.execute(
        "INSERT INTO observation (unit_id, criteria_set, criterion, kind, date, recorded_at, by, source, note)"
        " VALUES (?, ?, 3, 'met', ?, datetime('now'), 'floor', 'cli', 'benchmark')",
        [unit_id, ctx["set"], ctx["today"]])
    conn.execute(
        "INSERT INTO criterion_state (unit_id, criteria_set, criterion, observation_id, kind, date)"
        " VALUES (?, ?, 3, ?, 'met', ?) ON CONFLICT DO UPDATE SET observation_id = excluded.observation_id,"
        " kind = excluded.kind, date = excluded.date", [unit_id, ctx["set"], cur.lastrowid, ctx["today"]])
    conn.execute("COMMIT")
    conn.close()


# --- the writers --------------------------------------------------------------------------

def xlsx_cells(path) -> list[tuple[str, list[tuple]]]:
    """Every sheet's cell values of a workbook (what the writer floor writes again)."""
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    out = [(ws.title, [tuple(row) for row in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
    book.close()
    return out


def write_xlsx(cells, path) -> None:
    """XlsxWriter in constant_memory mode writing the same cells, row by row (the floor of any
    XLSX writer: no styles beyond a bold header, no widths)."""
    import xlsxwriter
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for title, rows in cells:
        ws = book.add_worksheet(title)
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row, bold if i < 2 else None)
    book.close()


def write_html(sections: list[list[tuple]], limit: int = 200) -> str:
    """The same rows as HTML tables by plain string writing (escaped), at most `limit` per table."""
    parts = ["<!doctype html><html><body>"]
    for rows in sections:
        parts.append("<table>")
        for row in rows[:limit]:
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
