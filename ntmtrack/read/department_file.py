"""The departments file contract: YAML text → (DepartmentsDoc | None, [Problem]).

A province declares its appraising departments (sở, ngành): a code, the Vietnamese name, and
the criteria each appraises, per criteria set. Checked here without the register; the
province and the criteria are checked against it by register/dossiers.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..locale import _
from ..model import Problem
from . import fields, yamldoc
from .names import fold, nfc

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TOP_KEYS = ["province", "criteria_set", "departments", "note"]
DEPARTMENT_KEYS = ["code", "name", "name_en", "criteria", "note"]
MAX_DEPARTMENTS = 200


@dataclass
class Department:
    code: str
    name: str
    name_en: str | None
    criteria: dict[str, list[int]]      # criteria set → criterion numbers
    line: int = 0
    col: int = 0


@dataclass
class DepartmentsDoc:
    province: str
    criteria_set: str | None
    departments: list[Department] = field(default_factory=list)
    line: int = 0
    col: int = 0


def read(text: str, source: str) -> tuple[DepartmentsDoc | None, list[Problem]]:
    data, problems = yamldoc.load(text, source)
    if data is None:
        return None, problems

    def problem(node, message: str) -> None:
        problems.append(Problem(source, getattr(node, "line", None), getattr(node, "col", None), message))

    if not isinstance(data, dict):
        problem(data, _("a departments file is a mapping with province: and departments:"))
        return None, problems
    for key in data:
        if key not in TOP_KEYS:
            problem(key, _("unknown key '{key}' (expected {TOP_KEYS})").format(key=key, TOP_KEYS=', '.join(TOP_KEYS)))
    province = _text(data.get("province"), "province", problem, data)
    default_set = data.get("criteria_set")
    if default_set is not None and not isinstance(default_set, str):
        problem(default_set, _("criteria_set: a criteria set code, e.g. qd318-2022"))
        default_set = None
    listed = data.get("departments")
    if not isinstance(listed, list) or not listed:
        problem(listed if listed is not None else data, _("departments: a list of departments"))
        return None, problems
    if len(listed) > MAX_DEPARTMENTS:
        problem(listed, _("departments: more than {MAX_DEPARTMENTS}; is this really one province?").format(MAX_DEPARTMENTS=MAX_DEPARTMENTS))
        return None, problems
    doc = DepartmentsDoc(province or "", default_set, line=getattr(data, "line", 0),
                         col=getattr(data, "col", 0))
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for item in listed:
        if not isinstance(item, dict):
            problem(item, _("each department is a mapping with code:, name: and criteria:"))
            continue
        for key in item:
            if key not in DEPARTMENT_KEYS:
                problem(key, _("unknown key '{key}' (expected {DEPARTMENT_KEYS})").format(key=key, DEPARTMENT_KEYS=', '.join(DEPARTMENT_KEYS)))
        code = _text(item.get("code"), "code", problem, item)
        if code and not CODE_RE.match(code):
            problem(item.get("code"), _("code '{code}': lower-case letters, digits and '-' (e.g. so-xay-dung)").format(code=code))
            code = None
        name = _text(item.get("name"), "name", problem, item)
        name_en = _text(item.get("name_en"), "name_en", problem, item, required=False)
        if code:
            if code in seen_codes:
                problem(item.get("code"), _("code '{code}' is given twice (first on line {seen_codes})").format(code=code, seen_codes=seen_codes[code]))
            seen_codes.setdefault(code, getattr(item.get("code"), "line", 0))
        if name:
            key = fold(name)
            if key in seen_names:
                problem(item.get("name"), _("'{name}' is named twice (first on line {seen_names})").format(name=name, seen_names=seen_names[key]))
            seen_names.setdefault(key, getattr(item.get("name"), "line", 0))
        criteria = _criteria(item.get("criteria"), default_set, problem, item)
        if code and name and criteria is not None:
            doc.departments.append(Department(code, name, name_en, criteria,
                                              getattr(item, "line", 0), getattr(item, "col", 0)))
    return (doc if not problems else None), problems


def _text(value, key, problem, parent, required: bool = True) -> str | None:
    if value is None:
        if required:
            problem(parent, _("{key}: missing").format(key=key))
        return None
    if not isinstance(value, str) or not value.strip():
        problem(value if value is not None else parent, _("{key}: text expected").format(key=key))
        return None
    message = fields.problem(value.strip(" "), key)
    if message:
        problem(value, message)
        return None
    return nfc(value.strip())


def _criteria(value, default_set, problem, parent) -> dict[str, list[int]] | None:
    """`[1, 9]` (of the file's criteria_set), `"1, 9"`, or `{set: [numbers]}`; none: []."""
    if value is None:
        return {}
    if isinstance(value, dict):
        out = {}
        for code, numbers in value.items():
            parsed = _numbers(numbers, problem)
            if parsed is None:
                return None
            out[str(code)] = parsed
        return out
    if default_set is None:
        problem(value, _("criteria: give criteria_set: at the top, or write {set-code: [numbers]}"))
        return None
    parsed = _numbers(value, problem)
    return None if parsed is None else {default_set: parsed}


def _numbers(value, problem) -> list[int] | None:
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value).strip())
    out = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if not text.isdigit() or not 0 < int(text) < 1000:
            problem(item if hasattr(item, "line") else value, _("criteria: '{text}' is not a criterion number").format(text=text))
            return None
        out.append(int(text))
    return sorted(set(out))
