"""The one bilingual catalogue: every state, kind, period, column header and phrase a person
reads, in Vietnamese and English. Tables, the workbook, the HTML report, the summary text and
the Datasette metadata all take their words from here; machine formats keep the codes.
"""

from __future__ import annotations

import os


def language(explicit: str | None) -> str:
    """`--lang`, else NTMTRACK_LANG, else Vietnamese when LANG starts with vi, else English."""
    choice = explicit or os.environ.get("NTMTRACK_LANG")
    if choice:
        return "vi" if choice.lower().startswith("vi") else "en"
    return "vi" if os.environ.get("LANG", "").lower().startswith("vi") else "en"


def tr(lang: str, en: str, vi: str) -> str:
    return vi if lang == "vi" else en


_STATE_VI = {"recognized": "đã công nhận", "meets_all": "đạt đủ", "on_track": "đúng tiến độ",
             "behind": "chậm", "overdue": "quá hạn", "no_target": "chưa giao", "done": "hoàn thành"}
_PROJECTION_VI = {"done": "đã đạt đủ", "on_time": "kịp hạn", "late": "trễ hạn",
                  "stalled": "không tiến triển", "no_target": "chưa giao hạn"}


def state_label(state: str, lang: str) -> str:
    """A report state (`on_track`, `behind` …) as a person reads it."""
    return _STATE_VI.get(state, state) if lang == "vi" else state.replace("_", " ")


def projection_label(projection: str, lang: str) -> str:
    """A trend projection (`on_time`, `late` …) as a person reads it."""
    return _PROJECTION_VI.get(projection, projection) if lang == "vi" else projection.replace("_", " ")



def reason_text(row: dict, lang: str) -> str:
    from .render import format_date, format_number, number_ranges

    target = row["target"]
    what = (("tiêu chí " if lang == "vi" else "criteria ") + number_ranges(target)
            if isinstance(target, list) else str(target))
    if row["reason"] == "no_report":
        if lang == "vi":
            return (f"không báo cáo từ {format_date(row['period_start'], lang)} đến "
                    f"{format_date(row['period_end'], lang)}")
        return f"no report {row['period_start']}..{row['period_end']}"
    n = lambda v: format_number(v, lang)  # noqa: E731
    if row["reason"] == "overdue":
        if lang == "vi":
            return f"{what}: quá hạn {-row['days_left']} ngày, đạt {n(row['actual'])}/{n(row['goal'])}"
        return f"{what}: {-row['days_left']} days overdue, {n(row['actual'])} of {n(row['goal'])}"
    if lang == "vi":
        return (f"{what}: chậm, đạt {n(row['actual'])}, cần {n(round(row['expected'], 1))} "
                f"đến nay (mục tiêu {n(row['goal'])})")
    return (f"{what}: behind, {n(row['actual'])} against {n(round(row['expected'], 1))} expected "
            f"by now (goal {n(row['goal'])})")
