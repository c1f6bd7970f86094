"""The floor of `units import` of a whole tree, as one process run.py times (time and peak
memory): a minimal Typer app whose one command parses the YAML with libyaml's CSafeLoader and
inserts every unit with one `executemany` into the unit table of an empty register.

    python benchmarks/units_floor.py load UNITS.yaml REGISTER.db

Names are folded and given a sort key the cheap way (NFD, marks dropped, casefolded), which
is the least any importer must do to fill those columns.
"""

from __future__ import annotations

import sqlite3
import unicodedata

import typer
import yaml

app = typer.Typer()


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D").casefold()


@app.command()
def load(units: str, register: str) -> None:
    with open(units, encoding="utf-8") as f:
        tree = yaml.load(f, Loader=yaml.CSafeLoader)
    conn = sqlite3.connect(register, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    start = (conn.execute("SELECT max(id) FROM unit").fetchone()[0] or 0) + 1
    next_id = [start]

    def rows(nodes, parent):
        for node in nodes:
            unit_id = next_id[0]
            next_id[0] += 1
            name = unicodedata.normalize("NFC", node["name"])
            folded = _fold(name)
            yield (unit_id, name, node["kind"], parent, node.get("code"), folded, folded)
            yield from rows(node.get("children") or (), unit_id)

    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO unit (id, name, kind, parent_id, code, folded, sort_key, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, datetime('now'))", rows(tree, None))
    conn.execute("COMMIT")
    conn.close()


@app.command()
def nothing() -> None:
    """Typer needs two commands to keep the subcommand name."""


if __name__ == "__main__":
    app()
