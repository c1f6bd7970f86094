"""The demo register: every shipped example imported into a fresh file, then a short tour.

Refuses to replace a file it did not make (it checks the register's own demo mark).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from . import criteria, units
from .model import InputProblems, NtmError
from .plan_import import bind_and_write
from .plans import parse as parse_plan
from .render import Column, tr
from .store import open_register, write_transaction
from .store import criteria as store_criteria
from .unit_files import nodes_from_text


PLAN_EXAMPLES = ["trieu-son-2018.yaml", "trieu-son-vu-dong-2022.yaml", "xa-45-ngay-2022.yaml",
                 "phong-my-2022.yaml"]


def _is_demo(path: Path) -> bool:
    try:
        with open_register(path, readonly=True) as reg:
            return store_criteria.get_meta(reg.conn, "demo") == "1"
    except NtmError:
        return False


def example_texts() -> dict[str, str]:
    folder = resources.files("ntmtrack").joinpath("examples")
    return {e.name: e.read_text(encoding="utf-8")
            for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".yaml")}


def build(path: Path) -> dict:
    path = Path(path)
    if path.exists():
        if not _is_demo(path):
            raise NtmError(f"{path} exists and is not an ntmtrack demo register; "
                           "choose another --path")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    texts = example_texts()
    with open_register(path, create=True) as reg, write_transaction(reg.conn):
        criteria.install_shipped(reg.conn)
        store_criteria.set_meta(reg.conn, "demo", "1")
        result = nodes_from_text(reg.conn, texts["trieu-son-units.yaml"],
                                 "examples/trieu-son-units.yaml", "yaml")
        criteria.import_set(reg.conn, texts["tinh-20-tieu-chi-vi-du.yaml"],
                            "examples/tinh-20-tieu-chi-vi-du.yaml")
        plans = []
        for name in PLAN_EXAMPLES:
            doc, problems = parse_plan(texts[name], f"examples/{name}")
            if problems:
                raise InputProblems(problems)
            plans.append(bind_and_write(reg.conn, doc, f"examples/{name}").plan)
    return {"units": len(result.created), "plans": plans}


def show(path: Path, lang: str):
    """(title, rows, columns) sections for the tour."""
    from .tree import Tree

    with open_register(path, readonly=True) as reg:
        tree = Tree.load(reg.conn)
        district = units.resolve(reg.conn, "Triệu Sơn", ("district",))
        cs = criteria.get(reg.conn, None)
    rows = []
    for unit_id in tree.descendants(district.id):
        u = tree.units[unit_id]
        if u["kind"] in ("commune", "town", "ward"):
            rows.append({"name": u["name"], "kind": u["kind"],
                         "cluster": tree.units[u["parent_id"]]["name"], "_k": u["sort_key"]})
    rows.sort(key=lambda r: r["_k"])
    yield (tr(lang, f"Communes and towns of Triệu Sơn ({len(rows)})",
              f"Các xã, thị trấn huyện Triệu Sơn ({len(rows)})"), rows,
           [Column("name", "unit", "đơn vị"), Column("kind", "kind", "loại", "unitkind"),
            Column("cluster", "cluster", "cụm")])
    crit_rows = [{"number": c.number, "name": c.name_vi if lang == "vi" else c.name_en}
                 for c in cs.criteria]
    yield (f"{cs.code} ({cs.decision})", crit_rows,
           [Column("number", "no.", "số", "int"), Column("name", "criterion", "tiêu chí")])
