"""Criteria sets as data: the shipped national sets and provincial or custom ones.

Parses set documents (via yamldoc), installs them, guards sets that plans use.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from importlib import resources

from ..locale import _
from ..model import CriteriaSet, Criterion, InputProblems, NtmError, Problem
from ..read import fields, yamldoc
from ..store import criteria as db
from ..store import plans as store_plans
from . import periods

DEFAULT_SET = "qd51-2025"
# Whom a set judges: communes (the national sets), or villages (a province's "thôn đạt chuẩn
# nông thôn mới" or "khu dân cư kiểu mẫu" set).
APPLIES_TO = ("commune", "village")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SET_KEYS = {
    "code", "decision", "date", "effective", "title_vi", "title_en", "title", "groups",
    "criteria", "sources", "note", "appendix", "regions", "commune_groups", "indicator_count",
    "amended_by", "based_on", "issued_by", "applies_to", "satisfaction_min",
}
_CRITERION_KEYS = {"number", "name_vi", "name_en", "name", "group", "confidence", "note",
                   "indicators", "amended_2013"}


def plain(value):
    """YAML values with positions → plain JSON-able data."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return None if value is None else str(value)


def _day(value) -> str | None:
    # Every YAML value is text here: `effective: null` (or ~, or empty) means no date.
    text = plain(value)
    return None if text is None or text.strip().lower() in ("", "null", "~") else text


def _bad_text(value, key: str = ""):
    """(node, key, message) for every text of the document the register refuses (read.fields)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _bad_text(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _bad_text(v, key)
    elif isinstance(value, str):
        message = fields.problem(value, key or "text", multiline=key in ("note", "sources"))
        if message:
            yield value, key, message


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def parse(text: str, source: str) -> tuple[CriteriaSet | None, dict | None, list[Problem]]:
    """Set document text → (set, plain document, problems)."""
    data, problems = yamldoc.load(text, source)
    if problems:
        return None, None, problems
    if not isinstance(data, dict):
        return None, None, [Problem(source, 1, 1, _("a criteria set is a mapping with code, title_vi and criteria"))]

    def at(node, message):
        problems.append(Problem(source, getattr(node, "line", data.line),
                                getattr(node, "col", data.col), message))

    for key in data:
        if key not in _SET_KEYS:
            at(key, _("unknown key '{key}'").format(key=key))
    for node, key, message in _bad_text(data):
        at(node, message)
    code = data.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        at(code if code is not None else data,
           _("code is required: lowercase letters, digits and '-' (e.g. thanh-hoa-2022)"))
    title_vi = data.get("title_vi") or data.get("title")
    if not isinstance(title_vi, str):
        at(data, _("title_vi is required"))
    groups = data.get("groups") or []
    group_codes = set()
    if not isinstance(groups, list):
        at(groups, _("groups must be a list"))
        groups = []
    for g in groups:
        if not isinstance(g, dict) or not isinstance(g.get("code"), str) or not isinstance(
                g.get("name_vi"), str):
            at(g, _("a group needs code and name_vi"))
            continue
        group_codes.add(str(g["code"]))
    criteria_data = data.get("criteria")
    criteria: list[Criterion] = []
    if not isinstance(criteria_data, list) or not criteria_data:
        at(criteria_data if criteria_data is not None else data,
           _("criteria is required: a list of {number, name_vi, name_en}"))
        criteria_data = []
    seen: dict[int, int] = {}
    for item in criteria_data:
        if not isinstance(item, dict):
            at(item, _("a criterion is a mapping: {number, name_vi, name_en}"))
            continue
        for key in item:
            if key not in _CRITERION_KEYS:
                at(key, _("unknown key '{key}'").format(key=key))
        number = item.get("number")
        if not isinstance(number, str) or not number.isdigit() or int(number) < 1:
            at(number if number is not None else item, _("number must be a whole number from 1"))
            continue
        n = int(number)
        if n in seen:
            at(number, _("criterion {n} appears twice (first at line {seen})").format(n=n, seen=seen[n]))
            continue
        seen[n] = number.line
        name_vi = item.get("name_vi") or item.get("name")
        if not isinstance(name_vi, str) or not name_vi.strip():
            at(item, _("criterion {n} needs name_vi").format(n=n))
            continue
        name_en = item.get("name_en") or name_vi
        group = item.get("group")
        if group is not None and group_codes and str(group) not in group_codes:
            at(group, _("criterion {n}: unknown group '{group}'").format(n=n, group=group))
        indicators = []
        for ind in item.get("indicators") or []:
            if not isinstance(ind, dict) or "id" not in ind or "name_vi" not in ind:
                at(ind, _("criterion {n}: an indicator needs id and name_vi").format(n=n))
                continue
            indicators.append({"id": str(ind["id"]), "name_vi": str(ind["name_vi"]),
                               "name_en": plain(ind.get("name_en")),
                               "confidence": plain(ind.get("confidence"))})
        criteria.append(Criterion(str(code), n, str(name_vi), str(name_en),
                                  plain(group), plain(item.get("confidence")), tuple(indicators)))
    minimum = data.get("satisfaction_min")
    if minimum is not None and not (isinstance(minimum, str) and minimum.replace(".", "", 1).isdigit()
                                    and 0 <= float(minimum) <= 100):
        at(minimum, _("satisfaction_min: the share of residents satisfied a recognition needs, 0-100 (per cent)"))
    applies = data.get("applies_to")
    if applies is not None and applies not in APPLIES_TO:
        at(applies, _("applies_to: {APPLIES_TO} (a province's village set: village)").format(APPLIES_TO=' or '.join(APPLIES_TO)))
    if problems:
        return None, None, problems
    document = plain(data)
    cs = CriteriaSet(
        str(code), plain(data.get("decision")), str(title_vi),
        str(data.get("title_en") or title_vi), _day(data.get("date")),
        _day(data.get("effective")), tuple(sorted(criteria, key=lambda c: c.number)),
        tuple({"code": str(g["code"]), "name_vi": str(g["name_vi"]),
               "name_en": plain(g.get("name_en"))} for g in groups if isinstance(g, dict)),
        extra=document,
    )
    return cs, document, []


def shipped_texts() -> dict[str, str]:
    """{file name: text} of the sets shipped inside the package."""
    folder = resources.files("ntmtrack").joinpath("data", "criteria")
    return {entry.name: entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".yaml")}


def install_shipped(conn) -> list[str]:
    """Add any shipped set the register lacks; set the default set. Returns codes added."""
    added = []
    present = set(db.codes(conn))
    for name, text in shipped_texts().items():
        cs, document, problems = parse(text, f"data/criteria/{name}")
        if problems:
            raise InputProblems(problems)
        if cs.code not in present:
            db.save(conn, cs, "shipped", digest(document), document)
            added.append(cs.code)
    if db.get_meta(conn, "default_criteria_set") is None:
        db.set_meta(conn, "default_criteria_set", DEFAULT_SET)
    return added


def import_set(conn, text: str, source: str, replace: bool = False) -> str:
    """Add a set from YAML text: 'added', 'unchanged' or 'replaced'."""
    cs, document, problems = parse(text, source)
    if problems:
        raise InputProblems(problems)
    existing = db.content_hash(conn, cs.code)
    new_digest = digest(document)
    if existing == new_digest:
        return "unchanged"
    if existing is not None:
        if not replace:
            raise NtmError(_("criteria set {code} already exists and differs; use --replace to replace it").format(code=cs.code))
        users = db.plans_using(conn, cs.code)
        if users:
            raise NtmError(_("criteria set {code} is used by plan(s) {users}; it cannot be replaced while they use it").format(code=cs.code, users=', '.join(users)))
        dropped = sorted(db.observed_criteria(conn, cs.code) - set(cs.numbers))
        if dropped:
            raise NtmError(_("criteria set {code}: observations record criteria {str}, which the new file drops; the register keeps every observation, so those criteria must stay").format(code=cs.code, str=', '.join(map(str, dropped))))
        db.delete(conn, cs.code)
        db.save(conn, cs, "imported", new_digest, document)
        return "replaced"
    db.save(conn, cs, "imported", new_digest, document)
    return "added"


def default_code(conn) -> str:
    return db.get_meta(conn, "default_criteria_set") or DEFAULT_SET


# -- which set applies: the one rule, for recording and for reports ------------------------

# SetRule.covering reads the targets of the units asked about, for its first few questions
# about a few units; then all of them at once.
_FEW_ASKS, _FEW_UNITS = 8, 2000


class SetRule:
    """Which criteria set applies on a day, with what the rule reads loaded once per command
    (a file of a million verdicts asks it for every unit and date)."""

    def __init__(self, conn):
        self.conn = conn
        self._national: list[tuple[str, str | None]] | None = None
        self._spans: dict[int, list[tuple[str, str, str | None, str]]] | None = None
        self._asked = 0   # times the spans of a few units were read alone
        self._effective: dict[str, tuple[str | None, str] | None] = {}

    def in_force(self, day: date) -> str:
        """The national set in force on `day`, by the shipped sets' `effective` dates (a set
        without one from its decision's date). Before the first set: the first set."""
        if self._national is None:
            self._national = db.national_sets(self.conn)
        if not self._national:
            return default_code(self.conn)
        chosen = self._national[0][0]
        for code, since in self._national:
            if since and since <= day.isoformat():
                chosen = code
        return chosen

    def covering(self, unit_ids: list[int], day: date) -> list[str]:
        """The sets of the plans in force on `day` whose criteria targets cover the units."""
        if self._spans is None and self._asked < _FEW_ASKS and len(unit_ids) <= _FEW_UNITS:
            # One verdict recorded, a district's report: these units' targets, not the
            # register's (0.05 s for the national one). Asked again and again (an import):
            # every target, read once.
            self._asked += 1
            spans: dict = {}
            for unit_id, start, end, last, code in store_plans.criteria_spans_of(self.conn, unit_ids):
                spans.setdefault(unit_id, []).append((start, end, last, code))
        else:
            if self._spans is None:
                self._spans = {}
                for unit_id, start, end, last, code in store_plans.criteria_spans(self.conn):
                    self._spans.setdefault(unit_id, []).append((start, end, last, code))
            spans = self._spans
        return sorted({code for u in unit_ids for start, end, last, code in spans.get(u, ())
                       if periods.in_force(start, end, last, day)})

    def applicable(self, day: date, explicit: str | None = None, plan_id: str | None = None,
                   unit_ids: list[int] | None = None, strict: bool = False) -> str:
        """`explicit` (--set) if given; else the plan's set (`plan_id`, or the one set of the
        plans in force on `day` whose criteria targets cover `unit_ids`); else the national
        set in force on `day` — the observation's date when recording, the as-of day when
        reporting. `unit_ids` None: the whole register, where only --plan or --set override
        the set in force. Covering plans with different sets: with `strict` (recording one
        unit's verdict) an error asking for --set; in a report, the set in force."""
        if explicit:
            return get(self.conn, explicit).code
        if plan_id:
            plan = store_plans.get(self.conn, plan_id)
            if plan is None:
                raise NtmError(_("no plan '{plan_id}'; known plans: {value}").format(plan_id=plan_id, value=', '.join(store_plans.ids(self.conn)) or 'none'))
            if plan["criteria_set"]:
                return plan["criteria_set"]
        if unit_ids is not None:
            covering = self.covering(unit_ids, day)
            if len(covering) == 1:
                return covering[0]
            if len(covering) > 1 and strict:
                raise NtmError(_("plans in force on {isoformat} use different criteria sets ({covering}); say which with --set").format(isoformat=day.isoformat(), covering=', '.join(covering)))
        return self.in_force(day)

    def not_in_force(self, code: str, day: date) -> str | None:
        """A one-line warning when `code` was not yet in force on `day` (or, for a national
        set, had been replaced by another), naming the set that was; None when all is well."""
        if code not in self._effective:
            self._effective[code] = db.effective_day(self.conn, code)
        found = self._effective[code]
        if found is None:
            return None
        since, origin = found
        current = self.in_force(day)
        if since and day.isoformat() < since:
            return _("criteria set {code} was not in force on {day} (in force from {since}); {current} was").format(
                code=code, day=day.isoformat(), since=since, current=current)
        if origin == "shipped" and code != current:
            return _("criteria set {code} was not in force on {day}; {current} was").format(
                code=code, day=day.isoformat(), current=current)
        return None


def applies_to(cs: CriteriaSet) -> str:
    return cs.extra.get("applies_to") or "commune"


def check_judges(cs: CriteriaSet, unit) -> None:
    """A set judges only the units it was written for: a commune set communes, towns and wards;
    a village set villages; none a district, cluster or province."""
    from ..model import BELOW_COMMUNE_KINDS, COMMUNE_KINDS

    whom = applies_to(cs)
    if unit.kind in COMMUNE_KINDS and whom == "commune":
        return
    if unit.kind in BELOW_COMMUNE_KINDS and whom == "village":
        return
    # (the caller puts the unit's name in front)
    if unit.kind in BELOW_COMMUNE_KINDS:
        raise NtmError(_("a {kind}'s criteria are a village set's (applies_to: village), not {code}'s; import one and give --set").format(kind=unit.kind, code=cs.code))
    if unit.kind in COMMUNE_KINDS:
        raise NtmError(_("{code} judges villages, not a {kind}").format(code=cs.code, kind=unit.kind))
    raise NtmError(_("criteria and titles belong to communes and villages, not to a {kind}").format(kind=unit.kind))


def village_sets(conn) -> list[str]:
    return [code for code in db.codes(conn) if applies_to(get(conn, code)) == "village"]


def in_force(conn, day: date) -> str:
    return SetRule(conn).in_force(day)


def applicable(conn, day: date, explicit: str | None = None, plan_id: str | None = None,
               unit_ids: list[int] | None = None, strict: bool = False) -> str:
    return SetRule(conn).applicable(day, explicit, plan_id, unit_ids, strict)


def not_in_force(conn, code: str, day: date) -> str | None:
    return SetRule(conn).not_in_force(code, day)


def get(conn, code: str | None) -> CriteriaSet:
    """The set `code` (default: the register's default set), or an error listing the sets."""
    code = code or default_code(conn)
    cs = db.load(conn, code)
    if cs is None:
        raise NtmError(_("unknown criteria set '{code}'; known sets: {conn}").format(code=code, conn=', '.join(db.codes(conn))))
    return cs
