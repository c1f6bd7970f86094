"""Recording: single observations from commands, and whole files in one transaction.

An import streams its rows (memory does not grow with the file), appends them in batches
inside the caller's transaction, then judges the touched series; any refused row means the
caller rolls everything back. Knows nothing of the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..model import LEVELS, InputProblems, NtmError, Problem
from ..read import fields
from ..read.numbers import parse_amount
from ..store import observations as db
from . import funds, titles
from .dossiers import step_observation
from .observations import Recorder, check_children_totals, check_series, parse_criterion, parse_verdict

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


def _judge(conn, pairs, first_new_id: int) -> list[str]:
    findings = check_series(conn, sorted(pairs), first_new_id)
    sources = {f.observation_id: db.get(conn, f.observation_id)["source"] for f in findings}
    refused = [Problem(sources[f.observation_id], None, None, f.message) for f in findings if f.refuse]
    if refused:
        raise InputProblems(refused)
    warnings = [f"{sources[f.observation_id]}: warning: {f.message}" for f in findings]
    if pairs:
        # Children against their commune as the register now stands, after this write.
        warnings += [f"warning: {w}" for w in check_children_totals(conn, pairs, LATEST)]
    return warnings


def import_rows(conn, recorder: Recorder, rows: Iterable[tuple[int, dict | str]], source: str,
                decimal_mark: str | None, recorded_at: str, default_by: str | None) -> ImportSummary:
    """Append every row of a file, or raise InputProblems listing every bad row."""
    summary = ImportSummary(source)
    problems: list[Problem] = []
    batch: list[dict] = []
    pairs: set[tuple[int, str]] = set()
    first_new_id = db.next_id(conn)

    def flush() -> None:
        added = db.append_many(conn, batch)
        summary.added += added
        summary.already_present += len(batch) - added
        batch.clear()

    for line, row in rows:
        summary.rows += 1
        if isinstance(row, str):
            summary.rejected += 1
            if len(problems) < MAX_LISTED:
                problems.append(Problem(source, line, None, row))
            continue
        try:
            observation = _observation(recorder, row, decimal_mark)
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
        if observation.get("indicator"):
            pairs.add((observation["unit_id"], observation["indicator"]))
        batch.append(observation)
        if len(batch) >= BATCH:
            flush()
    if problems:
        if summary.rejected > len(problems):
            problems.append(Problem(source, None, None,
                                    f"… and {summary.rejected - len(problems)} more bad rows"))
        raise InputProblems(problems)
    if batch:
        flush()
    summary.warnings = recorder.warnings + (_judge(conn, pairs, first_new_id) if pairs else [])
    return summary


def _dossier_step(measure: str) -> str | None:
    """`dossier:STEP` (also `hồ sơ:STEP`) names a dossier step; None for other measures."""
    from ..read.names import fold

    head, _, step = measure.partition(":")
    if fold(head).strip() not in ("dossier", "ho so") or not step.strip():
        return None
    return step.strip().lower().replace("-", "_").replace(" ", "_")


def _result(value) -> str | None:
    from ..read.names import fold

    text = _text(value)
    if text is None:
        return None
    return {"dat": "passed", "passed": "passed", "tra lai": "returned", "returned": "returned",
            "khong dat": "returned"}.get(fold(text), text)


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _observation(recorder: Recorder, row: dict, decimal_mark: str | None) -> dict:
    measure = _text(row.get("measure")) or ""
    step = _dossier_step(measure)
    for column in ("date", "unit", "measure") + (() if step else ("value",)):
        if _text(row.get(column)) is None:
            raise NtmError(f"'{column}' is empty")
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
            raise NtmError(f"criterion {criterion}: '{value}' is not met/unmet (đạt/chưa đạt, 1/0)")
        return recorder.criterion(unit, criterion, verdict, on, _text(row.get("set")))
    from ..read.names import fold

    if fold(measure) in ("recognized", "cong nhan", "recognised"):
        return recognition(recorder, unit, str(value), on, _text(row.get("set")))
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
                level: str = "ntm", kind: str = "recognized") -> dict:
    """A recognition decision (or, with kind `revoked`, the decision withdrawing a title) at a
    level: ntm, nang-cao, kieu-mau or hien-dai."""
    message = fields.problem(decision.strip(" "), "decision")   # NEL (U+0085) is whitespace to str.strip
    if message:
        raise NtmError(message)
    decision = decision.strip()
    if not decision:
        raise NtmError("a recognition needs the decision number (e.g. 1234/QĐ-UBND)")
    if level not in LEVELS:
        raise NtmError(f"unknown level '{level}': use one of {', '.join(LEVELS)}")
    recorder._active(unit, on)
    if kind == "revoked":
        titles.check_revocable(recorder.conn, unit, level, on, level)
    code = recorder.set_for(unit, set_code, on)
    return {"unit_id": unit.id, "criteria_set": code, "kind": kind, "decision": decision,
            "date": on, "level": level}


def void(conn, recorder: Recorder, obs_id: int, note: str | None, recorded_at: str, on: str) -> int:
    target = db.get(conn, obs_id) if 0 < obs_id < 2 ** 63 else None   # SQLite's integers
    if target is None:
        raise NtmError(f"no observation {obs_id}")
    if target["kind"] == "void":
        raise NtmError(f"observation {obs_id} is itself a void; record the fact again instead")
    already = db.voided_by(conn, obs_id)
    if already:
        raise NtmError(f"observation {obs_id} is already voided (by {already})")
    row = recorder.finish({"unit_id": target["unit_id"], "kind": "void", "voids": obs_id,
                           "date": on}, "command line", note, None, recorded_at, fingerprint=False)
    return db.append(conn, row)
