"""Recording: single observations from commands, and whole files in one transaction.

An import streams its rows (memory does not grow with the file), appends them in batches
inside the caller's transaction, then judges the touched series; any refused row means the
caller rolls everything back. Knows nothing of the CLI.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterable

from ..locale import _
from ..model import LEVELS, InputProblems, NtmError, Problem
from ..read import fields
from ..read.names import fold
from ..read.numbers import parse_amount
from ..store import observations as db
from . import funds, titles
from .dossiers import step_observation
from .observations import (
    Recorder,
    SeriesFinding,
    fingerprint64,
    check_children_totals,
    check_series,
    parse_criterion,
    parse_verdict,
)

BATCH = 5000
LATEST = "9999-12-31"
MAX_LISTED = 200


@dataclass
class ImportSummary:
    source: str
    rows: int = 0
    added: int = 0
    already_present: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self, dry_run: bool) -> dict:
        return {"file": self.source, "rows": self.rows, "added": self.added,
                "already_present": self.already_present, "rejected": self.rejected,
                "warnings": len(self.warnings), "dry_run": dry_run}


def append_checked(conn, rows: list[dict]) -> tuple[list[int], list[str]]:
    """Append observations made by commands; refuse impossible series. Returns ids, warnings."""
    first = db.next_id(conn)
    ids = [db.append(conn, r) for r in rows]
    pairs = {(r["unit_id"], r["indicator"]) for r in rows if r.get("indicator")}
    warnings = _judge(conn, pairs, first)
    return [i for i in ids if i is not None], warnings


def already_recorded(conn, rows: list[dict]) -> list[int | None]:
    """For each row a command is about to record, the id of a live observation with the same
    unit, measure, value (or decision) and date, or None. An increase is never a repeat: two
    reports of +2 on one day are two facts."""
    from ..store.identical import identical

    found = []
    for row in rows:
        same = identical(conn, row) if row["kind"] != "add" else []
        found.append(same[0] if same else None)
    return found


FAR = 5   # a level this many times above or below the last one is worth a second look


def far_from_last(conn, pairs, first_new_id: int) -> list[SeriesFinding]:
    """Levels set far from the unit's last value (9.15 after 91.5: a decimal mark in the
    wrong place?) while the series is too short for check_series to know its usual change."""
    findings = []
    for unit_id, code in pairs:
        value = None
        for steps, (obs_id, kind, amount, _on) in enumerate(db.indicator_series(conn, unit_id, code)):
            before = value
            value = amount if kind == "set" or value is None else value + amount
            if (obs_id >= first_new_id and kind == "set" and steps < 4 and before and before > 0
                    and amount > 0 and max(amount / before, before / amount) >= FAR):
                findings.append(SeriesFinding(
                    obs_id, f"{code} set to {amount:g}, far from its last level {before:g} "
                            "(a decimal mark in the wrong place?)", False))
    return findings


def _judge(conn, pairs, first_new_id: int) -> list[str]:
    findings = check_series(conn, sorted(pairs), first_new_id)
    findings += far_from_last(conn, sorted(pairs), first_new_id)
    sources = {f.observation_id: db.get(conn, f.observation_id)["source"] for f in findings}
    refused = [Problem(sources[f.observation_id], None, None, f.message) for f in findings if f.refuse]
    if refused:
        raise InputProblems(refused)
    warnings = [f"{sources[f.observation_id]}: " + _("warning: {message}").format(message=f.message)
                for f in findings]
    if pairs:
        # Children against their commune as the register now stands, after this write.
        warnings += [_("warning: {message}").format(message=w) for w in check_children_totals(conn, pairs, LATEST)]
    return warnings


def percent_fraction(conn, recorder: Recorder, observation: dict, written, fractions: bool,
                     last_values: dict) -> dict:
    """A level of a `%` indicator written as a fraction (0.9 from a spreadsheet where the cell
    showed 90%): with `fractions` (--percent-fractions) read as × 100; else refused when the
    unit's earlier values of it are above 1 (they are percentages), with the fix."""
    code = observation.get("indicator")
    value = observation.get("value")
    if observation.get("kind") != "set" or code is None or not 0 < value < 1:
        return observation
    definition = recorder.indicator(code)
    if not isinstance(definition, dict) or definition.get("measure") != "%" or "%" in str(written):
        return observation
    percent = round(value * 100, 10)
    if fractions:
        return {**observation, "value": percent}
    key = (observation["unit_id"], code)
    if key not in last_values:
        levels = [amount for _id, kind, amount, _on in db.indicator_series(conn, *key) if kind == "set"]
        last_values[key] = levels[-1] if levels else None
    last = last_values[key]
    if last is not None and last > 1:
        raise NtmError(_("{code}: {value:g} looks like a fraction ({percent:g}%?) while the unit's earlier values are percentages ({last:g}); write {percent:g} or {percent:g}%, or import with --percent-fractions").format(code=code, value=value, percent=percent, last=last))
    return observation


def import_rows(conn, recorder: Recorder, rows: Iterable[tuple[int, dict | str]], source: str,
                decimal_mark: str | None, recorded_at: str, default_by: str | None,
                percent_fractions: bool = False) -> ImportSummary:
    """Append every row of a file, or raise InputProblems listing every bad row."""
    with db.import_cache(conn):
        return _import_rows(conn, recorder, rows, source, decimal_mark, recorded_at, default_by,
                            percent_fractions)


def _import_rows(conn, recorder: Recorder, rows: Iterable[tuple[int, dict | str]], source: str,
                 decimal_mark: str | None, recorded_at: str, default_by: str | None,
                 percent_fractions: bool) -> ImportSummary:
    """import_rows, inside its page cache.

    Rows read back from the register's own exports (`_exported`) are already present when the
    register holds as many live observations with their content (history carries no
    fingerprint for what was typed at the command line)."""
    from ..store.identical import identical

    summary = ImportSummary(source)
    problems: list[Problem] = []
    batch: list[dict] = []
    pairs: set[tuple[int, str]] = set()
    first_new_id = db.next_id(conn)
    last_values: dict = {}
    exported_seen: dict[tuple, int] = {}
    waiting: set[tuple] = set()   # the content of the exported rows in the batch
    db.present_marks(conn)

    def flush() -> None:
        first = db.next_id(conn)
        skipped = db.insert_batch(conn, batch, first)
        added = len(batch) - len(skipped)
        for position in skipped:
            added += _later_occurrence(conn, batch[position], first + position, first_new_id)
        summary.added += added
        summary.already_present += len(batch) - added
        batch.clear()
        waiting.clear()

    for line, row in rows:
        summary.rows += 1
        if isinstance(row, str):
            summary.rejected += 1
            if len(problems) < MAX_LISTED:
                problems.append(Problem(source, line, None, row))
            continue
        try:
            observation = _observation(recorder, row, decimal_mark)
            observation = percent_fraction(conn, recorder, observation, row.get("value"),
                                           percent_fractions, last_values)
        except NtmError as e:
            summary.rejected += 1
            if len(problems) < MAX_LISTED:
                problems.append(Problem(source, line, None, str(e)))
            continue
        if problems:
            continue  # nothing will be written; keep checking rows for the report
        observation = recorder.finish(observation, f"{source}:{line}", _text(row.get("note")),
                                      _text(row.get("by")) or default_by, recorded_at,
                                      fingerprint=True)
        if row.get("_exported"):
            content = tuple(observation.get(k) for k in (
                "unit_id", "kind", "date", "criteria_set", "criterion", "indicator", "value", "decision"))
            exported_seen[content] = n = exported_seen.get(content, 0) + 1
            if content in waiting:
                flush()   # an identical row of this file before this one counts as present
            if len(identical(conn, observation)) >= n:
                summary.already_present += 1
                continue
            waiting.add(content)
        if observation.get("indicator"):
            pairs.add((observation["unit_id"], observation["indicator"]))
        batch.append(observation)
        if len(batch) >= BATCH:
            flush()
    if problems:
        if summary.rejected > len(problems):
            problems.append(Problem(source, None, None,
                                    _("… and {rejected} more bad rows").format(rejected=summary.rejected - len(problems))))
        raise InputProblems(problems)
    if batch:
        flush()
    if summary.added:
        # Once for the whole file: each key's latest verdict or value is written once, not
        # once per batch it appears in.
        db.advance_state(conn, first_new_id)
    summary.warnings = recorder.warnings + (_judge(conn, pairs, first_new_id) if pairs else [])
    return summary


def _later_occurrence(conn, row: dict, obs_id: int, first_new_id: int) -> bool:
    """A row whose first-occurrence fingerprint the register holds: written (True) when it is
    a later occurrence of its content in the file whose key is free, else already present.

    The keys this import has used are those held by its own new rows (ids from
    `first_new_id`) and those it found present (marked); the row's occurrence number is the
    first not used, as counting the file's earlier identical rows would give — without
    remembering every row of the file."""
    content = row["_content"]
    occurrence = 1
    while True:
        key = fingerprint64(content, occurrence) if occurrence > 1 else row["fingerprint64"]
        owner = db.fingerprint_owner(conn, row, key)
        if owner is None:
            return db.insert_at(conn, {**row, "fingerprint64": key}, obs_id)
        if owner < first_new_id and db.mark_present(conn, key):
            return False
        occurrence += 1


@functools.lru_cache(maxsize=1 << 10)   # a file repeats its few measures
def _dossier_step(measure: str) -> str | None:
    """`dossier:STEP` (also `hồ sơ:STEP`) names a dossier step; None for other measures."""
    head, _unused, step = measure.partition(":")
    if not step.strip() or fold(head).strip() not in ("dossier", "ho so"):
        return None
    return step.strip().lower().replace("-", "_").replace(" ", "_")


def _result(value) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return {"dat": "passed", "passed": "passed", "tra lai": "returned", "returned": "returned",
            "khong dat": "returned"}.get(fold(text), text)


def _text(value) -> str | None:
    if value is None:
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    return text or None


_NEEDED = ("date", "unit", "measure", "value")
_NEEDED_FOR_STEP = ("date", "unit", "measure")   # a dossier step may come without a value


def _observation(recorder: Recorder, row: dict, decimal_mark: str | None) -> dict:
    measure = _text(row.get("measure")) or ""
    step = _dossier_step(measure)
    for column in _NEEDED_FOR_STEP if step else _NEEDED:
        if _text(row.get(column)) is None:
            raise NtmError(_("'{column}' is empty").format(column=column))
    unit = recorder.unit(str(row["unit"]).strip())
    if isinstance(unit, str):
        raise NtmError(unit)
    on = recorder.when(str(row["date"]))
    if step:
        return step_observation(recorder, unit, step, on, department=_text(row.get("department")),
                                result=_result(row.get("result")), value=_text(row.get("value")),
                                level=_text(row.get("level")))
    value = row["value"]
    criterion = parse_criterion(measure)
    if criterion is not None:
        verdict = parse_verdict(value)
        if verdict is None:
            raise NtmError(_("criterion {criterion}: '{value}' is not met/unmet (đạt/chưa đạt, 1/0)").format(criterion=criterion, value=value))
        return recorder.criterion(unit, criterion, verdict, on, _text(row.get("set")))
    if fold(measure) in ("recognized", "cong nhan", "recognised"):
        return recognition(recorder, unit, str(value), on, _text(row.get("set")),
                           _text(row.get("level")) or "ntm")
    if fold(measure) in ("revoked", "thu hoi"):
        # A file may hold the recognition it revokes in the same batch: not checked here.
        return recognition(recorder, unit, str(value), on, _text(row.get("set")),
                           _text(row.get("level")) or "ntm", "revoked", check=False)
    money = funds.parse_measure(measure)
    if money is not None:
        recorder._active(unit, on)
        return funds.row(unit, funds.amount(value, decimal_mark), *money, on, _text(row.get("project")))
    money = funds.indicator_value(recorder.indicator(measure), value, decimal_mark)
    if money is not None:
        amount, add = money
    elif isinstance(value, (int, float)):
        amount, add = float(value), False
    else:
        parsed = parse_amount(str(value), decimal_mark)
        if isinstance(parsed, str):
            raise NtmError(parsed)
        amount, add = parsed
    return recorder.measurement(unit, measure, amount, add, on)


def recognition(recorder: Recorder, unit, decision: str, on: str, set_code: str | None,
                level: str = "ntm", kind: str = "recognized", check: bool = True) -> dict:
    """A recognition decision (or, with kind `revoked`, the decision withdrawing a title) at a
    level: ntm, nang-cao, kieu-mau or hien-dai."""
    message = fields.problem(decision.strip(" "), "decision")   # NEL (U+0085) is whitespace to str.strip
    if message:
        raise NtmError(message)
    decision = decision.strip()
    if not decision:
        raise NtmError(_("a recognition needs the decision number (e.g. 1234/QĐ-UBND)"))
    if level not in LEVELS:
        raise NtmError(_("unknown level '{level}': use one of {LEVELS}").format(level=level, LEVELS=', '.join(LEVELS)))
    recorder._active(unit, on)
    if kind == "revoked" and check:
        titles.check_revocable(recorder.conn, unit, level, on, level)
    code = recorder.set_for(unit, set_code, on)
    return {"unit_id": unit.id, "criteria_set": code, "kind": kind, "decision": decision,
            "date": on, "level": level}


def void(conn, recorder: Recorder, obs_id: int, note: str | None, recorded_at: str, on: str) -> int:
    target = db.get(conn, obs_id) if 0 < obs_id < 2 ** 63 else None   # SQLite's integers
    if target is None:
        raise NtmError(_("no observation {obs_id}").format(obs_id=obs_id))
    if target["kind"] == "void":
        raise NtmError(_("observation {obs_id} is itself a void; record the fact again instead").format(obs_id=obs_id))
    already = db.voided_by(conn, obs_id)
    if already:
        raise NtmError(_("observation {obs_id} is already voided (by {already})").format(obs_id=obs_id, already=already))
    row = recorder.finish({"unit_id": target["unit_id"], "kind": "void", "voids": obs_id,
                           "date": on}, "command line", note, None, recorded_at, fingerprint=False)
    return db.append(conn, row)
