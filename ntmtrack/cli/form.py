"""`ntmtrack form …`: the yearly and half-yearly forms provinces ask for, as the office XLSX
form or as table, csv, tsv, json, jsonl, markdown."""

from __future__ import annotations

import enum
import io
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..locale import N_, _
from ..model import NtmError
from ._common import (
    DbOption,
    ForceOption,
    LangOption,
    UnderOption,
    build_scope,
    lang_of,
    message,
    output_file,
    register,
    tr,
)

app = typer.Typer(help=N_("The periodic forms: yearly (results to 30/09, the estimate for the year, "
                       "next year's registrations) and half-yearly."), no_args_is_help=True)


class FormFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    xlsx = "xlsx"


FormFormatOption = Annotated[FormFormat, typer.Option("--format", "-f", case_sensitive=False,
                                                      help=N_("Output format; xlsx is the office form (needs -o)."))]
OutputOption = Annotated[Optional[Path], typer.Option("--output", "-o", help=N_("Write to this file (xlsx: required)."))]
YearOption = Annotated[int, typer.Option("--year", help=N_("The year reported on."))]


@app.command("annual")
def form_annual(year: YearOption, under: UnderOption = None,
                cutoff: Annotated[Optional[str], typer.Option("--cutoff", help=N_("Results counted to this day (default 30/09 of the year)."))] = None,
                fmt: FormFormatOption = FormFormat.table, output: OutputOption = None,
                force: ForceOption = False, db: DbOption = None, lang: LangOption = None) -> None:
    """The yearly form: per commune and totals, criteria and band at the cutoff, recognitions,
    capital by source, contributions, debt, the estimate for 31/12, registered for next year.

    Example: ntmtrack form annual --year 2017 --under "Kỳ Anh" --format xlsx -o bieu-2017.xlsx
    """
    from ..read.dates import parse_date

    day = parse_date(cutoff) if cutoff else None
    _form(lambda conn, scope: _reports().annual(conn, scope, year, day), under, fmt, output, force, db, lang)


@app.command("half-year")
def form_half_year(year: YearOption,
                   half: Annotated[int, typer.Option("--half", help=N_("1 (January-June) or 2 (July-December)."))],
                   under: UnderOption = None, fmt: FormFormatOption = FormFormat.table,
                   output: OutputOption = None, force: ForceOption = False, db: DbOption = None,
                   lang: LangOption = None) -> None:
    """The half-yearly form: per commune and totals, criteria and band at the half's end,
    recognitions, capital by source, contributions, debt.

    Example: ntmtrack form half-year --year 2017 --half 1 --under "Kỳ Anh" -f xlsx -o bieu.xlsx
    """
    if half not in (1, 2):
        raise typer.BadParameter(_("1 or 2"), param_hint="--half")
    _form(lambda conn, scope: _reports().half_year(conn, scope, year, half), under, fmt, output, force, db, lang)


def _reports():
    from ..reports import forms

    return forms


def _form(make, under, fmt: FormFormat, output, force, db, lang) -> None:
    language = lang_of(lang)
    if fmt == FormFormat.xlsx and output is None:
        raise typer.BadParameter(_("the xlsx form is a file: give -o FILE.xlsx"), param_hint="--output")
    target = output_file(output, db, language, force) if output else None
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, under=under, lang=language)
        form = make(reg.conn, scope)
        committee = _committee(reg.conn, scope) if fmt == FormFormat.xlsx else ""
    if fmt == FormFormat.xlsx:
        from ..output import form_workbook

        with target as temporary:
            form_workbook.build(form, form.rows, temporary, committee, language)
        message(tr(language, "{output}: {rows} rows").format(output=output, rows=len(form.rows)))
        return
    buffer = io.StringIO() if target else sys.stdout
    _write(form, fmt, language, buffer)
    if target:
        target.write_text(buffer.getvalue())


def _committee(conn, scope) -> str:
    from ..output.html import issuer

    return issuer(conn, scope)[0]


def _write(form, fmt: FormFormat, lang: str, out) -> None:
    from ..output.form_workbook import cell, title
    from ..output.formats import format_money, format_number
    from ..output.render import Column, Format, write
    from ..reports.forms import flat, keys

    if fmt in (FormFormat.csv, FormFormat.tsv, FormFormat.json, FormFormat.jsonl):
        write((flat(r) for r in form.rows), [Column(k, k, k) for k in keys(form.kind)],
              Format(fmt.value), lang, out=out)
        return
    money = lambda v: format_money(v, lang) if v else ""  # noqa: E731
    table = []
    for r in form.rows:
        data = flat(r)
        table.append({
            "unit": "  " * r.depth + r.label + (" Σ" if r.total else ""),
            "criteria_met": (f"{r.criteria_met}/{r.criteria_total}" if not r.total
                             else format_number(r.criteria_met, lang)),
            "band": cell(data, "band", lang) if not r.total else
            " / ".join(str(n) for n in r.bands),
            "recognized": r.recognized, "recognized_new": r.recognized_new,
            "villages_recognized": r.villages_recognized,
            "planned": money(data["planned"]), "allocated": money(data["allocated"]),
            "disbursed": money(data["disbursed"]), "contributed": money(r.contributed),
            "debt": money(r.debt), "estimated": r.estimated,
            "registered_next_year": r.registered_next_year})
    columns = [Column("unit", nowrap=True),
               Column("criteria_met", tr(lang, "criteria"), tr(lang, "criteria"), justify="right"),
               Column("band", tr(lang, "band (all/15-18/10-14/<10)"),
                      tr(lang, "band (all/15-18/10-14/<10)")),
               Column("recognized", tr(lang, "recognised"), tr(lang, "recognised"), "int"),
               Column("recognized_new", tr(lang, "new"), tr(lang, "new"), "int"),
               Column("villages_recognized", tr(lang, "villages"), tr(lang, "villages"), "int"),
               *(Column(k, justify="right") for k in ("planned", "allocated", "disbursed",
                                                      "contributed", "debt"))]
    if form.kind == "annual":
        columns += [Column("estimated", tr(lang, "est. 31/12"), tr(lang, "est. 31/12"), "int"),
                    Column("registered_next_year", tr(lang, "reg. {year}").format(year=form.year + 1),
                           tr(lang, "reg. {year}").format(year=form.year + 1), "int")]
    name, period = title(form, lang)
    if not form.rows:
        raise NtmError(tr(lang, "no commune in scope"))
    write(table, columns, Format(fmt.value), lang, out=out, title=f"{name} — {period}",
          footer=[tr(lang, "criteria set {criteria_set}; capital plans: {plans}").format(
              criteria_set=form.criteria_set, plans=", ".join(form.plans) or tr(lang, "none"))])
