"""`ntmtrack funds …`: recording money (capital allocated, disbursed, contributed, debt) and
the capital status per unit and source."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..locale import N_, _
from ..model import DEFAULT_THRESHOLD
from ..output.formats import format_date, format_money
from ..output.render import MACHINE, Column, write
from ._common import (
    AsOfOption,
    DbOption,
    ExcelOption,
    Format,
    FormatOption,
    LangOption,
    PlanOption,
    ThresholdOption,
    UnderOption,
    build_scope,
    complete_unit,
    lang_of,
    message,
    register,
    tr,
    writing,
)

app = typer.Typer(help=N_("Money (vốn): capital allocated, disbursed and contributed, construction "
                       "debt; the capital status per unit and source."), no_args_is_help=True)

FUNDS_KEYS = ["unit", "unit_path", "source", "planned", "allocated", "disbursed", "disbursed_share",
              "expected_share", "contributed", "debt", "state"]


@app.command("record")
def funds_record(
    unit: Annotated[str, typer.Argument(help=N_("Unit (name, code, alias or path)."), autocompletion=complete_unit)],
    amount: Annotated[str, typer.Argument(help=N_("Amount as written: 1.500.000.000, 1,5 tỷ, 250 triệu đồng."))],
    source: Annotated[str, typer.Option("--source", help=N_(
        "Source: trung-uong, dia-phuong, long-ghep, tin-dung, doanh-nghiep, nhan-dan, khac."))],
    kind: Annotated[str, typer.Option("--kind", help=N_(
        "allocated | disbursed | contributed | debt | debt_paid (debt: outstanding on the day)."))],
    project: Annotated[Optional[str], typer.Option("--project", help=N_("The work or project it is for."))] = None,
    date: Annotated[Optional[str], typer.Option("--date", "-d", help=N_("Date (YYYY-MM-DD or DD/MM/YYYY; default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", help=N_("A note kept with the observation."))] = None,
    by: Annotated[Optional[str], typer.Option("--by", help=N_("Who reported it (default: your user name)."))] = None,
    decimal_mark: Annotated[Optional[str], typer.Option("--decimal-mark", help=N_("',' or '.': settles values like 1.234."))] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Record money for a unit on a date (append-only; `record void ID` cancels it).

    Example: ntmtrack funds record "Kỳ Xuân" "1,5 tỷ" --source trung-uong --kind disbursed --date 31/03/2017
    """
    from ..register import funds, units
    from ..register.recording import append_checked
    from ..store.observations import now
    from .record import _decimal, _recorder

    language = lang_of(lang)
    mark = _decimal(decimal_mark)
    source_code, kind_code = funds.source_code(source), funds.kind_code(kind)
    dong = funds.amount(amount, mark)
    with writing(db) as reg:
        recorder = _recorder(reg.conn, by)
        target = units.resolve(reg.conn, unit)
        on = recorder.when(date)
        recorder._active(target, on)
        row = recorder.finish(funds.row(target, dong, kind_code, source_code, on, project),
                              "command line", note, None, now(), fingerprint=False)
        ids, _unused = append_checked(reg.conn, [row])
    from ..output.labels import FUND_KINDS as KIND_WORDS
    from ..output.labels import FUND_SOURCES as SOURCE_WORDS
    from ..output.labels import label
    from ..output.render import format_date

    message(tr(language, "recorded: {name} {kind} {amount} ({source}, {on}) [id {id}]").format(
        name=target.name, kind=label(KIND_WORDS, kind_code, language), amount=format_money(dong, language),
        source=label(SOURCE_WORDS, source_code, language), on=format_date(on, language), id=ids[0]))


@app.command("status")
def funds_status(
    under: UnderOption = None, plan: PlanOption = None,
    year: Annotated[Optional[int], typer.Option("--year", help=N_("Calendar year (default: the as-of day's), when no --plan."))] = None,
    as_of: AsOfOption = None, threshold: ThresholdOption = DEFAULT_THRESHOLD,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Capital per unit and source: planned, allocated, disbursed (and the share expected by
    now), contributions, outstanding debt; units above summed.

    Example: ntmtrack funds status --plan ky-anh-2017 --as-of 14/04/2017
    """
    from ..output.labels import FUND_SOURCES as SOURCE_WORDS
    from ..output.labels import label, state_label
    from ..reports import funds

    language = lang_of(lang)
    if plan and year:
        raise typer.BadParameter(_("use --plan or --year, not both"), param_hint="--year")
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, threshold=threshold,
                            lang=language)
        span = funds.period(reg.conn, scope, year)
        rows = funds.funds_status(reg.conn, scope, year)
    if fmt in MACHINE:
        write(rows, [Column(k, k, k) for k in FUNDS_KEYS], fmt, language, excel=excel)
        return
    money = lambda v: format_money(v, language) if v else ""  # noqa: E731
    table = [{"unit": "  " * r.depth + r.label + (" Σ" if r.rollup else ""),
              "source": label(SOURCE_WORDS, r.source, language), "planned": money(r.planned),
              "allocated": money(r.allocated), "disbursed": money(r.disbursed),
              "disbursed_share": r.disbursed_share, "expected_share": r.expected_share,
              "contributed": money(r.contributed), "debt": money(r.debt),
              "state": state_label(r.state, language)} for r in rows]
    columns = [Column("unit", nowrap=True), Column("source", words="fund_source"),
               *(Column(k, justify="right") for k in ("planned", "allocated", "disbursed")),
               Column("disbursed_share", kind="pct"), Column("expected_share", kind="pct"),
               *(Column(k, justify="right") for k in ("contributed", "debt")),
               Column("state")]
    day = span.until(scope.as_of)
    title = tr(language, "Capital {start} to {end}").format(
        start=format_date(span.start, language), end=format_date(day, language))
    behind = len({r.unit_id for r in rows if r.state == "behind" and not r.rollup})
    footer = [tr(language, "{behind} units disbursing behind the pace; plans: {plans}").format(
        behind=behind, plans=", ".join(span.plans) or tr(language, "none"))]
    write(table, columns, fmt, language, title=title, footer=footer,
          styles=[{"behind": "yellow", "done": "green"}.get(r.state) for r in rows])
