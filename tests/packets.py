"""Building exchange packets by hand for tests (and the hostile corpus in tests/data/bad): the
format of read/packet.py, with every part open to tampering."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

ORIGIN = "0b5e2c1a-7d3f-4e8a-9c21-5f6a7b8c9d0e"
UNITS = [
    {"n": 1, "parent": None, "name": "Hà Tĩnh", "kind": "province", "code": None, "edition": None,
     "path": "Hà Tĩnh", "aliases": None, "active_until": None, "covered": False},
    {"n": 2, "parent": 1, "name": "Xã Gửi", "kind": "commune", "code": None, "edition": None,
     "path": "Hà Tĩnh/Xã Gửi", "aliases": None, "active_until": None, "covered": True},
]


def observation(seq: int, criterion: int = 1, kind: str = "met", day: str = "2022-05-01", **extra) -> dict:
    return {"type": "observation", "gid": f"{ORIGIN}:{seq:012d}", "unit": 2, "kind": kind,
            "criteria_set": "qd1980-2016", "criterion": criterion, "date": day,
            "recorded_at": "2022-05-02T08:00:00+00:00", "by": "xã Gửi", "source": "command line", **extra}


def build(path: Path, records: list[dict], units: list[dict] | None = None, **manifest) -> Path:
    """A packet at `path`; `manifest` overrides any field of the manifest as computed."""
    content = b"".join((json.dumps(r, ensure_ascii=False) + "\n").encode() for r in records)
    packed = gzip.compress(content, mtime=0)
    counts = dict.fromkeys(("observation", "plan", "indicator", "criteria_set", "lineage"), 0)
    for r in records:
        if r.get("type") in counts:
            counts[r["type"]] += 1
    head = {"format": "ntmtrack-packet", "version": 1, "origin": ORIGIN,
            "made_at": "2022-05-02T09:00:00+00:00", "under": None,
            "units": UNITS if units is None else units, "first_seq": 1, "last_seq": len(records),
            "newest_date": None, "counts": counts,
            "content": {"compression": "gzip", "bytes": len(packed), "uncompressed_bytes": len(content),
                        "sha256": hashlib.sha256(packed).hexdigest()}}
    head.update(manifest)
    path.write_bytes((json.dumps(head, ensure_ascii=False) + "\n").encode() + packed)
    return path


def make_corpus(folder: Path) -> dict[str, str]:
    """The hostile packets of tests/data/bad: {file name: the error each must give}."""
    good = [observation(1), observation(2, 2)]
    out = {}
    p = build(folder / "packet-truncated.ntmp", good)
    p.write_bytes(p.read_bytes()[:-7])
    out[p.name] = "truncated or altered"
    p = build(folder / "packet-tampered.ntmp", good)
    data = bytearray(p.read_bytes())
    data[-12] ^= 0x01
    p.write_bytes(bytes(data))
    out[p.name] = "does not match its checksum"
    build(folder / "packet-wrong-version.ntmp", good, version=2)
    out["packet-wrong-version.ntmp"] = "packet format version 2"
    build(folder / "packet-duplicate-gid.ntmp", [observation(1), observation(1, kind="unmet")])
    out["packet-duplicate-gid.ntmp"] = "appears twice with different content"
    cycle = [dict(UNITS[0], parent=2, path="Xã Gửi/Hà Tĩnh"), dict(UNITS[1], parent=1)]
    build(folder / "packet-cycle.ntmp", good, units=cycle)
    out["packet-cycle.ntmp"] = "a cycle"
    # 20 MB of blank lines in 20 KB, declared as 10 bytes: refused after 11.
    bomb = gzip.compress(b"\n" * (20 * 1024 * 1024), mtime=0)
    build(folder / "packet-bomb.ntmp", [])
    head = json.loads((folder / "packet-bomb.ntmp").read_bytes().split(b"\n", 1)[0])
    head["content"] = {"compression": "gzip", "bytes": len(bomb), "uncompressed_bytes": 10,
                       "sha256": hashlib.sha256(bomb).hexdigest()}
    (folder / "packet-bomb.ntmp").write_bytes((json.dumps(head) + "\n").encode() + bomb)
    out["packet-bomb.ntmp"] = "compression bomb"
    build(folder / "packet-code.ntmp", [{"type": "__import__('os').system('touch pwned')"}])
    out["packet-code.ntmp"] = "unknown record type"
    build(folder / "packet-path-escape.ntmp", good,
          units=[dict(UNITS[0], name="../../etc", path="../../etc"), dict(UNITS[1], path="../../etc/Xã Gửi")])
    out["packet-path-escape.ntmp"] = "cannot hold '/'"
    (folder / "packet-foreign.ntmp").write_bytes(b"unit,date,measure,value\nDan Ly,2022-05-01,1,dat\n")
    out["packet-foreign.ntmp"] = "not an ntmtrack packet"
    build(folder / "packet-miscounted.ntmp", good, counts={"observation": 3, "plan": 0, "indicator": 0,
                                                            "criteria_set": 0, "lineage": 0})
    out["packet-miscounted.ntmp"] = "where the manifest declares 3"
    return out


if __name__ == "__main__":
    import sys

    folder = Path(sys.argv[1])
    expected_path = folder / "expected.json"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    for name, error in make_corpus(folder).items():
        expected[name] = {"command": "exchange", "error": error}
    expected_path.write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
