"""What detecting re-imported rows costs SQLite: raw `executemany` of the verdict file into a
copy of the register as it stood before it, with each duplicate-detection key (issue 17).

    python benchmarks/import_keys.py BEFORE.db verdicts-2.csv [--runs 5] [--variants none,sha1,int64]

Each variant copies BEFORE.db once, makes it what the variant needs (outside the timing), then
for every run times, on a fresh copy, reading the CSV and one `executemany` in one transaction (ids and global ids given, as
`record import` gives them). Variants: `none` (no key: the fingerprint index dropped),
`sha1` (40-character text fingerprints in the unique index, as before m013), `int64` (a 64-bit
integer key in a unique index, m013), `bykey` (m014: the 64-bit key at the end of the index of a
unit's days instead of an index of its own, every row looked up before it goes in — what
`record import` does only for the unit-days that already hold imported rows), with `-cache` the 64 MB page cache `record import` uses. Runs are interleaved and
the medians printed, with rows/s of wall and of CPU time (user + system: steadier when
other work shares the machine). Not a test: the machine is shared, ratios matter.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path


def prepare(source: Path, target: Path, variant: str) -> None:
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    names = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info('observation')")}
    if variant.startswith("none") and "observation_fingerprint" in {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}:
        conn.execute("DROP INDEX observation_fingerprint")
    if variant.startswith("bykey"):
        # m014: the key ends the verdict's own index; the register may be of m013 or m014.
        for index in ("observation_fingerprint", "observation_fingerprint64"):
            conn.execute(f"DROP INDEX IF EXISTS {index}")
        conn.execute("DROP INDEX observation_unit")
        conn.execute("CREATE INDEX observation_unit ON observation(unit_id, date, fingerprint64)")
    if variant.startswith("none"):
        conn.execute("DROP INDEX IF EXISTS observation_fingerprint64")
    if variant.startswith("int64") and "key" not in names:
        conn.execute("DROP INDEX IF EXISTS observation_fingerprint")
        conn.execute("ALTER TABLE observation ADD COLUMN key INTEGER")
        conn.create_function("k", 1, lambda t: int(t[:16], 16) - (1 << 64) if int(t[:16], 16) >= 1 << 63
                             else int(t[:16], 16))
        conn.execute("UPDATE observation SET key = k(fingerprint) WHERE fingerprint IS NOT NULL")
        conn.execute("CREATE UNIQUE INDEX observation_key ON observation(key) WHERE key IS NOT NULL")
    conn.close()


def run(db: Path, csv_path: Path, variant: str) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    if variant.endswith("-cache"):
        conn.execute("PRAGMA cache_size=-65536")
    units = dict(conn.execute("SELECT code, id FROM unit WHERE code IS NOT NULL"))
    register = conn.execute("SELECT value FROM meta WHERE key='register_id'").fetchone()[0]
    first = conn.execute("SELECT max(id) + 1 FROM observation").fetchone()[0]
    column = {"none": None, "sha1": "fingerprint", "int64": "key", "bykey": "fingerprint64"}[variant.split("-")[0]]
    columns = "id, gid, unit_id, criteria_set, criterion, kind, date, recorded_at, by, source"
    if column:
        columns += ", " + column
    sql = f"INSERT INTO observation ({columns}) VALUES ({', '.join('?' * len(columns.split(',')))})"
    if column == "fingerprint64":
        # m014: found among the rows of its key and day, through their index.
        marks = ", ".join("?" * len(columns.split(",")))
        sql = (f"INSERT INTO observation ({columns}) SELECT {marks} WHERE NOT EXISTS (SELECT 1 FROM"
               " observation x WHERE x.unit_id = ?3 AND x.date = ?7 AND x.fingerprint64 = ?11)")
    elif column:
        sql += f" ON CONFLICT ({column}) WHERE {column} IS NOT NULL DO NOTHING"

    def rows(reader):
        for n, (d, u, m, v, note) in enumerate(reader, start=first):
            row = [n, f"{register}:{n:012d}", units[u], "qd51-2025", int(m), v, d,
                   "2026-01-01T00:00:00+00:00", "floor", f"f:{n}"]
            if column == "fingerprint":
                row.append(hashlib.sha1(f"{u}|{m}|{v}|{d}|{note}".encode()).hexdigest())
            elif column in ("key", "fingerprint64"):
                row.append(int.from_bytes(hashlib.sha1(f"{u}|{m}|{v}|{d}|{note}".encode()).digest()[:8],
                                          "big", signed=True))
            yield row

    start, cpu = time.perf_counter(), time.process_time()
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows(reader))
        conn.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", default="none,sha1,int64")
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "work")
    args = parser.parse_args()
    rows = sum(1 for _ in open(args.csv, encoding="utf-8")) - 1
    variants = args.variants.split(",")
    times: dict[str, list[float]] = {v: [] for v in variants}
    cpus: dict[str, list[float]] = {v: [] for v in variants}
    templates = {}
    for variant in variants:
        base = variant.split("-")[0]
        if base not in templates:
            templates[base] = args.work / f"keys-template-{base}.db"
            prepare(args.before, templates[base], base)
    for _ in range(args.runs):
        for variant in variants:
            db = args.work / f"keys-{variant}.db"
            shutil.copyfile(templates[variant.split("-")[0]], db)
            elapsed, cpu = run(db, args.csv, variant)
            times[variant].append(elapsed)
            cpus[variant].append(cpu)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            print(f"  {variant}: {elapsed:.2f} s, CPU {cpu:.2f} s", file=sys.stderr, flush=True)
    for template in templates.values():
        template.unlink()
    for variant in variants:
        median, cpu = statistics.median(times[variant]), statistics.median(cpus[variant])
        print(f"{variant:12} {median:7.2f} s  {rows / median:9,.0f} rows/s  CPU {cpu:6.2f} s"
              f"  {rows / cpu:9,.0f} rows/CPU-s  (runs: " + ", ".join(f"{t:.1f}" for t in times[variant]) + ")")


if __name__ == "__main__":
    main()
