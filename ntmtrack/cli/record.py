"""`ntmtrack record …` and `ntmtrack history`: appending observations and reading them back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..locale import N_, _, ntr, trp
from ..model import COMMUNE_KINDS, NtmError
from ..output.render import Column, format_date, json_safe, write
from ._common import (
    AsOfOption,
    DbOption,
    ExcelOption,
    Format,
    FormatOption,
    LangOption,
    Level,
    complete_unit,
    lang_of,
    message,
    register,
    tr,
    writing,
)

app = typer.Typer(help=N_("Record progress (append-only): criteria met or lost, indicator values, "
                       "recognition decisions, whole files; void mistakes."),
                  no_args_is_help=True)

SetOption = Annotated[Optional[str], typer.Option("--set", "-s", help=N_("Criteria set (default: the set of the plans covering the unit, else the register's default)."))]
DateOption = Annotated[Optional[str], typer.Option("--date", "-d", help=N_("Date the fact holds from (YYYY-MM-DD or DD/MM/YYYY; default today)."))]
NoteOption = Annotated[Optional[str], typer.Option("--note", "-n", help=N_("A note kept with the observation."))]
ByOption = Annotated[Optional[str], typer.Option("--by", help=N_("Who reported it (default: your user name)."))]
AgainOption = Annotated[bool, typer.Option("--again", help=N_("Record it even when the same fact (unit, measure, value, date) is already recorded."))]
DecimalOption = Annotated[Optional[str], typer.Option("--decimal-mark", help=N_("',' or '.': settles values like 1.234."))]


def _user(by: str | None) -> str:
    if by:
        return by
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "unknown"


def _recorder(conn, by, set_code=None):
    from ..read.dates import today
    from ..register.observations import Recorder

    return Recorder(conn, today(), _user(by), set_code)


def _decimal(mark: str | None) -> str | None:
    if mark not in (None, ",", "."):
        raise typer.BadParameter(_("use ',' or '.'"), param_hint="--decimal-mark")
    return mark


def _new_only(conn, rows: list[dict], again: bool) -> tuple[list[dict], list[tuple[dict, int]]]:
    """The rows to record, and those already recorded (with the id that holds them)."""
    from ..register.recording import already_recorded

    if again:
        return rows, []
    found = already_recorded(conn, rows)
    return ([r for r, f in zip(rows, found) if f is None],
            [(r, f) for r, f in zip(rows, found) if f is not None])


def _say_repeated(repeated: list[tuple[dict, int]], language: str) -> None:
    """One line for what was already recorded: `criteria 1, 2: already recorded (id 4, 5)`."""
    if not repeated:
        return
    row = repeated[0][0]
    if row.get("criterion"):
        numbers = ", ".join(str(r["criterion"]) for r, _unused in repeated)
        what = ntr(language, "criterion {numbers}", "criteria {numbers}", len(repeated)).format(numbers=numbers)
    else:
        what = row.get("indicator") or row.get("decision") or ""
    ids = ", ".join(str(i) for _unused, i in repeated)
    message(tr(language, "{what}: already recorded (id {ids}); nothing added (--again records it anyway)").format(what=what, ids=ids))


def _verdicts(verdict: str, unit: str, criteria: list[str], set_code, date, note, by, db, lang,
              again: bool = False):
    from ..read.criteria_lists import parse_criteria
    from ..register import units
    from ..register.recording import append_checked
    from ..store.observations import now

    language = lang_of(lang)
    numbers = parse_criteria(criteria)
    if isinstance(numbers, str):
        raise NtmError(numbers)
    with writing(db) as reg:
        recorder = _recorder(reg.conn, by, set_code)
        target = units.resolve(reg.conn, unit, prefer=COMMUNE_KINDS)
        on = recorder.when(date)
        rows = [recorder.finish(recorder.criterion(target, c, verdict, on), "command line", note,
                                None, now(), fingerprint=False) for c in numbers]
        rows, repeated = _new_only(reg.conn, rows, again)
        ids, warnings = append_checked(reg.conn, rows) if rows else ([], [])
    for w in recorder.warnings + warnings:
        message(w)
    _say_repeated(repeated, language)
    if not rows:
        return
    listed = ", ".join(str(r["criterion"]) for r in rows)
    code = rows[0]["criteria_set"]
    day = format_date(on, language)
    if verdict == "met":
        text = tr(language, "recorded: {name} meets criteria {listed} ({code}) from {day}").format(name=target.name, listed=listed, code=code, day=day)
    else:
        text = tr(language, "recorded: {name} does not meet criteria {listed} ({code}) from {day}").format(name=target.name, listed=listed, code=code, day=day)
    message(f"{text} [id {', '.join(map(str, ids))}]")


@app.command("met")
def record_met(unit: Annotated[str, typer.Argument(help=N_("Commune (name, code, alias or path)."), autocompletion=complete_unit)],
               criteria: Annotated[List[str], typer.Argument(help=N_("Criterion numbers: 17, c17, tc17, 1-5, 1,2,3 or 1 2 3."))],
               set_code: SetOption = None, date: DateOption = None, note: NoteOption = None,
               by: ByOption = None, again: AgainOption = False, db: DbOption = None,
               lang: LangOption = None) -> None:
    """Record that a commune meets criteria from a date.

    Example: ntmtrack record met "Dân Lý" 1-3 17 --date 12/10/2018
    """
    _verdicts("met", unit, criteria, set_code, date, note, by, db, lang, again)


@app.command("unmet")
def record_unmet(unit: Annotated[str, typer.Argument(help=N_("Commune (name, code, alias or path)."), autocompletion=complete_unit)],
                 criteria: Annotated[List[str], typer.Argument(help=N_("Criterion numbers: 17, c17, 1-5, 1,2,3 or 1 2 3."))],
                 set_code: SetOption = None, date: DateOption = None, note: NoteOption = None,
                 by: ByOption = None, again: AgainOption = False, db: DbOption = None,
                 lang: LangOption = None) -> None:
    """Record that a commune no longer meets (or does not meet) criteria from a date.

    Example: ntmtrack record unmet "Thọ Thế" 10 --date 2019-03-01 --note "thu nhập giảm"
    """
    _verdicts("unmet", unit, criteria, set_code, date, note, by, db, lang, again)


def _measurement(add: bool, unit, indicator, value, date, note, by, decimal_mark, db, lang,
                 again: bool = False):
    from ..read.numbers import parse_amount
    from ..register import funds, units
    from ..register.recording import append_checked
    from ..store.observations import now

    language = lang_of(lang)
    mark = _decimal(decimal_mark)
    with writing(db) as reg:
        recorder = _recorder(reg.conn, by)
        # A money indicator (measure đồng, triệu đồng, tỷ đồng) reads `1,5 tỷ` into đồng.
        money = funds.indicator_value(recorder.indicator(indicator), value, mark)
        parsed = money or parse_amount(value, mark)
        if isinstance(parsed, str):
            raise NtmError(parsed)
        amount, plus = parsed
        if plus and not add:
            amount_text = value.strip().lstrip("+")
            raise NtmError(tr(language, "record set takes a level, not an increase: to add {amount_text}, use: ntmtrack record add {unit!r} {indicator} {amount_text}").format(amount_text=amount_text, unit=unit, indicator=indicator))
        target = units.resolve(reg.conn, unit)
        on = recorder.when(date)
        row = recorder.finish(recorder.measurement(target, indicator, amount, add, on),
                              "command line", note, None, now(), fingerprint=False)
        rows, repeated = _new_only(reg.conn, [row], again)
        ids, warnings = append_checked(reg.conn, rows) if rows else ([], [])
    for w in warnings:
        message(w)
    _say_repeated(repeated, language)
    if not rows:
        return
    verb = trp(language, "an indicator", "added") if row["kind"] == "add" else tr(language, "set to")
    from ..output.formats import format_money

    shown = format_money(int(amount), language) if money else _exact(amount, language)
    message(tr(language, "recorded: {name} {indicator} {verb} {value} ({on}) [id {id}]").format(
        name=target.name, indicator=indicator, verb=verb, value=shown, on=format_date(on, language), id=ids[0]))


def _exact(amount: float, lang: str) -> str:
    """The amount just recorded, every decimal kept (it echoes what was typed), in the
    language's format: 17,4024 in Vietnamese, 17.4024 in English."""
    from ..output.render import format_number

    text = f"{amount:.10f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return format_number(amount, lang, decimals)


@app.command("set")
def record_set(unit: Annotated[str, typer.Argument(help=N_("Unit."), autocompletion=complete_unit)],
               indicator: Annotated[str, typer.Argument(help=N_("Indicator code."))],
               value: Annotated[str, typer.Argument(help=N_("The level reached (5466,32 or 85%)."))],
               date: DateOption = None, note: NoteOption = None, by: ByOption = None,
               decimal_mark: DecimalOption = None, again: AgainOption = False, db: DbOption = None,
               lang: LangOption = None) -> None:
    """Record an indicator's level for a unit on a date (replaces earlier levels from that date).

    Example: ntmtrack record set "Dân Lý" thu-hoach-lua-mua 85% --date 20/09/2022
    """
    _measurement(False, unit, indicator, value, date, note, by, decimal_mark, db, lang, again)


@app.command("add")
def record_add(unit: Annotated[str, typer.Argument(help=N_("Unit."), autocompletion=complete_unit)],
               indicator: Annotated[str, typer.Argument(help=N_("Indicator code."))],
               amount: Annotated[str, typer.Argument(help=N_("Amount to add (e.g. 12)."))],
               date: DateOption = None, note: NoteOption = None, by: ByOption = None,
               decimal_mark: DecimalOption = None, db: DbOption = None, lang: LangOption = None) -> None:
    """Record an increase of an indicator (12 more households built septic toilets).

    Example: ntmtrack record add "Cẩm Trang" nha-ve-sinh-tu-hoai 12 --date 29/04/2022
    """
    _measurement(True, unit, indicator, amount, date, note, by, decimal_mark, db, lang)


LevelOption = Annotated[Level, typer.Option("--level", "-l", help=N_("The title: ntm (default), nang-cao (advanced), kieu-mau (model), hien-dai (modern)."))]


@app.command("recognized")
def record_recognized(units: Annotated[List[str], typer.Argument(help=N_("Communes (several: one decision, one batch)."), autocompletion=complete_unit)],
                      decision: Annotated[str, typer.Option("--decision", help=N_("Decision number, e.g. 4321/QĐ-UBND."))],
                      level: LevelOption = Level.ntm, set_code: SetOption = None,
                      date: DateOption = None, note: NoteOption = None,
                      by: ByOption = None, again: AgainOption = False, db: DbOption = None,
                      lang: LangOption = None) -> None:
    """Record the province's decision recognising communes as meeting the standard at a level.

    Example: ntmtrack record recognized "Tân Ninh" "Thọ Thế" --decision 4863/QĐ-UBND --date 25/12/2018
    """
    _title("recognized", units, decision, level.value, set_code, date, note, by, again, db, lang)


@app.command("revoked")
def record_revoked(units: Annotated[List[str], typer.Argument(help=N_("Communes."), autocompletion=complete_unit)],
                   decision: Annotated[str, typer.Option("--decision", help=N_("The revoking decision's number."))],
                   level: LevelOption = Level.ntm, date: DateOption = None,
                   note: NoteOption = None, by: ByOption = None, again: AgainOption = False,
                   db: DbOption = None, lang: LangOption = None) -> None:
    """Record a decision withdrawing (thu hồi) a commune's title from its date; history keeps both.

    Example: ntmtrack record revoked "Tân Ninh" --decision 15/QĐ-UBND --date 01/03/2024
    """
    _title("revoked", units, decision, level.value, None, date, note, by, again, db, lang)


def _title(kind, names, decision, level, set_code, date, note, by, again, db, lang) -> None:
    from ..output.labels import LEVELS, label
    from ..register import units
    from ..register.recording import append_checked, recognition
    from ..store.observations import now

    language = lang_of(lang)
    with writing(db) as reg:
        recorder = _recorder(reg.conn, by, set_code)
        on = recorder.when(date)
        targets = list({u.id: u for u in (units.resolve(reg.conn, name, prefer=COMMUNE_KINDS)
                                          for name in names)}.values())
        recorded_at = now()
        made = [recorder.finish(recognition(recorder, target, decision, on, set_code, level, kind),
                                "command line", note, None, recorded_at, fingerprint=False)
                for target in targets]
        rows, repeated = _new_only(reg.conn, made, again)
        ids, _unused = append_checked(reg.conn, rows) if rows else ([], [])
    for w in recorder.warnings:
        message(w)
    _say_repeated(repeated, language)
    if not rows:
        return
    day = format_date(on, language)
    recorded = {row["unit_id"] for row in rows}
    for target, row, obs_id in zip([t for t in targets if t.id in recorded], rows, ids):
        what = label(LEVELS, level, language)
        if kind == "recognized":
            message(tr(language, "recorded: {name} recognised {what} by {decision} ({criteria_set}, {day}) [id {obs_id}]").format(name=target.name, what=what, decision=decision, criteria_set=row['criteria_set'], day=day, obs_id=obs_id))
        else:
            message(tr(language, "recorded: {name}'s {what} title revoked by {decision} from {day} [id {obs_id}]").format(name=target.name, what=what, decision=decision, day=day, obs_id=obs_id))


@app.command("void")
def record_void(obs_id: Annotated[int, typer.Argument(help=N_("The observation's id (see `history`)."))],
                note: NoteOption = None, by: ByOption = None, db: DbOption = None,
                lang: LangOption = None) -> None:
    """Cancel a wrong observation with a voiding entry; the original stays in history.

    Example: ntmtrack record void 42 --note "nhập nhầm xã"
    """
    from ..register.recording import void
    from ..store.observations import now

    language = lang_of(lang)
    with writing(db) as reg:
        recorder = _recorder(reg.conn, by)
        new_id = void(reg.conn, recorder, obs_id, note, now(), recorder.today.isoformat())
    message(tr(language, "observation {obs_id} voided [id {new_id}]").format(obs_id=obs_id, new_id=new_id))


@app.command("import")
def record_import(
    file: Annotated[Path, typer.Argument(help=N_("CSV, TSV, JSONL or XLSX file; '-' for stdin."))],
    input_format: Annotated[Optional[str], typer.Option("--input-format", help=N_("csv, tsv, jsonl or xlsx (default: from the file name; required for stdin)."))] = None,
    delimiter: Annotated[Optional[str], typer.Option("--delimiter", help=N_("CSV delimiter (default: guessed from the header: , ; or tab)."))] = None,
    encoding: Annotated[Optional[str], typer.Option("--encoding", help=N_("e.g. cp1258 (default: UTF-8, with or without BOM)."))] = None,
    decimal_mark: DecimalOption = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help=N_("XLSX sheet (default: the first that is not instructions)."))] = None,
    skip_rows: Annotated[int | None, typer.Option("--skip-rows", min=0, help=N_("Rows above the header (default: the header is found in the first 20 rows)."))] = None,
    date_order: Annotated[str, typer.Option("--date-order", help=N_("dmy (day first, the default) or mdy (a file written month first)."))] = "dmy",
    percent_fractions: Annotated[bool, typer.Option("--percent-fractions", help=N_("Read values between 0 and 1 of percentage indicators as fractions (0.9 = 90%)."))] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Check and count; write nothing."))] = False,
    summary_json: Annotated[bool, typer.Option("--summary-json", help=N_("Also print the summary as JSON on stdout."))] = False,
    set_code: SetOption = None,
    by: ByOption = None, db: DbOption = None, lang: LangOption = None,
) -> None:
    """Import observations: columns date, unit, measure, value, note (by, set optional).

    A measure is a criterion (17, c17, tc17) with value met/unmet (đạt/chưa đạt, 1/0), an
    indicator code with a number (+12 adds, 12 sets), or `recognized` with a decision
    number. One transaction: any bad row and nothing is written.
    Example: ntmtrack record import bao-cao-tuan.csv --decimal-mark ,
    """
    import json

    from ..read import observation_files as record_files
    from ..register.recording import import_rows
    from ..store.observations import now

    language = lang_of(lang)
    fmt = (input_format or "").lower() or Path(file).suffix.lower().lstrip(".")
    fmt = {"txt": "tsv", "ndjson": "jsonl", "json": "jsonl"}.get(fmt, fmt)
    if str(file) == "-" and not input_format:
        raise typer.BadParameter(_("reading stdin needs --input-format csv|tsv|jsonl|xlsx"),
                                 param_hint="--input-format")
    if fmt not in ("csv", "tsv", "jsonl", "xlsx"):
        raise typer.BadParameter(_("use --input-format csv, tsv, jsonl or xlsx"), param_hint="--input-format")
    if delimiter is not None and len(delimiter.replace("\\t", "\t")) != 1:
        raise typer.BadParameter(_("a delimiter is one character"), param_hint="--delimiter")
    delimiter = delimiter.replace("\\t", "\t") if delimiter else ("\t" if fmt == "tsv" else None)
    mark = _decimal(decimal_mark)
    if date_order not in ("dmy", "mdy"):
        raise typer.BadParameter(_("use dmy or mdy"), param_hint="--date-order")
    source = "<stdin>" if str(file) == "-" else str(file)
    if source != "<stdin>" and not Path(file).is_file():
        raise NtmError(_("{file}: no such file").format(file=file))
    binary = sys.stdin.buffer if source == "<stdin>" else open(file, "rb")
    progress = _progress(binary, source)
    try:
        if fmt == "xlsx":
            import io

            handle = io.BytesIO(binary.read()) if source == "<stdin>" else file
            rows = record_files.read_xlsx(handle, source, sheet, skip_rows)
        elif fmt == "jsonl":
            rows = record_files.read_jsonl(binary, source, encoding)
        else:
            rows = record_files.read_delimited(binary, source, delimiter, encoding, skip_rows)
        if date_order == "mdy":
            rows = record_files.with_date_order(rows, date_order)
        if progress:
            rows = progress.wrap(rows)
        with writing(db, dry_run=dry_run) as reg:
            recorder = _recorder(reg.conn, by, set_code)
            summary = import_rows(reg.conn, recorder, rows, source, mark, now(), by,
                                  percent_fractions=percent_fractions)
    finally:
        if progress:
            progress.stop()
        if binary is not sys.stdin.buffer:
            binary.close()
    for w in summary.warnings:
        message(w)
    prefix = tr(language, "dry run, nothing written: ") if dry_run else ""
    message(prefix + tr(language, "{source}: {added} added, {already_present} already present, {rejected} rejected").format(source=source, added=summary.added, already_present=summary.already_present, rejected=summary.rejected))
    if summary_json:
        print(json_safe(json.dumps(summary.as_dict(dry_run), ensure_ascii=False)))


class _Progress:
    """A Rich progress bar on stderr, by bytes read; only when stderr is a terminal."""

    def __init__(self, binary, total: int):
        from rich.progress import BarColumn, Progress, TimeRemainingColumn

        from ..output.render import console

        self.binary = binary
        self.bar = Progress("[progress.description]{task.description}", BarColumn(),
                            "[progress.percentage]{task.percentage:>3.0f}%", TimeRemainingColumn(),
                            console=console(stderr=True), transient=True)
        self.task = self.bar.add_task("import", total=total)
        self.bar.start()

    def wrap(self, rows):
        for n, item in enumerate(rows):
            if n % 2000 == 0:
                try:
                    self.bar.update(self.task, completed=self.binary.tell())
                except (OSError, ValueError):
                    pass
            yield item

    def stop(self):
        self.bar.stop()


def _progress(binary, source: str):
    import os

    if source == "<stdin>" or not sys.stderr.isatty():
        return None
    size = os.fstat(binary.fileno()).st_size
    return _Progress(binary, size) if size > 1_000_000 else None


HISTORY_COLUMNS = [
    Column("id", "id", "id", "int"), Column("date", kind="date"),
    Column("unit"), Column("measure", words="measure_code"),
    Column("kind"), Column("value"),
    Column("note"), Column("by"),
    Column("source"), Column("recorded_at"),
    Column("voided"),
]


def _history_shown(row: dict, amount: float | None, lang: str, money: frozenset = frozenset()) -> dict:
    """One history row as a person reads it: words from the catalogue instead of codes, numbers
    in the language's format. Machine formats keep the codes (`met`, `command line`, 91.5)."""
    from ..output.labels import (
        LEVELS,
        OBSERVATION_KINDS,
        RESULTS,
        STEPS,
        WORDS,
        label,
        source_label,
    )
    from ..output.render import format_number

    kind = row["kind"]
    shown = dict(row, kind=label(OBSERVATION_KINDS, kind, lang),
                 source=source_label(row["source"], lang))
    if kind in ("met", "unmet"):
        shown["measure"] = f"{label(WORDS, 'criterion', lang)} {row['criterion']} ({row['criteria_set']})"
        shown["value"] = label(OBSERVATION_KINDS, kind, lang)
    elif kind in ("recognized", "revoked"):
        shown["measure"] = f"{label(WORDS, 'recognition', lang)} {label(LEVELS, row.get('level'), lang)} ({row['criteria_set']})"
    elif kind == "step":
        shown["measure"] = label(STEPS, row.get("step"), lang) + (
            f" ({row['department']})" if row.get("department") else "")
        shown["value"] = " ".join(x for x in (
            label(RESULTS, row.get("result"), lang) if row.get("result") else "",
            format_number(amount, lang) if amount is not None else "") if x)
    elif kind in ("set", "add"):
        if row["indicator"] in money:   # a money indicator: integer đồng, shown as money
            from ..output.formats import format_money

            number = format_money(round(amount), lang)
        else:
            number = format_number(amount, lang)
        shown["value"] = ("+" if kind == "add" and (amount or 0) >= 0 else "") + number
    elif kind == "funds":
        from ..output.formats import format_money
        from ..output.labels import FUND_KINDS, FUND_SOURCES

        shown["measure"] = (f"{label(FUND_KINDS, row['fund_kind'], lang)} "
                            f"({label(FUND_SOURCES, row['fund_source'], lang)})"
                            + (f": {row['project']}" if row["project"] else ""))
        shown["value"] = format_money(row["amount"], lang)
    elif kind == "void":
        shown["measure"] = f"{label(WORDS, 'observation', lang)} {row['voids']}"
        shown["value"] = ""
    return shown


def history_command(
    unit: Annotated[str, typer.Argument(help=N_("Unit (name, code, alias or path)."), autocompletion=complete_unit)],
    measure: Annotated[Optional[str], typer.Option("--measure", "-m", help=N_("Only this criterion (17) or indicator code."))] = None,
    since: Annotated[Optional[str], typer.Option("--since", help=N_("Only observations dated on or after this day."))] = None,
    below: Annotated[bool, typer.Option("--below", help=N_("Include the units below it (villages of a commune)."))] = False,
    as_of: AsOfOption = None,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """A unit's observations in order, voided ones marked.

    Example: ntmtrack history "Dân Lý" --measure 17
    """
    from ..read.dates import parse_date
    from ..register import units
    from ..register.observations import parse_criterion
    from ..register.tree import Tree
    from ..store import observations as store_obs
    from ..store import units as store_units

    language = lang_of(lang)
    since_day = parse_date(since).isoformat() if since else None
    until = parse_date(as_of).isoformat() if as_of else None
    criterion = parse_criterion(measure) if measure else None
    indicator = measure if measure and criterion is None else None
    with register(db, readonly=True) as reg:
        target = units.resolve(reg.conn, unit)
        title = units.path_of(reg.conn, target)
        ids = [target.id] + (store_units.descendant_ids(reg.conn, target.id) if below else [])
        tree = Tree.load(reg.conn, target.id)
        # Streamed from the cursor to the output, row by row: a unit with a million
        # observations is never held in memory (issue 18).
        found = store_obs.history_rows(reg.conn, ids, since_day, until, criterion, indicator)
        if fmt in (Format.table, Format.markdown):
            columns = [c for c in HISTORY_COLUMNS if c.key not in ("recorded_at",)]
            from ..read.numbers import money_scale
            from ..store import plans as store_plans

            money = frozenset(i["code"] for i in store_plans.indicators(reg.conn) if money_scale(i["measure"]))
            shown = (_history_shown(r, raw["value"], language, money) for r, raw in _history_out(found, tree, fmt))
            write(shown, columns, fmt, language, title=title,
                  styles=lambda r: "strike dim" if r["voided"] else None)
            return
        columns = HISTORY_COLUMNS + [Column(k, k, k) for k in (
            "unit_path", "criteria_set", "criterion", "indicator", "decision", "voids", "voided_by",
            "level", "step", "department", "result", "amount", "fund_kind", "fund_source", "project")]
        write((r for r, _unused in _history_out(found, tree, fmt)), columns, fmt, language, excel=excel)


def _history_out(found, tree, fmt):
    """(the row every format starts from, the stored row) for each observation found."""
    names, paths = {}, {}
    for r in found:
        unit_id = r["unit_id"]
        if unit_id not in names:
            names[unit_id], paths[unit_id] = tree.units[unit_id]["name"], tree.path(unit_id)
        if r["kind"] in ("met", "unmet"):
            measure_text, value = f"{r['criteria_set']}:{r['criterion']}", r["kind"]
        elif r["kind"] in ("set", "add"):
            measure_text = r["indicator"]
            exact = str(int(r["value"])) if float(r["value"]).is_integer() else repr(r["value"])
            value = ("+" if r["kind"] == "add" and r["value"] >= 0 else "") + exact
        elif r["kind"] in ("recognized", "revoked"):
            measure_text, value = f"{r['criteria_set']}:{r['kind']}", r["decision"]
        elif r["kind"] == "step":
            measure_text = f"dossier:{r['step']}"
            value = None if r["value"] is None else (
                str(int(r["value"])) if float(r["value"]).is_integer() else repr(r["value"]))
            if fmt in (Format.json, Format.jsonl):
                value = r["value"]
        elif r["kind"] == "funds":
            measure_text, value = f"funds:{r['fund_kind']}:{r['fund_source']}", str(r["amount"])
        else:
            measure_text, value = "void", f"#{r['voids']}"
        yield {
            "id": r["id"], "date": r["date"], "unit": names[unit_id],
            "unit_path": paths[unit_id], "measure": measure_text, "kind": r["kind"],
            "value": value if fmt not in (Format.json, Format.jsonl) else (
                r["value"] if r["kind"] in ("set", "add") else r["amount"] if r["kind"] == "funds" else value),
            "criteria_set": r["criteria_set"], "criterion": r["criterion"],
            "indicator": r["indicator"], "decision": r["decision"], "voids": r["voids"],
            "note": r["note"], "by": r["by"], "source": r["source"],
            "recorded_at": r["recorded_at"], "voided": r["voided_by"] is not None,
            "voided_by": r["voided_by"], "level": r["level"], "step": r["step"],
            "department": r["department"], "result": r["result"],
            "amount": r["amount"], "fund_kind": r["fund_kind"],
            "fund_source": r["fund_source"], "project": r["project"],
        }, r
