"""Turning what people report into observations, and checking that it can be true.

One Recorder per command: it resolves units, criteria sets, criteria and indicators once
and caches them, so an import of a million rows does not query per row. Row problems are
messages (strings); the caller attaches FILE:LINE.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from ..locale import _
from ..model import BELOW_COMMUNE_KINDS, NtmError, Unit
from ..read import fields, names
from ..read.dates import try_parse
from ..store import observations as db
from ..store import plans as store_plans
from ..store import units as store_units
from . import criteria as criteria_sets
from . import units

EXTRA_KEY_FIELDS = ("level", "step", "department", "result", "amount", "fund_kind", "fund_source",
                    "project")
MET_WORDS = {"met", "dat", "1", "yes", "y", "true", "x", "co"}
UNMET_WORDS = {"unmet", "not met", "chua dat", "khong dat", "0", "no", "n", "false", "khong"}
_CRITERION_RE = re.compile(r"^(?:tieu chi|tc|c|criterion)?\s*(\d{1,3})$")


@dataclass
class Pending:
    """An observation ready to append, with where it came from."""

    row: dict
    where: str


@dataclass
class Recorder:
    conn: object
    today: date
    by: str
    criteria_set: str | None = None     # --set for every row
    _units: dict = field(default_factory=dict)
    _unit_sets: dict = field(default_factory=dict)
    _set_numbers: dict = field(default_factory=dict)
    _indicators: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)   # one line each, for stderr
    step_levels: dict = field(default_factory=dict)  # unit → the level its last dossier step sought
    _set_objects: dict = field(default_factory=dict)
    _days: dict = field(default_factory=dict)
    _spellings: dict = field(default_factory=dict)   # as written → _units' answer
    _village_sets: list | None = None
    _sets: criteria_sets.SetRule | None = None
    _judges: set = field(default_factory=set)    # (set, unit kind) pairs found to agree
    _warned: set = field(default_factory=set)    # (set, day) pairs already looked at

    # -- lookups -------------------------------------------------------------------------

    def unit(self, text: str) -> Unit | str:
        found = self._spellings.get(text)
        if found is None:
            key = names.fold(text)
            if key not in self._units:
                self._units[key] = units.resolve_problem(self.conn, text)
            found = self._spellings[text] = self._units[key]
        return found

    def set_for(self, unit: Unit, explicit: str | None, on: str) -> str:
        """The set a verdict dated `on` is recorded against (criteria_sets.applicable), with a
        warning when it was not in force on that day."""
        key = (unit.id, explicit or self.criteria_set, on)
        if key not in self._unit_sets:
            day = date.fromisoformat(on)
            if self._sets is None:
                self._sets = criteria_sets.SetRule(self.conn)
            try:
                code = self._sets.applicable(day, explicit or self.criteria_set, None, [unit.id],
                                             strict=True)
                if unit.kind in BELOW_COMMUNE_KINDS and not (explicit or self.criteria_set):
                    # A village is judged by the province's village set, not the national one.
                    if self._village_sets is None:
                        self._village_sets = criteria_sets.village_sets(self.conn)
                    villages = self._village_sets
                    if len(villages) == 1 and criteria_sets.applies_to(self._set(code)) != "village":
                        code = villages[0]
                judged = (code, unit.kind)
                if judged not in self._judges:
                    criteria_sets.check_judges(self._set(code), unit)
                    self._judges.add(judged)
            except NtmError as e:
                self._unit_sets[key] = NtmError(f"{unit.name}: {e}")
            else:
                self._numbers(code)
                self._unit_sets[key] = code
                # Once per set and day: a file dates its thousands of verdicts on a few days.
                if (code, on) not in self._warned:
                    self._warned.add((code, on))
                    warning = self._sets.not_in_force(code, day)
                    said = _("warning: {message}").format(message=warning) if warning else None
                    if said and said not in self.warnings:
                        self.warnings.append(said)
        code = self._unit_sets[key]
        if isinstance(code, NtmError):
            raise code
        return code

    def _set(self, code: str):
        if code not in self._set_objects:
            self._set_objects[code] = criteria_sets.get(self.conn, code)
        return self._set_objects[code]

    def _numbers(self, code: str) -> list[int]:
        if code not in self._set_numbers:
            self._set_numbers[code] = criteria_sets.get(self.conn, code).numbers
        return self._set_numbers[code]

    def indicator(self, code: str) -> dict | str:
        if code not in self._indicators:
            found = store_plans.indicator(self.conn, code)
            if found is None:
                known = [i["code"] for i in store_plans.indicators(self.conn)]
                import difflib

                close = difflib.get_close_matches(code, known, n=3)
                hint = _("; did you mean: {close}?").format(close=', '.join(close)) if close else (
                    _("; indicators are defined in a plan's metrics"))
                found = f"unknown indicator '{code}'{hint}"
            self._indicators[code] = found
        return self._indicators[code]

    # -- building ------------------------------------------------------------------------

    def when(self, text: str | None) -> str:
        # A file repeats its few report dates: each text is read once.
        found = self._days.get(text)
        if found is None:
            try:
                found = (self._when(text), None)
            except NtmError as e:
                found = (None, str(e))
            self._days[text] = found
        if found[1] is not None:
            raise NtmError(found[1])
        return found[0]

    def _when(self, text: str | None) -> str:
        if text is None or str(text).strip() == "":
            return self.today.isoformat()
        parsed = try_parse(str(text))
        if isinstance(parsed, str):
            raise NtmError(parsed)
        if parsed > self.today:
            raise NtmError(_("date {isoformat} is in the future").format(isoformat=parsed.isoformat()))
        return parsed.isoformat()

    def _active(self, unit: Unit, on: str) -> None:
        if unit.active_until and not units.active_on(unit.active_until, date.fromisoformat(on)):
            raise NtmError(_("{name} was merged away on {active_until}; nothing can be recorded for it from that date").format(name=unit.name, active_until=unit.active_until))

    def criterion(self, unit: Unit, criterion: int | str, verdict: str, on: str,
                  set_code: str | None = None) -> dict:
        self._active(unit, on)
        code = self.set_for(unit, set_code, on)
        number = parse_criterion(criterion)
        if number is None:
            raise NtmError(_("'{criterion}' is not a criterion number").format(criterion=criterion))
        if number not in self._numbers(code):
            numbers = self._numbers(code)
            raise NtmError(_("criterion {number} is not in set {code} (it has {numbers}-{numbers2})").format(number=number, code=code, numbers=numbers[0], numbers2=numbers[-1]))
        return {"unit_id": unit.id, "criteria_set": code, "criterion": number, "kind": verdict,
                "date": on}

    def measurement(self, unit: Unit, code: str, value: float, add: bool, on: str) -> dict:
        self._active(unit, on)
        definition = self.indicator(code)
        if isinstance(definition, str):
            raise NtmError(definition)
        if definition.get("measure") == "%" and not add and value > 100:
            raise NtmError(_("{code}: {value} is over 100%").format(code=code, value=f"{value:g}%"))
        if not add and value < 0:
            raise NtmError(_("{code}: {value:g} is negative").format(code=code, value=value))
        return {"unit_id": unit.id, "indicator": code, "kind": "add" if add else "set",
                "value": value, "date": on}

    def finish(self, row: dict, source: str, note: str | None, by: str | None,
               recorded_at: str, fingerprint: bool) -> dict:
        row = {**row, "source": source, "note": _text(note, "note", multiline=True) or None,
               "by": _text(by or self.by, "by"), "recorded_at": recorded_at}
        if fingerprint:
            # The first occurrence's key; a file's later identical rows get the next ones
            # (register/recording.py), so `_content` goes with the row to make them.
            row["_content"] = content = fingerprint_content(row)
            row["fingerprint64"] = fingerprint64(content, 1)
        return row


_EXTRA_KEY_SET = frozenset(EXTRA_KEY_FIELDS)


def fingerprint_content(row: dict) -> str:
    """What a file's row says, as the text its fingerprint hashes (notes in; who, when and
    where it was recorded out)."""
    get = row.get
    content = (f"{get('unit_id')}|{get('criteria_set')}|{get('criterion')}|{get('indicator')}|"
               f"{get('kind')}|{get('value')}|{get('decision')}|{get('date')}|{get('note')}")
    if not _EXTRA_KEY_SET.isdisjoint(row):
        # Fields added by m007 join the key only when set (an NTM recognition is what every
        # recognition was before levels): files imported before keep their fingerprints.
        extra = [f"{k}={row[k]}" for k in EXTRA_KEY_FIELDS
                 if row.get(k) is not None and not (k == "level" and row[k] == "ntm")]
        if extra:
            content += "|" + "|".join(extra)
    return content


def fingerprint64(content: str, occurrence: int) -> int:
    """The key of a file's `occurrence`th row with this content: identical rows in one file
    are separate facts (two reports of +2 on one day), and the occurrence number keeps them
    apart and re-imports idempotent. The first 8 bytes of the SHA-1 that was the text
    fingerprint before m013, as a signed 64-bit integer (what m013 made of the old ones)."""
    digest = hashlib.sha1(f"{content}|{occurrence}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def parse_criterion(text) -> int | None:
    return _criterion(str(text))


@functools.lru_cache(maxsize=1 << 10)
def _criterion(text: str) -> int | None:
    match = _CRITERION_RE.match(names.fold(str(text)).replace(".", " ").strip())
    return int(match.group(1)) if match else None


def parse_verdict(text) -> str | None:
    return _verdict(str(text))


@functools.lru_cache(maxsize=1 << 10)
def _verdict(text: str) -> str | None:
    folded = names.fold(str(text)).strip()
    if folded in MET_WORDS:
        return "met"
    if folded in UNMET_WORDS:
        return "unmet"
    return None


# -- plausibility over a unit's series -------------------------------------------------

@dataclass
class SeriesFinding:
    observation_id: int
    message: str
    refuse: bool


def check_series(conn, pairs, first_new_id: int) -> list[SeriesFinding]:
    """Look at each touched (unit, indicator) series as a whole: values that cannot be true
    (negative, a % over 100) are refused; cumulative counts that fall and jumps far outside
    the unit's usual change are warned about. Only observations from `first_new_id` on are
    judged."""
    findings: list[SeriesFinding] = []
    definitions = {}
    for unit_id, code in pairs:
        if code not in definitions:
            definitions[code] = store_plans.indicator(conn, code)
        definition = definitions[code]
        value = 0.0
        steps = 0          # values seen so far in this series
        largest = 0.0      # the largest change between two of them
        for obs_id, kind, amount, _on in db.indicator_series(conn, unit_id, code):
            before = value
            value = amount if kind == "set" else value + amount
            change = abs(value - before)
            if obs_id >= first_new_id:
                if value < 0:
                    findings.append(SeriesFinding(obs_id, f"{code} would become {value:g}, below zero", True))
                elif definition and definition["measure"] == "%" and value > 100:
                    findings.append(SeriesFinding(obs_id, f"{code} would become {value:g}%, over 100%", True))
                elif (definition and definition["rollup"] == "sum" and definition["direction"] == "up"
                      and kind == "set" and steps and value < before):
                    findings.append(SeriesFinding(
                        obs_id, f"{code} falls from {before:g} to {value:g} (a cumulative count?)", False))
                elif steps >= 4 and largest > 0 and change > 5 * largest:
                    findings.append(SeriesFinding(
                        obs_id, f"{code} changes by {change:g}, far beyond its usual change "
                                f"(at most {largest:g})", False))
            if steps:
                largest = max(largest, change)
            steps += 1
    return findings


def check_children_totals(conn, pairs, as_of: str) -> list[str]:
    """Warn where villages' own values add up to more than their commune's own value."""
    from .tree import Tree

    warnings = []
    tree = None
    parents = {(store_units.get(conn, u).parent_id, code) for u, code in pairs}
    for parent_id, code in parents:
        if parent_id is None:
            continue
        definition = store_plans.indicator(conn, code)
        if not definition or definition["rollup"] != "sum":
            continue
        tree = tree or Tree.load(conn)
        children = tree.children.get(parent_id, [])
        values = {u: v for u, _c, v, _d in db.indicator_values(conn, as_of, [code],
                                                               [parent_id, *children])}
        if parent_id in values:
            total = sum(v for u, v in values.items() if u != parent_id)
            if total > values[parent_id] + 1e-9:
                warnings.append(_("{code}: the units below {name} add up to {total}, more than its own {own}").format(
                    code=code, name=tree.units[parent_id]["name"], total=f"{total:g}",
                    own=f"{values[parent_id]:g}"))
    return warnings


def _text(value: str | None, field: str, multiline: bool = False) -> str | None:
    """Free text as the register stores it (read.fields), or the one-line reason it cannot be."""
    if value is None:
        return None
    message = fields.problem(value, field, multiline)
    if message:
        raise NtmError(message)
    return value
