"""ntmtrack's benchmark suite: a synthetic national register, every command timed as a whole
process against its floor measured in the same loop, the result printed and written to
BENCHMARKS.md (and, with --json, to a machine-readable file).

    python benchmarks/run.py [--work benchmarks/work] [--scratch DIR] [--runs 5] [--rebuild]
                             [--json results.json] [--baseline before.json] [--only WORD …]
    python benchmarks/run.py --save-outputs DIR      # every timed report's output, once
    python benchmarks/run.py --compare-outputs DIR   # the same outputs now, byte for byte

Builds (once; `--rebuild` to start over) the inputs with generate.py and the register through
the real commands. Every figure is the median of `--runs` runs after one warm-up. A report's
floor is the minimal Typer app's trivial subcommand plus the best SQL we know for the same
answer over the register's own tables (floors_status.py, floors_reports.py, else floors.py),
run in-process in the same loop, interleaved with the command; the suite checks that the SQL
gives the command's answer. The register is only read: commands that write run on copies in
the scratch directory. Not part of the tests: the machine is shared, absolute times are
indicative; the ratios to floors measured in the same run are what we track.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NTMTRACK = [sys.executable, "-m", "ntmtrack"]
sys.path.insert(0, str(HERE))

import floors as own_floors  # noqa: E402  (benchmarks/ is not a package)

MINIMAL_APP = '''
import typer

app = typer.Typer()
for i in range(10):
    def command(name: str = "x", count: int = 1):
        """A trivial subcommand."""
        print(name * count)
    app.command(f"cmd{i}")(command)

if __name__ == "__main__":
    app()
'''


class Measure:
    def __init__(self, seconds: float, rss_mb: float, output: bytes = b""):
        self.seconds, self.rss_mb, self.output = seconds, rss_mb, output


def run_once(args: list, env: dict, check=True) -> Measure:
    return run_measured(args, env, check)


GNU_TIME = shutil.which("time") if shutil.which("time") and shutil.which("time").startswith("/") else (
    "/usr/bin/time" if Path("/usr/bin/time").exists() else None)


def run_measured(args: list, env: dict, check: bool = True) -> Measure:
    """One process: wall time, its peak RSS, its stdout (read as a pipe would, `| wc -c`);
    stderr goes to a file, so a chatty command cannot block. The peak comes from GNU time
    when there is one: a child forked from this process (grown by the SQL results and the
    workbook's cells it holds) starts with this process's pages, and Linux counts them in the
    child's ru_maxrss — every figure would be at least this process's size."""
    import tempfile
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        prefix = [GNU_TIME, "-f", "%M", "-o", rss.name] if GNU_TIME else []
        start = time.perf_counter()
        p = subprocess.Popen(prefix + [str(a) for a in args], env=env, stdout=subprocess.PIPE, stderr=err)
        chunks = []
        while chunk := p.stdout.read(1 << 16):
            chunks.append(chunk)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - start
        p.returncode = code = os.waitstatus_to_exitcode(status)
        p.stdout.close()
        if check and code != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(map(str, args))} exited {code}: {err.read().decode()[-800:]}")
        peak_kb = usage.ru_maxrss
        if GNU_TIME:
            text = Path(rss.name).read_text().strip().splitlines()
            peak_kb = int(text[-1]) if text and text[-1].isdigit() else peak_kb
    return Measure(elapsed, peak_kb / 1024, b"".join(chunks))


# --- floors from the helper modules, else ours ------------------------------------------

FLOOR_MODULES = ("floors_status", "floors_reports")


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _asserting(function, *args) -> list[str]:
    """A floors_status.py check (it runs the command itself and asserts) as a list of differences."""
    try:
        function(*args)
        return []
    except AssertionError as e:
        return [f"{function.__name__}: {e}"]


def _own_series_sql(set_code: str, ends: list) -> tuple[str, dict]:
    from ntmtrack.store.observations import met_series_sql

    return met_series_sql(set_code, [d if isinstance(d, str) else d.isoformat() for d in ends])


def _from_floors_status(key: str, ctx: dict):
    """floors_status.py's statements (`*_sql()` → (sql, params)) and checks (`check_*()`,
    asserting), in the suite's form; None when it has no floor for the key."""
    fs = _module("floors_status")
    if fs is None:
        return None
    db, today, past = ctx["db"], ctx["today"], ctx["past"]

    def checker(function, *args):
        def check(rows, output):
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                return _asserting(function, conn, db, *args)
            finally:
                conn.close()
        return check

    made = {
        "status": lambda: (fs.status_sql(today, ctx["set"]), checker(fs.check_status, today, ctx["set"])),
        "status_under": lambda: (fs.status_sql(today, ctx["set"], ctx["district_id"]),
                                 checker(fs.check_status, today, ctx["set"], ctx["district"])),
        "status_table": lambda: (fs.groups_sql(today, ctx["set"]), checker(fs.check_groups, today, ctx["set"])),
        "status_as_of": lambda: (fs.status_sql(past, ctx["past_set"]),
                                 checker(fs.check_status, past, ctx["past_set"])),
        "status_as_of_set": lambda: (fs.status_sql(past, ctx["set"]), checker(fs.check_status, past, ctx["set"])),
        # A trend row carries the commune's criteria met today and its target date (the
        # projection is judged against it) beside the series: those from the state tables,
        # then the series by the fastest statement known, ntmtrack's own (0.03 s against
        # 0.12 s for floors_status.trend_sql). The command's series are checked against
        # floors_status.trend_sql, written independently.
        "status_trend": lambda: [(fs.trend_status_sql(ctx["set"]), lambda rows, output: []),
                                 (_own_series_sql(ctx["set"], ctx["trend_ends"]),
                                  checker(fs.check_trend, today, ctx["set"]))],
    }
    if key not in made:
        return None
    made = made[key]()
    return [(sql, params, check) for (sql, params), check in
            (made if isinstance(made, list) else [made])]


def _from_floors_reports(key: str, ctx: dict, args: list | None):
    """floors_reports.py's Floor (statements, the command answered, check(results, stdout)) in
    the suite's form: every statement's rows are kept, the last statement's check runs
    theirs on all of them. None when it has no floor for the key, or one answering another
    command than the one the suite checks."""
    fr = _module("floors_reports")
    name = {"laggards": "laggards_floor", "criteria_stats": "criteria_stats_floor",
            "progress": "progress_floor", "summary": "summary_floor"}.get(key)
    if fr is None or name is None or not hasattr(fr, name):
        return None
    floor = getattr(fr, name)(ctx["info"], date.fromisoformat(ctx["today"]))
    if args is not None and [str(a) for a in floor.args] != [str(a) for a in args]:
        return None
    kept: list = []
    parts = []
    for i, (sql, params) in enumerate(floor.statements):
        params = {k: v for k, v in params.items() if f":{k}" in sql}
        last = i == len(floor.statements) - 1

        def check(rows, output, last=last):
            kept.append(rows)
            if not last:
                return []
            got = list(kept)
            kept.clear()
            return floor.check(got, output.decode("utf-8"))
        parts.append((sql, params, check))
    return parts


def statements(key: str, ctx: dict, args: list | None = None) -> tuple[list[tuple], str]:
    """The floor's statements for a key: floors_status.py's or floors_reports.py's when they
    have it (their authors tune them), else floors.py's. `args`: the command whose output
    the checks read."""
    for source, make in (("floors_status", lambda: _from_floors_status(key, ctx)),
                         ("floors_reports", lambda: _from_floors_reports(key, ctx, args))):
        try:
            got = make()
        except Exception as e:  # a helper module out of step with the suite: ours, and say so
            print(f"  ({source} for {key} not used: {type(e).__name__}: {e})", flush=True)
            got = None
        if got:
            return got, source
    out = getattr(own_floors, f"floor_{key}")(ctx)
    if isinstance(out, tuple) and len(out) == 3 and isinstance(out[0], str):
        out = [out]
    return list(out), "floors"


def run_sql(db: Path, parts: list[tuple]) -> tuple[float, list[list]]:
    """Run the statements on a fresh read-only connection; seconds and each one's rows."""
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    results = [conn.execute(sql, params).fetchall() for sql, params, _ in parts]
    conn.close()
    return time.perf_counter() - start, results


# --- the cases --------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    args: list                      # after `ntmtrack`
    floors: list = field(default_factory=list)   # floor keys (sections), summed
    target: float | None = 1.5
    check_args: list | None = None  # the machine-readable twin the check reads (None: args)
    out_file: str | None = None     # the command writes this file (its output)
    writer: str | None = None       # "xlsx" | "html": the writer's own floor is added
    help: bool = False              # floor: the minimal app's --help
    db: str = "national"            # national | copy (a writing command)
    save: bool = True               # kept by --save-outputs


def cases(info: dict, ctx: dict, scratch: Path) -> list[Case]:
    d, p, past = ctx["district"], ctx["province"], ctx["past"]
    campaign = info["campaign_plan"]
    return [
        Case("ntmtrack --help", ["--help"], target=1.1, help=True),
        Case("ntmtrack status --help", ["status", "--help"], target=1.1, help=True),
        Case("record met (one observation)", ["record", "met", "{unit}", "{criterion}", "--date", ctx["today"],
                                              "--note", "benchmark {i}"], ["record_met"], db="copy", save=False),
        Case(f"status --under {d}", ["status", "--under", d], ["status_under"],
             check_args=["status", "--under", d, "-f", "json"]),
        Case("status national --format json", ["status", "-f", "json"], ["status"]),
        Case("status national (table)", ["status"], ["status_table"], check_args=["status", "-f", "json"]),
        Case(f"status national --as-of {past}", ["status", "--as-of", past, "-f", "json"], ["status_as_of"]),
        Case(f"status national --as-of {past} --set {ctx['set']}",
             ["status", "--as-of", past, "--set", ctx["set"], "-f", "json"], ["status_as_of_set"]),
        Case("status --trend national", ["status", "--trend", "-f", "csv"], ["status_trend"]),
        Case("laggards national", ["laggards", "-f", "csv"], ["laggards"]),
        Case(f"laggards --under {p}", ["laggards", "--under", p], ["laggards_under"],
             check_args=["laggards", "--under", p, "-f", "csv"]),
        Case("criteria stats national", ["criteria", "stats"], ["criteria_stats"],
             check_args=["criteria", "stats", "-f", "csv"]),
        Case("summary national", ["summary"], ["summary"], check_args=["summary", "-f", "json"]),
        Case(f"summary --under {d}", ["summary", "--under", d], ["summary_under"],
             check_args=["summary", "--under", d, "-f", "json"]),
        Case(f"progress {campaign}", ["progress", campaign, "-f", "csv"], ["progress"]),
        Case("report html national", ["report", "html", scratch / "report.html", "--force"],
             ["status_table", "criteria_stats", "status_trend", "progress", "laggards"],
             out_file=str(scratch / "report.html"), writer="html"),
        Case("export xlsx national", ["export", "xlsx", scratch / "export.xlsx", "--force"],
             ["status", "criteria_stats", "progress", "laggards", "week_observations"],
             out_file=str(scratch / "export.xlsx"), writer="xlsx"),
    ]


SCOPE_CASES = [  # (name, args after ntmtrack with {d} and {plan})
    ("status --under {d}", ["status", "--under", "{d}", "-f", "json"]),
    ("criteria stats --under {d}", ["criteria", "stats", "--under", "{d}", "-f", "csv"]),
    ("laggards --under {d}", ["laggards", "--under", "{d}", "-f", "csv"]),
    ("summary --under {d}", ["summary", "--under", "{d}", "-f", "json"]),
    ("progress {plan} --under {d}", ["progress", "{plan}", "--under", "{d}", "-f", "csv"]),
]


def _fill(args, ctx, plan):
    return [str(a).replace("{d}", ctx["district"]).replace("{plan}", plan) for a in args]


def context(db: Path, info: dict) -> dict:
    today = date.today()
    since = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) \
        else today.replace(year=today.year - 1, day=28)
    ends, year, month = [], since.year, since.month
    while True:
        following = date(year + (month == 12), month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end >= today:
            break
        if end >= since:
            ends.append(end.isoformat())
        year, month = following.year, following.month
    ends.append(today.isoformat())
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    code = "qd51-2025"
    total = conn.execute("SELECT count(*) FROM criterion WHERE criteria_set = ?", [code]).fetchone()[0]
    past = "2024-06-30"
    # The national set in force on the past day (what `status --as-of` uses without --set).
    past_set = conn.execute("SELECT code FROM criteria_set WHERE applies_to = 'commune' AND "
                            "coalesce(effective, date) <= ? ORDER BY coalesce(effective, date) DESC "
                            "LIMIT 1", [past]).fetchone()[0]
    # Verdicts `record met` can add (one per run: a repeat would be a no-op): criteria unmet today.
    unmet = conn.execute("SELECT u.code, s.criterion FROM criterion_state s JOIN unit u ON u.id = s.unit_id "
                         "WHERE s.criteria_set = ? AND s.kind = 'unmet' AND u.code IS NOT NULL "
                         "ORDER BY u.code, s.criterion LIMIT 100", [code]).fetchall()
    past_total = conn.execute("SELECT count(*) FROM criterion WHERE criteria_set = ?", [past_set]).fetchone()[0]
    district_id = conn.execute("SELECT id FROM unit WHERE code = ?", [info["one_district"]]).fetchone()[0]
    conn.close()
    return {"db": str(db), "info": info, "district_id": district_id,
            "today": today.isoformat(), "past": past, "past_set": past_set, "past_total": past_total, "unmet": unmet,
            "district": info["one_district"],
            "province": info["one_province"], "set": code, "total": total,
            "campaign_plan": info["campaign_plan"], "national_plan": info.get("national_plan"),
            "trend_ends": ends, "week_since": (today - timedelta(days=7)).isoformat(),
            "due_horizon": (today + timedelta(days=30)).isoformat()}


# --- building the register --------------------------------------------------------------

def build(work: Path, provinces: int, env: dict) -> dict:
    inputs = work / "input"
    manifest_path = inputs / "manifest.json"
    if not manifest_path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(inputs),
                        "--provinces", str(provinces)], check=True)
    manifest = json.loads(manifest_path.read_text())
    db = Path(env["NTMTRACK_DB"])
    built = work / "build.json"
    if db.exists() and built.exists():
        return {**manifest, **json.loads(built.read_text())}
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    steps = {}
    for name, args in [
        ("init", ["init"]),
        ("units import", ["units", "import", inputs / "units.yaml"]),
        ("plan import national", ["plan", "import", inputs / "plan-national.yaml"]),
        ("plan import campaign", ["plan", "import", inputs / "plan-campaign.yaml"]),
        ("record import verdicts-1", ["record", "import", inputs / "verdicts-1.csv"]),
        ("record import verdicts-2", ["record", "import", inputs / "verdicts-2.csv"]),
        ("record import indicators", ["record", "import", inputs / "indicators.csv"]),
    ]:
        m = run_measured(NTMTRACK + args, env)
        steps[name] = {"seconds": m.seconds, "rss_mb": m.rss_mb}
        print(f"  built: {name:28} {m.seconds:8.2f} s  {m.rss_mb:6.0f} MB", flush=True)
        if name == "record import verdicts-1":
            # The register just before the timed import, so every run can repeat it.
            run_once(NTMTRACK + ["db", "backup", str(work / "before-import.db"), "--force"], env)
    rows = sum(1 for _ in open(inputs / "verdicts-2.csv", encoding="utf-8")) - 1
    result = {"steps": steps, "import_rows": rows}
    built.write_text(json.dumps(result, indent=2))
    return {**manifest, **result}


def _unlink_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


# --- measuring --------------------------------------------------------------------------

class Suite:
    def __init__(self, db: Path, work: Path, scratch: Path, env: dict, runs: int, info: dict, ctx: dict):
        self.db, self.work, self.scratch, self.env, self.runs = db, work, scratch, env, runs
        self.info, self.ctx = info, ctx
        self.minimal = scratch / "minimal_app.py"
        self.minimal.write_text(MINIMAL_APP)
        self.rows: list[dict] = []
        self.outputs: dict[tuple, bytes] = {}
        self.failures: list[str] = []

    def trivial(self) -> Measure:
        return run_measured([sys.executable, self.minimal, "cmd0", "--name", "x"], self.env)

    def minimal_help(self) -> Measure:
        return run_measured([sys.executable, self.minimal, "--help"], self.env)

    def machine_output(self, args: list, env: dict) -> bytes:
        key = tuple(map(str, args)) + (env["NTMTRACK_DB"],)
        if key not in self.outputs:
            self.outputs[key] = run_measured(NTMTRACK + args, env).output
        return self.outputs[key]

    def record(self, row: dict) -> None:
        self.rows.append(row)
        ratio = row.get("ratio")
        verdict = row.get("verdict", "")
        print(f"  {row['name']:44} {row['seconds']:7.3f} s {row['rss_mb']:6.0f} MB  / floor "
              f"{row['floor_s']:.3f} s = {ratio:5.2f}x {verdict} {row.get('note', '')}", flush=True)

    def case(self, case: Case) -> None:
        env = dict(self.env)
        copy = None
        if case.db == "copy":
            copy = self.scratch / "met-copy.db"
            _unlink_db(copy)
            shutil.copyfile(self.db, copy)
            env["NTMTRACK_DB"] = str(copy)
        parts, sources = [], set()
        for key in case.floors:
            if key == "record_met":
                sources.add("floors")
                continue
            # A section of a writer's floor is timed, not checked: any module's statements do.
            got, source = statements(key, self.ctx, None if case.writer else case.check_args or case.args)
            parts += got
            sources.add(source)
        times, floor_times, rss, writer_times = [], [], [], []
        cells, sql_rows, output = None, None, b""
        for i in range(self.runs + 1):
            # {i}: a writing command records something new each run (a repeat would be a no-op)
            unit, criterion = self.ctx["unmet"][i]
            m = run_measured(NTMTRACK + [str(a).replace("{i}", str(i)).replace("{unit}", unit)
                                         .replace("{criterion}", str(criterion)) for a in case.args], env)
            if case.help:
                f = self.minimal_help().seconds
                extra = 0.0
            else:
                f = self.trivial().seconds
                if case.db == "copy":
                    start = time.perf_counter()
                    own_floors.record_met(str(copy), self.ctx)
                    extra = time.perf_counter() - start
                else:
                    extra, sql_rows = run_sql(self.db, parts) if parts else (0.0, [])
                if case.writer:
                    if case.writer == "xlsx" and cells is None:
                        cells = own_floors.xlsx_cells(case.out_file)
                    start = time.perf_counter()
                    if case.writer == "xlsx":
                        own_floors.write_xlsx(cells, self.scratch / "floor.xlsx")
                    else:
                        (self.scratch / "floor.html").write_text(own_floors.write_html(sql_rows), encoding="utf-8")
                    w = time.perf_counter() - start
                    writer_times.append(w)
                    extra += w
            if i == 0:
                output = Path(case.out_file).read_bytes() if case.out_file else m.output
                continue  # warm-up: page cache, .pyc files
            times.append(m.seconds)
            rss.append(m.rss_mb)
            floor_times.append(f + extra)
        seconds, floor_s = statistics.median(times), statistics.median(floor_times)
        problems = []
        if parts and sql_rows is not None:
            check_output = output if case.check_args is None else self.machine_output(case.check_args, env)
            if case.writer:
                check_output = None
            for (sql, params, check), rows in zip(parts, sql_rows):
                if check_output is None:
                    continue
                try:
                    problems += check(rows, check_output)
                except Exception as e:  # a check that cannot read the output is a difference too
                    problems.append(f"check failed: {type(e).__name__}: {e}")
        if case.writer == "xlsx":
            problems += check_workbook(cells, self.ctx, self)
        if case.db == "copy":
            problems += check_record_met(copy, self.ctx, self.runs + 1)
        ratio = seconds / floor_s
        verdict = "" if case.target is None else ("ok" if ratio <= case.target else "MISSED")
        if ratio < 1 and not case.help:
            # The command beat its floor: the SQL is not the best there is; say so, not "ok".
            verdict = "floor too slow"
            problems.append(f"the floor ({', '.join(sorted(sources))}) is slower than the command: "
                            "its SQL is not the best for this answer")
        floor_name = ("minimal Typer --help" if case.help else
                      "Typer subcommand + " + ("record met by hand" if case.db == "copy" else
                                               " + ".join(case.floors) + " SQL")
                      + (f" + {case.writer} writer" if case.writer else ""))
        self.record({"name": case.name, "command": "ntmtrack " + " ".join(map(str, case.args)),
                     "seconds": seconds, "rss_mb": max(rss), "floor": floor_name, "floor_s": floor_s,
                     "ratio": ratio, "target": case.target, "verdict": verdict,
                     "writer_s": statistics.median(writer_times[1:]) if len(writer_times) > 1 else None,
                     "sql_source": sorted(sources), "problems": problems,
                     "checked": not problems and not case.help and case.writer != "html",
                     "note": ("; ".join(problems[:2]) if problems else "" if case.help or case.writer == "html"
                              else "SAME ANSWER")})
        if copy:
            _unlink_db(copy)

    # target 3: the same report on the national register and on the district's own
    def scope(self, district_db: Path) -> None:
        env_d = {**self.env, "NTMTRACK_DB": str(district_db)}
        for name, filled in scope_cases(self.ctx, self.info["campaign_plan"]):
            national, alone = [], []
            outs = {}
            for i in range(self.runs + 1):
                a = run_measured(NTMTRACK + filled, self.env)
                b = run_measured(NTMTRACK + filled, env_d)
                if i == 0:
                    outs = {"national": a.output, "alone": b.output}
                    continue
                national.append(a)
                alone.append(b)
            n = statistics.median(m.seconds for m in national)
            s = statistics.median(m.seconds for m in alone)
            same = outs["national"] == outs["alone"]
            self.record({"name": "scope: " + name,
                         "command": "ntmtrack " + " ".join(filled), "seconds": n,
                         "rss_mb": max(m.rss_mb for m in national),
                         "floor": "the same command on the district's own register", "floor_s": s,
                         "floor_rss_mb": max(m.rss_mb for m in alone), "ratio": n / s, "target": 1.2,
                         "verdict": "ok" if n / s <= 1.2 else "MISSED", "group": "scope",
                         "note": "same output" if same else "outputs differ (see --save-outputs)"})

    # target 4 (rule 4): record import against a raw executemany with no duplicate key
    def import_rate(self, runs: int) -> None:
        csv_path = self.work / "input" / "verdicts-2.csv"
        rows = self.info["import_rows"]
        measured, floors = [], []
        for _ in range(runs):
            copy = self.scratch / "import-run.db"
            _unlink_db(copy)
            shutil.copyfile(self.work / "before-import.db", copy)
            measured.append(run_measured(NTMTRACK + ["record", "import", csv_path],
                                         {**self.env, "NTMTRACK_DB": str(copy)}))
            _unlink_db(copy)
            floors.append(raw_import_floor(self.work / "before-import.db", csv_path, self.scratch))
        seconds = statistics.median(m.seconds for m in measured)
        floor_s = statistics.median(f[0] for f in floors)
        rate, floor_rate = rows / seconds, rows / floor_s
        self.record({"name": "record import (1M verdicts)", "command": f"ntmtrack record import {csv_path.name}",
                     "seconds": seconds, "rss_mb": max(m.rss_mb for m in measured),
                     "floor": "raw executemany of the same rows into a copy of the register (its table, "
                              "indexes, triggers and foreign keys), no duplicate-detection key", "floor_s": floor_s,
                     "floor_rss_mb": max(f[1] for f in floors),
                     "ratio": seconds / floor_s, "target": 2.0, "group": "import",
                     "rows_per_s": rate, "floor_rows_per_s": floor_rate, "share": rate / floor_rate,
                     "verdict": "ok" if rate / floor_rate >= 0.5 else "MISSED",
                     "note": f"{rate:,.0f} rows/s vs {floor_rate:,.0f} rows/s = {rate / floor_rate:.0%} (target ≥ 50%)"})

    # target 5: units import of the national tree into an empty register
    def units_import(self, runs: int) -> None:
        empty = self.scratch / "empty.db"
        if not empty.exists():
            run_once(NTMTRACK + ["init"], {**self.env, "NTMTRACK_DB": str(empty)})
            sqlite3.connect(empty).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        units = self.work / "input" / "units.yaml"
        measured, floors = [], []
        for _ in range(runs):
            for who, out in (("ntmtrack", measured), ("floor", floors)):
                copy = self.scratch / f"units-{who}.db"
                _unlink_db(copy)
                shutil.copyfile(empty, copy)
                args = (NTMTRACK + ["units", "import", units] if who == "ntmtrack" else
                        [sys.executable, HERE / "units_floor.py", "load", units, copy])
                out.append(run_measured(args, {**self.env, "NTMTRACK_DB": str(copy)}))
                if who == "floor":
                    n = sqlite3.connect(copy).execute("SELECT count(*) FROM unit").fetchone()[0]
                else:
                    n_cmd = sqlite3.connect(copy).execute("SELECT count(*) FROM unit").fetchone()[0]
                _unlink_db(copy)
        seconds = statistics.median(m.seconds for m in measured)
        floor_s = statistics.median(m.seconds for m in floors)
        rss, floor_rss = max(m.rss_mb for m in measured), max(m.rss_mb for m in floors)
        self.record({"name": "units import (national tree)", "command": "ntmtrack units import units.yaml",
                     "seconds": seconds, "rss_mb": rss,
                     "floor": "Typer app: CSafeLoader parse + one executemany into the unit table",
                     "floor_s": floor_s, "floor_rss_mb": floor_rss, "ratio": seconds / floor_s,
                     "memory_ratio": rss / floor_rss, "target": 1.5, "group": "units",
                     "verdict": "ok" if seconds / floor_s <= 1.5 and rss / floor_rss <= 1.5 else "MISSED",
                     "note": f"memory {rss:.0f} MB vs {floor_rss:.0f} MB = {rss / floor_rss:.2f}x; "
                             f"units {n_cmd:,} vs {n:,}" + (" SAME COUNT" if n == n_cmd else " DIFFER")})


def check_record_met(copy: Path, ctx: dict, runs: int) -> list[str]:
    """Each `record met` run appended its verdict and moved the criterion's state to it."""
    conn = sqlite3.connect(copy)
    problems = []
    for unit, criterion in ctx["unmet"][:runs]:
        state = conn.execute("SELECT s.kind, s.date, o.note FROM criterion_state s JOIN unit u ON u.id = s.unit_id "
                             "JOIN observation o ON o.id = s.observation_id WHERE u.code = ? AND "
                             "s.criteria_set = ? AND s.criterion = ?", [unit, ctx["set"], criterion]).fetchone()
        if state is None or state[:2] != ("met", ctx["today"]) or not state[2].startswith("benchmark"):
            problems.append(f"record met {unit} {criterion}: state {state}")
    conn.close()
    return problems


def check_workbook(cells, ctx, suite) -> list[str]:
    """The Status and Criteria sheets hold the numbers the status and stats floors give."""
    if not cells:
        return ["no workbook"]
    problems = []
    sheets = dict(cells)
    status = next((rows for title, rows in cells if title in ("Tình trạng", "Status")), None)
    if status is None:
        return ["no status sheet"]
    _, results = run_sql(suite.db, own_floors.floor_status(ctx))
    mine = sorted(own_floors._bits(m, ctx["total"])[0] for _, m, _ in results[0])
    header = status[1]
    col = next((i for i, h in enumerate(header) if h and ("đạt" in str(h).lower() or "met" in str(h).lower())), None)
    if col is None:
        return [f"status sheet: no criteria-met column in {header}"]
    theirs = sorted(int(r[col]) for r in status[2:] if r[col] is not None)
    if mine != theirs:
        problems.append(f"workbook status: criteria met differ ({len(mine)} SQL rows, {len(theirs)} sheet rows)")
    del sheets
    return problems


def raw_import_floor(before: Path, csv_path: Path, scratch: Path) -> tuple[float, float]:
    """Rule 4's floor: a copy of the real register as it stood before the import (its ~1M
    observations, every index, its triggers, foreign keys enforced as ntmtrack enforces them),
    without the duplicate-detection key (no fingerprint written, the unique index of registers
    before m014 dropped); the same rows `record import` writes (its source `FILE:LINE`, its
    recording time, who) by one executemany in one transaction, ids and gids given. Returns
    (seconds, peak MB of the process doing it)."""
    floor = scratch / "floor-import.db"
    _unlink_db(floor)
    shutil.copyfile(before, floor)
    script = f"""
import csv, getpass, sqlite3, sys, time
conn = sqlite3.connect({str(floor)!r}, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=FULL")
conn.execute("PRAGMA foreign_keys=ON")
conn.execute("DROP INDEX IF EXISTS observation_fingerprint")    # a register before m013
conn.execute("DROP INDEX IF EXISTS observation_fingerprint64")  # m013
units = dict(conn.execute("SELECT code, id FROM unit WHERE code IS NOT NULL"))
register = conn.execute("SELECT value FROM meta WHERE key = 'register_id'").fetchone()[0]
first = conn.execute("SELECT max(id) FROM observation").fetchone()[0] + 1
source, by, at = {str(csv_path)!r}, getpass.getuser(), "2026-12-01T00:00:00+00:00"
start = time.perf_counter()
with open({str(csv_path)!r}, encoding="utf-8", newline="") as f:
    reader = csv.reader(f)
    next(reader)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO observation (id, gid, unit_id, criteria_set, criterion, kind, date, recorded_at,"
        " by, source) VALUES (?, ?, ?, 'qd51-2025', ?, ?, ?, ?, ?, ?)",
        ((first + i, register + ':' + format(first + i, '012d'), units[u], int(m), v, d, at, by,
          source + ':' + str(i + 2))
         for i, (d, u, m, v, _) in enumerate(reader)))
    conn.execute("COMMIT")
print(time.perf_counter() - start)
"""
    m = run_measured([sys.executable, "-c", script], dict(os.environ))
    _unlink_db(floor)
    return float(m.output.split()[0]), m.rss_mb


# --- results identical ------------------------------------------------------------------

def output_commands(info: dict, ctx: dict, scratch: Path) -> list[tuple[str, list, str | None]]:
    """(file name, args, file the command writes or None) for every report output the suite
    times or checks, in every format."""
    seen, out = set(), []
    for case in cases(info, ctx, scratch):
        if not case.save or case.help:
            continue
        for args in ([case.args] + ([case.check_args] if case.check_args else [])):
            key = tuple(map(str, args))
            if key in seen:
                continue
            seen.add(key)
            ext = ("xlsx" if case.writer == "xlsx" else "html" if case.writer == "html" else
                   "json" if "json" in key else "csv" if "csv" in key else "txt")
            slug = "-".join(a for a in key if not a.startswith("/") and a not in ("-f", "--force"))
            slug = slug.replace(" ", "_").replace("--", "")
            out.append((f"{slug}.{ext}", args, case.out_file))
    for name, filled in scope_cases(ctx, info["campaign_plan"]):
        key = tuple(filled)
        if key not in seen:
            seen.add(key)
            ext = "json" if "json" in key else "csv"
            out.append(("-".join(a for a in key if a != "-f").replace("--", "") + f".{ext}", filled, None))
    return out


def produce_outputs(info, ctx, scratch, env) -> dict[str, bytes]:
    got = {}
    for name, args, out_file in output_commands(info, ctx, scratch):
        m = run_measured(NTMTRACK + args, env)
        got[name] = Path(out_file).read_bytes() if out_file else m.output
        print(f"  {name}: {len(got[name]):,} bytes", flush=True)
    return got


def save_outputs(directory: Path, info, ctx, scratch, env) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in produce_outputs(info, ctx, scratch, env).items():
        (directory / name).write_bytes(data)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    (directory / "manifest.json").write_text(json.dumps(
        {"date": ctx["today"], "commit": commit, "register": env["NTMTRACK_DB"],
         "commands": {n: ["ntmtrack", *map(str, a)] for n, a, _ in output_commands(info, ctx, scratch)}},
        ensure_ascii=False, indent=2))
    print(f"saved: {directory}")


def _html_normalized(data: bytes) -> bytes:
    """pygal gives every chart a random id (chart-<uuid>): the same report differs by those."""
    import re
    return re.sub(rb"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"chart-ID", data)


def _xlsx_parts(data: bytes) -> dict[str, bytes]:
    import io
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        # The creation time in the document properties changes on every run.
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def compare_outputs(directory: Path, info, ctx, scratch, env) -> int:
    saved = json.loads((directory / "manifest.json").read_text())
    if saved["date"] != ctx["today"]:
        print(f"warning: outputs saved on {saved['date']}, today is {ctx['today']}: "
              "reports of 'today' may differ for that reason alone")
    differences = 0
    for name, data in produce_outputs(info, ctx, scratch, env).items():
        path = directory / name
        if not path.exists():
            print(f"  NEW (no saved output): {name}")
            differences += 1
            continue
        before = path.read_bytes()
        if before == data:
            print(f"  same: {name}")
            continue
        if name.endswith(".html") and _html_normalized(before) == _html_normalized(data):
            print(f"  same (but for pygal's random chart ids): {name}")
            continue
        if name.endswith(".html"):
            before, data = _html_normalized(before), _html_normalized(data)
        if name.endswith(".xlsx"):
            a, b = _xlsx_parts(before), _xlsx_parts(data)
            if a == b:
                print(f"  same (but for the creation time): {name}")
                continue
            cells_a = own_floors.xlsx_cells(path)
            tmp = scratch / "compare.xlsx"
            tmp.write_bytes(data)
            cells_b = own_floors.xlsx_cells(tmp)
            what = "cell values the same, the file's XML differs" if cells_a == cells_b else "CELL VALUES DIFFER"
            print(f"  DIFFERENT: {name}: {what}")
            differences += cells_a != cells_b
            continue
        at = next((i for i, (x, y) in enumerate(zip(before, data)) if x != y), min(len(before), len(data)))
        print(f"  DIFFERENT: {name}: {len(before):,} vs {len(data):,} bytes, first difference at byte {at}: "
              f"{before[max(0, at - 60):at + 60]!r} vs {data[max(0, at - 60):at + 60]!r}")
        differences += 1
    print(f"{differences} output(s) differ" if differences else "every output is the same")
    return 1 if differences else 0


# --- the report -------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / "work",
                        help="where the inputs and the national register are (built if missing)")
    parser.add_argument("--scratch", type=Path, default=None,
                        help="where copies and scratch files go (default: --work)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--import-runs", type=int, default=1)
    parser.add_argument("--units-runs", type=int, default=3)
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--json", type=Path, help="also write the results here (machine-readable)")
    parser.add_argument("--baseline", type=Path, help="results of an earlier --json: a 'before' column")
    parser.add_argument("--only", nargs="*", help="only the rows whose name contains one of these words")
    parser.add_argument("--skip", nargs="*", default=[], choices=["scope", "import", "units"])
    parser.add_argument("--save-outputs", type=Path, metavar="DIR")
    parser.add_argument("--compare-outputs", type=Path, metavar="DIR")
    args = parser.parse_args()
    work = args.work.resolve()
    if args.rebuild and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    scratch = (args.scratch or work).resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    db = work / "national.db"
    env = {**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "vi", "COLUMNS": "120",
           "NO_COLOR": "1"}
    print(f"register: {db}", flush=True)
    info = build(work, args.provinces, env)
    ctx = context(db, info)
    if args.save_outputs:
        save_outputs(args.save_outputs.resolve(), info, ctx, scratch, env)
        return
    if args.compare_outputs:
        sys.exit(compare_outputs(args.compare_outputs.resolve(), info, ctx, scratch, env))

    suite = Suite(db, work, scratch, env, args.runs, info, ctx)
    started = time.perf_counter()
    wanted = (lambda name: not args.only or any(w in name for w in args.only))
    help_floor = suite.minimal_help()
    trivial = suite.trivial()
    def guarded(name, step):
        # One failing measurement must not lose the others: say so and go on.
        try:
            step()
        except (Exception, SystemExit) as e:
            print(f"  {name}: FAILED: {e}", flush=True)
            suite.failures.append(f"{name}: {e}")

    for case in cases(info, ctx, scratch):
        if wanted(case.name):
            guarded(case.name, lambda: suite.case(case))
    if "scope" not in args.skip and wanted("scope"):
        guarded("scope", lambda: suite.scope(scope_register(work, scratch, ctx["district"], env)))
    if "units" not in args.skip and wanted("units import"):
        guarded("units import", lambda: suite.units_import(args.units_runs))
    if "import" not in args.skip and wanted("record import"):
        guarded("record import", lambda: suite.import_rate(args.import_runs))
    elapsed = time.perf_counter() - started
    results = {"date": ctx["today"], "commit": subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
        "runs": args.runs, "seconds": elapsed, "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "trivial_s": trivial.seconds, "help_s": help_floor.seconds,
        "rows": suite.rows, "failures": suite.failures}
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
        print(f"written: {args.json}")
    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    write_report(args.output, info, results, baseline, db)
    print(f"written: {args.output} ({elapsed:.0f} s)")


def scope_register(work: Path, scratch: Path, district: str, env: dict) -> Path:
    """The district's own register: benchmarks/one_district.py's build when it exists (it
    builds WORK/district-CODE.db from WORK/input: the scratch directory, with a link to the
    inputs), else benchmarks/scope.py's."""
    try:
        import one_district
    except ImportError:
        one_district = None
    if one_district is not None and hasattr(one_district, "build"):
        link = scratch / "input"
        if scratch != work and not link.exists():
            link.symlink_to(work / "input")
        print(f"  the register of {district} alone (one_district.py)", flush=True)
        return Path(one_district.build(scratch, district, env))
    db = scratch / f"district-{district}-scope.db"
    if not db.exists():
        print(f"  building the register of {district} alone (scope.py): {db}", flush=True)
        import scope as scope_builder
        scope_builder.build(work / "input", db, district)
    return db


def scope_cases(ctx: dict, plan: str) -> list[tuple[str, list]]:
    """Every report taking --under, scoped to the district: one_district.py's list when it
    exists, else ours."""
    try:
        import one_district
        return [(name, list(args)) for name, args in one_district.reports(ctx["district"], plan)]
    except (ImportError, AttributeError):
        return [(name.format(d=ctx["district"], plan=plan), _fill(args, ctx, plan)) for name, args in SCOPE_CASES]


def write_report(path: Path, info: dict, results: dict, baseline: dict | None, db: Path) -> None:
    units = info["units"]
    before = {r["name"]: r for r in (baseline or {}).get("rows", [])}
    lines = [
        "# Benchmarks",
        "",
        "Produced by `python benchmarks/run.py` (see its docstring and benchmarks/README.md); do not "
        "edit by hand. The machine is shared and noisy: absolute times are indicative, the ratios to "
        "floors measured in the same run are what we track.",
        "",
        f"- Date: {results['date']}, commit {results['commit']}; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}; {results['runs']} runs, "
        f"suite {results['seconds'] / 60:.1f} min",
        f"- Python {results['python']}, SQLite {results['sqlite']}",
        f"- Register: {units['province']} provinces, {units['district']} districts, "
        f"{units['cluster']} clusters, {units['commune']:,} communes, {units['village']:,} villages; "
        f"{info['verdicts']:,} criterion verdicts and {info['indicator_values']:,} indicator values; "
        f"{db.stat().st_size / 1e6:,.0f} MB",
        f"- A minimal Typer app with ten subcommands: `--help` {results['help_s']:.3f} s, a trivial "
        f"subcommand {results['trivial_s']:.3f} s",
        "- Floor of a report: that trivial subcommand + the best SQL we know for the same answer "
        "over the register's own tables (run in the same loop, interleaved); \"same answer\": the "
        "suite compared the SQL's numbers with the command's output. `report html` and `export "
        "xlsx`: the sum of their sections' floors + the writer's own floor.",
        "",
    ]
    head = "| command | " + ("before s (ratio) | " if baseline else "") + \
        "median s | peak MB | floor s | ratio | target | | floor (SQL from) | answer |"
    lines += [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results["rows"]:
        if r.get("group"):
            continue
        b = before.get(r["name"])
        lines.append(
            f"| `{r['name']}` | " + (f"{b['seconds']:.3f} ({b['ratio']:.2f}×) | " if b else ("– | " if baseline else "")) +
            f"{r['seconds']:.3f} | {r['rss_mb']:.0f} | {r['floor_s']:.3f} | {r['ratio']:.2f}× | "
            f"≤ {r['target']}× | {r['verdict']} | {r['floor']} ({', '.join(r.get('sql_source') or ['–'])}) | "
            f"{'same' if r.get('checked') else ('; '.join(r.get('problems', []))[:200] or 'not checked')} |")
    scope_rows = [r for r in results["rows"] if r.get("group") == "scope"]
    if scope_rows:
        lines += ["", "## Work proportional to the scope (target 3)", "",
                  "The same command `--under` one district on the national register and on a register "
                  "holding that district alone (benchmarks/scope.py or one_district.py).", "",
                  "| command | " + ("before s (ratio) | " if baseline else "") +
                  "national s | alone s | ratio | target | | peak MB national / alone | output |",
                  "|---|---|---|---|---|---|---|---|" + ("---|" if baseline else "")]
        for r in scope_rows:
            b = before.get(r["name"])
            lines.append(f"| `{r['command'][9:]}` | " + (f"{b['seconds']:.3f} ({b['ratio']:.2f}×) | " if b else ("– | " if baseline else "")) +
                         f"{r['seconds']:.3f} | {r['floor_s']:.3f} | {r['ratio']:.2f}× | ≤ 1.2× | {r['verdict']} | "
                         f"{r['rss_mb']:.0f} / {r['floor_rss_mb']:.0f} | {r['note']} |")
    for group, title in (("units", "Units import (target 5)"), ("import", "Import (rule 4)")):
        for r in (r for r in results["rows"] if r.get("group") == group):
            b = before.get(r["name"])
            was = (f" Before: {b['seconds']:.1f} s, {b['rss_mb']:.0f} MB"
                   + (f", {b['rows_per_s']:,.0f} rows/s ({b['share']:.0%})" if "share" in b else "") + "."
                   if b else "")
            lines += ["", f"## {title}", ""]
            if group == "units":
                lines.append(
                    f"`units import` of the national tree ({sum(units.values()):,} units) into an empty "
                    f"register: {r['seconds']:.1f} s, peak {r['rss_mb']:.0f} MB. Floor (a Typer app parsing "
                    f"with libyaml's CSafeLoader and inserting with one `executemany`, "
                    f"benchmarks/units_floor.py): {r['floor_s']:.1f} s, {r['floor_rss_mb']:.0f} MB. "
                    f"Ratios: time {r['ratio']:.2f}×, memory {r['memory_ratio']:.2f}× (target ≤ 1.5× both): "
                    f"{r['verdict']}.{was}")
            else:
                lines.append(
                    f"`record import` of the {info['import_rows']:,}-row verdict CSV into a copy of the "
                    f"register as it stood before it: {r['seconds']:.1f} s, {r['rows_per_s']:,.0f} rows/s, "
                    f"peak {r['rss_mb']:.0f} MB. Floor: one `executemany` of the same rows (source "
                    f"`FILE:LINE`, recording time, who), in one transaction, into a copy of that register "
                    f"(its observations, every index, its triggers, foreign keys enforced) without the "
                    f"duplicate-detection key (no fingerprint written): "
                    f"{r['floor_s']:.1f} s, {r['floor_rows_per_s']:,.0f} rows/s, peak {r['floor_rss_mb']:.0f} MB. "
                    f"Ratio {r['share']:.0%} (target ≥ 50%): {r['verdict']}.{was}")
    if results.get("failures"):
        lines += ["", "Not measured in this run (failed): " + "; ".join(results["failures"])]
    lines += ["", "Build steps (each one process, the real commands):", "", "| step | s | peak MB |",
              "|---|---:|---:|"]
    for name, m in info["steps"].items():
        lines.append(f"| `{name}` | {m['seconds']:.1f} | {m['rss_mb']:.0f} |")
    # The exchange benchmark (benchmarks/exchange.py) keeps its own section: carried over.
    kept = ""
    if path.exists() and "<!-- exchange benchmark -->" in (old := path.read_text(encoding="utf-8")):
        kept = "\n<!-- exchange benchmark -->" + old.split("<!-- exchange benchmark -->", 1)[1]
    path.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")


if __name__ == "__main__":
    main()
