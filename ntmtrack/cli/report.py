"""Reports: `status`, `progress`, `laggards`, `summary` and the `report` group (`report html`);
`criteria stats` is in cli/criteria."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..locale import N_, _, ntr
from ..model import DEFAULT_THRESHOLD
from ..output.formats import format_date, format_money
from ..output.labels import (
    projection_label,
    reason_text,
    state_label,
    status_state_text,
    title_text,
)
from ..output.render import (
    MACHINE,
    Column,
    as_mapping,
    format_number,
    json_safe,
    number_ranges,
    write,
)
from ._common import (
    AsOfOption,
    DbOption,
    ExcelOption,
    ForceOption,
    Format,
    FormatOption,
    LangOption,
    OfficeOption,
    PlanOption,
    SetOption,
    ThresholdOption,
    UnderOption,
    as_of_day,
    build_scope,
    complete_plan,
    lang_of,
    message,
    output_file,
    register,
    tr,
)

# Kept longest at 80 columns: unit, criteria, state, target date, missing, bar, parent,
# recognition (README "Tables that fit").
STATUS_COLUMNS = [
    Column("unit", nowrap=True, priority=100), Column("parent", priority=20),
    Column("met_of", priority=90), Column("bar", "", "", nowrap=True, priority=30),
    Column("missing_text", priority=40),
    Column("target_date", words="target_due", kind="date", priority=60),
    Column("recognition", words="recognition_short", priority=10),
    Column("state_label", words="state", priority=80),
]
GROUP_ABOVE = 200
GROUP_COLUMNS = [
    Column("group", words="unit"), Column("units", words="units_total", kind="int"),
    Column("meeting_all", kind="int"),
    Column("recognized", kind="int"),
    Column("average_criteria_met", kind="number"), Column("bar", "", ""),
    Column("behind", kind="int"), Column("overdue", kind="int"),
]
DEFAULT_BANDS = (12 / 19, 16 / 19)   # as provinces colour their NTM maps for a 19-criterion set


def _band_style(met: int, total: int) -> str:
    if total and met == total:
        return "green"
    share = met / total if total else 0
    if share < DEFAULT_BANDS[0]:
        return "red"
    if share < DEFAULT_BANDS[1]:
        return "dark_orange"
    return "yellow"


def _bar(done: float, total: float, width: int = 10) -> str:
    if not total:
        return ""
    filled = max(0, min(width, round(width * done / total)))
    return "█" * filled + "░" * (width - filled)


def status_command(
    plan: PlanOption = None, under: UnderOption = None, set_code: SetOption = None,
    as_of: AsOfOption = None, threshold: ThresholdOption = DEFAULT_THRESHOLD,
    matrix: Annotated[bool, typer.Option("--matrix", help=N_("Communes × criteria, ✓/✗, with totals."))] = False,
    all_rows: Annotated[bool, typer.Option("--all", help=N_("List every commune even when there are hundreds (tables group them otherwise)."))] = False,
    trend: Annotated[bool, typer.Option("--trend", help=N_("Criteria met at the end of each period since --since, the pace, and the projected date for meeting all criteria."))] = False,
    bands: Annotated[bool, typer.Option("--bands", help=N_("Communes per band of criteria met (all, 15-18, 10-14, under 10) and per title level."))] = False,
    every: Annotated[str, typer.Option("--every", help=N_("With --trend: month or quarter."))] = "month",
    since: Annotated[Optional[str], typer.Option("--since", help=N_("With --trend: first day of the series (default: a year before --as-of)."))] = None,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Criteria met per commune, with the target date and a state; the district figures below.

    Example: ntmtrack status --under "Triệu Sơn" --as-of 02/11/2018
    """
    from ..reports import status as reports

    language = lang_of(lang)
    if trend:
        _trend(plan, under, set_code, as_of, threshold, every, since, all_rows, excel, db, fmt, language)
        return
    if bands:
        _bands(plan, under, set_code, as_of, excel, db, fmt, language)
        return
    grouped = None
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            threshold=threshold, lang=language)
        rows, totals = reports.status(reg.conn, scope)
        if fmt not in MACHINE and not all_rows and not matrix and len(rows) > GROUP_ABOVE:
            grouped = reports.group_status(reg.conn, rows, scope)
    day = scope.as_of
    if matrix:
        _matrix(rows, totals, fmt, language, excel)
        return
    if fmt in MACHINE:
        write(rows, [Column(k, k, k, "list" if k in ("missing", "target_missing") else "text")
                     for k in STATUS_KEYS], fmt, language, excel=excel)
        return
    avg = format_number(totals.average_criteria_met, language) if totals.average_criteria_met is not None else "-"
    footer = [tr(language, "{meeting_all} of {units} communes meet all {criteria_total} criteria of {criteria_set}; {recognized} recognised; average {avg} criteria per commune").format(meeting_all=totals.meeting_all, units=totals.units, criteria_total=totals.criteria_total, criteria_set=totals.criteria_set, recognized=totals.recognized, avg=avg)]
    title = tr(language, "NTM criteria as of {day}").format(day=format_date(day, language))
    if grouped is not None:
        footer.append(tr(language, "{units} communes grouped; --all lists every one").format(units=totals.units))
        table = [{**as_mapping(g), "bar": _bar(g.average_criteria_met, g.criteria_total)} for g in grouped]
        write(table, GROUP_COLUMNS, fmt, language, footer=footer, title=title,
              styles=[_band_style(round(g.average_criteria_met), g.criteria_total) for g in grouped])
        return
    table = [{"unit": r.label, "parent": r.parent, "met_of": f"{r.criteria_met}/{r.criteria_total}",
              "bar": _bar(r.criteria_met, r.criteria_total), "missing_text": number_ranges(r.missing),
              "target_date": r.target_date, "recognition": title_text(r, language),
              "state_label": status_state_text(r, language),
              "debt": format_money(r.debt, language) if r.debt else None} for r in rows]
    styles = [_band_style(r.criteria_met, r.criteria_total) for r in rows]
    # Outstanding construction debt bars recognition (18/2022/QĐ-TTg): shown when any commune has it.
    columns = STATUS_COLUMNS + ([Column("debt")] if any(r.debt for r in rows) else [])
    write(table, columns, fmt, language, footer=footer, styles=styles, title=title)


def _bands(plan, under, set_code, as_of, excel, db, fmt, language) -> None:
    from ..output.labels import LEVELS, label
    from ..reports import bands as banding
    from ..reports import status as reports

    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            lang=language)
        by_band, by_level, totals = reports.bands(reg.conn, scope)
    if fmt in (Format.json, Format.jsonl):
        # each row with its own keys: {band, communes} then {level, communes}
        rows = [{"band": b, "communes": n} for b, n in by_band] + [{"level": lv, "communes": n} for lv, n in by_level]
        if fmt == Format.json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    if fmt in MACHINE:
        write([{"band": b, "level": None, "communes": n} for b, n in by_band]
              + [{"band": None, "level": lv, "communes": n} for lv, n in by_level],
              [Column(k, k, k) for k in ("band", "level", "communes")], fmt, language, excel=excel)
        return
    high, middle = banding.cuts(totals.criteria_total)
    shown = {"all": tr(language, "all {criteria_total}").format(criteria_total=totals.criteria_total),
             "15-18": f"{high}-{totals.criteria_total - 1}", "10-14": f"{middle}-{high - 1}",
             "under-10": tr(language, "under {middle}").format(middle=middle)}
    write([{"band": shown[b], "communes": n} for b, n in by_band],
          [Column("band", words="criteria_band"), Column("communes", words="units_total", kind="int")],
          fmt, language, footer=[tr(language, "{criteria_set}, {day}").format(
              criteria_set=totals.criteria_set, day=format_date(scope.as_of, language))])
    write([{"level": label(LEVELS, lv, language), "communes": n} for lv, n in by_level],
          [Column("level"), Column("communes", words="units_total", kind="int")], fmt, language,
          footer=[tr(language, "{units} communes").format(units=totals.units)])


STATUS_KEYS = ["unit", "unit_path", "parent", "criteria_set", "criteria_met", "criteria_total",
               "missing", "target_date", "plan", "recognition", "recognition_date", "state",
               "target_missing", "recognition_level", "since_merger", "debt"]
TREND_SHOWN = 12  # period columns a person can read; machine formats carry them all


def _trend(plan, under, set_code, as_of, threshold, every, since, all_rows, excel, db, fmt, language) -> None:
    from ..read.dates import parse_date, year_before
    from ..reports import status as reports
    from ..reports import trends

    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            threshold=threshold, lang=language)
        day = scope.as_of
        start = parse_date(since) if since else year_before(day)
        rows, ends = trends.trend(reg.conn, scope, start, every)
        grouped = None
        if fmt not in MACHINE and not all_rows and len(rows) > GROUP_ABOVE:
            grouped = reports.group_rows(reg.conn, rows, scope)
    keys = ["unit", "unit_path", "criteria_set", "criteria_total", "criteria_met", "pace_per_month",
            "projected_date", "target_date", "projection"]
    if fmt in (Format.json, Format.jsonl):
        write([{**{k: getattr(r, k) for k in keys},
                "series": [{"date": p.date, "criteria_met": p.criteria_met} for p in r.series]}
               for r in rows], [Column(k, k, k) for k in keys + ["series"]], fmt, language)
        return
    if fmt in MACHINE:
        flat = [{**{k: getattr(r, k) for k in keys},
                 **{f"met_{p.date}": p.criteria_met for p in r.series}} for r in rows]
        columns = keys + [f"met_{d.isoformat()}" for d in ends]
        write(flat, [Column(k, k, k) for k in columns], fmt, language, excel=excel)
        return
    label = (lambda d: d.strftime("%m/%Y")) if every == "month" else (
        lambda d: f"Q{(d.month - 1) // 3 + 1}/{d.year}")
    shown = list(enumerate(ends))[-TREND_SHOWN:]
    # The oldest periods go first when the table is narrow: as many recent ones as fit.
    period_columns = [Column(f"p{i}", label(d), label(d), "number", priority=i - len(ends))
                      for i, d in shown]
    if grouped is not None:
        table = []
        for group, members in grouped:
            average = trends.average_series(members)
            table.append({"unit": group, "units": len(members),
                          **{f"p{i}": average[i][1] for i, _unused in shown},
                          "late": sum(1 for m in members if m.projection in ("late", "stalled"))})
        columns = [Column("unit"), Column("units", words="units_total", kind="int"),
                   *period_columns, Column("late", kind="int")]
    else:
        table = []
        for r in rows:
            table.append({"unit": r.label, **{f"p{i}": r.series[i].criteria_met for i, _unused in shown},
                          "pace": r.pace_per_month, "projected_date": r.projected_date,
                          "target_date": r.target_date,
                          "projection": projection_label(r.projection, language)})
        columns = [Column("unit", nowrap=True, priority=100), *period_columns,
                   Column("pace", kind="number", priority=60),
                   Column("projected_date", kind="date", priority=70),
                   Column("target_date", words="target_due", kind="date", priority=50),
                   Column("projection", priority=80)]
    title = tr(language, "Criteria met per commune, {start} to {end}").format(
        start=format_date(start, language), end=format_date(day, language))
    write(table, columns, fmt, language, title=title)


def _matrix(rows, totals, fmt: Format, language: str, excel: bool = False) -> None:
    numbers = list(range(1, totals.criteria_total + 1))
    if rows:
        numbers = sorted(set(numbers) | {n for r in rows for n in r.missing})
    fancy = fmt == Format.table and sys.stdout.isatty()
    yes, no = ("✓", "✗") if fancy else ("Y", "-")
    out = []
    for r in rows:
        row = {"unit": r.unit if fmt in MACHINE else r.label}
        for n in numbers:
            met = n not in r.missing
            row[f"c{n}"] = (met if fmt in MACHINE else (yes if met else no))
        out.append(row)
    if fmt not in MACHINE and rows:
        total_row = {"unit": tr(language, "total met")}
        for n in numbers:
            total_row[f"c{n}"] = str(sum(1 for r in rows if n not in r.missing))
        out.append(total_row)
    columns = [Column("unit")] + [
        Column(f"c{n}", str(n), str(n), justify="center") for n in numbers]
    write(out, columns, fmt, language, excel=excel)


def progress_command(
    plan: Annotated[str, typer.Argument(help=N_("Plan id."), autocompletion=complete_plan)],
    under: UnderOption = None, as_of: AsOfOption = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Each indicator target of a plan: baseline, actual, target, share done, expected by now.

    Example: ntmtrack progress hop-giang-45-ngay-2022 --as-of 13/05/2022
    """
    from ..reports.progress import progress

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, threshold=threshold,
                            lang=language)
        rows = progress(reg.conn, scope)
    if fmt in MACHINE:
        write(rows, [Column(k, k, k) for k in PROGRESS_KEYS], fmt, language, excel=excel)
        return
    from ..read.numbers import money_scale

    base_depth = min((r.depth for r in rows), default=0)

    def shown(r, value):
        # A money indicator's values are integer đồng: shown as money (`18,5 tỷ đồng`).
        if value is None or not money_scale(r.measure):
            return value
        return format_money(round(value), language)

    table = [{"indicator": r.indicator,
              "label": "  " * (r.depth - base_depth) + r.label + (" Σ" if r.rollup else ""),
              "baseline": shown(r, r.baseline), "actual": shown(r, r.actual), "goal": shown(r, r.goal),
              "pct": r.percent_of_target / 100, "expected": shown(r, r.expected),
              "bar": _bar(max(0.0, min(100.0, r.percent_of_target)), 100),
              "state_label": state_label(r.state, language)} for r in rows]
    columns = [Column("indicator", nowrap=True, priority=70), Column("label", words="unit", nowrap=True, priority=100),
               Column("baseline", kind="number", priority=20),
               Column("actual", kind="number", priority=90),
               Column("goal", words="goal_short", kind="number", priority=85), Column("pct", kind="pct", priority=60),
               Column("expected", words="expected_short", kind="number", priority=40),
               Column("bar", "", "", nowrap=True, priority=10),
               Column("state_label", words="state", priority=80)]
    styles = [{"behind": "yellow", "overdue": "red", "done": "green"}.get(r.state) for r in rows]
    day = scope.as_of
    write(table, columns, fmt, language, styles=styles,
          title=f"{plan} — {tr(language, 'as of')} {day.isoformat() if language == 'en' else day.strftime('%d/%m/%Y')}")


PROGRESS_KEYS = ["unit", "unit_path", "unit_kind", "indicator", "measure", "baseline", "actual",
                 "goal", "percent_of_target", "expected", "deadline", "state", "rollup"]


def laggards_command(
    plan: PlanOption = None, under: UnderOption = None, as_of: AsOfOption = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    fail_on_any: Annotated[bool, typer.Option("--fail-on-any", help=N_("Exit 3 when the list is not empty (for cron alerts)."))] = False,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Every unit behind a target, overdue, or missing its report — worst first, with reasons.

    Example: ntmtrack laggards --plan trieu-son-vu-dong-2022 --fail-on-any
    """
    from ..reports import laggards as rules
    from ..reports.summary import laggard_dict

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, threshold=threshold,
                            lang=language)
        rows = rules.laggards(reg.conn, scope)
        names = _indicator_names(reg.conn, rows) if fmt == Format.text else {}
    day = scope.as_of
    if fmt == Format.text:
        from ..output.summary import laggards_text

        sys.stdout.write(laggards_text(rows, language, day, names))
    elif fmt in MACHINE:
        write([laggard_dict(r) for r in rows],
              [Column(k, k, k, "list" if k == "target" else "text") for k in LAGGARD_KEYS], fmt, language,
              excel=excel)
    else:
        units = len({r.unit_id for r in rows})
        table = [{"unit": r.label, "plan": r.plan, "why": reason_text(r, language),
                  "deadline": r.deadline, "days_left": r.days_left} for r in rows]
        write(table, [Column("unit", nowrap=True, priority=100), Column("plan", nowrap=True, priority=20),
                      Column("why", words="reason", priority=90), Column("deadline", kind="date", priority=50),
                      Column("days_left", kind="int", priority=40)], fmt, language,
              styles=[{"overdue": "red", "behind": "yellow"}.get(r.reason) for r in rows],
              footer=[ntr(language, "{units} unit behind ({rows}) as of {day}", "{units} units behind ({rows}) as of {day}", units).format(
                  units=format_number(units, language), day=format_date(day, language),
                  rows=ntr(language, "{count} target or report", "{count} targets or reports", len(rows)).format(
                      count=format_number(len(rows), language)))])
    if fail_on_any and rows:
        raise typer.Exit(3)


def _indicator_names(conn, rows) -> dict[str, str]:
    """{indicator code: its name} for the laggards' indicator targets (a mail shows names)."""
    from ..store import plans as store_plans

    codes = {r.target for r in rows if isinstance(r.target, str)}
    return {c: d["name"] for c in codes if (d := store_plans.indicator(conn, c)) and d.get("name")}


LAGGARD_KEYS = ["unit", "unit_path", "plan", "target", "actual", "expected", "goal", "deadline",
                "shortfall", "days_left", "reason", "period_start", "period_end"]


def summary_command(
    plan: PlanOption = None, under: UnderOption = None, set_code: SetOption = None,
    since: Annotated[Optional[str], typer.Option("--since", help=N_("Start of the period (default: 7 days before --as-of)."))] = None,
    week: Annotated[bool, typer.Option("--week", help=N_("The 7 days up to --as-of (the default)."))] = False,
    as_of: AsOfOption = None, threshold: ThresholdOption = DEFAULT_THRESHOLD,
    fmt: Annotated[str, typer.Option("--format", "-f", help=N_("text, markdown or json."))] = "text",
    output: Annotated[Optional[str], typer.Option("--output", "-o", help=N_("Write to this path; strftime patterns allowed (reports/%Y-W%V.md)."))] = None,
    waiting_days: Annotated[int, typer.Option("--waiting-days", min=0, max=3650, help=N_("List departments holding a dossier longer than this many days."))] = 15,
    force: ForceOption = False, db: DbOption = None, lang: LangOption = None,
) -> None:
    """The weekly digest for a cron mail: criteria gained and lost, indicator changes,
    recognitions, laggards, deadlines due, missed reports, dossier steps, departments holding
    dossiers. Plain text, 80 columns.

    Example: ntmtrack summary --under "Triệu Sơn" --output "reports/%Y-W%V.md" --format markdown
    """
    from ..output.summary import as_text
    from ..read.dates import parse_date
    from ..reports.summary import digest

    language = lang_of(lang)
    if fmt not in ("text", "markdown", "json"):
        raise typer.BadParameter(_("use text, markdown or json"), param_hint="--format")
    if since and week:
        raise typer.BadParameter(_("use --since or --week, not both"), param_hint="--since")
    day = as_of_day(as_of)
    target = output_file(day.strftime(output), db, language, force, make_parents=True) if output else None
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            threshold=threshold, lang=language)
        start = parse_date(since) if since else scope.as_of - timedelta(days=7)
        data = digest(reg.conn, scope, start, waiting_days)
    text = (json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n" if fmt == "json"
            else as_text(data, language, markdown=fmt == "markdown"))
    if target:
        target.write_text(text)
        if not target.is_stream:
            sys.stderr.write(f"{target.shown}\n")
    else:
        sys.stdout.write(text)


app = typer.Typer(help=N_("Reports to print and pass around."), no_args_is_help=True)


@app.command("html")
def report_html(
    path: Annotated[Path, typer.Argument(help=N_("Where to write the HTML file ('-' for stdout)."))],
    plan: PlanOption = None, under: UnderOption = None, set_code: SetOption = None,
    as_of: AsOfOption = None, threshold: ThresholdOption = DEFAULT_THRESHOLD,
    office: OfficeOption = None, force: ForceOption = False, db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """One self-contained HTML report (inline CSS and SVG charts, no network) that prints on A4.

    Example: ntmtrack report html bao-cao.html --under "Triệu Sơn" --lang vi
    """
    from ..output import html as html_report

    language = lang_of(lang)
    target = output_file(path, db, language, force)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            threshold=threshold, lang=language, office=office)
        document = html_report.build(reg.conn, scope)
    target.write_text(document)
    if target.is_stream:
        return
    message(tr(language, "report written: {path}").format(path=path))
