"""Reports: `status`, `progress`, `laggards`, `summary` and the `report` group (`report html`);
`criteria stats` is in cli/criteria."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..output.labels import projection_label, reason_text, state_label
from ..output.render import MACHINE, Column, format_number, number_ranges, write
from ._common import (
    AsOfOption,
    DbOption,
    ExcelOption,
    ForceOption,
    Format,
    FormatOption,
    LangOption,
    PlanOption,
    UnderOption,
    complete_plan,
    lang_of,
    message,
    output_file,
    register,
    tr,
)

SetOption = Annotated[Optional[str], typer.Option("--set", "-s", help="Criteria set (default: the plan's, else the one the units' plans use, else the register's default).")]


def as_of_day(text: str | None):
    from ..read.dates import parse_date, today

    return parse_date(text) if text else today()


def under_id(conn, under: str | None) -> int | None:
    from ..register import units

    return units.resolve(conn, under, container=True).id if under else None


STATUS_COLUMNS = [
    Column("unit", "unit", "đơn vị"), Column("parent", "parent", "trực thuộc"),
    Column("met_of", "criteria", "tiêu chí"), Column("bar", "", ""),
    Column("missing_text", "missing", "chưa đạt"),
    Column("target_date", "target", "hạn", "date"), Column("recognition", "recognition", "công nhận"),
    Column("state_label", "state", "tình trạng"),
]
GROUP_ABOVE = 200
GROUP_COLUMNS = [
    Column("group", "unit", "đơn vị"), Column("units", "communes", "số xã", "int"),
    Column("meeting_all", "meeting all", "đạt chuẩn", "int"),
    Column("recognized", "recognised", "công nhận", "int"),
    Column("average_criteria_met", "avg criteria", "TB tiêu chí/xã", "number"), Column("bar", "", ""),
    Column("behind", "behind", "chậm", "int"), Column("overdue", "overdue", "quá hạn", "int"),
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
    as_of: AsOfOption = None,
    matrix: Annotated[bool, typer.Option("--matrix", help="Communes × criteria, ✓/✗, with totals.")] = False,
    all_rows: Annotated[bool, typer.Option("--all", help="List every commune even when there are hundreds (tables group them otherwise).")] = False,
    trend: Annotated[bool, typer.Option("--trend", help="Criteria met at the end of each period since --since, the pace, and the projected date for meeting all criteria.")] = False,
    every: Annotated[str, typer.Option("--every", help="With --trend: month or quarter.")] = "month",
    since: Annotated[Optional[str], typer.Option("--since", help="With --trend: first day of the series (default: a year before --as-of).")] = None,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Criteria met per commune, with the target date and a state; the district figures below.

    Example: ntmtrack status --under "Triệu Sơn" --as-of 02/11/2018
    """
    from ..reports import status as reports

    language = lang_of(lang)
    day = as_of_day(as_of)
    if trend:
        _trend(plan, under, set_code, day, every, since, all_rows, excel, db, fmt, language)
        return
    grouped = None
    with register(db, readonly=True) as reg:
        root = under_id(reg.conn, under)
        rows, totals = reports.status(reg.conn, day, root, plan, set_code)
        if fmt not in MACHINE and not all_rows and not matrix and len(rows) > GROUP_ABOVE:
            grouped = reports.group_status(reg.conn, rows, root)
    if matrix:
        _matrix(rows, fmt, language, excel)
        return
    if fmt in MACHINE:
        keys = list(_status_keys(rows[0]).keys()) if rows else [
            "unit", "unit_path", "parent", "criteria_set", "criteria_met", "criteria_total",
            "missing", "target_date", "plan", "recognition", "recognition_date", "state"]
        write([_status_keys(r) for r in rows], [Column(k, k, k, "list" if k == "missing" else "text")
                                                  for k in keys], fmt, language, excel=excel)
        return
    if grouped is not None:
        for g in grouped:
            g["bar"] = _bar(g["average_criteria_met"], g["criteria_total"])
        rows = grouped
    for r in rows if grouped is None else []:
        r["met_of"] = f"{r['criteria_met']}/{r['criteria_total']}"
        r["bar"] = _bar(r["criteria_met"], r["criteria_total"])
        r["missing_text"] = number_ranges(r["missing"])
        r["state_label"] = state_label(r["state"], language)
    avg = format_number(totals["average_criteria_met"], language) if totals["average_criteria_met"] is not None else "-"
    footer = [tr(language,
                 f"{totals['meeting_all']} of {totals['units']} communes meet all {totals['criteria_total']} "
                 f"criteria of {totals['criteria_set']}; {totals['recognized']} recognised; "
                 f"average {avg} criteria per commune",
                 f"{totals['meeting_all']}/{totals['units']} xã đạt đủ {totals['criteria_total']} tiêu chí "
                 f"({totals['criteria_set']}); {totals['recognized']} xã đã được công nhận; "
                 f"bình quân {avg} tiêu chí/xã")]
    if grouped is not None:
        footer.append(tr(language, f"{totals['units']} communes grouped; --all lists every one",
                         f"{totals['units']} xã được gộp theo đơn vị; --all để liệt kê từng xã"))
        write(grouped, GROUP_COLUMNS, fmt, language, footer=footer,
              styles=[_band_style(round(g["average_criteria_met"]), g["criteria_total"]) for g in grouped],
              title=tr(language, f"NTM criteria as of {day.isoformat()}",
                       f"Kết quả thực hiện tiêu chí NTM đến {day.strftime('%d/%m/%Y')}"))
        return
    styles = [_band_style(r["criteria_met"], r["criteria_total"]) for r in rows]
    write(rows, STATUS_COLUMNS, fmt, language, footer=footer, styles=styles,
          title=tr(language, f"NTM criteria as of {day.isoformat()}",
                   f"Kết quả thực hiện tiêu chí NTM đến {day.strftime('%d/%m/%Y')}"))


TREND_SHOWN = 12  # period columns a person can read; machine formats carry them all


def _trend(plan, under, set_code, day, every, since, all_rows, excel, db, fmt, language) -> None:
    from ..read.dates import parse_date, year_before
    from ..reports import trends

    start = parse_date(since) if since else year_before(day)
    with register(db, readonly=True) as reg:
        root = under_id(reg.conn, under)
        rows, ends = trends.trend(reg.conn, day, start, every, root, plan, set_code)
        grouped = None
        if fmt not in MACHINE and not all_rows and len(rows) > GROUP_ABOVE:
            from ..reports import status as reports

            grouped = reports.group_rows(reg.conn, rows, root)
    keys = ["unit", "unit_path", "criteria_set", "criteria_total", "criteria_met", "pace_per_month",
            "projected_date", "target_date", "projection"]
    if fmt in (Format.json, Format.jsonl):
        write([{**{k: r[k] for k in keys}, "series": r["series"]} for r in rows],
              [Column(k, k, k) for k in keys + ["series"]], fmt, language)
        return
    if fmt in MACHINE:
        flat = [{**{k: r[k] for k in keys}, **{f"met_{p['date']}": p["criteria_met"] for p in r["series"]}}
                for r in rows]
        columns = keys + [f"met_{d.isoformat()}" for d in ends]
        write(flat, [Column(k, k, k) for k in columns], fmt, language, excel=excel)
        return
    label = (lambda d: d.strftime("%m/%Y")) if every == "month" else (
        lambda d: f"Q{(d.month - 1) // 3 + 1}/{d.year}")
    shown = list(enumerate(ends))[-TREND_SHOWN:]
    period_columns = [Column(f"p{i}", label(d), label(d), "number") for i, d in shown]
    if grouped is not None:
        table = []
        for group, members in grouped:
            average = trends.average_series(members)
            table.append({"unit": group, "units": len(members),
                          **{f"p{i}": average[i][1] for i, _ in shown},
                          "late": sum(1 for m in members if m["projection"] in ("late", "stalled"))})
        columns = [Column("unit", "unit", "đơn vị"), Column("units", "communes", "số xã", "int"),
                   *period_columns, Column("late", "late or stalled", "trễ/không tiến triển", "int")]
    else:
        table = []
        for r in rows:
            table.append({"unit": r["unit"], **{f"p{i}": r["series"][i]["criteria_met"] for i, _ in shown},
                          "pace": r["pace_per_month"], "projected_date": r["projected_date"],
                          "target_date": r["target_date"],
                          "projection": projection_label(r["projection"], language)})
        columns = [Column("unit", "unit", "đơn vị"), *period_columns,
                   Column("pace", "per month", "TC/tháng", "number"),
                   Column("projected_date", "all met by", "dự kiến đạt đủ", "date"),
                   Column("target_date", "target", "hạn", "date"),
                   Column("projection", "projection", "dự báo")]
    title = tr(language, f"Criteria met per commune, {start.isoformat()} to {day.isoformat()}",
               f"Số tiêu chí đạt theo {'tháng' if every == 'month' else 'quý'}, "
               f"từ {start.strftime('%d/%m/%Y')} đến {day.strftime('%d/%m/%Y')}")
    write(table, columns, fmt, language, title=title)


def _status_keys(r: dict) -> dict:
    keys = ["unit", "unit_path", "parent", "criteria_set", "criteria_met", "criteria_total",
            "missing", "target_date", "plan", "recognition", "recognition_date", "state"]
    return {k: r[k] for k in keys}


def _matrix(rows: list[dict], fmt: Format, language: str, excel: bool = False) -> None:
    if not rows:
        write([], [Column("unit", "unit", "đơn vị")], fmt, language)
        return
    total = rows[0]["criteria_total"]
    numbers = sorted(set(range(1, total + 1)) | {n for r in rows for n in r["missing"]})
    numbers = [n for n in numbers if n <= max(numbers)]
    fancy = fmt == Format.table and sys.stdout.isatty()
    yes, no = ("✓", "✗") if fancy else ("Y", "-")
    out = []
    for r in rows:
        row = {"unit": r["unit"]}
        for n in numbers:
            met = n not in r["missing"]
            row[f"c{n}"] = (met if fmt in MACHINE else (yes if met else no))
        out.append(row)
    if fmt not in MACHINE:
        totals = {"unit": tr(language, "total met", "số xã đạt")}
        for n in numbers:
            totals[f"c{n}"] = str(sum(1 for r in rows if n not in r["missing"]))
        out.append(totals)
    columns = [Column("unit", "unit", "đơn vị")] + [
        Column(f"c{n}", str(n), str(n), justify="center") for n in numbers]
    write(out, columns, fmt, language, excel=excel)


def progress_command(
    plan: Annotated[str, typer.Argument(help="Plan id.", autocompletion=complete_plan)],
    under: UnderOption = None, as_of: AsOfOption = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Behind below this share of the expected progress.")] = 0.8,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Each indicator target of a plan: baseline, actual, target, % done, expected by now.

    Example: ntmtrack progress hop-giang-45-ngay-2022 --as-of 13/05/2022
    """
    from ..reports import status as reports

    language = lang_of(lang)
    day = as_of_day(as_of)
    with register(db, readonly=True) as reg:
        rows = reports.progress(reg.conn, plan, day, under_id(reg.conn, under), threshold)
    keys = ["unit", "unit_path", "unit_kind", "indicator", "measure", "baseline", "actual", "goal",
            "percent_of_target", "expected", "deadline", "state", "rollup"]
    if fmt in MACHINE:
        write([{k: r[k] for k in keys} for r in rows], [Column(k, k, k) for k in keys], fmt, language,
              excel=excel)
        return
    base_depth = min((r["depth"] for r in rows), default=0)
    for r in rows:
        r["label"] = "  " * (r["depth"] - base_depth) + r["unit"] + (" Σ" if r["rollup"] else "")
        r["bar"] = _bar(max(0.0, min(100.0, r["percent_of_target"] or 0)), 100)
        r["state_label"] = state_label(r["state"], language)
        r["pct"] = (r["percent_of_target"] or 0) / 100
    columns = [Column("indicator", "indicator", "chỉ tiêu", nowrap=True), Column("label", "unit", "đơn vị", nowrap=True),
               Column("baseline", "baseline", "ban đầu", "number"),
               Column("actual", "actual", "thực hiện", "number"),
               Column("goal", "target", "mục tiêu", "number"), Column("pct", "%", "%", "pct"),
               Column("expected", "expected", "cần đạt", "number"), Column("bar", "", ""),
               Column("state_label", "state", "tình trạng")]
    for r in rows:
        r["expected"] = round(r["expected"], 1)
    styles = [{"behind": "yellow", "overdue": "red", "done": "green"}.get(r["state"]) for r in rows]
    write(rows, columns, fmt, language, styles=styles,
          title=f"{plan} — {tr(language, 'as of', 'đến ngày')} {day.isoformat() if language == 'en' else day.strftime('%d/%m/%Y')}")


LAGGARD_KEYS = ["unit", "unit_path", "plan", "target", "actual", "expected", "goal", "deadline",
                "shortfall", "days_left", "reason", "period_start", "period_end"]


def laggards_command(
    plan: PlanOption = None, under: UnderOption = None, as_of: AsOfOption = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Behind below this share of the expected progress (default 0.8).")] = 0.8,
    fail_on_any: Annotated[bool, typer.Option("--fail-on-any", help="Exit 3 when the list is not empty (for cron alerts).")] = False,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Every unit behind a target, overdue, or missing its report — worst first, with reasons.

    Example: ntmtrack laggards --plan trieu-son-vu-dong-2022 --fail-on-any
    """
    from ..reports import laggards as rules

    language = lang_of(lang)
    day = as_of_day(as_of)
    if not 0 < threshold <= 1:
        raise typer.BadParameter("a share between 0 and 1", param_hint="--threshold")
    with register(db, readonly=True) as reg:
        rows = rules.laggards(reg.conn, day, plan, under_id(reg.conn, under), threshold)
    if fmt in MACHINE:
        write([{k: r[k] for k in LAGGARD_KEYS} for r in rows],
              [Column(k, k, k, "list" if k == "target" else "text") for k in LAGGARD_KEYS], fmt, language,
              excel=excel)
    else:
        for r in rows:
            r["why"] = reason_text(r, language)
        write(rows, [Column("unit", "unit", "đơn vị"), Column("plan", "plan", "kế hoạch", nowrap=True),
                     Column("why", "reason", "lý do"), Column("deadline", "deadline", "hạn", "date"),
                     Column("days_left", "days left", "còn (ngày)", "int")], fmt, language,
              styles=[{"overdue": "red", "behind": "yellow"}.get(r["reason"]) for r in rows],
              footer=[tr(language, f"{len(rows)} laggard rows as of {day.isoformat()}",
                         f"{len(rows)} trường hợp chậm đến {day.strftime('%d/%m/%Y')}")])
    if fail_on_any and rows:
        raise typer.Exit(3)


def summary_command(
    plan: PlanOption = None, under: UnderOption = None, set_code: SetOption = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Start of the period (default: 7 days before --as-of).")] = None,
    week: Annotated[bool, typer.Option("--week", help="The 7 days up to --as-of (the default).")] = False,
    as_of: AsOfOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, markdown or json.")] = "text",
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this path; strftime patterns allowed (reports/%Y-W%V.md).")] = None,
    force: ForceOption = False, db: DbOption = None, lang: LangOption = None,
) -> None:
    """The weekly digest for a cron mail: criteria gained and lost, indicator changes,
    recognitions, laggards, deadlines due, missed reports. Plain text, 80 columns.

    Example: ntmtrack summary --under "Triệu Sơn" --output "reports/%Y-W%V.md" --format markdown
    """
    from ..output.summary import as_text
    from ..read.dates import parse_date
    from ..reports.summary import digest

    language = lang_of(lang)
    if fmt not in ("text", "markdown", "json"):
        raise typer.BadParameter("use text, markdown or json", param_hint="--format")
    if since and week:
        raise typer.BadParameter("use --since or --week, not both", param_hint="--since")
    day = as_of_day(as_of)
    start = parse_date(since) if since else day - timedelta(days=7)
    target = output_file(day.strftime(output), db, language, force, make_parents=True) if output else None
    with register(db, readonly=True) as reg:
        data = digest(reg.conn, day, start, plan, under_id(reg.conn, under), set_code)
    text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n" if fmt == "json"
            else as_text(data, language, markdown=fmt == "markdown"))
    if target:
        target.write_text(text)
        if not target.is_stream:
            sys.stderr.write(f"{target.shown}\n")
    else:
        sys.stdout.write(text)

app = typer.Typer(help="Reports to print and pass around.", no_args_is_help=True)


@app.command("html")
def report_html(
    path: Annotated[Path, typer.Argument(help="Where to write the HTML file ('-' for stdout).")],
    plan: PlanOption = None, under: UnderOption = None, as_of: AsOfOption = None,
    force: ForceOption = False, db: DbOption = None, lang: LangOption = None,
) -> None:
    """One self-contained HTML report (inline CSS and SVG charts, no network) that prints on A4.

    Example: ntmtrack report html bao-cao.html --under "Triệu Sơn" --lang vi
    """
    from ..output import html as html_report
    from ..register import units

    language = lang_of(lang)
    day = as_of_day(as_of)
    target = output_file(path, db, language, force)
    with register(db, readonly=True) as reg:
        unit = units.resolve(reg.conn, under, container=True) if under else None
        document = html_report.build(reg.conn, day, unit.id if unit else None,
                                     unit.name if unit else None, plan, language)
    target.write_text(document)
    if target.is_stream:
        return
    message(tr(language, f"report written: {path}", f"đã ghi báo cáo: {path}"))
