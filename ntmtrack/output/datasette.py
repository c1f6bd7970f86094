"""Datasette metadata for a register: what each table, view and column means, in English and
Vietnamese, so `datasette register.db --metadata m.json` explains itself. Data only."""

from __future__ import annotations

# (English, Vietnamese) for each table or view, then its columns.
DESCRIPTIONS: dict[str, tuple[tuple[str, str], dict[str, tuple[str, str]]]] = {
    "current_criteria": (
        ("The latest live verdict of every unit on every criterion it has been judged on.",
         "Kết quả đánh giá mới nhất (còn hiệu lực) của từng đơn vị theo từng tiêu chí."),
        {"unit": ("Unit name", "Tên đơn vị"), "unit_code": ("Official or local code", "Mã đơn vị"),
         "unit_kind": ("commune, ward, village…", "Cấp đơn vị (xã, phường, thôn…)"),
         "criteria_set": ("Criteria set (decision)", "Bộ tiêu chí (quyết định)"),
         "criterion": ("Criterion number", "Số thứ tự tiêu chí"),
         "criterion_name_vi": ("Criterion name in Vietnamese", "Tên tiêu chí"),
         "criterion_name_en": ("Criterion name in English", "Tên tiêu chí (tiếng Anh)"),
         "met": ("1 if met, 0 if not", "1 = đạt, 0 = chưa đạt"),
         "verdict_date": ("Date of the verdict", "Ngày đánh giá"),
         "observation_id": ("The observation it comes from", "Số hiệu bản ghi gốc"),
         "unit_id": ("Internal unit id", "Mã nội bộ của đơn vị")}),
    "current_indicators": (
        ("Each unit's own current value of each indicator: the last level set plus the increases "
         "recorded after it (children are not rolled up here).",
         "Giá trị hiện tại của từng chỉ tiêu tại từng đơn vị: mức báo cáo gần nhất cộng các phần "
         "tăng thêm sau đó (chưa cộng dồn từ đơn vị cấp dưới)."),
        {"unit": ("Unit name", "Tên đơn vị"), "unit_code": ("Code", "Mã đơn vị"),
         "unit_kind": ("Kind of unit", "Cấp đơn vị"), "indicator": ("Indicator code", "Mã chỉ tiêu"),
         "indicator_name": ("Indicator name", "Tên chỉ tiêu"),
         "measure": ("Unit of measure (hộ, ha, %…)", "Đơn vị tính"),
         "value": ("Current value", "Giá trị hiện tại"),
         "last_date": ("Date of the latest observation", "Ngày báo cáo gần nhất"),
         "unit_id": ("Internal unit id", "Mã nội bộ của đơn vị")}),
    "target_status": (
        ("Every criterion target of every plan with how many of its criteria are met today.",
         "Mục tiêu tiêu chí của từng kế hoạch và số tiêu chí đã đạt đến nay."),
        {"plan": ("Plan id", "Mã kế hoạch"), "unit": ("Unit name", "Tên đơn vị"),
         "unit_code": ("Code", "Mã đơn vị"), "criteria_set": ("Criteria set", "Bộ tiêu chí"),
         "criteria_wanted": ("Criteria the target asks for", "Số tiêu chí phải đạt"),
         "criteria_met": ("Of those, met now", "Số tiêu chí đã đạt"),
         "target_date": ("Deadline", "Thời hạn"), "unit_id": ("Internal unit id", "Mã nội bộ")}),
    "laggards": (
        ("Criterion targets past their deadline and not yet met. `ntmtrack laggards` also "
         "reports units behind the expected pace and missed reports, which a view cannot judge.",
         "Các mục tiêu tiêu chí đã quá hạn mà chưa đạt. Lệnh `ntmtrack laggards` còn liệt kê "
         "đơn vị chậm so với tiến độ và đơn vị chưa báo cáo."),
        {"plan": ("Plan id", "Mã kế hoạch"), "unit": ("Unit name", "Tên đơn vị"),
         "unit_code": ("Code", "Mã đơn vị"), "criteria_set": ("Criteria set", "Bộ tiêu chí"),
         "criteria_wanted": ("Criteria the target asks for", "Số tiêu chí phải đạt"),
         "criteria_met": ("Of those, met now", "Số tiêu chí đã đạt"),
         "target_date": ("Deadline", "Thời hạn"), "reason": ("Always 'overdue'", "Quá hạn"),
         "unit_id": ("Internal unit id", "Mã nội bộ")}),
    "unit": (
        ("The administrative tree: provinces, districts, clusters, communes, villages.",
         "Cây đơn vị hành chính: tỉnh, huyện, cụm, xã, thôn."),
        {"name": ("Name (NFC)", "Tên"), "kind": ("Kind", "Cấp"), "parent_id": ("Parent unit", "Đơn vị cấp trên"),
         "code": ("Official or local code", "Mã"), "active_until": ("Merged away on", "Ngừng hoạt động từ ngày")}),
    "observation": (
        ("Every observation ever recorded, append-only: verdicts, indicator values, recognitions "
         "and voids (corrections).",
         "Toàn bộ số liệu đã ghi, chỉ ghi thêm không sửa: đánh giá tiêu chí, giá trị chỉ tiêu, "
         "công nhận và hủy bỏ (đính chính)."),
        {"unit_id": ("Unit", "Đơn vị"), "criteria_set": ("Criteria set", "Bộ tiêu chí"),
         "criterion": ("Criterion number", "Tiêu chí"), "indicator": ("Indicator code", "Chỉ tiêu"),
         "kind": ("met, unmet, set, add, recognized or void", "Loại bản ghi"),
         "value": ("Value of an indicator", "Giá trị"), "decision": ("Recognition decision", "Quyết định công nhận"),
         "voids": ("The observation this one cancels", "Bản ghi bị hủy"),
         "date": ("Date the fact holds from", "Ngày số liệu"), "recorded_at": ("When it was recorded", "Thời điểm ghi"),
         "by": ("Who recorded it", "Người ghi"), "source": ("File and line, or command", "Nguồn"),
         "note": ("Note", "Ghi chú")}),
    "plan": (("Campaign plans imported from YAML.", "Các kế hoạch đã nhập."), {}),
    "plan_target": (("What each plan demands of each unit, and by when.",
                     "Mục tiêu của kế hoạch cho từng đơn vị và thời hạn."), {}),
    "indicator": (("Indicators defined by plans' metrics.", "Các chỉ tiêu định lượng."), {}),
    "criterion": (("The criteria of each set.", "Các tiêu chí của từng bộ tiêu chí."), {}),
    "criteria_set": (("National and provincial criteria sets.", "Các bộ tiêu chí quốc gia và tỉnh."), {}),
}


def metadata(database: str) -> dict:
    """Datasette's metadata document for a register opened as `database` (the file's stem)."""
    tables = {}
    for name, ((en, vi), columns) in DESCRIPTIONS.items():
        entry = {"description": f"{en} — {vi}"}
        if columns:
            entry["columns"] = {c: f"{cen} — {cvi}" for c, (cen, cvi) in columns.items()}
        tables[name] = entry
    return {
        "title": "ntmtrack register — Sổ theo dõi nông thôn mới",
        "description": "New Rural Development (nông thôn mới) register kept by ntmtrack. Start "
                       "with the views current_criteria, target_status and laggards.",
        "source": "ntmtrack",
        "databases": {database: {"tables": tables}},
    }
