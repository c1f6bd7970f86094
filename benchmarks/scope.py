"""A register holding one district alone, built from the national inputs through the real
commands, for target 3 (a report `--under` a district costs what it costs on that district's
own register). run.py uses benchmarks/one_district.py instead when it exists.

    python benchmarks/scope.py INPUT_DIR OUT.db --district T01H01

Keeps: the district's province and the district's subtree (units.yaml), the national plan's
targets on its communes, the campaign plan's targets on its villages, and every verdict and
indicator value of its units. Deterministic: the same inputs give the same register.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def _codes(node) -> set[str]:
    out = {node["code"]} if node.get("code") else set()
    for child in node.get("children") or ():
        out |= _codes(child)
    return out


def _flow(node, pad: str = "  ") -> str:
    head = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in node.items() if k != "children")
    if not node.get("children"):
        return f"{pad}{{{head}}}"
    inner = ",\n".join(_flow(c, pad + "  ") for c in node["children"])
    return f"{pad}{{{head}, children: [\n{inner}]}}"


def inputs_for(inputs: Path, district: str, out: Path) -> None:
    """The national input files cut to one district, written in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    tree = yaml.load((inputs / "units.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    province = next(p for p in tree if district.startswith(p["code"]))
    kept = dict(province, children=[d for d in province["children"] if d["code"] == district])
    (out / "units.yaml").write_text("- " + _flow(kept).lstrip() + "\n", encoding="utf-8")
    codes = _codes(kept["children"][0])

    # The national plan: one `{criteria, by, units: [...]}` line per deadline.
    lines = []
    for line in (inputs / "plan-national.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("  - {criteria:"):
            entry = yaml.load(line[4:], Loader=yaml.CSafeLoader)
            units = [u for u in entry["units"] if u in codes]
            if units:
                lines.append(f"  - {{criteria: all, by: {entry['by']}, units: {json.dumps(units)}}}")
        else:
            lines.append(line)
    (out / "plan-national.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # The campaign: `"VILLAGE": goal` lines under each metric's targets.
    lines = []
    for line in (inputs / "plan-campaign.yaml").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith('"') and stripped.split('"')[1] not in codes:
            continue
        lines.append(line)
    (out / "plan-campaign.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for name in ("verdicts-1.csv", "verdicts-2.csv", "indicators.csv"):
        with open(inputs / name, encoding="utf-8", newline="") as f, \
                open(out / name, "w", encoding="utf-8", newline="") as g:
            reader, writer = csv.reader(f), csv.writer(g, lineterminator="\n")
            writer.writerow(next(reader))
            writer.writerows(r for r in reader if r[1] in codes)


def build(inputs: Path, db: Path, district: str, python: str = sys.executable) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    env = {**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "vi", "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        cut = Path(tmp)
        inputs_for(inputs, district, cut)
        for args in (["init"], ["units", "import", cut / "units.yaml"],
                     ["plan", "import", cut / "plan-national.yaml"],
                     ["plan", "import", cut / "plan-campaign.yaml"],
                     ["record", "import", cut / "verdicts-1.csv"],
                     ["record", "import", cut / "verdicts-2.csv"],
                     ["record", "import", cut / "indicators.csv"]):
            subprocess.run([python, "-m", "ntmtrack", *map(str, args)], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", type=Path)
    parser.add_argument("db", type=Path)
    parser.add_argument("--district", default="T01H01")
    args = parser.parse_args()
    build(args.inputs, args.db.resolve(), args.district)


if __name__ == "__main__":
    main()
