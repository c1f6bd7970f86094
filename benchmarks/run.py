"""ntmtrack's benchmark suite: a synthetic national register, every command timed as a whole
process against its floor, the result printed and written to BENCHMARKS.md.

    python benchmarks/run.py [--work benchmarks/work] [--runs 5] [--provinces 63] [--rebuild]

Builds (once; `--rebuild` to start over) the inputs with generate.py and the register through
the real commands, then times each command: median of `--runs` runs after one warm-up, with the
peak RSS of the process. Not part of the tests: the machine is shared, absolute times are
indicative; the ratios to floors measured in the same run are what we track.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NTMTRACK = [sys.executable, "-m", "ntmtrack"]

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
    def __init__(self, seconds: float, rss_mb: float, output_bytes: int = 0):
        self.seconds, self.rss_mb, self.output_bytes = seconds, rss_mb, output_bytes


def run_once(args: list[str], env: dict, stdin=None, check=True) -> Measure:
    start = time.perf_counter()
    p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin)
    # Read the output as a pipe would (`| wc -c`), then collect this child's own rusage.
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if check and code != 0:
        raise SystemExit(f"{' '.join(map(str, args))} exited {code}: {err.decode()[-500:]}")
    return Measure(elapsed, usage.ru_maxrss / 1024, len(out))


def timed(args: list[str], env: dict, runs: int) -> Measure:
    run_once(args, env)  # warm-up: page cache, .pyc files
    results = [run_once(args, env) for _ in range(runs)]
    return Measure(statistics.median(r.seconds for r in results), max(r.rss_mb for r in results),
                   results[-1].output_bytes)


def timed_python(function, runs: int) -> float:
    function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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
        m = run_once(NTMTRACK + [str(a) for a in args], env)
        steps[name] = {"seconds": m.seconds, "rss_mb": m.rss_mb}
        print(f"  built: {name:28} {m.seconds:8.2f} s  {m.rss_mb:6.0f} MB", flush=True)
        if name == "record import verdicts-1":
            # The register just before the timed import, so every run can repeat it.
            run_once(NTMTRACK + ["db", "backup", str(work / "before-import.db"), "--force"], env)
    rows = sum(1 for _ in open(inputs / "verdicts-2.csv", encoding="utf-8")) - 1
    result = {"steps": steps, "import_rows": rows}
    built.write_text(json.dumps(result, indent=2))
    return {**manifest, **result}


def timed_import(work: Path, env: dict) -> Measure:
    """`record import` of the second 1-million-row verdict file into a fresh copy of the
    register as it stood before it (a closed backup, so a file copy is safe)."""
    copy = work / "import-run.db"
    shutil.copyfile(work / "before-import.db", copy)
    try:
        return run_once(NTMTRACK + ["record", "import", str(work / "input" / "verdicts-2.csv")],
                        {**env, "NTMTRACK_DB": str(copy)})
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


def raw_import_floor(db: Path, csv_path: Path, work: Path) -> float:
    """A raw executemany of the same rows, in one transaction, into a fresh table with the
    register's own observation schema and indexes (ids resolved by a dict, as a hand-written
    loader would)."""
    floor = work / "floor.db"
    floor.unlink(missing_ok=True)
    source = sqlite3.connect(db)
    schema = [r[0] for r in source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name='observation' AND type IN ('table', 'index')"
        " AND sql IS NOT NULL")]
    units = dict(source.execute("SELECT code, id FROM unit WHERE code IS NOT NULL"))
    source.close()
    conn = sqlite3.connect(floor, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        # Its foreign keys point at tables this scratch file lacks; they stay off (the default).
        conn.execute(sql)
    start = time.perf_counter()
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO observation (unit_id, criteria_set, criterion, kind, date, recorded_at,"
            " by, source, fingerprint) VALUES (?, 'qd51-2025', ?, ?, ?, '2026-01-01', 'floor', ?, ?)",
            ((units[u], int(m), v, d, f"f:{i}", f"{i:040x}") for i, (d, u, m, v, _) in enumerate(reader)))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    floor.unlink()
    return elapsed


# --- bare SQL floors for the reports --------------------------------------------------------

def sql_floors(db: Path, as_of: str, district_code: str) -> dict[str, float]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    latest = """
        SELECT o.unit_id, o.criterion, o.kind FROM observation o
        JOIN (SELECT unit_id, criterion, max(id) AS id FROM observation
              WHERE criteria_set='qd51-2025' AND criterion IS NOT NULL AND date <= :d
              GROUP BY unit_id, criterion) last ON last.id = o.id
    """
    national = f"""SELECT unit_id, sum(kind='met') FROM ({latest}) GROUP BY unit_id"""
    district = """
        WITH RECURSIVE below(id) AS (SELECT id FROM unit WHERE code=:c
            UNION ALL SELECT u.id FROM unit u JOIN below b ON u.parent_id=b.id)
        SELECT o.unit_id, count(*) FROM observation o
        WHERE o.unit_id IN (SELECT id FROM below) AND o.criterion IS NOT NULL AND o.date <= :d
        GROUP BY o.unit_id"""
    per_criterion = f"SELECT criterion, sum(kind='met') FROM ({latest}) GROUP BY criterion"
    out = {
        "national criteria met per commune": timed_python(
            lambda: conn.execute(national, {"d": as_of}).fetchall(), 3),
        "district observations per commune": timed_python(
            lambda: conn.execute(district, {"d": as_of, "c": district_code}).fetchall(), 3),
        "communes meeting each criterion": timed_python(
            lambda: conn.execute(per_criterion, {"d": as_of}).fetchall(), 3),
    }
    conn.close()
    return out


# --- the report ---------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    work = args.work.resolve()
    if args.rebuild and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "national.db"
    env = {**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "vi", "COLUMNS": "120",
           "NO_COLOR": "1"}
    print(f"register: {db}", flush=True)
    info = build(work, args.provinces, env)
    district, province = info["one_district"], info["one_province"]
    today = date.today().isoformat()
    past = "2024-06-30"
    minimal = work / "minimal_app.py"
    minimal.write_text(MINIMAL_APP)
    runs = args.runs
    rows: list[tuple] = []

    def row(name, measure: Measure, floor_name, floor_s, target=None):
        ratio = measure.seconds / floor_s if floor_s else None
        verdict = "" if target is None else ("ok" if ratio <= target else "MISSED")
        rows.append((name, measure.seconds, measure.rss_mb, floor_name, floor_s, ratio, target, verdict))
        print(f"  {name:48} {measure.seconds:7.3f} s {measure.rss_mb:6.0f} MB  "
              f"/ {floor_name} {floor_s:.3f} s = {ratio:5.2f}x {verdict}", flush=True)

    bare = timed([sys.executable, "-c", "import sqlite3"], env, runs)
    help_floor = timed([sys.executable, str(minimal), "--help"], env, runs)
    trivial_floor = timed([sys.executable, str(minimal), "cmd0", "--name", "x"], env, runs)
    print(f"  floors: python -c 'import sqlite3' {bare.seconds:.3f} s; minimal Typer app --help "
          f"{help_floor.seconds:.3f} s, trivial subcommand {trivial_floor.seconds:.3f} s", flush=True)
    t = trivial_floor.seconds
    row("ntmtrack --version", timed(NTMTRACK + ["--version"], env, runs), "typer --help", help_floor.seconds, 1.2)
    row("ntmtrack --help", timed(NTMTRACK + ["--help"], env, runs), "typer --help", help_floor.seconds, 1.2)
    row(f"status --under {district}", timed(NTMTRACK + ["status", "--under", district], env, runs),
        "typer subcommand", t, 1.5)
    row("record met (one observation)", timed(
        NTMTRACK + ["record", "met", "00001", "3", "--date", today, "--note", "benchmark"], env, runs),
        "typer subcommand", t, 1.5)
    row("status national --format json", timed(NTMTRACK + ["status", "-f", "json"], env, runs),
        "typer subcommand", t, 2.5)
    row("status national (table)", timed(NTMTRACK + ["status"], env, runs), "typer subcommand", t, 3)
    row(f"status national --as-of {past}", timed(NTMTRACK + ["status", "--as-of", past, "-f", "json"], env, runs),
        "typer subcommand", t, 5)
    row("laggards national", timed(NTMTRACK + ["laggards", "-f", "csv"], env, runs), "typer subcommand", t, 5)
    row(f"laggards --under {province}", timed(NTMTRACK + ["laggards", "--under", province], env, runs),
        "typer subcommand", t, 5)
    row("criteria stats national", timed(NTMTRACK + ["criteria", "stats"], env, runs), "typer subcommand", t, 5)
    row("summary national", timed(NTMTRACK + ["summary"], env, runs), "typer subcommand", t, 5)
    row(f"progress {info['campaign_plan']}", timed(
        NTMTRACK + ["progress", info["campaign_plan"], "-f", "csv"], env, runs), "typer subcommand", t, 5)
    json_size = run_once(NTMTRACK + ["status", "-f", "json"], env).output_bytes

    floors = sql_floors(db, today, district)
    floors["national criteria met per commune"]
    print("  bare SQL: " + "; ".join(f"{k} {v:.3f} s" for k, v in floors.items()), flush=True)

    import_floor = raw_import_floor(db, work / "input" / "verdicts-2.csv", work)
    measured = timed_import(work, env)
    step = {"seconds": measured.seconds, "rss_mb": measured.rss_mb}
    import_rate = info["import_rows"] / step["seconds"]
    floor_rate = info["import_rows"] / import_floor
    print(f"  record import: {import_rate:,.0f} rows/s vs raw executemany {floor_rate:,.0f} rows/s "
          f"= {import_rate / floor_rate:.0%}; peak {step['rss_mb']:.0f} MB", flush=True)

    write_report(args.output, info, rows, bare, help_floor, trivial_floor, floors, import_rate,
                 floor_rate, step, json_size, db)
    print(f"written: {args.output}")


def write_report(path, info, rows, bare, help_floor, trivial_floor, floors, import_rate, floor_rate,
                 step, json_size, db) -> None:
    sqlite_version = sqlite3.sqlite_version
    units = info["units"]
    lines = [
        "# Benchmarks",
        "",
        "Produced by `python benchmarks/run.py` (see its docstring); do not edit by hand. The "
        "machine is shared and noisy: absolute times are indicative, the ratios to floors measured "
        "in the same run are what we track.",
        "",
        f"- Date: {date.today().isoformat()}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite_version}",
        f"- Register: {units['province']} provinces, {units['district']} districts, "
        f"{units['cluster']} clusters, {units['commune']:,} communes, {units['village']:,} villages; "
        f"{info['verdicts']:,} criterion verdicts and {info['indicator_values']:,} indicator values; "
        f"{db.stat().st_size / 1e6:,.0f} MB",
        f"- Floors: `python -c \"import sqlite3\"` {bare.seconds:.3f} s; a minimal Typer app with ten "
        f"subcommands: `--help` {help_floor.seconds:.3f} s, a trivial subcommand "
        f"{trivial_floor.seconds:.3f} s",
        "",
        "| command | median s | peak MB | floor | floor s | ratio | target | |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for name, seconds, rss, floor_name, floor_s, ratio, target, verdict in rows:
        lines.append(f"| `{name}` | {seconds:.3f} | {rss:.0f} | {floor_name} | {floor_s:.3f} | "
                     f"{ratio:.2f}× | {'≤ %s×' % target if target else ''} | {verdict} |")
    lines += [
        "",
        f"`status --format json` of the national register: {json_size:,} bytes.",
        "",
        "Bare SQL with the `sqlite3` module (the lower bound a report's numbers cost): "
        + "; ".join(f"{k} {v:.3f} s" for k, v in floors.items()) + ".",
        "",
        "## Import",
        "",
        f"`record import` of the {info['import_rows']:,}-row verdict CSV into the national register: "
        f"{step['seconds']:.1f} s, {import_rate:,.0f} rows/s, peak {step['rss_mb']:.0f} MB. A raw "
        f"`executemany` of the same rows into a fresh table with the same schema and indexes, in one "
        f"transaction: {floor_rate:,.0f} rows/s. Ratio {import_rate / floor_rate:.0%} (target ≥ 50%).",
        "",
        "Build steps (each one process, the real commands):",
        "",
        "| step | s | peak MB |",
        "|---|---:|---:|",
    ]
    for name, m in info["steps"].items():
        lines.append(f"| `{name}` | {m['seconds']:.1f} | {m['rss_mb']:.0f} |")
    # The exchange benchmark (benchmarks/exchange.py) keeps its own section: carried over.
    kept = ""
    if path.exists() and "<!-- exchange benchmark -->" in (old := path.read_text(encoding="utf-8")):
        kept = "\n<!-- exchange benchmark -->" + old.split("<!-- exchange benchmark -->", 1)[1]
    path.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")


if __name__ == "__main__":
    main()
