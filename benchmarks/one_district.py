"""A register holding one district alone, cut from the national benchmark's inputs (issue 17,
target 3: a report `--under` a district reads only that district's rows).

    python benchmarks/one_district.py [--work benchmarks/work] [--district T01H01] [--runs 5]
                                      [--national WORK/national.db] [--rebuild]

Builds (once; `--rebuild` to start over) `WORK/district-CODE.db` through the real commands, from
the files in `WORK/input/`: `units import` of the district's subtree with its province above it,
the same two plans cut to the district's units (same plan ids, titles, periods and targets),
then `record import` of the district's rows of verdicts-1.csv, verdicts-2.csv and
indicators.csv, in the national build's order. Then times each report `--under` the district
on the national register (`WORK/national.db`) and on the district's register, interleaved in
the same loop (median of `--runs`), and checks that both give the same output. The suite
(run.py) reuses `build()` and `compare()`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

NTMTRACK = [sys.executable, "-m", "ntmtrack"]


def reports(district: str, campaign_plan: str) -> list[tuple[str, list[str]]]:
    """(name, arguments) of every report that takes `--under`, scoped to the district."""
    return [
        ("summary --under", ["summary", "--under", district, "-f", "json"]),
        ("laggards --under", ["laggards", "--under", district, "-f", "csv"]),
        ("progress --under", ["progress", campaign_plan, "--under", district, "-f", "csv"]),
        ("criteria stats --under", ["criteria", "stats", "--under", district, "-f", "csv"]),
        ("status --under", ["status", "--under", district, "-f", "csv"]),
    ]


def _subtree(units_yaml: Path, district: str) -> list[dict]:
    """The province holding the district, with that district alone below it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(units_yaml, encoding="utf-8") as f:
        tree = yaml.load(f, Loader=loader)
    for province in tree:
        for d in province.get("children", []):
            if d.get("code") == district:
                return [{**province, "children": [d]}]
    raise SystemExit(f"no district {district} in {units_yaml}")


def _codes(nodes: list[dict]) -> set[str]:
    out = set()
    stack = list(nodes)
    while stack:
        n = stack.pop()
        out.add(n["code"])
        stack.extend(n.get("children", []))
    return out


def cut_plan(text: str, codes: set[str]) -> str:
    """A plan file with only the targets on `codes`: a `units: [...]` list keeps its codes in
    scope (an empty one is dropped), a `"CODE": amount` target line is kept when CODE is."""
    out = []
    for line in text.splitlines():
        m = re.match(r"(\s*- \{.*units: )(\[.*\])(\}\s*)$", line)
        if m:
            kept = [c for c in json.loads(m.group(2)) if c in codes]
            if kept:
                out.append(m.group(1) + json.dumps(kept) + m.group(3))
            continue
        m = re.match(r'\s+"([^"]+)": \S+$', line)
        if m and m.group(1) not in codes:
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _cut_csv(source: Path, target: Path, codes: set[str]) -> int:
    n = 0
    with open(source, encoding="utf-8") as f, open(target, "w", encoding="utf-8") as out:
        out.write(next(f))
        for line in f:
            if line.split(",", 2)[1] in codes:
                out.write(line)
                n += 1
    return n


def build(work: Path, district: str, env: dict, rebuild: bool = False) -> Path:
    """The district's register (built once), from WORK/input; returns its path."""
    inputs = work / "input"
    db = work / f"district-{district}.db"
    done = work / f"district-{district}.json"
    if db.exists() and done.exists() and not rebuild:
        return db
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    folder = work / f"district-{district}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tree = _subtree(inputs / "units.yaml", district)
    codes = _codes(tree)
    generate.write_units(tree, folder / "units.yaml")
    for name in ("plan-national.yaml", "plan-campaign.yaml"):
        (folder / name).write_text(cut_plan((inputs / name).read_text(encoding="utf-8"), codes),
                                   encoding="utf-8")
    rows = {name: _cut_csv(inputs / name, folder / name, codes)
            for name in ("verdicts-1.csv", "verdicts-2.csv", "indicators.csv")}
    denv = {**env, "NTMTRACK_DB": str(db)}
    steps = [["init"], ["units", "import", folder / "units.yaml"],
             ["plan", "import", folder / "plan-national.yaml"],
             ["plan", "import", folder / "plan-campaign.yaml"]]
    steps += [["record", "import", folder / name] for name, n in rows.items() if n]
    for args in steps:
        subprocess.run(NTMTRACK + [str(a) for a in args], env=denv, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done.write_text(json.dumps({"district": district, "units": len(codes), "rows": rows}, indent=2))
    return db


def _run(args: list[str], env: dict) -> tuple[float, bytes]:
    start = time.perf_counter()
    p = subprocess.run(NTMTRACK + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if p.returncode not in (0, 3):
        raise SystemExit(f"ntmtrack {' '.join(args)}: {p.stderr.decode()[-500:]}")
    return elapsed, p.stdout


def compare(national: Path, alone: Path, district: str, campaign_plan: str, env: dict,
            runs: int = 5) -> list[dict]:
    """Each report `--under` the district on both registers, interleaved: {name, national,
    alone (median seconds), ratio, same (identical output)}."""
    out = []
    for name, args in reports(district, campaign_plan):
        envs = {"national": {**env, "NTMTRACK_DB": str(national)},
                "alone": {**env, "NTMTRACK_DB": str(alone)}}
        outputs = {k: _run(args, e)[1] for k, e in envs.items()}   # warm-up, and the outputs
        times: dict[str, list[float]] = {"national": [], "alone": []}
        for _ in range(runs):
            for k, e in envs.items():
                times[k].append(_run(args, e)[0])
        n, a = statistics.median(times["national"]), statistics.median(times["alone"])
        out.append({"name": name, "args": args, "national": n, "alone": a, "ratio": n / a,
                    "same": outputs["national"] == outputs["alone"]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--district", default=None, help="default: the manifest's one_district")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--national", type=Path, default=None, help="default: WORK/national.db")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    work = args.work.resolve()
    manifest = json.loads((work / "input" / "manifest.json").read_text())
    district = args.district or manifest["one_district"]
    env = {**os.environ, "NTMTRACK_LANG": "vi", "COLUMNS": "120", "NO_COLOR": "1"}
    alone = build(work, district, env, args.rebuild)
    print(f"register of {district} alone: {alone}", flush=True)
    for r in compare(args.national or work / "national.db", alone, district, manifest["campaign_plan"], env, args.runs):
        print(f"  {r['name']:24} national {r['national']:.3f} s  alone {r['alone']:.3f} s  "
              f"= {r['ratio']:.2f}x (target <= 1.2x)  output {'same' if r['same'] else 'DIFFERS'}",
              flush=True)


if __name__ == "__main__":
    main()
