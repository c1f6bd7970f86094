"""The weekly digest as plain text of at most 80 columns (what a cron mail or a Zalo message
can carry) or Markdown; the data is reports/summary.py."""

from __future__ import annotations

import textwrap

from ..read.names import distinct_names
from .formats import format_date, format_number, format_share, number_ranges, visible
from ..locale import ntr
from .labels import reason_text, tr


def _decision_text(x: dict, lang: str) -> str:
    """`Tân Ninh: 4863/QĐ-UBND (25/12/2018)`, with the level above NTM, and a revocation said."""
    from .labels import LEVELS, label

    level = x.get("level")
    what = f" {label(LEVELS, level, lang)}" if level and level != "ntm" else ""
    if x.get("kind") == "revoked":
        return tr(lang, "{unit}: title {level} revoked by {decision} ({date})").format(
            unit=x["unit"], level=label(LEVELS, level or "ntm", lang), decision=x["decision"],
            date=format_date(x["date"], lang))
    return f"{x['unit']}: {x['decision']}{what} ({format_date(x['date'], lang)})"


def _grouped(steps: list[dict]) -> list[dict]:
    """One line per commune, day, step and result: the departments of a day's visits together."""
    out: list[dict] = []
    for x in steps:
        last = out[-1] if out else None
        if last and all(last[k] == x[k] for k in ("date", "unit", "step", "result", "value")) and x["department"]:
            last["department"] += ", " + x["department"]
        else:
            out.append(dict(x))
    return out


def _step_text(x: dict, lang: str) -> str:
    from .labels import RESULTS, STEPS, label

    text = label(STEPS, x["step"], lang)
    if x.get("department"):
        text += f" ({x['department']})"
    if x.get("result"):
        text += f": {label(RESULTS, x['result'], lang)}"
    elif x.get("value") is not None:
        text += f": {format_number(x['value'], lang)}"
    return text


def _before(value, lang: str) -> str:
    """An indicator's value before the period; a unit with none shows a dash, not 0."""
    return "—" if value is None else format_number(value, lang)


def as_text(d: dict, lang: str, markdown: bool = False) -> str:
    def h(text: str) -> str:
        return f"\n## {text}\n" if markdown else f"\n{text.upper() if lang == 'en' else text}\n" + "-" * min(len(text), 78)

    def item(text: str) -> str:
        return textwrap.fill(text, width=78, initial_indent="- ", subsequent_indent="  ")

    def names(entries: list[dict]) -> list[dict]:
        # Two units of one section with the same name are told apart by their paths.
        shown = distinct_names(e["unit_path"] for e in entries if e.get("unit_path"))
        return [{**e, "unit": shown.get(e.get("unit_path"), e["unit"])} for e in entries]

    d = {**d, **{key: names(d[key]) for key in ("newly_met", "newly_lost", "indicator_gains",
                                                 "recognitions", "laggards", "due_soon",
                                                 "missed_reports", "dossier_steps")}}

    out = [("# " if markdown else "") + tr(lang, "NTM weekly summary, {since} – {as_of}").format(since=format_date(d['since'], lang), as_of=format_date(d['as_of'], lang))]
    sections = [
        (tr(lang, "Criteria newly met"),
         [f"{x['unit']}: {number_ranges(x['criteria'])}" for x in d["newly_met"]]),
        (tr(lang, "Criteria lost"),
         [f"{x['unit']}: {number_ranges(x['criteria'])}" for x in d["newly_lost"]]),
        (tr(lang, "Indicator changes"),
         [f"{x['unit']} {x['indicator']}: {_before(x['from'], lang)} → "
          f"{format_number(x['to'], lang)}" for x in d["indicator_gains"]]),
        (tr(lang, "Recognition decisions"),
         [_decision_text(x, lang) for x in d["recognitions"]]),
        (tr(lang, "Units behind: {laggard_count} (first 10 reasons)").format(laggard_count=d['laggard_count']),
         [f"{x['unit']} [{x['plan']}] {reason_text(x, lang)}" for x in d["laggards"]]),
        (tr(lang, "Deadlines in the next 30 days"),
         [f"{format_date(x['deadline'], lang)} {x['unit']} [{x['plan']}] "
          f"{x['target'] if not isinstance(x['target'], list) else tr(lang, 'criteria ') + number_ranges(x['target'])}"
          for x in d["due_soon"]]),
        (tr(lang, "Missed reports"),
         [f"{x['unit']} [{x['plan']}] {format_date(x['period_start'], lang)}–"
          f"{format_date(x['period_end'], lang)}" for x in d["missed_reports"]]),
        (tr(lang, "Dossier steps"),
         [f"{format_date(x['date'], lang)} {x['unit']}: {_step_text(x, lang)}"
          for x in _grouped(d["dossier_steps"])]),
        (tr(lang, "Departments holding dossiers over {waiting_days} days").format(waiting_days=d['waiting_days']),
         [tr(lang, "{name}: {waiting} waiting, the oldest {oldest_days} days").format(name=x['name'], waiting=x['waiting'], oldest_days=x['oldest_days'])
          for x in d["departments_waiting"]]),
    ]
    for title, items in sections:
        out.append(h(title))
        out += [item(i) for i in items] or [tr(lang, "(none)")]
    if d["reported_on_time_share"] is not None:
        share = format_share(d["reported_on_time_share"], lang)
        out.append("\n" + tr(lang, "Reported on time: {share}").format(share=share))
    return visible("\n".join(out)) + "\n"


def laggards_text(rows, lang: str, as_of, names: dict[str, str] | None = None, width: int = 80) -> str:
    """`laggards --format text`: the list for a mail body. A heading, then one entry per unit
    (worst first, as the rows come), its reasons in words — an indicator by its name, numbers
    rounded — wrapped at `width` columns."""
    from .formats import format_date

    names = names or {}
    by_unit: dict[int, list] = {}
    for r in rows:
        by_unit.setdefault(r.unit_id, []).append(r)
    count = len(by_unit)
    day = format_date(as_of, lang) if lang == "vi" else as_of.isoformat()
    out = [ntr(lang, "NTM: {count} unit behind as of {day}", "NTM: {count} units behind as of {day}", count).format(
        count=count, day=day)]
    if not by_unit:
        out.append(tr(lang, "(none)"))
    for members in by_unit.values():
        reasons = "; ".join(_reason(r, lang, names) for r in members)
        out.append(textwrap.fill(f"{members[0].label}: {reasons}", width=width,
                                 initial_indent="- ", subsequent_indent="  ",
                                 break_on_hyphens=False))
    return visible("\n".join(out)) + "\n"


def _reason(row, lang: str, names: dict[str, str]) -> str:
    """reason_text with the indicator's name instead of its code."""
    from dataclasses import replace

    if isinstance(row.target, str) and row.target in names:
        row = replace(row, target=names[row.target])
    return reason_text(row, lang)
