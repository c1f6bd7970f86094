"""`ntmtrack exchange …`: packets between registers — a commune's or district's observations
carried (by USB stick or e-mail) to the province's register, matched by code, added once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..locale import N_, _
from ..model import UsageError
from ..output.render import Column, json_safe, write
from ._common import (
    AsOfOption,
    DbOption,
    ForceOption,
    FormatOption,
    LangOption,
    UnderOption,
    as_of_day,
    lang_of,
    message,
    output_file,
    register,
    tr,
    writing,
)
from ._common import Format as Fmt

app = typer.Typer(help=N_("Packets between registers: export, import, conflicts, who has reported."),
                  no_args_is_help=True)


@app.command("export")
def exchange_export(
    output: Annotated[Path, typer.Option("--output", "-o", help=N_("The packet file to write."))],
    under: UnderOption = None,
    since_last: Annotated[Optional[str], typer.Option(
        "--since-last", help=N_("Only what this destination has not been sent yet (then remember it)."))] = None,
    send_all: Annotated[bool, typer.Option("--all", help=N_("Everything (the default)."))] = False,
    force: ForceOption = False, db: DbOption = None, lang: LangOption = None,
) -> None:
    """Write one packet: the observations (voids included) of the units under --under, with
    the plans and unit tree they need, for another register to import.

    Example: ntmtrack exchange export --under "Triệu Sơn" --since-last tinh-thanh-hoa -o trieu-son.ntmp
    """
    from ..output import packet as packet_file
    from ..register import exchange
    from ..register import units as unit_rules
    from ..store import write_transaction
    from ..store.connection import read_snapshot

    language = lang_of(lang)
    if since_last is not None and send_all:
        raise UsageError(_("give --since-last DEST or --all, not both"))
    if since_last is not None and not since_last.strip():
        raise UsageError(_("--since-last needs a destination's name"))
    target = output_file(output, db, language, force)
    with register(db) as reg:
        conn = reg.conn
        with read_snapshot(conn):   # one snapshot for the whole packet, while others write
            unit = unit_rules.resolve(conn, under, container=True) if under else None
            outgoing = exchange.export(conn, unit, since_last)
            with target as temporary:
                manifest = packet_file.write(temporary, outgoing.manifest, outgoing.records, outgoing.stats)
        if since_last is not None:
            with write_transaction(conn):
                exchange.mark_sent(conn, since_last, unit, outgoing.last_id)
    counts = manifest["counts"]
    message(tr(language, "{file}: {observations} observations, {plans} plans, {units} units ({size} bytes)").format(
        file=output, observations=counts['observation'], plans=counts['plan'], units=len(manifest['units']),
        size=target.size))


@app.command("import")
def exchange_import(
    files: Annotated[List[Path], typer.Argument(help=N_("Packet files, imported in the order given."))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Check and count; write nothing."))] = False,
    summary_json: Annotated[bool, typer.Option("--summary-json", help=N_("Also print each packet's summary as JSON on stdout."))] = False,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Import packets, each in one transaction: every manifest and checksum is checked first;
    units matched by code, else by path; observations added once by global id.

    Example: ntmtrack exchange import --dry-run trieu-son.ntmp && ntmtrack exchange import trieu-son.ntmp
    """
    from ..register import exchange

    language = lang_of(lang)
    # Every file checked before anything is written; only its checksum kept meanwhile, so
    # memory stays flat in the number of packets (a country's 700 manifests hold its tree).
    checked = [(path, exchange.check(path).sha256) for path in files]
    for path, sha256 in checked:
        manifest = exchange.reread(path, sha256)
        with writing(db, dry_run=dry_run) as reg:
            summary = exchange.import_packet(reg.conn, path, manifest, dry_run)
        prefix = tr(language, "dry run, nothing written: ") if dry_run else ""
        verb = tr(language, "would create") if dry_run else tr(language, "created")
        for shown in summary.units_created[:exchange.MAX_LISTED]:
            message(f"{path}: {verb}: {shown}")
        for shown in summary.units_unplaced[:exchange.MAX_LISTED]:
            message(tr(language, "{file}: cannot place: {unit}").format(file=path, unit=shown))
        more = max(0, len(summary.units_created) - exchange.MAX_LISTED) + max(
            0, len(summary.units_unplaced) - exchange.MAX_LISTED)
        if more:
            message(tr(language, "{file}: … and {count} more units").format(file=path, count=more))
        message(prefix + tr(language, "{file}: {added} added, {present} already present, {created} units created, "
                               "{unplaced} unplaced, {conflicts} conflicts").format(
            file=path, added=summary.added, present=summary.already_present,
            created=len(summary.units_created), unplaced=len(summary.units_unplaced),
            conflicts=summary.conflicts))
        if summary_json:
            print(json_safe(json.dumps(summary.as_dict(dry_run), ensure_ascii=False)))


CONFLICT_COLUMNS = [Column("type"), Column("unit_path"), Column("criteria_set"), Column("criterion", kind="int"),
                    Column("date", kind="date"), Column("verdict_a"), Column("origin_a"),
                    Column("verdict_b"), Column("origin_b"), Column("key"), Column("content_hash")]


@app.command("conflicts")
def exchange_conflicts(under: UnderOption = None, fmt: FormatOption = Fmt.table,
                       db: DbOption = None, lang: LangOption = None) -> None:
    """List contradicting verdicts from two origins (same unit, criterion and day: both kept),
    and plans sent by a second origin with other content (the first kept).

    Example: ntmtrack exchange conflicts --under "Triệu Sơn" -f csv
    """
    from ..register import units as unit_rules
    from ..reports import exchange as reports

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        unit = unit_rules.resolve(reg.conn, under, container=True) if under else None
        rows = reports.conflicts(reg.conn, unit.id if unit else None)
    columns = CONFLICT_COLUMNS if fmt in (Fmt.table, Fmt.markdown) else [Column(k) for k in reports.CONFLICT_KEYS]
    write(rows, columns, fmt, language)
    if fmt in (Fmt.table, Fmt.markdown):
        message(tr(language, "{count} conflict(s)").format(count=len(rows)))


STATUS_COLUMNS = [Column("origin"), Column("units", kind="int"), Column("top_units"),
                  Column("packets", kind="int"), Column("last_file"), Column("last_imported"),
                  Column("newest_date", kind="date"), Column("report_every"),
                  Column("period_end", kind="date"), Column("late", words="exchange_late")]


@app.command("status")
def exchange_status(as_of: AsOfOption = None, fmt: FormatOption = Fmt.table,
                    db: DbOption = None, lang: LangOption = None) -> None:
    """Per origin that sent packets: its units, its last packet and when it came, the newest
    observation date it carried, and whether it is late against the plans' report_every.

    Example: ntmtrack exchange status -f json
    """
    from ..reports import exchange as reports

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        rows = reports.status(reg.conn, as_of_day(as_of))
    columns = STATUS_COLUMNS if fmt in (Fmt.table, Fmt.markdown) else [Column(k) for k in reports.STATUS_KEYS]
    write(rows, columns, fmt, language)
