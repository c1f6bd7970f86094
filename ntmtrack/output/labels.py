"""The one bilingual catalogue: every state, kind, period, column header and phrase a person
reads, in Vietnamese and English. Tables, the workbook, the HTML report, the summary text and
the Datasette metadata all take their words from here; machine formats keep the codes.
"""

from __future__ import annotations

from ..locale import language, ntr, tr  # noqa: F401  (sentences: the gettext catalogue)


# -- codes → words. Machine formats keep the codes (a contract); people read these. --------

STATES = {
    "recognized": ("recognised", "đã công nhận"), "meets_all": ("meets all", "đạt đủ"),
    "target_met": ("target met", "đạt chỉ tiêu"), "on_track": ("on track", "đúng tiến độ"),
    "behind": ("behind", "chậm"), "overdue": ("overdue", "quá hạn"),
    "no_target": ("no target", "chưa giao"), "done": ("done", "hoàn thành"),
    # funds status (issue 14)
    "not_allocated": ("nothing allocated", "chưa giao vốn"),
    "unplanned": ("no plan or allocation", "không có kế hoạch, vốn giao"),
}
PROJECTIONS = {
    "done": ("all met", "đã đạt đủ"), "on_time": ("on time", "kịp hạn"), "late": ("late", "trễ hạn"),
    "stalled": ("stalled", "không tiến triển"), "no_target": ("no target date", "chưa giao hạn"),
}
REASONS = {"behind": ("behind", "chậm"), "overdue": ("overdue", "quá hạn"),
           "no_report": ("no report", "không báo cáo"),
           "dossier_late": ("dossier step late", "chậm hồ sơ"),
           "disbursement_behind": ("disbursement behind", "giải ngân chậm"),
           "debt": ("outstanding debt", "nợ đọng xây dựng cơ bản")}
LEVELS = {
    "ntm": ("NTM", "nông thôn mới"), "nang-cao": ("advanced NTM", "nông thôn mới nâng cao"),
    "kieu-mau": ("model NTM", "nông thôn mới kiểu mẫu"),
    "hien-dai": ("modern NTM", "nông thôn mới hiện đại"),
}
# The road to a title, in order (18/2022/QĐ-TTg; reference/criteria.md §6).
STEPS = {
    "registered": ("registered", "đăng ký"),
    "self_assessed": ("self-assessed", "tự đánh giá"),
    "criteria_dossiers": ("criteria dossiers", "hồ sơ tiêu chí"),
    "general_dossier": ("general dossier", "hồ sơ chung"),
    "submitted": ("submitted", "đã trình"),
    "sent": ("sent to department", "đã gửi sở"),
    "inspected": ("inspected", "sở đã kiểm tra"),
    "appraised": ("appraised", "sở đã thẩm định"),
    "satisfaction": ("satisfaction survey", "lấy ý kiến hài lòng"),
    "council": ("council vote", "hội đồng thẩm định"),
    "proposed": ("proposed for decision", "đề nghị công nhận"),
    "recognized": ("recognised", "đã công nhận"),
}
RESULTS = {"passed": ("passed", "đạt"), "returned": ("returned", "trả lại")}
MISSING = {
    "criteria": ("criteria", "tiêu chí"),
    "criteria_dossiers": ("dossiers", "hồ sơ TC"),
    "general_dossier": ("general dossier", "hồ sơ chung"),
    "departments": ("appraisals", "sở thẩm định"),
    "satisfaction": ("satisfaction survey", "lấy ý kiến hài lòng"),
    "council": ("council", "hội đồng"),
    "debt": ("construction debt", "nợ đọng XDCB"),
}


UNIT_KINDS = {
    "province": ("province", "tỉnh"), "district": ("district", "huyện"), "cluster": ("cluster", "cụm"),
    "commune": ("commune", "xã"), "town": ("town", "thị trấn"), "ward": ("ward", "phường"),
    "village": ("village", "thôn"), "household_group": ("household group", "tổ liên gia"),
}
OBSERVATION_KINDS = {
    "met": ("met", "đạt"), "unmet": ("not met", "chưa đạt"), "set": ("level", "mức"),
    "add": ("increase", "cộng thêm"), "recognized": ("recognised", "công nhận"),
    "revoked": ("revoked", "thu hồi"), "step": ("dossier step", "bước hồ sơ"),
    "funds": ("funds", "vốn"), "void": ("void", "hủy"),
}
# Where NTM capital comes from (the fixed list of the monitoring reports; a province may split
# the local budget in its notes), and what a funds observation says.
FUND_SOURCES = {
    "trung-uong": ("central budget", "ngân sách trung ương"),
    "dia-phuong": ("local budget", "ngân sách địa phương"),
    "long-ghep": ("integrated from other programmes", "vốn lồng ghép"),
    "tin-dung": ("credit", "vốn tín dụng"),
    "doanh-nghiep": ("enterprises", "doanh nghiệp"),
    "nhan-dan": ("people's contributions", "nhân dân đóng góp"),
    "khac": ("other", "nguồn khác"),
}
FUND_KINDS = {
    "allocated": ("allocated", "vốn được giao"), "disbursed": ("disbursed", "giải ngân"),
    "contributed": ("contributed", "đóng góp"), "debt": ("outstanding debt", "nợ đọng"),
    "debt_paid": ("debt paid", "trả nợ"),
}
# Bands of criteria met, as the monitoring reports count communes (reports/bands.py).
BANDS = {
    "all": ("all criteria", "đạt tất cả"), "15-18": ("15-18 criteria", "15-18 tiêu chí"),
    "10-14": ("10-14 criteria", "10-14 tiêu chí"), "under-10": ("under 10 criteria", "dưới 10 tiêu chí"),
}
TARGET_KINDS = {"criteria": ("criteria", "tiêu chí"), "level": ("level", "đạt mức"),
                "increase": ("increase", "tăng thêm")}
PERIODS = {
    "day": ("daily", "hằng ngày"), "monday": ("every Monday", "thứ Hai hằng tuần"),
    "tuesday": ("every Tuesday", "thứ Ba hằng tuần"), "wednesday": ("every Wednesday", "thứ Tư hằng tuần"),
    "thursday": ("every Thursday", "thứ Năm hằng tuần"), "friday": ("every Friday", "thứ Sáu hằng tuần"),
    "saturday": ("every Saturday", "thứ Bảy hằng tuần"), "sunday": ("every Sunday", "Chủ nhật hằng tuần"),
    "month": ("monthly", "hằng tháng"), "quarter": ("quarterly", "hằng quý"),
}
DIRECTIONS = {"up": ("up (at least)", "tăng (ít nhất)"), "down": ("down (at most)", "giảm (tối đa)")}
ROLLUPS = {"sum": ("sum", "cộng"), "mean": ("mean", "bình quân"), "none": ("none", "không cộng dồn")}
CONFIDENCE = {"verified": ("verified", "đã kiểm chứng"),
              "partly-verified": ("partly verified", "kiểm chứng một phần"),
              "unverified": ("unverified", "chưa kiểm chứng")}
SOURCES = {"command line": ("command line", "dòng lệnh"), "demo": ("demo", "dữ liệu mẫu")}
ORIGINS = {"shipped": ("shipped", "có sẵn"), "imported": ("imported", "nhập từ tệp")}
# The groups of the shipped sets; a set's own names (table criteria_group) come first.
GROUPS = {
    "planning": ("Planning", "Quy hoạch"),
    "infrastructure": ("Socio-economic infrastructure", "Hạ tầng kinh tế - xã hội"),
    "economy": ("Economy and production organisation", "Kinh tế và tổ chức sản xuất"),
    "culture_society_env": ("Culture, society and environment", "Văn hóa - Xã hội - Môi trường"),
    "political_system": ("Political system", "Hệ thống chính trị"),
}
# `db info`: the register's facts (machine formats keep these keys).
DB_ITEMS = {
    "path": ("file", "tệp"), "size_bytes": ("size (bytes)", "dung lượng (byte)"),
    "register_id": ("register id", "mã định danh sổ"),
    "schema_version": ("schema version", "phiên bản cấu trúc"),
    "migrations_applied": ("migrations applied", "số lần nâng cấp cấu trúc"),
    "default_criteria_set": ("default criteria set", "bộ tiêu chí mặc định"),
    "journal_mode": ("journal mode", "chế độ ghi nhật ký"),
    "criteria_set_count": ("criteria sets", "số bộ tiêu chí"), "unit_count": ("units", "số đơn vị"),
    "plan_count": ("plans", "số kế hoạch"), "indicator_count": ("indicators", "số chỉ tiêu"),
    "observation_count": ("observations", "số lần ghi số liệu"),
}
# `units show`: one unit's fields (machine formats keep these keys).
UNIT_FIELDS = {
    "name": ("name", "tên"), "kind": ("kind", "loại"), "path": ("path", "đường dẫn"),
    "code": ("code", "mã"), "aliases": ("aliases", "tên khác"),
    "children": ("children", "đơn vị trực thuộc"), "merged_from": ("merged from", "sáp nhập từ"),
    "merged_into": ("merged into", "sáp nhập vào"),
    "active_until": ("inactive from", "ngừng hoạt động từ"),
}
# `criteria sets` / `list` / `show`: the columns people read (machine formats keep the keys).
CRITERIA_FIELDS = {
    "code": ("code", "mã"), "decision": ("decision", "quyết định"),
    "effective": ("effective", "hiệu lực"), "criteria": ("criteria", "tiêu chí"),
    "indicators": ("indicators", "chỉ tiêu"), "default": ("default", "mặc định"),
    "origin": ("origin", "nguồn"), "title": ("title", "tên"), "number": ("no.", "số"),
    "group": ("group", "nhóm"), "confidence": ("confidence", "độ tin cậy"),
}
# Words inside sentences and cells that are not codes of their own.
WORDS = {
    "criterion": ("criterion", "tiêu chí"), "recognition": ("recognition", "công nhận"),
    "observation": ("observation", "số liệu"), "yes": ("yes", "có"), "no": ("no", "không"),
}

# Column headers shared by the tables, the workbook and the HTML report.
HEADERS = {
    "step": ("step", "bước"), "step_date": ("on", "ngày"),
    "criteria_band": ("criteria met", "số tiêu chí đạt"),
    "criteria_dossiers_of": ("dossiers", "hồ sơ TC"),
    "general_dossier": ("general", "hồ sơ chung"),
    "departments_of": ("sent/insp./passed", "gửi/KT/đạt"),
    "satisfaction": ("satisf.", "hài lòng"), "days_since_step": ("days", "số ngày"),
    "ready": ("ready", "đủ điều kiện"), "missing_words": ("missing", "còn thiếu"),
    "level": ("level", "mức"), "department": ("department", "sở, ngành"),
    "department_name": ("name", "tên"), "waiting": ("waiting", "đang chờ"),
    "oldest_days": ("oldest (days)", "lâu nhất (ngày)"), "inspected": ("inspected", "đã kiểm tra"),
    "passed": ("passed", "đạt"), "returned": ("returned", "trả lại"),
    "unit": ("unit", "đơn vị"),
    "unit_path": ("path", "đường dẫn"),
    "parent": ("parent", "trực thuộc"),
    "unit_kind": ("unit kind", "loại đơn vị"),
    "criteria_set": ("criteria set", "bộ tiêu chí"),
    "criteria_met": ("criteria met", "số tiêu chí đạt"),
    "criteria_total": ("criteria", "tổng tiêu chí"),
    "missing": ("missing", "tiêu chí chưa đạt"),
    "target_missing": ("missing for the target", "chưa đạt theo chỉ tiêu"),
    "target_date": ("target date", "hạn"),
    "recognition": ("recognition", "quyết định công nhận"),
    "recognition_date": ("recognised on", "ngày công nhận"),
    "state": ("state", "tình trạng"),
    "criterion": ("criterion", "tiêu chí"),
    "name": ("name", "tên"),
    "units_met": ("communes meeting it", "số xã đạt"),
    "units_total": ("communes", "số xã"),
    "share": ("share", "tỷ lệ"),
    "indicator": ("indicator", "chỉ tiêu"),
    "baseline": ("baseline", "ban đầu"),
    "actual": ("actual", "thực hiện"),
    "goal": ("goal", "mục tiêu"),
    "percent_of_target": ("% of goal", "% mục tiêu"),
    "expected": ("expected by now", "cần đạt đến nay"),
    "deadline": ("deadline", "hạn"),
    "plan": ("plan", "kế hoạch"),
    "target": ("target", "chỉ tiêu giao"),
    "shortfall": ("shortfall", "còn thiếu"),
    "days_left": ("days left", "còn (ngày)"),
    "reason": ("reason", "lý do"),
    "date": ("date", "ngày"),
    "measure": ("measure", "nội dung"),
    "kind": ("kind", "loại"),
    "value": ("value", "giá trị"),
    "note": ("note", "ghi chú"),
    "by": ("by", "người ghi"),
    "source": ("source", "nguồn"),
    "pace_per_month": ("criteria per month", "tiêu chí/tháng"),
    "projected_date": ("all met by", "dự kiến đạt đủ"),
    "projection": ("projection", "dự báo"),
    "met_of": ("criteria", "tiêu chí"),
    "missing_text": ("missing", "chưa đạt"),
    "target_due": ("target", "hạn"),
    "recognition_short": ("recognition", "công nhận"),
    "meeting_all": ("meeting all", "đạt chuẩn"),
    "recognized": ("recognised", "công nhận"),
    "average_criteria_met": ("avg criteria", "TB tiêu chí/xã"),
    "behind": ("behind", "chậm"),
    "overdue": ("overdue", "quá hạn"),
    "late": ("late or stalled", "trễ/không tiến triển"),
    "pace": ("per month", "TC/tháng"),
    "goal_short": ("target", "mục tiêu"),
    "pct": ("%", "%"),
    "expected_short": ("expected", "cần đạt"),
    "field": ("field", "mục"),
    "measure_code": ("measure", "chỉ tiêu"),
    "recorded_at": ("recorded at", "ghi lúc"),
    "voided": ("voided", "đã hủy"),
    "code": ("code", "mã"),
    "decision": ("decision", "quyết định"),
    "effective": ("effective", "hiệu lực"),
    "indicators": ("indicators", "chỉ tiêu"),
    "default": ("default", "mặc định"),
    "origin": ("origin", "nguồn"),
    "title_vi": ("title", "tên"),
    "name_text": ("name", "nội dung"),
    "number": ("no.", "số"),
    "reference": ("reference", "số hiệu"),
    "start": ("start", "từ ngày"),
    "end": ("end", "đến ngày"),
    "report_every": ("reports", "báo cáo"),
    "units": ("units", "đơn vị"),
    "criteria_targets": ("criteria targets", "chỉ tiêu tiêu chí"),
    "indicator_targets": ("indicator targets", "chỉ tiêu số lượng"),
    "target_kind": ("target type", "loại chỉ tiêu"),
    "amount": ("amount", "mức"),
    "unit_of_measure": ("unit of measure", "đơn vị tính"),
    "direction": ("direction", "chiều"),
    "rollup": ("roll-up", "cộng dồn"),
    "key": ("item", "mục"),
    # money (issue 14)
    "planned": ("planned", "kế hoạch vốn"),
    "allocated": ("allocated", "vốn được giao"),
    "disbursed": ("disbursed", "đã giải ngân"),
    "disbursed_share": ("disbursed", "tỷ lệ giải ngân"),
    "expected_share": ("expected by now", "cần đạt đến nay"),
    "contributed": ("contributed", "nhân dân đóng góp"),
    "debt": ("outstanding debt", "nợ đọng XDCB"),
    "fund_source": ("source", "nguồn vốn"),
    "fund_kind": ("kind", "loại"),
    "project": ("project", "công trình, dự án"),
    "band": ("band", "nhóm"),
    # `exchange conflicts` and `exchange status`
    "type": ("type", "loại"),
    "verdict_a": ("verdict", "kết quả"),
    "origin_a": ("from", "từ sổ"),
    "verdict_b": ("other verdict", "kết quả khác"),
    "origin_b": ("other origin", "từ sổ khác"),
    "content_hash": ("content hash", "mã nội dung"),
    "top_units": ("covers", "phạm vi"),
    "packets": ("packets", "số gói"),
    "last_file": ("last packet", "gói gần nhất"),
    "last_imported": ("received", "nhận lúc"),
    "newest_date": ("newest data", "số liệu mới nhất"),
    "period_end": ("period end", "hết kỳ"),
    "exchange_late": ("late", "trễ hạn"),
}


def label(catalogue: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    """A code of `catalogue` as a person reads it; an unknown code as it is."""
    if code is None:
        return ""
    words = catalogue.get(code)
    if words is None:
        return code
    return words[1] if lang == "vi" else words[0]


def header(key: str, lang: str) -> str:
    return label(HEADERS, key, lang) if key in HEADERS else key


def group_label(code: str | None, lang: str, groups=()) -> str:
    """A criteria group's name: from the set's own groups (`CriteriaSet.groups`, names kept in
    the register), else from GROUPS, else the code as it is."""
    if not code:
        return ""
    for group in groups or ():
        if group.get("code") == code:
            name = group.get("name_vi") if lang == "vi" else (group.get("name_en") or group.get("name_vi"))
            if name:
                return name
    return label(GROUPS, code, lang)


def source_label(source: str | None, lang: str) -> str:
    """Where an observation came from: `command line` and `demo` as words, a file as it is."""
    return label(SOURCES, source, lang)


# Every code a person must not read in a Vietnamese table: the keys of the catalogues above
# (tests build their check from it).
CATALOGUES = {
    "STATES": STATES, "PROJECTIONS": PROJECTIONS, "REASONS": REASONS, "UNIT_KINDS": UNIT_KINDS,
    "OBSERVATION_KINDS": OBSERVATION_KINDS, "TARGET_KINDS": TARGET_KINDS, "PERIODS": PERIODS,
    "DIRECTIONS": DIRECTIONS, "ROLLUPS": ROLLUPS, "CONFIDENCE": CONFIDENCE, "SOURCES": SOURCES,
    "ORIGINS": ORIGINS, "GROUPS": GROUPS, "DB_ITEMS": DB_ITEMS, "UNIT_FIELDS": UNIT_FIELDS,
    "LEVELS": LEVELS, "STEPS": STEPS, "RESULTS": RESULTS, "MISSING": MISSING,
    "FUND_SOURCES": FUND_SOURCES, "FUND_KINDS": FUND_KINDS, "BANDS": BANDS,
}


def state_label(state: str, lang: str) -> str:
    """A report state (`on_track`, `behind` …) as a person reads it."""
    return label(STATES, state, lang)


def title_text(row, lang: str) -> str | None:
    """A status row's title: the decision, and the level when it is above NTM."""
    if not row.recognition:
        return None
    if row.recognition_level in (None, "ntm"):
        return row.recognition
    return f"{row.recognition} ({label(LEVELS, row.recognition_level, lang)})"


def status_state_text(row, lang: str) -> str:
    """A status row's state, with the merger a commune is assessed afresh from."""
    from .formats import format_date

    text = state_label(row.state, lang)
    if row.since_merger:
        text += tr(lang, " (merged {since_merger})").format(since_merger=format_date(row.since_merger, lang))
    return text


def missing_text(row, lang: str) -> str:
    """What a commune lacks for its title (model.DossierRow), in words with its figures."""
    from .formats import number_ranges

    parts = []
    for code in row.missing:
        text = label(MISSING, code, lang)
        if code == "criteria":
            text += " " + number_ranges(list(row.criteria_missing))
        elif code == "criteria_dossiers":
            text += f" {row.criteria_dossiers or 0}/{row.criteria_total}"
        elif code == "departments":
            text += f" {row.departments_passed}/{row.departments_total}"
        parts.append(text)
    return "; ".join(parts)


def projection_label(projection: str, lang: str) -> str:
    """A trend projection (`on_time`, `late` …) as a person reads it."""
    return label(PROJECTIONS, projection, lang)


def reason_text(row, lang: str) -> str:
    """Why a laggard (model.Laggard) is one, in a sentence."""
    from types import SimpleNamespace

    from .formats import format_date, format_number, number_ranges

    if isinstance(row, dict):
        row = SimpleNamespace(**row)
    target = row.target
    what = (tr(lang, "criteria {numbers}").format(numbers=number_ranges(list(target)))
            if isinstance(target, (list, tuple)) else str(target))
    if row.reason in ("disbursement_behind", "debt"):
        return funds_reason_text(row, lang)
    if row.reason == "no_report":
        return tr(lang, "no report {start} to {end}").format(
            start=format_date(row.period_start, lang), end=format_date(row.period_end, lang))
    if row.reason == "dossier_late":
        days = -row.days_left
        return ntr(lang, "{step} late: due {deadline}, {days} day overdue",
                   "{step} late: due {deadline}, {days} days overdue", days).format(
            step=label(STEPS, target, lang), deadline=format_date(row.deadline, lang), days=days)
    n = lambda v: format_number(v, lang)  # noqa: E731
    if row.reason == "overdue":
        days = -row.days_left
        return ntr(lang, "{what}: {days} day overdue, {actual} of {goal}",
                   "{what}: {days} days overdue, {actual} of {goal}", days).format(
            what=what, days=days, actual=n(row.actual), goal=n(row.goal))
    return tr(lang, "{what}: behind, {actual} against {expected} expected by now (goal {goal})").format(
        what=what, actual=n(row.actual), expected=n(row.expected), goal=n(row.goal))


def funds_reason_text(row, lang: str) -> str:
    """A money laggard in a sentence: disbursement behind the pace, or debt after the plan."""
    from .formats import format_date, format_money, format_share

    if row.reason == "debt":
        return tr(lang, "{amount} of outstanding debt after the plan ended ({date})").format(
            amount=format_money(round(row.actual), lang), date=format_date(row.deadline, lang))
    source = str(row.target).removeprefix("funds:")
    return tr(lang, "{source}: {share} of the allocation disbursed, {expected} expected by now").format(
        source=label(FUND_SOURCES, source, lang), share=format_share(row.actual, lang),
        expected=format_share(row.expected, lang))
