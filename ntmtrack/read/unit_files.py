"""Unit trees as written in files: the YAML form (`{name, kind, code?, aliases?, children}`)
read into `Node`s, and unit kinds in either language. Importing them is register/units.py.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..locale import _
from ..model import KIND_ALIASES, UNIT_KINDS, Problem
from . import names


def parse_kind(text: str) -> str | None:
    """'commune', 'xã', 'Xa', 'thị trấn' → the English kind; None when unknown."""
    folded = names.fold(text).replace("_", " ")
    if folded.replace(" ", "_") in UNIT_KINDS:
        return folded.replace(" ", "_")
    return KIND_ALIASES.get(folded)


@dataclass
class Node:
    """One unit of a tree being imported, with where it was written."""

    name: str
    kind: str
    code: str | None
    aliases: list[str]
    children: list["Node"]
    line: int | None = None
    col: int | None = None
    edition: str = ""


def nodes_from_yaml(data, source: str) -> tuple[list[Node], list[Problem]]:
    """A YAML list of `{name, kind, code?, aliases?, children?}` → nodes and problems (with
    positions when the data has them: read.yamldoc)."""
    problems: list[Problem] = []
    if not isinstance(data, list):
        line = getattr(data, "line", None)
        return [], [Problem(source, line, getattr(data, "col", None),
                            _("a units tree is a list of {name, kind, children} entries"))]
    return [n for n in (_node(item, source, problems) for item in data) if n], problems


_NODE_KEYS = {"name", "kind", "code", "aliases", "alias", "children"}


def _node(item, source: str, problems: list[Problem]) -> Node | None:
    line, col = getattr(item, "line", None), getattr(item, "col", None)
    if not isinstance(item, dict):
        problems.append(Problem(source, line, col, _("expected a unit: {name: …, kind: …}")))
        return None
    for key in item:
        if key not in _NODE_KEYS:
            hint = difflib.get_close_matches(key, _NODE_KEYS, n=1)
            more = _(" (did you mean '{hint}'?)").format(hint=hint[0]) if hint else ""
            problems.append(Problem(source, getattr(key, "line", None), getattr(key, "col", None),
                                    _("unknown key '{key}'{more}").format(key=key, more=more)))
    name, kind_text = item.get("name"), item.get("kind")
    ok = True
    if not isinstance(name, str) or not names.nfc(name):
        problems.append(Problem(source, line, col, _("a unit needs a name")))
        ok = False
    elif names.has_control_chars(name) or "/" in name:
        problems.append(Problem(source, getattr(name, "line", None), getattr(name, "col", None),
                                _("a unit name cannot contain control characters or '/'")))
        ok = False
    kind = parse_kind(kind_text) if isinstance(kind_text, str) else None
    if kind is None:
        where = kind_text if isinstance(kind_text, str) else item
        shown = f" '{kind_text}'" if isinstance(kind_text, str) else ""
        problems.append(Problem(source, getattr(where, "line", line), getattr(where, "col", col),
                                _("unknown unit kind{shown}; use one of: {UNIT_KINDS}").format(shown=shown, UNIT_KINDS=', '.join(UNIT_KINDS))))
        ok = False
    code = item.get("code")
    if code is not None and not isinstance(code, str):
        problems.append(Problem(source, line, col, _("code must be text")))
        ok = False
    raw_aliases = item.get("aliases", item.get("alias", []))
    if isinstance(raw_aliases, str):
        raw_aliases = [raw_aliases]
    if not isinstance(raw_aliases, list) or not all(isinstance(a, str) for a in raw_aliases):
        problems.append(Problem(source, line, col, _("aliases must be a list of names")))
        raw_aliases = []
    children_data = item.get("children", [])
    children: list[Node] = []
    if children_data in ("", None):
        children_data = []
    if not isinstance(children_data, list):
        problems.append(Problem(source, getattr(children_data, "line", line),
                                getattr(children_data, "col", col), _("children must be a list")))
    else:
        children = [n for n in (_node(c, source, problems) for c in children_data) if n]
    if not ok:
        return None
    return Node(names.nfc(name), kind, names.nfc(code) if code else None,
                [names.nfc(a) for a in raw_aliases], children, line, col)
