"""The plan file contract: YAML text → (PlanDoc | None, [Problem]).

Checks everything that needs no register: keys, types, ids, dates, amounts, milestones.
Every amount (targets, increases, baselines, milestone shares) is read by read/numbers.py,
the parser observations use, so a plan and an observation file read `1.234` and `5.466,32`
alike. Names of units, criteria numbers and indicator definitions are checked against the
register by register/plans.bind. Every problem carries FILE:LINE:COL.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from ..locale import _
from ..model import FUND_SOURCES, STEPS, Problem
from . import fields, yamldoc
from .dates import try_parse
from .names import nfc
from .numbers import Amount, Money, canonical, money_scale, read_amount, read_money
from .unit_files import Node, nodes_from_yaml

PLAN_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TOP_KEYS = ["plan", "title", "reference", "issued_by", "criteria_set", "start", "end",
            "report_every", "units", "targets", "metrics", "funds", "note"]
TARGET_KEYS = ["unit", "units", "under", "criteria", "by", "dossier", "note"]
METRIC_KEYS = ["code", "name", "measure", "direction", "rollup", "target", "targets",
               "increase", "increases", "baseline", "unit", "units", "under", "by",
               "milestones", "note"]
MILESTONE_KEYS = ["on", "share"]
FUND_KEYS = ["unit", "units", "under", *FUND_SOURCES, "note"]
AMOUNT_KEYS = ["target", "targets", "increase", "increases"]
DIRECTIONS = ["up", "down"]
ROLLUPS = ["sum", "mean", "none"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
REPORT_EVERY = ["day", *WEEKDAYS, "month", "quarter"]
_REPORT_ALIASES = {
    "daily": "day", "ngay": "day", "hang ngay": "day", "weekly": "friday",
    "thu hai": "monday", "thu ba": "tuesday", "thu tu": "wednesday", "thu nam": "thursday",
    "thu sau": "friday", "thu bay": "saturday", "chu nhat": "sunday",
    "monthly": "month", "thang": "month", "hang thang": "month",
    "quarterly": "quarter", "quy": "quarter", "hang quy": "quarter",
}


@dataclass(frozen=True)
class Ref:
    """A unit as the plan names it, and where."""

    text: str
    line: int | None
    col: int | None


@dataclass
class CriteriaTargetDoc:
    refs: list[Ref]
    under: Ref | None
    criteria: list[int] | None      # None = all criteria of the set
    by: date
    line: int | None
    col: int | None
    criteria_pos: tuple = (None, None)
    dossier: dict[str, date] = field(default_factory=dict)   # step → deadline


@dataclass
class MetricDoc:
    code: str
    name: str | None
    measure: str | None
    direction: str | None
    rollup: str | None
    kind: str                         # "level" (target/targets) or "increase"
    amounts: list[tuple[Ref, float]]  # per unit
    under: Ref | None
    under_amount: float | None
    baselines: dict[str, float]       # unit text → explicit baseline
    default_baseline: float | None
    by: date
    milestones: list[tuple[date, float]]
    line: int | None
    col: int | None
    field_pos: dict = field(default_factory=dict)


@dataclass
class FundDoc:
    """One entry of a plan's `funds:` section: the units, and per source the amount planned
    for the plan's period, in integer đồng."""

    refs: list[Ref]
    under: Ref | None
    amounts: dict[str, int]
    line: int | None
    col: int | None


@dataclass
class PlanDoc:
    id: str
    title: str
    reference: str | None
    issued_by: str | None
    criteria_set: str | None
    start: date
    end: date
    report_every: str | None
    units: list[Node]
    targets: list[CriteriaTargetDoc]
    metrics: list[MetricDoc]
    note: str | None
    document: dict
    criteria_set_pos: tuple = (None, None)
    source: str = "<input>"
    funds: list[FundDoc] = field(default_factory=list)


def _pos(node, fallback=None):
    line = getattr(node, "line", None)
    if line is None and fallback is not None:
        return getattr(fallback, "line", None), getattr(fallback, "col", None)
    return line, getattr(node, "col", None)


def clean_number(value: float):
    return int(value) if float(value).is_integer() else value


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def at(self, node, message: str, parent=None, warning: bool = False) -> None:
        line, col = _pos(node, parent)
        self.problems.append(Problem(self.source, line, col, message, warning))

    def unknown_keys(self, mapping: dict, allowed: list[str], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                more = _(" (did you mean '{hint}'?)").format(hint=hint[0]) if hint else _("; {what} keys are: {allowed}").format(what=what, allowed=', '.join(allowed))
                self.at(key, _("unknown key '{key}'{more}").format(key=key, more=more))

    def text(self, mapping: dict, key: str, required: bool = False) -> str | None:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip() and not getattr(value, "quoted", False)):
            if required:
                self.at(mapping, _("'{key}' is required").format(key=key))
            return None
        if not isinstance(value, str):
            self.at(value, _("'{key}' must be text").format(key=key), mapping)
            return None
        message = fields.problem(str(value), key, multiline=key == "note")   # before nfc() strips
        if message:
            self.at(value, message)
            return None
        return nfc(value)

    def date(self, mapping: dict, key: str, required: bool = False) -> date | None:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.at(mapping, _("'{key}' is required (YYYY-MM-DD or DD/MM/YYYY)").format(key=key))
            return None
        if not isinstance(value, str):
            self.at(value, _("'{key}' must be a date").format(key=key), mapping)
            return None
        parsed = try_parse(value)
        if isinstance(parsed, str):
            self.at(value, f"{key}: {parsed}")
            return None
        return parsed

    def number(self, value, what: str, parent=None, scale: int | None = None) -> float | None:
        """An amount as offices write it (read/numbers.py, as for observations); a value that
        reads two ways is refused with the way to write each reading. With `scale` (a money
        measure: đồng, triệu đồng, tỷ đồng) it is money, in integer đồng (`1,5 tỷ`, `250 triệu`)."""
        if not isinstance(value, str):
            self.at(value, _("{what} is not a number").format(what=what), parent)
            return None
        if scale:
            money = read_money(value, None, scale)
            if isinstance(money, Money):
                return float(money.dong)
            self.at(value, f"{what} '{value}' {money.advice() if money.reason == 'ambiguous' else money.detail}", parent)
            return None
        found = read_amount(value)
        if isinstance(found, Amount):
            return found.value
        self.at(value, f"{what} '{value}' {found.advice()}", parent)
        return None

    def ref(self, value, parent) -> Ref | None:
        if not isinstance(value, str) or not nfc(value):
            self.at(value, _("a unit name is expected here"), parent)
            return None
        return Ref(nfc(value), *_pos(value, parent))

    def refs(self, item: dict) -> tuple[list[Ref], Ref | None]:
        refs: list[Ref] = []
        given = [k for k in ("unit", "units", "under") if k in item]
        if not given:
            self.at(item, _("say which units: 'unit', 'units' or 'under'"))
        if len(given) > 1:
            self.at(item[given[1]], _("use only one of unit / units / under (found {given})").format(given=', '.join(given)), item)
        if "unit" in item:
            r = self.ref(item["unit"], item)
            refs = [r] if r else []
        if "units" in item:
            value = item["units"]
            if isinstance(value, str) and "," in value:
                # `units: A, B` is one name to YAML; say how to write the list
                names_given = [v.strip() for v in value.split(",") if v.strip()]
                self.at(value, _("'units' is a list: write units: [{names}]").format(
                    names=", ".join(names_given)), item)
                value = []
            elif isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or (not value and not isinstance(item["units"], str)):
                self.at(value, _("'units' must be a list of unit names"), item)
            else:
                refs += [r for r in (self.ref(v, item) for v in value) if r]
        under = self.ref(item["under"], item) if "under" in item else None
        return refs, under


_FLOW_FRAGMENT = re.compile(r"\d+%?")
_FLOW_HEAD = re.compile(r"[+-]?\d[\d.]*")


def _flow_splits(p: _Parser, node) -> None:
    """`{Cẩm Trang: 88,5}`: in YAML's {…} form the comma ends the value, leaving 88 and a key
    `5` with no value. Say so where it was written, and drop the stray key."""
    if isinstance(node, list):
        for item in node:
            _flow_splits(p, item)
        return
    if not isinstance(node, dict):
        return
    previous = None
    for key, value in list(node.items()):
        head = previous
        previous = value
        if not (isinstance(key, yamldoc.YStr) and isinstance(value, str) and isinstance(head, yamldoc.YStr)):
            _flow_splits(p, value)
            continue
        if (value == "" and not getattr(value, "quoted", False) and not key.quoted
                and not head.quoted and _FLOW_FRAGMENT.fullmatch(key) and _FLOW_HEAD.fullmatch(head)
                and key.line == head.line and key.col == head.col + len(head) + 1):
            number = f"{head},{key}"
            p.at(head, _("{number} is cut at the comma inside {{…}}: quote it (\"{number}\") or write {head}.{key}").format(number=number, head=head, key=key))
            del node[key]
            getattr(node, "key_pos", {}).pop(key, None)
            previous = head


def _unquoted_percent(problem: Problem, text: str) -> Problem:
    """`measure: %`: YAML refuses a plain value starting with % (or @, `); say to quote it.
    A tab indenting a line: say YAML indents with spaces."""
    if problem.line is None or problem.column is None or not any(
            words in problem.message for words in ("cannot start any token",
                                                   _("found character that cannot start any token"))):
        return problem
    lines = text.split("\n")
    if problem.line > len(lines):
        return problem
    line = lines[problem.line - 1]
    at = problem.column - 1
    if at < len(line) and line[at] == "\t" and not line[:at].strip():
        return Problem(problem.source, problem.line, problem.column,
                       _("a tab is used for indentation; YAML indents with spaces only (replace the tab with spaces, e.g. two per level)"))
    if at >= len(line) or line[at] not in "%@`":
        return problem
    before, rest = line[:at], line[at:]
    rest = re.split(r"\s+#", rest, maxsplit=1)[0]
    if "{" in before or "[" in before:
        rest = re.split(r"[,}\]]", rest, maxsplit=1)[0]
    value = rest.strip().replace('"', '\\"')
    key = re.search(r"([^\s{},\[\]-][^{},\[\]]*?)\s*:\s*$", before)
    quoted = f'{key.group(1)}: "{value}"' if key else f'"{value}"'
    return Problem(problem.source, problem.line, problem.column,
                   _("a value cannot start with '{line}' unless it is quoted; quote it: {quoted}").format(line=line[at], quoted=quoted))


def parse(text: str, source: str) -> tuple[PlanDoc | None, list[Problem]]:
    """The plan, or None and every problem of its shape and values."""
    doc, problems = parse_partial(text, source)
    return (None, problems) if problems else (doc, problems)


def parse_partial(text: str, source: str) -> tuple[PlanDoc | None, list[Problem]]:
    """Like `parse`, but with problems still the plan made of the parts that parsed (targets,
    metrics, units and funds without problems of their own), when its id and dates did: so
    `plan validate` can bind those parts to the register and report every problem at once."""
    data, problems = yamldoc.load(text, source)
    if problems:
        return None, [_unquoted_percent(problem, text) for problem in problems]
    p = _Parser(source)
    _flow_splits(p, data)
    if not isinstance(data, dict):
        p.at(data, _("a plan is a mapping that starts with 'plan: <id>'"))
        if data is None:
            p.problems[-1] = Problem(source, 1, 1, _("the file is empty; a plan starts with 'plan: <id>'"))
        return None, p.problems
    p.unknown_keys(data, TOP_KEYS, "plan")
    plan_id = p.text(data, "plan", required=True)
    if plan_id is not None and not PLAN_ID_RE.match(plan_id):
        p.at(data["plan"], _("plan id '{plan_id}' must be lowercase letters, digits and '-' (e.g. trieu-son-2018)").format(plan_id=plan_id))
    title = p.text(data, "title", required=True)
    reference = p.text(data, "reference")
    issued_by = p.text(data, "issued_by")
    note = p.text(data, "note")
    criteria_set = p.text(data, "criteria_set")
    start = p.date(data, "start", required=True)
    end = p.date(data, "end", required=True)
    if start and end and end < start:
        p.at(data["end"], _("end {isoformat} is before start {isoformat2}").format(isoformat=end.isoformat(), isoformat2=start.isoformat()))
    report_every = _report_every(p, data)

    unit_nodes: list[Node] = []
    if data.get("units") not in (None, ""):
        unit_nodes, tree_problems = nodes_from_yaml(data["units"], source)
        p.problems += tree_problems

    targets = [t for t in (_criteria_target(p, item, start, end)
                           for item in _list(p, data, "targets")) if t]
    if targets and criteria_set is None:
        p.at(data, _("'criteria_set' is required when the plan has criterion targets (e.g. criteria_set: qd51-2025)"))
    metrics = []
    seen_codes: dict[str, int] = {}
    for item in _list(p, data, "metrics"):
        metric = _metric(p, item, start, end)
        if metric:
            metrics.append(metric)
            seen_codes.setdefault(metric.code, metric.line)
    funds = [f for f in (_funds(p, item) for item in _list(p, data, "funds")) if f]
    if p.problems and not (plan_id and start and end and (not end or not start or start <= end)):
        return None, p.problems
    # A plan with problems is only bound, never saved: it needs no stored document.
    document = {} if p.problems else _document(data, plan_id, title, reference, issued_by,
                                               criteria_set, start, end, report_every, note)
    crit_pos = _pos(data.get("criteria_set"), data)
    return PlanDoc(plan_id, title or "", reference, issued_by, criteria_set, start, end, report_every,
                   unit_nodes, targets, metrics, note, document, crit_pos, source, funds), p.problems


def _report_every(p: _Parser, data) -> str | None:
    value = p.text(data, "report_every")
    if value is None:
        return None
    from .names import fold

    folded = fold(value)
    canonical = folded if folded in REPORT_EVERY else _REPORT_ALIASES.get(folded)
    if canonical is None:
        p.at(data["report_every"], _("report_every '{value}' must be one of: {REPORT_EVERY}").format(value=value, REPORT_EVERY=' | '.join(REPORT_EVERY)))
    return canonical


def _list(p: _Parser, data: dict, key: str) -> list:
    value = data.get(key)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        p.at(value, _("'{key}' must be a list").format(key=key), data)
        return []
    out = []
    for item in value:
        if not isinstance(item, dict):
            p.at(item, _("each entry of '{key}' must be a mapping").format(key=key), value)
            continue
        out.append(item)
    return out


def _criteria(p: _Parser, item) -> tuple[bool, list[int] | None]:
    value = item.get("criteria")
    if value is None:
        p.at(item, _("'criteria' is required: 'all' or a list of criterion numbers"))
        return False, None
    from .names import fold

    if isinstance(value, str) and fold(value) in ("all", "tat ca"):
        return True, None
    from .criteria_lists import parse_criteria

    values = value if isinstance(value, list) else [value]
    for v in values:
        if not isinstance(v, str):
            p.at(v, _("criterion '{v}' must be a criterion number (or criteria: all)").format(v=v), item)
            return False, None
        found = parse_criteria(v)
        if isinstance(found, str):
            p.at(v, _("criterion '{v}' must be a criterion number, a range (1-5) or a list (1,2,3) (or criteria: all)").format(v=v), item)
            return False, None
    numbers = parse_criteria([str(v) for v in values])
    flat = [n for v in values for n in parse_criteria(str(v))]
    if len(set(flat)) != len(flat):
        p.at(value, _("a criterion is listed twice"), item)
    return True, numbers


def _deadline(p: _Parser, item, start, end) -> date | None:
    by = p.date(item, "by")
    if by is None and "by" not in item:
        by = end
    if by and start and by < start:
        p.at(item.get("by", item), _("deadline {isoformat} is before the plan's start {isoformat2}").format(isoformat=by.isoformat(), isoformat2=start.isoformat()))
        return None
    return by


def _criteria_target(p: _Parser, item, start, end) -> CriteriaTargetDoc | None:
    before = len(p.problems)
    p.unknown_keys(item, TARGET_KEYS, "target")
    refs, under = p.refs(item)
    ok, numbers = _criteria(p, item)
    by = _deadline(p, item, start, end)
    dossier = _dossier_deadlines(p, item, start)
    if len(p.problems) > before or not ok or by is None:
        return None
    return CriteriaTargetDoc(refs, under, numbers, by, *_pos(item),
                             criteria_pos=_pos(item.get("criteria"), item), dossier=dossier)


def _dossier_deadlines(p: _Parser, item, start) -> dict[str, date]:
    """`dossier: {criteria_dossiers: 2018-10-31, sent: 2018-11-15}`: by when each step of the
    commune's road is due (`laggards` reason dossier_late)."""
    value = item.get("dossier")
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        p.at(value, _("'dossier' maps steps to deadlines, e.g. {criteria_dossiers: 31/10/2018, sent: 15/11/2018}"), item)
        return {}
    out = {}
    for step in value:
        if step not in STEPS:
            p.at(step, _("unknown dossier step '{step}' (steps: {STEPS})").format(step=step, STEPS=', '.join(STEPS)), value)
            continue
        day = p.date(value, step, required=True)
        if day is not None and start and day < start:
            p.at(value[step], _("{step}: deadline {isoformat} is before the plan's start {isoformat2}").format(step=step, isoformat=day.isoformat(), isoformat2=start.isoformat()))
            continue
        if day is not None:
            out[str(step)] = day
    return out


def _metric(p: _Parser, item, start, end) -> MetricDoc | None:
    before = len(p.problems)
    p.unknown_keys(item, METRIC_KEYS, "metric")
    code = p.text(item, "code", required=True)
    if code is not None and not SLUG_RE.match(code):
        p.at(item["code"], _("indicator code '{code}' must be lowercase letters, digits and '-'").format(code=code))
    name = p.text(item, "name")
    measure = p.text(item, "measure")
    direction = _choice(p, item, "direction", DIRECTIONS)
    rollup = _choice(p, item, "rollup", ROLLUPS)
    given = [k for k in AMOUNT_KEYS if k in item]
    if len(given) != 1:
        p.at(item[given[1]] if len(given) > 1 else item,
             _("give exactly one of target / targets / increase / increases")
             + (_(" (found {given})").format(given=', '.join(given)) if given else ""), item)
        return None
    key = given[0]
    kind = "increase" if key.startswith("increase") else "level"
    is_pct = measure is not None and measure.strip() == "%"
    scale = money_scale(measure)
    amounts: list[tuple[Ref, float]] = []
    under = None
    under_amount = None

    def check_amount(value, node) -> float | None:
        amount = p.number(value, key, item, scale)
        if amount is None:
            return None
        if kind == "level" and amount < 0:
            p.at(node, _("{key} {amount} is negative").format(key=key, amount=clean_number(amount)), item)
        elif kind == "increase" and amount < 0 and direction != "down":
            p.at(node, _("{key} {amount} is negative; for a value to bring down, set direction: down").format(key=key, amount=clean_number(amount)), item)
        if is_pct and kind == "level" and amount > 100:
            p.at(node, _("{key} {amount} is over 100%").format(key=key, amount=f"{clean_number(amount)}%"), item)
        return amount

    if key in ("targets", "increases"):
        value = item[key]
        if "unit" in item or "units" in item or "under" in item:
            p.at(item, _("with '{key}' the units are the keys of '{key}'; drop unit/units/under").format(key=key))
        if not isinstance(value, dict) or not value:
            p.at(value, _("'{key}' must map unit names to amounts").format(key=key), item)
        else:
            for unit_text, amount_text in value.items():
                amount = check_amount(amount_text, amount_text)
                ref = p.ref(unit_text, value)
                if amount is not None and ref:
                    amounts.append((ref, amount))
    else:
        amount = check_amount(item[key], item[key])
        refs, under = p.refs(item)
        if amount is not None:
            amounts = [(r, amount) for r in refs]
            under_amount = amount if under else None
    baselines: dict[str, float] = {}
    default_baseline = None
    if "baseline" in item:
        value = item["baseline"]
        if isinstance(value, dict):
            for unit_text, b in value.items():
                number = p.number(b, "baseline", item, scale)
                if number is not None:
                    baselines[nfc(unit_text)] = number
        else:
            default_baseline = p.number(value, "baseline", item, scale)
    by = _deadline(p, item, start, end)
    milestones = _milestones(p, item, start, by)
    if len(p.problems) > before or code is None or by is None:
        return None
    return MetricDoc(code, name, measure, direction, rollup, kind, amounts, under, under_amount,
                     baselines, default_baseline, by, milestones, *_pos(item),
                     field_pos={k: _pos(item[k], item) for k in item})


def _funds(p: _Parser, item) -> FundDoc | None:
    """`{unit: Kỳ Xuân, trung-uong: 1,5 tỷ, nhan-dan: 300 triệu}`: amounts read as money
    (read/numbers.read_money) into integer đồng."""
    before = len(p.problems)
    p.unknown_keys(item, FUND_KEYS, "funds")
    refs, under = p.refs(item)
    amounts: dict[str, int] = {}
    for source in FUND_SOURCES:
        if source not in item:
            continue
        value = item[source]
        if not isinstance(value, str):
            p.at(value, _("{source} is not an amount of money").format(source=source), item)
            continue
        found = read_money(value)
        if not isinstance(found, Money) and found.reason == "ambiguous":
            p.at(value, _("{source} '{value}' reads two ways: write {readings} for the thousands of đồng, or give its unit ('{value} tỷ', '{value} triệu')").format(source=source, value=value, readings=int(abs(found.readings[0]))), item)
        elif not isinstance(found, Money):
            p.at(value, f"{source} '{value}' {found.detail}", item)
        elif found.dong < 0 or found.plus:
            p.at(value, _("{source} '{value}': a planned amount is written without a sign").format(source=source, value=value), item)
        else:
            amounts[source] = found.dong
    if not any(source in item for source in FUND_SOURCES):
        p.at(item, _("give the amount planned for at least one source ({FUND_SOURCES})").format(FUND_SOURCES=', '.join(FUND_SOURCES)))
    p.text(item, "note")
    if len(p.problems) > before:
        return None
    return FundDoc(refs, under, amounts, *_pos(item))


def _choice(p: _Parser, item, key: str, allowed: list[str]) -> str | None:
    value = p.text(item, key)
    if value is not None and value not in allowed:
        p.at(item[key], _("{key} '{value}' must be one of: {allowed}").format(key=key, value=value, allowed=' | '.join(allowed)))
        return None
    return value


def _milestones(p: _Parser, item, start, by) -> list[tuple[date, float]]:
    value = item.get("milestones")
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        p.at(value, _("'milestones' must be a list of {on: DATE, share: 0..1}"), item)
        return []
    out = []
    for m in value:
        if not isinstance(m, dict):
            p.at(m, _("a milestone is {on: DATE, share: 0..1}"), value)
            continue
        p.unknown_keys(m, MILESTONE_KEYS, "milestone")
        on = p.date(m, "on", required=True)
        share_text = m.get("share")
        share = None
        if share_text is None:
            p.at(m, _("'share' is required (0..1, or a percentage like 50%)"))
        else:
            share = p.number(share_text, "share", m)
            if share is not None and isinstance(share_text, str) and share_text.strip().endswith("%"):
                share /= 100
            if share is not None and not 0 <= share <= 1:
                p.at(share_text, _("share {share_text} must be between 0 and 1 (or 0% and 100%)").format(share_text=share_text))
                share = None
        if on and start and by and not start <= on <= by:
            p.at(m["on"], _("milestone {isoformat} is outside the target's {isoformat2}..{isoformat3}").format(isoformat=on.isoformat(), isoformat2=start.isoformat(), isoformat3=by.isoformat()))
            continue
        if on and share is not None:
            out.append((on, share))
    out.sort()
    for (d1, s1), (d2, s2) in zip(out, out[1:]):
        if s2 < s1:
            p.at(value, _("milestone shares must not fall over time ({isoformat}: {s1}, {isoformat2}: {s2})").format(isoformat=d1.isoformat(), s1=s1, isoformat2=d2.isoformat(), s2=s2), item)
            break
    return out


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return None if value is None else nfc(str(value)) if isinstance(value, str) else value


def _document(data, plan_id, title, reference, issued_by, criteria_set, start, end,
              report_every, note) -> dict:
    """The plan as data, normalised so that export → import is the identity."""
    doc: dict = {"plan": plan_id, "title": title}
    for key, value in (("reference", reference), ("issued_by", issued_by),
                       ("criteria_set", criteria_set)):
        if value is not None:
            doc[key] = value
    doc["start"] = start.isoformat()
    doc["end"] = end.isoformat()
    if report_every:
        doc["report_every"] = report_every
    if note:
        doc["note"] = note
    for key in ("units", "targets", "metrics", "funds"):
        if data.get(key) not in (None, "", []):
            doc[key] = _normalise(key, _plain(data[key]))
    return doc


def _normalise(key: str, value):
    """Dates to ISO and numbers to numbers inside targets and metrics."""
    if key == "units":
        return value

    def fix_date(text):
        parsed = try_parse(text) if isinstance(text, str) else text
        return parsed.isoformat() if isinstance(parsed, date) else text

    def fix_number(text):
        found = read_amount(text) if isinstance(text, str) else None
        if not isinstance(found, Amount):
            return text
        if found.percent:
            return text.strip()
        return canonical(found.value)

    out = []
    for item in value:
        item = dict(item)
        if key == "funds":
            # Amounts in integer đồng: `1,5 tỷ` and `1.500.000.000` are one plan.
            item.update({k: read_money(v).dong for k, v in item.items() if k in FUND_SOURCES})
        if "by" in item:
            item["by"] = fix_date(item["by"])
        if key == "targets" and isinstance(item.get("dossier"), dict):
            item["dossier"] = {step: fix_date(day) for step, day in item["dossier"].items()}
        if key == "targets" and isinstance(item.get("criteria"), (list, str)):
            from .criteria_lists import parse_criteria
            from .names import fold

            criteria = item["criteria"]
            if not (isinstance(criteria, str) and fold(criteria) in ("all", "tat ca")):
                numbers = parse_criteria([str(c) for c in criteria] if isinstance(criteria, list)
                                         else criteria)
                if isinstance(numbers, list):
                    item["criteria"] = numbers
        if key == "metrics":
            scale = money_scale(item.get("measure"))
            # A money indicator's amounts in integer đồng: `1,5 tỷ` and `1.500 triệu` are one plan.
            number = (lambda v: read_money(v, None, scale).dong) if scale else fix_number  # noqa: E731
            for k in ("target", "increase"):
                if k in item:
                    item[k] = number(item[k])
            for k in ("targets", "increases", "baseline"):
                if isinstance(item.get(k), dict):
                    item[k] = {u: number(v) for u, v in item[k].items()}
                elif k in item:
                    item[k] = number(item[k])
            if isinstance(item.get("milestones"), list):
                item["milestones"] = [
                    {"on": fix_date(m.get("on")), "share": fix_number(m.get("share"))}
                    for m in item["milestones"]]
        out.append(item)
    return out
