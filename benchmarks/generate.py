"""A synthetic national register's input files, deterministic from a seed.

    python benchmarks/generate.py OUT_DIR [--seed 51] [--provinces 63]

Writes, in OUT_DIR:
  units.yaml          63 provinces, ~700 districts (with clusters), ~10,600 communes, ~80,000 villages
  plan-national.yaml  every commune targets all criteria of qd51-2025, by dates over five years
  plan-campaign.yaml  indicator targets for every village of the first province
  verdicts-1.csv, verdicts-2.csv   ~2 million criterion verdicts over three years (two files)
  indicators.csv      ~1 million indicator values for the campaign's villages
  manifest.json       counts, and the names the benchmark uses (one district, one province)

Names carry diacritics and repeat across districts as real ones do ("Tân Lập", "Yên Bình");
units are named in the files by their codes, which are unique.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

SYLLABLES = ("An Bình Hòa Tân Lập Phú Yên Thạnh Hưng Long Mỹ Đông Tây Nam Bắc Trung Xuân Thọ "
             "Quảng Đức Vĩnh Hải Sơn Minh Châu Thuận Lợi Phước Hiệp Thành Nghĩa Khánh Lộc "
             "Cường Thịnh Quý Tiến Hợp Kim Ngọc Đồng Thượng Hạ Phong Vân Hồng Lạc Thái").split()
VILLAGE_WORDS = ("Thôn", "Xóm", "Ấp", "Bản", "Làng")
CRITERIA = 10           # qd51-2025
INDICATORS = [          # the campaign's indicators: (code, name, measure, rollup, typical target)
    ("ho-nuoc-sach", "Hộ dùng nước sạch", "hộ", "sum", 180),
    ("duong-be-tong", "Đường bê tông hóa", "km", "sum", 6),
    ("ho-hang-rao-xanh", "Hộ trồng hàng rào xanh", "hộ", "sum", 120),
    ("ty-le-thu-gom-rac", "Tỷ lệ thu gom rác", "%", "mean", 95),
    ("ho-khong-ngheo", "Hộ thoát nghèo", "hộ", "sum", 25),
    ("nha-van-hoa-dat-chuan", "Nhà văn hóa đạt chuẩn", "nhà", "sum", 1),
]
START = date(2023, 1, 1)
DAYS = 3 * 365


def _name(rng: random.Random, taken: set[str] | None = None) -> str:
    """Two syllables; unique among `taken` (siblings), repeated freely elsewhere as real names are."""
    while True:
        name = " ".join(rng.sample(SYLLABLES, 2))
        if taken is None or name not in taken:
            if taken is not None:
                taken.add(name)
            return name


def units_tree(rng: random.Random, provinces: int) -> tuple[list[dict], dict]:
    tree, counts = [], {"province": 0, "district": 0, "cluster": 0, "commune": 0, "village": 0}
    commune_no = 0
    for p in range(1, provinces + 1):
        province = {"name": f"{_name(rng)} {p}", "kind": "province", "code": f"T{p:02d}", "children": []}
        district_names: set[str] = set()
        for d in range(1, rng.randint(8, 14) + 1):
            commune_names: set[str] = set()
            district = {"name": _name(rng, district_names), "kind": "district", "code": f"T{p:02d}H{d:02d}", "children": []}
            clusters = [{"name": f"Cụm {c}", "kind": "cluster", "code": f"T{p:02d}H{d:02d}C{c}",
                         "children": []} for c in range(1, 3)]
            district["children"] = clusters
            for _ in range(rng.randint(11, 19)):
                commune_no += 1
                code = f"{commune_no:05d}"
                commune = {"name": _name(rng, commune_names), "kind": "commune", "code": code, "children": [
                    {"name": f"{rng.choice(VILLAGE_WORDS)} {v}", "kind": "village", "code": f"{code}-{v:02d}"}
                    for v in range(1, rng.randint(4, 11) + 1)]}
                counts["village"] += len(commune["children"])
                rng.choice(clusters)["children"].append(commune)
                counts["commune"] += 1
            counts["district"] += 1
            counts["cluster"] += 2
            province["children"].append(district)
        counts["province"] += 1
        tree.append(province)
    return tree, counts


def write_units(tree: list[dict], path: Path) -> None:
    # One flow mapping per unit: compact, and libyaml reads it fast.
    def node(n: dict, pad: str) -> str:
        head = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in n.items() if k != "children")
        if not n.get("children"):
            return f"{pad}{{{head}}}"
        inner = ",\n".join(node(c, pad + "  ") for c in n["children"])
        return f"{pad}{{{head}, children: [\n{inner}]}}"

    with open(path, "w", encoding="utf-8") as f:
        f.write("# Synthetic national units tree (benchmarks/generate.py)\n")
        for province in tree:
            f.write("- " + node(province, "  ").lstrip() + "\n")


def communes_of(tree):
    for province in tree:
        for district in province["children"]:
            for cluster in district["children"]:
                for commune in cluster["children"]:
                    yield province, district, commune


def write_national_plan(rng: random.Random, tree, path: Path) -> None:
    groups: dict[date, list[str]] = {}
    for _, _, commune in communes_of(tree):
        year = rng.randint(2026, 2030)
        deadline = date(year, rng.choice([6, 12]), 30 if rng.random() < 0.5 else 15)
        groups.setdefault(deadline, []).append(commune["code"])
    with open(path, "w", encoding="utf-8") as f:
        f.write("plan: ntm-quoc-gia-2026-2030\ntitle: Xây dựng nông thôn mới giai đoạn 2026-2030\n"
                "reference: 51/QĐ-TTg\nissued_by: Thủ tướng Chính phủ\ncriteria_set: qd51-2025\n"
                "start: 2023-01-01\nend: 2030-12-31\nreport_every: month\ntargets:\n")
        for deadline in sorted(groups):
            codes = ", ".join(json.dumps(c) for c in groups[deadline])
            f.write(f"  - {{criteria: all, by: {deadline.isoformat()}, units: [{codes}]}}\n")


def write_campaign(rng: random.Random, province: dict, path: Path) -> list[str]:
    villages = [v["code"] for d in province["children"] for c in d["children"]
                for commune in c["children"] for v in commune["children"]]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"plan: chien-dich-{province['code'].lower()}-2023\n"
                f"title: Chiến dịch nâng chất tiêu chí tỉnh {province['name']}\n"
                "start: 2023-01-01\nend: 2025-12-31\nreport_every: friday\nmetrics:\n")
        for code, name, measure, rollup, typical in INDICATORS:
            f.write(f"  - code: {code}\n    name: {name}\n    measure: {json.dumps(measure)}\n"
                    f"    rollup: {rollup}\n    targets:\n")
            for v in villages:
                goal = typical if measure == "%" else max(1, round(typical * rng.uniform(0.5, 1.5)))
                f.write(f"      \"{v}\": {goal}\n")
    return villages


def write_verdicts(rng: random.Random, tree, paths: list[Path], months: int = 36) -> int:
    """Monthly reports: each commune reports about half its criteria; verdicts improve with time."""
    communes = [c["code"] for _, _, c in communes_of(tree)]
    start_met = {c: rng.randint(2, 8) for c in communes}
    files = [open(p, "w", encoding="utf-8") for p in paths]
    try:
        for f in files:
            f.write("date,unit,measure,value,note\n")
        out_rows = []
        for m in range(months):
            day = START + timedelta(days=m * 30 + 27)
            for code in communes:
                met_now = min(CRITERIA, start_met[code] + m * rng.randint(0, 2) // 6)
                for number in rng.sample(range(1, CRITERIA + 1), rng.randint(4, 7)):
                    verdict = "met" if number <= met_now or rng.random() < 0.05 else "unmet"
                    out_rows.append(f"{day.isoformat()},{code},{number},{verdict},\n")
        total = len(out_rows)
        per_file = (total + len(files) - 1) // len(files)
        for i, f in enumerate(files):
            f.writelines(out_rows[i * per_file:(i + 1) * per_file])
    finally:
        for f in files:
            f.close()
    return total


def write_indicators(rng: random.Random, villages: list[str], path: Path, target_rows: int) -> int:
    series = len(villages) * len(INDICATORS)
    reports = max(1, target_rows // series)
    step = max(1, DAYS // reports)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("date,unit,measure,value,note\n")
        level = {}
        for r in range(reports):
            day = (START + timedelta(days=r * step)).isoformat()
            for code, _, measure, _, typical in INDICATORS:
                for v in villages:
                    if measure == "%":
                        value = min(100, 40 + r * 60 // reports + rng.randint(0, 5))
                        f.write(f"{day},{v},{code},{value}%,\n")
                    else:
                        key = (code, v)
                        level[key] = level.get(key, 0) + (rng.random() < typical / reports)
                        f.write(f"{day},{v},{code},{level[key]},\n")
                    n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=51)
    parser.add_argument("--provinces", type=int, default=63)
    parser.add_argument("--indicator-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    tree, counts = units_tree(rng, args.provinces)
    write_units(tree, args.out / "units.yaml")
    write_national_plan(rng, tree, args.out / "plan-national.yaml")
    villages = write_campaign(rng, tree[0], args.out / "plan-campaign.yaml")
    verdicts = write_verdicts(rng, tree, [args.out / "verdicts-1.csv", args.out / "verdicts-2.csv"])
    indicators = write_indicators(rng, villages, args.out / "indicators.csv", args.indicator_rows)
    first = tree[0]
    manifest = {"seed": args.seed, "units": counts, "verdicts": verdicts, "indicator_values": indicators,
                "campaign_plan": f"chien-dich-{first['code'].lower()}-2023",
                "national_plan": "ntm-quoc-gia-2026-2030",
                "one_province": first["code"], "one_district": first["children"][0]["code"],
                "campaign_villages": len(villages)}
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    print(json.dumps(manifest, ensure_ascii=False))


if __name__ == "__main__":
    main()
