"""The exchange at national scale (issue 16): every district keeps its own register, sends one
packet, and the province (here: the whole country) imports them all into one empty register.

    python benchmarks/exchange.py [--work benchmarks/work-exchange] [--provinces 63] [--seed 51]

From the synthetic national data of generate.py (units, the national plan cut into one plan per
district, the two verdict files): builds ~700 district registers (each: its province and
district subtree, its plan, its communes' verdicts in the same two files), exports one packet
each, then — timed, in one process — imports every packet into an empty register. Also builds
the national register directly from the same files (the same plans, the verdicts by `record
import`), times a raw `executemany` of the same rows into the same schema, and compares the
union with the national register report by report. Writes the figures into BENCHMARKS.md's
"Exchange" section. Not a test: run by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

NTMTRACK = [sys.executable, "-m", "ntmtrack"]
REPORTS = [("status", "--as-of", "2025-12-31"), ("status", "--as-of", "2024-06-30"),
           ("status", "--bands", "--as-of", "2025-12-31"), ("criteria", "stats", "--as-of", "2025-12-31"),
           ("laggards", "--as-of", "2026-07-15"), ("laggards", "--as-of", "2025-12-31")]
MARK_START, MARK_END = "<!-- exchange benchmark -->", "<!-- /exchange benchmark -->"


def inputs(work: Path, provinces: int, seed: int) -> dict:
    """generate.py's files (its random sequence replayed; the indicator file left out), and the
    tree, cut per district."""
    rng = random.Random(seed)
    tree, counts = generate.units_tree(rng, provinces)
    generate.write_units(tree, work / "units.yaml")
    generate.write_national_plan(rng, tree, work / "plan-national.yaml")
    generate.write_campaign(rng, tree[0], work / "plan-campaign.yaml")
    verdicts = generate.write_verdicts(rng, tree, [work / "verdicts-1.csv", work / "verdicts-2.csv"])
    deadlines = {}
    for line in (work / "plan-national.yaml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"  - \{criteria: all, by: (\S+), units: (\[.*\])\}", line)
        if m:
            for code in json.loads(m.group(2)):
                deadlines[code] = m.group(1)
    districts = []
    for province in tree:
        for district in province["children"]:
            communes = [c["code"] for cl in district["children"] for c in cl["children"]]
            districts.append((province, district, communes))
    return {"tree": tree, "counts": counts, "verdicts": verdicts, "deadlines": deadlines,
            "districts": districts}


def plan_text(plan_id: str, title: str, codes: list[str], deadlines: dict) -> str:
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(deadlines[code], []).append(code)
    lines = [f"plan: {plan_id}", f"title: {title}", "criteria_set: qd51-2025", "start: 2023-01-01",
             "end: 2030-12-31", "report_every: month", "targets:"]
    for by in sorted(groups):
        lines.append(f"  - {{criteria: all, by: {by}, units: {json.dumps(groups[by])}}}")
    return "\n".join(lines) + "\n"


def cli(*args) -> str:
    from typer.testing import CliRunner

    from ntmtrack.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exit_code != 0:
        raise SystemExit(f"ntmtrack {' '.join(map(str, args))}: {result.stderr}")
    return result.stdout


def split_verdicts(work: Path, data: dict) -> Path:
    """Each district's rows of each verdict file, in the file's order."""
    folder = work / "districts"
    folder.mkdir(exist_ok=True)
    district_of = {c: d["code"] for _, d, communes in data["districts"] for c in communes}
    for n in (1, 2):
        rows: dict[str, list[str]] = {}
        with open(work / f"verdicts-{n}.csv", encoding="utf-8") as f:
            header = next(f)
            for line in f:
                rows.setdefault(district_of[line.split(",", 2)[1]], []).append(line)
        for code, lines in rows.items():
            (folder / f"{code}-{n}.csv").write_text(header + "".join(lines), encoding="utf-8")
    return folder


def district_registers(work: Path, data: dict, folder: Path) -> tuple[Path, float]:
    packets = work / "packets"
    packets.mkdir(exist_ok=True)
    start = time.perf_counter()
    for i, (province, district, communes) in enumerate(data["districts"]):
        code = district["code"]
        db = folder / f"{code}.db"
        units = folder / f"{code}-units.yaml"
        generate.write_units([{**province, "children": [district]}], units)
        plan = folder / f"{code}-plan.yaml"
        plan.write_text(plan_text(f"ntm-{code.lower()}", f"NTM {district['name']}", communes,
                                  data["deadlines"]), encoding="utf-8")
        cli("init", "--db", db)
        cli("units", "import", units, "--db", db)
        cli("plan", "import", plan, "--db", db)
        for n in (1, 2):
            if (folder / f"{code}-{n}.csv").exists():
                cli("record", "import", folder / f"{code}-{n}.csv", "--db", db)
        cli("exchange", "export", "--under", code, "-o", packets / f"{code}.ntmp", "--force", "--db", db)
        if (i + 1) % 50 == 0:
            print(f"  district registers: {i + 1}/{len(data['districts'])}", flush=True)
    return packets, time.perf_counter() - start


def national(work: Path, data: dict, folder: Path) -> tuple[Path, float, int]:
    """The register built directly: units, the same district plans, then the verdict files by
    `record import` (timed: the one-CSV baseline)."""
    db = work / "national.db"
    cli("init", "--db", db)
    cli("units", "import", work / "units.yaml", "--db", db)
    for _, district, _ in data["districts"]:
        cli("plan", "import", folder / f"{district['code']}-plan.yaml", "--db", db)
    start = time.perf_counter()
    for n in (1, 2):
        cli("record", "import", work / f"verdicts-{n}.csv", "--db", db)
    elapsed = time.perf_counter() - start
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM observation").fetchone()[0]
    return db, elapsed, rows


def timed_import(db: Path, packets: list[Path]) -> tuple[float, float]:
    """`exchange import` of the packets into an empty register, one process: (seconds, peak MB).

    The peak comes from GNU time when there is one: a process forked from this one (which
    holds the national data) would inherit its resident size in ru_maxrss."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    subprocess.run(NTMTRACK + ["init", "--db", str(db)], check=True, capture_output=True)
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    prefix = [gnu_time, "-f", "maxrss_kb=%M"] if gnu_time else []
    start = time.perf_counter()
    proc = subprocess.run(prefix + NTMTRACK + ["exchange", "import", *map(str, packets), "--db", str(db)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"exchange import failed: {proc.stderr.strip().splitlines()[-1:]}")
    found = re.findall(r"maxrss_kb=(\d+)", proc.stderr)
    return elapsed, (int(found[-1]) / 1024 if found else float("nan"))


def raw_floor(national_db: Path, work: Path) -> float:
    """A raw executemany of the same verdict rows, in one transaction, into a fresh table with
    the register's observation schema and indexes."""
    floor = work / "floor.db"
    floor.unlink(missing_ok=True)
    source = sqlite3.connect(national_db)
    schema = [r[0] for r in source.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name='observation' AND type IN ('table', 'index')"
        " AND sql IS NOT NULL")]
    units = dict(source.execute("SELECT code, id FROM unit WHERE code IS NOT NULL"))
    source.close()
    conn = sqlite3.connect(floor, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        conn.execute(sql)
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    i = 0
    for n in (1, 2):
        with open(work / f"verdicts-{n}.csv", encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            rows = []
            for d, u, m, v, _ in reader:
                i += 1
                rows.append((units[u], int(m), v, d, f"f:{i}", f"floor:{i:012d}"))
            conn.executemany(
                "INSERT INTO observation (unit_id, criteria_set, criterion, kind, date, recorded_at,"
                " by, source, gid) VALUES (?, 'qd51-2025', ?, ?, ?, '2026-01-01', 'floor', ?, ?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    floor.unlink()
    return elapsed


def compare(a: Path, b: Path, plan: str) -> dict[str, bool]:
    out = {}
    for args in REPORTS + [("status", "--plan", plan, "--as-of", "2025-12-31")]:
        name = " ".join(args)
        out[name] = cli(*args, "-f", "csv", "--db", a) == cli(*args, "-f", "csv", "--db", b)
    return out


def run(work: Path, provinces: int, seed: int = 51, reuse: bool = False) -> dict:
    """With `reuse`, a work directory of an earlier run keeps its packets (and its national
    register, if that run recorded its timing)."""
    work.mkdir(parents=True, exist_ok=True)
    data = inputs(work, provinces, seed)
    folder = work / "districts"
    packets = work / "packets"
    built = work / "built.json"
    if reuse and built.exists():
        build_s = json.loads(built.read_text())["district_build_s"]
    else:
        folder = split_verdicts(work, data)
        packets, build_s = district_registers(work, data, folder)
        built.write_text(json.dumps({"district_build_s": build_s}))
    files = sorted(packets.glob("*.ntmp"))
    timing = work / "national.json"
    if reuse and timing.exists():
        national_db = work / "national.db"
        csv_s, rows = json.loads(timing.read_text())
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work / "national.db") + suffix).unlink(missing_ok=True)
        national_db, csv_s, rows = national(work, data, folder)
        timing.write_text(json.dumps([csv_s, rows]))
    union = work / "union.db"
    tenth = files[:max(1, len(files) // 10)]
    _, tenth_mb = timed_import(work / "tenth.db", tenth)
    import_s, import_mb = timed_import(union, files)
    floor_s = raw_floor(national_db, work)
    first_plan = f"ntm-{data['districts'][0][1]['code'].lower()}"
    same = compare(national_db, union, first_plan)
    result = {"provinces": provinces, "districts": len(data["districts"]), "packets": len(files),
              "packet_bytes": sum(p.stat().st_size for p in files), "observations": rows,
              "district_build_s": None if build_s is None else round(build_s, 1), "import_s": round(import_s, 2),
              "import_rows_per_s": round(rows / import_s), "import_peak_mb": round(import_mb),
              "tenth_peak_mb": round(tenth_mb), "tenth_packets": len(tenth),
              "csv_import_s": round(csv_s, 2), "raw_executemany_s": round(floor_s, 2),
              "raw_rows_per_s": round(rows / floor_s), "union_equals_national": same}
    return result


def write_report(result: dict, path: Path) -> None:
    same = result["union_equals_national"]
    text = "\n".join([
        MARK_START, "## Exchange", "",
        "Produced by `python benchmarks/exchange.py` (issue 16): one register per district built from the "
        "synthetic national data, one packet each, all imported by one `exchange import` process into an "
        "empty register, compared with the national register built directly from the same files.", "",
        f"- {result['provinces']} provinces, {result['districts']} district registers, {result['packets']} "
        f"packets, {result['packet_bytes'] / 1e6:.1f} MB of packets, {result['observations']:,} observations",
        f"- `exchange import` of all packets: {result['import_s']} s, {result['import_rows_per_s']:,} rows/s, "
        f"peak {result['import_peak_mb']} MB (the first {result['tenth_packets']} packets alone: peak "
        f"{result['tenth_peak_mb']} MB)",
        f"- the same rows by `record import` of the two CSV files: {result['csv_import_s']} s "
        f"(packets / CSV: {result['import_s'] / result['csv_import_s']:.2f}×, target < 2×)",
        f"- raw `executemany` into the same schema: {result['raw_executemany_s']} s, "
        f"{result['raw_rows_per_s']:,} rows/s (packets / raw: {result['import_s'] / result['raw_executemany_s']:.2f}×)",
        "- building the district registers and their packets: "
        + (f"{result['district_build_s']} s" if result["district_build_s"] is not None else "not timed in this run (packets reused)"),
        f"- the union equals the national register in every report compared: "
        f"{'yes' if all(same.values()) else 'NO'} ({', '.join(f'`{k}`' for k in same)})",
        MARK_END, ""])
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if MARK_START in old:
        before, rest = old.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1].lstrip("\n")
        old = before + after
    path.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / "work-exchange")
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--seed", type=int, default=51)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--reuse", action="store_true", help="reuse the packets (and national register) of a kept run")
    args = parser.parse_args()
    if args.work.exists() and not args.reuse:
        shutil.rmtree(args.work)
    result = run(args.work, args.provinces, args.seed, args.reuse)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    write_report(result, HERE.parent / "BENCHMARKS.md")
    if not args.keep:
        shutil.rmtree(args.work)


if __name__ == "__main__":
    main()
