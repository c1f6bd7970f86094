"""The weekly digest as plain text of at most 80 columns (what a cron mail or a Zalo message
can carry) or Markdown; the data is reports/summary.py."""

from __future__ import annotations

import textwrap

from .labels import reason_text, tr
from .render import format_date, format_number


def as_text(d: dict, lang: str, markdown: bool = False) -> str:
    def h(text: str) -> str:
        return f"\n## {text}\n" if markdown else f"\n{text.upper() if lang == 'en' else text}\n" + "-" * min(len(text), 78)

    def item(text: str) -> str:
        return textwrap.fill(text, width=78, initial_indent="- ", subsequent_indent="  ")

    out = [("# " if markdown else "") + tr(
        lang, f"NTM weekly summary, {format_date(d['since'], lang)} – {format_date(d['as_of'], lang)}",
        f"Tóm tắt tuần NTM, {format_date(d['since'], lang)} – {format_date(d['as_of'], lang)}")]
    sections = [
        (tr(lang, "Criteria newly met", "Tiêu chí mới đạt"),
         [f"{x['unit']}: {', '.join(map(str, x['criteria']))}" for x in d["newly_met"]]),
        (tr(lang, "Criteria lost", "Tiêu chí bị mất"),
         [f"{x['unit']}: {', '.join(map(str, x['criteria']))}" for x in d["newly_lost"]]),
        (tr(lang, "Indicator changes", "Thay đổi chỉ tiêu"),
         [f"{x['unit']} {x['indicator']}: {format_number(x['from'], lang)} → "
          f"{format_number(x['to'], lang)}" for x in d["indicator_gains"]]),
        (tr(lang, "Recognition decisions", "Quyết định công nhận"),
         [f"{x['unit']}: {x['decision']} ({format_date(x['date'], lang)})" for x in d["recognitions"]]),
        (tr(lang, f"Laggards ({d['laggard_count']}, top 10)", f"Đơn vị chậm ({d['laggard_count']}, 10 đầu)"),
         [f"{x['unit']} [{x['plan']}] {reason_text(x, lang)}" for x in d["laggards"]]),
        (tr(lang, "Deadlines in the next 30 days", "Hạn trong 30 ngày tới"),
         [f"{format_date(x['deadline'], lang)} {x['unit']} [{x['plan']}] "
          f"{x['target'] if not isinstance(x['target'], list) else 'tc ' + ','.join(map(str, x['target']))}"
          for x in d["due_soon"]]),
        (tr(lang, "Missed reports", "Không báo cáo"),
         [f"{x['unit']} [{x['plan']}] {format_date(x['period_start'], lang)}–"
          f"{format_date(x['period_end'], lang)}" for x in d["missed_reports"]]),
    ]
    for title, items in sections:
        out.append(h(title))
        out += [item(i) for i in items] or [tr(lang, "(none)", "(không có)")]
    if d["reported_on_time_share"] is not None:
        share = format_number(round(d["reported_on_time_share"] * 100, 1), lang)
        out.append("\n" + tr(lang, f"Reported on time: {share}%", f"Báo cáo đúng hạn: {share}%"))
    return "\n".join(out) + "\n"
