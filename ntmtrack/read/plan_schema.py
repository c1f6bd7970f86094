"""A JSON Schema of the plan format, for editors (VS Code's YAML extension and others).

Built from the same key lists and choices as plans.py, so the two cannot drift apart on
keys; tests hold them together on a corpus of good and bad plans.
"""

from __future__ import annotations

from ..model import FUND_SOURCES, STEPS, UNIT_KINDS
from .plan_file import (
    AMOUNT_KEYS,
    DIRECTIONS,
    FUND_KEYS,
    METRIC_KEYS,
    MILESTONE_KEYS,
    REPORT_EVERY,
    ROLLUPS,
    TARGET_KEYS,
    TOP_KEYS,
)

_DATE = {
    "type": "string",
    "pattern": r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4})$",
    "description": "YYYY-MM-DD or DD/MM/YYYY",
}
# Numbers as offices write them (read/numbers.py): 5.466,32, 1.234.567, 1 234, 85%, +12. A
# value that reads two ways (1.234) matches here too; `plan validate` says how to write it.
_NUMBER = {"anyOf": [{"type": "number"},
                     {"type": "string", "pattern": r"^\s*[+-]?(\d[\d.,\u00a0 ]*|[.,]\d[\d.,\u00a0 ]*)%?\s*$",
                      "description": "a number: 12, 5,5 or 5.5, 5.466,32, 1.234.567, 85%"}]}
# Money as offices write it (read/numbers.read_money): 1.500.000.000, 1,5 tỷ, 250 triệu đồng.
_MONEY = {"anyOf": [{"type": "integer", "minimum": 0},
                    {"type": "string", "pattern": r"^\s*\+?\d[\d.,\u00a0 ]*\s*\S*(\s+\S+)?\s*$",
                     "description": "an amount: 1.500.000.000, 1,5 tỷ, 294,98 tỉ đồng, 250 triệu đồng"}]}
# A metric's amount: a number, or money for a money measure (đồng, triệu đồng, tỷ đồng).
_AMOUNT = {"anyOf": [_NUMBER, _MONEY]}
_UNIT = {"type": "string", "minLength": 1,
         "description": "a unit: name, code, alias or path like 'Triệu Sơn/Dân Lý'"}
_UNIT_LIST = {"anyOf": [{"type": "array", "items": _UNIT, "minItems": 1}, _UNIT]}


def _unit_node() -> dict:
    kinds = list(UNIT_KINDS) + ["tỉnh", "huyện", "thị xã", "cụm", "xã", "thị trấn", "phường",
                                "thôn", "xóm", "bản", "tổ dân phố", "tổ liên gia"]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "kind"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "kind": {"type": "string", "enum": kinds},
            "code": {"type": ["string", "number"]},
            "aliases": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
            "alias": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/unit"}},
        },
    }


def schema() -> dict:
    target_properties = {
        "unit": _UNIT, "units": _UNIT_LIST, "under": _UNIT,
        "criteria": {"anyOf": [{"const": "all"}, {"const": "tất cả"},
                               {"type": "array", "items": {"anyOf": [
                                   {"type": "integer", "minimum": 1},
                                   {"type": "string", "pattern": r"^(tc|c)?\d+$"}]}},
                               {"type": "integer", "minimum": 1}]},
        "by": _DATE, "note": {"type": "string"},
        "dossier": {"type": "object", "description": "deadlines of the commune's dossier steps",
                    "propertyNames": {"enum": list(STEPS)}, "additionalProperties": _DATE,
                    "minProperties": 1},
    }
    metric_properties = {
        "code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "name": {"type": "string"},
        "measure": {"type": "string", "description": 'free text: hộ, ha, tấn; quote a %: measure: "%"'},
        "direction": {"enum": DIRECTIONS}, "rollup": {"enum": ROLLUPS},
        "target": _AMOUNT, "increase": _AMOUNT,
        "targets": {"type": "object", "additionalProperties": _AMOUNT, "minProperties": 1},
        "increases": {"type": "object", "additionalProperties": _AMOUNT, "minProperties": 1},
        "baseline": {"anyOf": [_AMOUNT, {"type": "object", "additionalProperties": _AMOUNT}]},
        "unit": _UNIT, "units": _UNIT_LIST, "under": _UNIT, "by": _DATE,
        "milestones": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": MILESTONE_KEYS,
            "properties": {"on": _DATE, "share": _NUMBER}}},
        "note": {"type": "string"},
    }
    fund_properties = {"unit": _UNIT, "units": {"anyOf": [{"type": "array", "items": {"type": "string"},
                                                            "minItems": 1}, {"type": "string"}]},
                       "under": _UNIT, **{source: _MONEY for source in FUND_SOURCES},
                       "note": {"type": "string"}}
    assert set(fund_properties) == set(FUND_KEYS)
    assert set(target_properties) == set(TARGET_KEYS)
    assert set(metric_properties) == set(METRIC_KEYS)
    top_properties = {
        "plan": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$",
                 "description": "plan id: lowercase letters, digits and '-'"},
        "title": {"type": "string", "minLength": 1},
        "reference": {"type": "string", "description": "document number, e.g. 1463/KH-UBND"},
        "issued_by": {"type": "string"},
        "criteria_set": {"type": "string", "description": "e.g. qd51-2025, qd1980-2016"},
        "start": _DATE, "end": _DATE,
        "report_every": {"enum": REPORT_EVERY},
        "units": {"type": "array", "items": {"$ref": "#/$defs/unit"}},
        "targets": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["criteria"],
            "properties": target_properties,
            "oneOf": [{"required": ["unit"]}, {"required": ["units"]}, {"required": ["under"]}]}},
        "metrics": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["code"],
            "properties": metric_properties,
            "oneOf": [{"required": [k]} for k in AMOUNT_KEYS]}},
        "funds": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "properties": fund_properties,
            "oneOf": [{"required": ["unit"]}, {"required": ["units"]}, {"required": ["under"]}],
            "anyOf": [{"required": [source]} for source in FUND_SOURCES]}},
        "note": {"type": "string"},
    }
    assert set(top_properties) == set(TOP_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://ntmtrack.example/plan.schema.json",
        "title": "ntmtrack plan",
        "description": "A New Rural Development (nông thôn mới) campaign plan for ntmtrack.",
        "type": "object",
        "additionalProperties": False,
        "required": ["plan", "title", "start", "end"],
        "properties": top_properties,
        "$defs": {"unit": _unit_node()},
    }
