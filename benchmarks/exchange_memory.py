"""Memory of `exchange import` against the number of packets (issue 16, rule 6: flat).

    python benchmarks/exchange_memory.py [--packets 700] [--work benchmarks/work-exchange-memory]

Makes synthetic district packets (each its own origin: a province, a district, 10 communes of
12 villages — 133 units, the size of a real district's manifest — and 300 verdicts), then
imports the first tenth, and all of them, each into an empty register in one process, and
prints the peak RSS of each (GNU time). Flat means the two peaks are close. Not a test.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import packets  # noqa: E402  (the tests' packet builder: the format of read/packet.py)


def make(count: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    paths = []
    for k in range(count):
        origin = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        province, district = f"Tỉnh {k // 12}", f"Huyện {k}"

        def unit(n, parent, name, kind, path):
            return {"n": n, "parent": parent, "name": name, "kind": kind, "code": None, "edition": None,
                    "path": path, "aliases": None, "active_until": None, "covered": kind != "province"}

        units = [unit(1, None, province, "province", province),
                 unit(2, 1, district, "district", f"{province}/{district}")]
        communes = []
        for c in range(10):
            communes.append(len(units) + 1)
            path = f"{province}/{district}/Xã {k}-{c}"
            units.append(unit(len(units) + 1, 2, f"Xã {k}-{c}", "commune", path))
            units += [unit(len(units) + 1 + v, communes[-1], f"Thôn {v}", "village", f"{path}/Thôn {v}")
                      for v in range(12)]
        records = [{"type": "observation", "gid": f"{origin}:{s:012d}", "unit": communes[s % 10],
                    "kind": rng.choice(["met", "unmet"]), "criteria_set": "qd1980-2016",
                    "criterion": 1 + s % 19, "date": f"2019-{1 + s % 12:02d}-01",
                    "recorded_at": "2020-01-01T08:00:00+00:00", "by": "x", "source": "command line"}
                   for s in range(1, 301)]
        paths.append(packets.build(folder / f"{k:04d}.ntmp", records, units=units, origin=origin,
                                   first_seq=1, last_seq=300))
    return paths


def peak(paths: list[Path], db: Path) -> tuple[float, float]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    ntmtrack = [sys.executable, "-m", "ntmtrack"]
    subprocess.run(ntmtrack + ["init", "--db", str(db)], check=True, capture_output=True)
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + ntmtrack + ["exchange", "import", "--db", str(db)]
                          + [str(p) for p in paths], check=True, capture_output=True, text=True)
    seconds, kb = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=700)
    parser.add_argument("--work", type=Path, default=HERE / "work-exchange-memory")
    args = parser.parse_args()
    paths = make(args.packets, args.work / "packets")
    for count in (max(1, args.packets // 10), args.packets):
        seconds, mb = peak(paths[:count], args.work / "register.db")
        print(f"exchange import of {count} packets: {seconds:.1f} s, peak {mb:.0f} MB", flush=True)
    shutil.rmtree(args.work)


if __name__ == "__main__":
    main()
