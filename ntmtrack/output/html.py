"""The printable HTML report: one self-contained file (inline CSS, charts as inline SVG from
pygal, no script, no network) laid out as a Vietnamese office report and for A4 paper.

Gathers its figures from the same report functions as the CLI (reports, laggards, trends) and
renders them with a Jinja2 template (templates/report.html.j2). Imported only by
`ntmtrack report html`: Jinja2 and pygal cost nothing to other commands.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from importlib import resources

from .. import __version__
from ..model import Scope
from ..read.dates import today, year_before
from ..register.tree import Tree
from ..reports import laggards as laggard_rules
from ..reports import scope as scoping
from ..reports import trends
from ..reports.progress import progress
from ..reports.stats import criteria_stats
from ..reports.status import group_status, status
from ..reports.targets import share_of_target
from ..store import units as store_units
from .formats import format_date, format_number, format_share, number_ranges, visible
from ..locale import trp
from .labels import UNIT_KINDS, label, projection_label, reason_text, state_label, status_state_text, tr

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
MAX_CHART_BARS = 60
MAX_ROWS = 200   # rows of a table on paper; `ntmtrack laggards` and `progress` list them all


def _texts(lang: str, scope: str, issuer: str, day: date, code: str, total: int) -> dict[str, str]:
    return {
        "issuer_above": tr(lang, "People's Committee"),
        "issuer": issuer,
        "title": tr(lang, "Report on New Rural Development"),
        "subtitle": tr(lang, "{scope}, as of {day}").format(scope=scope, day=format_date(day, lang)),
        "summary": tr(lang, "Summary"),
        "units": tr(lang, "communes"),
        "meeting_all": tr(lang, "meet all {total} criteria").format(total=total),
        "recognized": trp(lang, "communes recognised", "recognised"),
        "average": tr(lang, "criteria per commune on average"),
        "set_note": tr(lang, "Criteria set {code}.").format(code=code),
        "per_unit": tr(lang, "Criteria met per commune"),
        "per_unit_caption": tr(lang, "Criteria met of {total}").format(total=total),
        "grouped_note": tr(lang, "Communes grouped by the level below the report's unit (average per commune)."),
        "unit": tr(lang, "Unit"), "criteria": tr(lang, "Criteria"),
        "missing": tr(lang, "Not yet met"), "target": tr(lang, "Target date"),
        "state": tr(lang, "State"),
        "bottlenecks": tr(lang, "Bottleneck criteria"),
        "bottlenecks_caption": tr(lang, "Share of communes meeting each criterion, hardest first"),
        "criterion": tr(lang, "No."), "name": tr(lang, "Criterion"),
        "units_met": tr(lang, "Communes meeting it"),
        "trend": tr(lang, "Pace"),
        "trend_caption": tr(lang, "Criteria met per commune at the end of each month"),
        "pace": tr(lang, "Criteria per month"),
        "projected": tr(lang, "All met by (at this pace)"),
        "projection": tr(lang, "Projection"),
        "campaign": tr(lang, "Campaign"),
        "campaign_caption": tr(lang, "Share of target reached against the share expected by now"),
        "indicator": tr(lang, "Indicator"), "actual": tr(lang, "Actual"),
        "expected": tr(lang, "Expected by now"), "goal": tr(lang, "Target"),
        "deadline": tr(lang, "Deadline"),
        "laggards": tr(lang, "Units falling behind"),
        "plan": tr(lang, "Plan"), "reason": tr(lang, "Why"),
        "no_laggards": tr(lang, "No unit is behind."),
        "footer": tr(lang, "Produced by ntmtrack {__version__} from the register on {today}.").format(__version__=__version__, today=format_date(today(), lang)),
    }


def _chart_style():
    from pygal.style import Style

    return Style(background="white", plot_background="white", foreground="#1b1b1b",
                 foreground_strong="#1b1b1b", foreground_subtle="#888888",
                 colors=("#2e7d32", "#bdbdbd", "#ef6c00", "#1565c0"),
                 font_family="Times New Roman, Noto Serif, serif", label_font_size=11,
                 major_label_font_size=11, legend_font_size=11, title_font_size=13)


def _svg(chart) -> str:
    # No script and no external references: the file must open offline and print. pygal
    # writes its tooltip configuration as an inline script even with js=[]; the chart does
    # not need it.
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _config(**extra):
    base = dict(js=[], disable_xml_declaration=True, style=_chart_style(), width=900,
                print_values=False, legend_at_bottom=True, truncate_label=-1)
    base.update(extra)
    return base


# Units that have a People's Committee; a cluster (cụm) or a village (thôn) reports under the
# committee of the commune or district above it.
_COMMITTEE_KINDS = ("province", "district", "commune", "town", "ward")


def issuer(conn, scope: Scope) -> tuple[str, str]:
    """(the committee signing the report, the name of what it covers). With --under: the
    committee of that unit, or of the nearest unit above it that has one, with its kind
    (`HUYỆN TRIỆU SƠN`, `XÃ DÂN LÝ`). Without: the office given (--office, NTMTRACK_OFFICE),
    else the register's single top unit; several tops and no office: a blank to fill in."""
    lang = scope.lang
    if scope.under is not None:
        unit = scope.under
        if unit.kind not in _COMMITTEE_KINDS:
            above = list(reversed(store_units.ancestors(conn, unit.id)))
            unit = next((a for a in above if a.kind in _COMMITTEE_KINDS), unit)
        return _committee(unit, lang), scope.under.name
    if scope.office:
        name = _without_committee_words(scope.office)
        return (name.upper() if lang == "vi" else name), scope.office
    tops = store_units.top_units(conn)
    if len(tops) == 1:
        return _committee(tops[0], lang), tops[0].name
    return "……………………", tr(lang, "All units")


def _committee(unit, lang: str) -> str:
    kind = label(UNIT_KINDS, unit.kind, lang)
    return f"{kind} {unit.name}".upper() if lang == "vi" else f"{unit.name} {kind.title()}"


def _without_committee_words(office: str) -> str:
    # The header already says "ỦY BAN NHÂN DÂN": "UBND huyện Triệu Sơn" must not say it twice.
    from ..read.names import fold, nfc

    office = nfc(office).strip()
    for prefix in ("uy ban nhan dan ", "ubnd ", "people's committee of ", "people's committee "):
        if fold(office).startswith(prefix):
            return office[len(prefix):].strip()
    return office


def build(conn, scope: Scope) -> str:
    """The whole HTML document as text, from the report functions for `scope`."""
    import jinja2
    import pygal

    lang, as_of = scope.lang, scope.as_of
    tree = Tree.load(conn, scope.under_id)
    rows, totals = status(conn, scope, tree)  # the same communes as from its own tree
    code, total = totals.criteria_set, totals.criteria_total
    committee, scope_name = issuer(conn, scope)
    t = _texts(lang, scope_name, committee, as_of, code, total)

    grouped = len(rows) > MAX_CHART_BARS
    if grouped:
        groups = group_status(conn, rows, scope)
        bars = [(g.group, g.average_criteria_met) for g in groups]
    else:
        bars = [(r.label, r.criteria_met) for r in rows]
    # pygal draws a horizontal chart's first label at the bottom: reversed, it reads top-down.
    bars.reverse()
    per_unit = pygal.HorizontalStackedBar(**_config(height=max(220, 22 * len(bars) + 90),
                                                    range=(0, total), show_legend=True))
    per_unit.x_labels = [name for name, _ in bars]
    per_unit.add(tr(lang, "met"), [value for _, value in bars])
    per_unit.add(tr(lang, "not yet"), [round(total - value, 2) for _, value in bars])
    per_unit_svg = _svg(per_unit)

    stats = criteria_stats(conn, scope)
    bottleneck_chart = pygal.HorizontalBar(**_config(height=max(220, 24 * len(stats) + 90),
                                                     range=(0, 100), show_legend=False))
    bottleneck_chart.x_labels = [f"{s.criterion}. {s.name_vi if lang == 'vi' else s.name_en}"
                                 for s in reversed(stats)]
    bottleneck_chart.add("%", [round(100 * (s.share or 0), 1) for s in reversed(stats)])

    trend_rows, trend_chart_svg = [], ""
    if rows:
        series, ends = trends.trend(conn, scope, year_before(as_of), "month", status=(rows, totals))
        if any(p.criteria_met for r in series for p in r.series):
            line = pygal.Line(**_config(height=360, range=(0, total), show_dots=True,
                                        x_label_rotation=0))
            line.x_labels = [d.strftime("%m/%Y") for d in ends]
            if len(series) <= 12:
                for r in series:
                    line.add(r.label, [p.criteria_met for p in r.series])
            else:
                line.add(tr(lang, "average per commune"),
                         [v for _, v in trends.average_series(series)])
            trend_chart_svg = _svg(line)
            trend_rows = [{"unit": r.label, "unit_name": r.unit, "unit_path": r.unit_path,
                           "projection": r.projection,
                           "pace_text": format_number(r.pace_per_month, lang)
                           if r.pace_per_month is not None else "–",
                           "projected_text": format_date(r.projected_date, lang) if r.projected_date else "–",
                           "target_text": format_date(r.target_date, lang) if r.target_date else "–",
                           "projection_text": projection_label(r.projection, lang)}
                          for r in series[:MAX_ROWS]]  # formatted only as far as shown

    campaigns = []
    progress_of: dict[str, list] = {}  # laggards judges the same rows again otherwise
    for plan in scoping.plans(conn, scope):
        rows_of_plan = progress_of[plan["id"]] = progress(conn, replace(scope, plan_id=plan["id"]), tree=tree)
        if not rows_of_plan:
            continue
        top = min(r.depth for r in rows_of_plan)
        shown = [r for r in rows_of_plan if r.depth == top][:MAX_CHART_BARS]
        chart = pygal.HorizontalBar(**_config(height=max(220, 40 * len(shown) + 90), range=(0, 100)))
        shown.reverse()
        chart.x_labels = [f"{r.label} · {r.indicator}" for r in shown]
        chart.add(tr(lang, "{pct} of target reached").format(pct="%"),
                  [round(max(0.0, min(100.0, r.percent_of_target)), 1) for r in shown])
        chart.add(tr(lang, "{pct} expected by now").format(pct="%"),
                  [round(100 * max(0.0, min(1.0, share_of_target(r.expected, r.baseline, r.goal, r.direction))), 1)
                   if r.expected is not None and r.baseline is not None else None for r in shown])
        campaigns.append({"id": plan["id"], "title": plan["title"], "chart": _svg(chart), "rows": [
            {"unit": r.label, "unit_path": r.unit_path, "indicator": r.indicator, "state": r.state,
             "actual_text": format_number(r.actual, lang),
             "expected_text": format_number(r.expected, lang),
             "goal_text": format_number(r.goal, lang),
             "deadline_text": format_date(r.deadline, lang),
             "state_text": state_label(r.state, lang)}
            for r in rows_of_plan[:MAX_ROWS]]})

    lag = laggard_rules.laggards(conn, scope, tree, progress_of=progress_of)
    laggard_units = len({r.unit_id for r in lag})
    lag_rows = [{"unit": r.label, "unit_name": r.unit, "unit_path": r.unit_path, "plan": r.plan,
                 "reason": r.reason, "why": reason_text(r, lang)} for r in lag[:MAX_ROWS]]
    more = len(lag) - MAX_ROWS
    if grouped:
        status_rows = [{"unit": g.group, "unit_name": g.group, "unit_path": "", "criteria_met": g.average_criteria_met,
                        "criteria_total": total, "missing_text": "", "target_text": "",
                        "state": "", "state_text": tr(lang, "{units} communes, {meeting_all} meet all").format(units=g.units, meeting_all=g.meeting_all)}
                       for g in groups]
    else:
        status_rows = [{"unit": r.label, "unit_name": r.unit, "unit_path": r.unit_path,
                        "criteria_met": r.criteria_met, "criteria_total": r.criteria_total,
                        "missing_text": number_ranges(r.missing),
                        "target_text": format_date(r.target_date, lang) if r.target_date else "",
                        "state": r.state, "state_text": status_state_text(r, lang)} for r in rows]
    bottlenecks = [{"criterion": s.criterion, "name": s.name_vi if lang == "vi" else s.name_en,
                    "units_met": s.units_met, "units_total": s.units_total,
                    "share_text": format_share(s.share or 0, lang)} for s in stats]
    environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                     undefined=jinja2.StrictUndefined)
    template = environment.from_string(
        resources.files("ntmtrack.output").joinpath("templates", "report.html.j2").read_text(encoding="utf-8"))
    place = scope.under.name if scope.under else ""
    place_date = (f"{place + ', ' if place else ''}ngày {as_of.day:02d} tháng "
                  f"{as_of.month:02d} năm {as_of.year}" if lang == "vi"
                  else f"{place + ', ' if place else ''}{as_of.strftime('%d %B %Y')}")
    document = template.render(
        lang=lang, version=__version__, t=t, scope_name=scope_name, day_text=format_date(as_of, lang),
        place_date=place_date, totals=totals, average_text=format_number(totals.average_criteria_met, lang)
        if totals.average_criteria_met is not None else "–",
        charts={"per_unit": per_unit_svg, "bottlenecks": _svg(bottleneck_chart), "trend": trend_chart_svg},
        status_rows=status_rows, grouped=grouped, bottlenecks=bottlenecks, trend=trend_rows,
        campaigns=campaigns, laggards=lag_rows, laggard_units=laggard_units,
        laggards_more=tr(lang, "… and {more} more (ntmtrack laggards lists all)").format(more=more) if more > 0 else "")
    # Text from the register (an older one may hold control or bidi characters) is shown, never
    # obeyed. Line by line: the document's line breaks would send all of it (charts included,
    # a megabyte nationally) through the character-by-character path; a printable line is as is.
    return "\n".join(line if line.isprintable() else visible(line) for line in document.split("\n"))
