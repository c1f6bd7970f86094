"""Unit trees from files: YAML (`{name, kind, code?, aliases?, children}`) or CSV
(`name,kind,parent[,code][,aliases]`, the parent named like any unit).
"""

from __future__ import annotations

import csv
import io

from . import names, units, yamldoc
from .model import InputProblems, Problem


def nodes_from_text(conn, text: str, source: str, fmt: str) -> units.TreeResult:
    if fmt == "yaml":
        data, problems = yamldoc.load(text, source)
        if problems:
            raise InputProblems(problems)
        if isinstance(data, dict) and "units" in data:
            data = data["units"]
        nodes, problems = units.nodes_from_yaml(data, source)
        if problems:
            raise InputProblems(problems)
        return units.import_tree(conn, nodes, source)
    return _import_csv(conn, text, source)


def _import_csv(conn, text: str, source: str) -> units.TreeResult:
    reader = csv.reader(io.StringIO(text, newline=""))
    result = units.TreeResult([], 0, [])
    problems: list[Problem] = []
    header = None
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [names.fold(h).replace(" ", "_") for h in row]
            header = [{"ten": "name", "ten_don_vi": "name", "loai": "kind", "cap": "kind",
                       "truc_thuoc": "parent", "don_vi_cha": "parent", "ma": "code",
                       "ten_khac": "aliases"}.get(h, h) for h in header]
            missing = [k for k in ("name", "kind", "parent") if k not in header]
            if missing:
                raise InputProblems([Problem(source, line, None,
                                             f"missing column(s): {', '.join(missing)}; "
                                             "expected name,kind,parent[,code][,aliases]")])
            continue
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            problems.append(Problem(source, line, None, "more cells than header columns"))
            continue
        record = dict(zip(header, (c.strip() for c in row)))
        name = names.nfc(record.get("name", ""))
        kind = units.parse_kind(record.get("kind", ""))
        if not name:
            problems.append(Problem(source, line, None, "name is empty"))
            continue
        if names.has_control_chars(name) or "/" in name:
            problems.append(Problem(source, line, None, "a unit name cannot contain control characters or '/'"))
            continue
        if kind is None:
            problems.append(Problem(source, line, None, f"unknown kind '{record.get('kind', '')}'"))
            continue
        parent = None
        if record.get("parent"):
            found = units.resolve_problem(conn, record["parent"], container=True)
            if isinstance(found, str):
                problems.append(Problem(source, line, None, f"parent: {found}"))
                continue
            parent = found
        aliases = [a.strip() for a in record.get("aliases", "").split(";") if a.strip()]
        node = units.Node(name, kind, record.get("code") or None, aliases, [], line, None)
        try:
            sub = units.import_tree(conn, [node], source, parent)
        except InputProblems as e:
            problems.extend(e.problems)
            continue
        result.created += sub.created
        result.matched += sub.matched
        result.changed += sub.changed
    if problems:
        raise InputProblems(problems)
    return result
