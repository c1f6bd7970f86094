"""The road to a title: dossier steps as observations, and a province's departments."""

from __future__ import annotations

from ..locale import _
from ..model import (
    COMMUNE_KINDS,
    DEPARTMENT_STEPS,
    LEVELS,
    STEPS,
    InputProblems,
    NtmError,
    Problem,
)
from ..read.department_file import DepartmentsDoc
from ..read.names import fold
from ..store import criteria as store_criteria
from ..store import dossiers as db
from . import units


def step_observation(recorder, unit, step: str, on: str, *, department: str | None = None,
                     result: str | None = None, count=None, value=None,
                     level: str | None = None) -> dict:
    """One dossier step, checked: the step and level known; a department (one the province
    declared) exactly for sent, inspected and appraised; a result exactly for appraised;
    a count of criteria dossiers within the set; a satisfaction rate in 0-100."""
    if step not in STEPS:
        raise NtmError(_("unknown dossier step '{step}': use one of {STEPS}").format(step=step, STEPS=', '.join(STEPS)))
    if unit.kind not in COMMUNE_KINDS:
        raise NtmError(_("{name} is a {kind}: dossier steps are a commune's (xã, phường, thị trấn)").format(name=unit.name, kind=unit.kind))
    recorder._active(unit, on)
    # the level of the commune's last step — of a file's rows above this one too
    carried = recorder.step_levels
    level = level or carried.get(unit.id) or last_level(recorder.conn, unit.id, on)
    if level not in LEVELS:
        raise NtmError(_("unknown level '{level}': use one of {LEVELS}").format(level=level, LEVELS=', '.join(LEVELS)))
    code = recorder.set_for(unit, None, on)
    carried[unit.id] = level
    row = {"unit_id": unit.id, "kind": "step", "step": step, "level": level, "date": on,
           "criteria_set": code}
    if step in DEPARTMENT_STEPS:
        if not department:
            raise NtmError(_("step {step} names a department: --department CODE (see `ntmtrack dossier departments`)").format(step=step))
        row["department"] = department_code(recorder.conn, unit, department)
    elif department:
        raise NtmError(_("step {step} names no department; only {DEPARTMENT_STEPS} do").format(step=step, DEPARTMENT_STEPS=', '.join(DEPARTMENT_STEPS)))
    if step == "appraised":
        if result not in ("passed", "returned"):
            raise NtmError(_("an appraisal gives its result: --result passed|returned"))
        row["result"] = result
    elif result:
        raise NtmError(_("only an appraisal has a result; {step} has none").format(step=step))
    if step == "criteria_dossiers":
        total = len(store_criteria.numbers(recorder.conn, code))
        number = _number(count if count is not None else value, "the number of finished criteria dossiers (--count)")
        if not number.is_integer() or not 0 <= number <= total:
            raise NtmError(_("criteria dossiers: a whole number from 0 to {total} (the criteria of {code})").format(total=total, code=code))
        row["value"] = number
    elif step == "satisfaction":
        number = _number(value if value is not None else count, "the residents' satisfaction rate in % (--value)")
        if not 0 <= number <= 100:
            raise NtmError(_("satisfaction: a share in {percent} from 0 to 100").format(percent="%"))
        row["value"] = number
    elif count is not None or value is not None:
        raise NtmError(_("step {step} carries no number; only criteria_dossiers (--count) and satisfaction (--value) do").format(step=step))
    return row


def _number(value, what: str) -> float:
    from ..read.numbers import parse_amount

    if value is None or str(value).strip() == "":
        raise NtmError(_("give {what}").format(what=what))
    if isinstance(value, (int, float)):
        return float(value)
    parsed = parse_amount(str(value).strip().rstrip("%").strip(), None)
    if isinstance(parsed, str):
        raise NtmError(parsed)
    amount, add = parsed
    if add:
        raise NtmError(_("give {what} without a sign").format(what=what))
    return amount


def last_level(conn, unit_id: int, on: str) -> str:
    """The level a commune's road leads to: its latest step's, else NTM."""
    found = db.steps(conn, on, [unit_id])
    return found[-1]["level"] if found else "ntm"


def department_code(conn, unit, text: str) -> str:
    """The code of the department `text` names (code or name, any case and accents) among
    those the unit's province declared."""
    province = db.province_of(conn, unit.id)
    declared = db.departments(conn, [province]) if province else []
    if not declared:
        raise NtmError(_("{name}'s province has declared no departments: ntmtrack dossier departments import FILE.yaml").format(name=unit.name))
    key = fold(text)
    for d in declared:
        if key in (d["code"], fold(d["name"])) or (d["name_en"] and key == fold(d["name_en"])):
            return d["code"]
    raise NtmError(_("no department '{text}' in {name}'s province; known: {code}").format(text=text, name=unit.name, code=', '.join(d['code'] for d in declared)))


def import_departments(conn, doc: DepartmentsDoc, source: str) -> tuple[str, list[str]]:
    """Replace the province's departments with the file's; returns (province name, changes)."""
    province = units.resolve(conn, doc.province, kinds=("province",))
    problems = []
    for d in doc.departments:
        for code, numbers in d.criteria.items():
            known = store_criteria.numbers(conn, code)
            if not known:
                problems.append(Problem(source, d.line, d.col, _("{code}: no criteria set '{code2}'").format(code=d.code, code2=code)))
                continue
            wrong = [n for n in numbers if n not in known]
            if wrong:
                problems.append(Problem(source, d.line, d.col,
                                        _("{code}: criteria {str} are not in {code2}").format(code=d.code, str=', '.join(map(str, wrong)), code2=code)))
    if problems:
        raise InputProblems(problems)
    before = {d["code"]: d for d in db.departments(conn, [province.id])}
    after = [{"code": d.code, "name": d.name, "name_en": d.name_en, "criteria": d.criteria}
             for d in doc.departments]
    changes = []
    for d in after:
        old = before.get(d["code"])
        if old is None:
            changes.append(f"added {d['code']} ({d['name']})")
        elif (old["name"], old["name_en"], old["criteria"]) != (d["name"], d["name_en"], d["criteria"]):
            changes.append(f"changed {d['code']} ({d['name']})")
    changes += [f"removed {code}" for code in before if code not in {d['code'] for d in after}]
    db.replace_departments(conn, province.id, after)
    return province.name, changes
