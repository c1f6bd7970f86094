"""Datasette metadata for a register: what each table, view and column means, in English and
Vietnamese, so `datasette register.db --metadata m.json` explains itself. Data only."""

from __future__ import annotations

from .labels import STATES

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
         "met": ("1 if met, 0 if not (an integer: `?met=1` filters)", "1 = đạt, 0 = chưa đạt"),
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
        ("Every criterion target of every plan as `ntmtrack status --plan` judges it today (the "
         "local date): the unit's criteria met, the target's, and the state. Units merged away "
         "keep their rows, marked `merged`; `status` leaves them out.",
         "Mục tiêu tiêu chí của từng kế hoạch, đánh giá như lệnh `ntmtrack status --plan` tại "
         "ngày hôm nay (giờ địa phương): số tiêu chí đơn vị đã đạt, số tiêu chí mục tiêu đã đạt và "
         "tình trạng. Đơn vị đã sáp nhập vẫn có dòng, ghi `merged`; lệnh `status` bỏ qua."),
        {"plan": ("Plan id", "Mã kế hoạch"), "unit": ("Unit name", "Tên đơn vị"),
         "unit_code": ("Code", "Mã đơn vị"), "criteria_set": ("Criteria set", "Bộ tiêu chí"),
         "criteria_wanted": ("Criteria the target asks for", "Số tiêu chí mục tiêu yêu cầu"),
         "criteria_met": ("Criteria of the set the unit meets today (as `status` counts them: "
                          "15 of 19)",
                          "Số tiêu chí của bộ đơn vị đã đạt đến hôm nay (như lệnh `status`: 15/19)"),
         "target_date": ("Deadline", "Thời hạn"), "unit_id": ("Internal unit id", "Mã nội bộ"),
         "target_id": ("Internal target id", "Mã nội bộ của mục tiêu"),
         "unit_path": ("The unit's path in the tree", "Đường dẫn đơn vị (tỉnh/huyện/…/xã)"),
         "unit_kind": ("commune, ward, village…", "Cấp đơn vị"),
         "criteria": ("The target's criteria numbers", "Các tiêu chí mục tiêu yêu cầu"),
         "criteria_total": ("Criteria in the set", "Tổng số tiêu chí của bộ"),
         "wanted_met": ("Of the target's criteria, met today", "Số tiêu chí mục tiêu đã đạt"),
         "recognized": ("1 if the unit holds a title recognised under this set (not revoked, "
                        "not from before a merger)",
                        "1 = đang giữ danh hiệu được công nhận theo bộ tiêu chí này"),
         "state": ("merged (merged away), recognized, meets_all (every criterion of the set), "
                   "target_met, overdue (deadline passed), behind (below 0.8 × the progress "
                   "expected by now), on_track",
                   "merged (đã sáp nhập), " + ", ".join(
                       f"{code} ({STATES[code][1]})" for code in (
                           "recognized", "meets_all", "target_met", "overdue", "behind",
                           "on_track"))),
         "baseline": ("Of the target's criteria, met on the plan's start",
                      "Số tiêu chí mục tiêu đã đạt khi bắt đầu kế hoạch"),
         "expected": ("Criteria expected met by today (linear from the start to the deadline)",
                      "Số tiêu chí cần đạt đến hôm nay theo tiến độ"),
         "days_left": ("Days to the deadline; negative when past", "Số ngày còn lại; âm khi đã quá hạn"),
         "active": ("0 if the unit was merged away", "0 = đơn vị đã sáp nhập"),
         "plan_in_force": ("1 if the plan is in force today (started, not past its end or "
                           "last deadline)",
                           "1 = kế hoạch đang có hiệu lực (đã bắt đầu, chưa quá ngày kết thúc "
                           "hoặc thời hạn cuối)")}),
    "laggards": (
        ("Targets past their deadline short of the goal: exactly the rows `ntmtrack laggards` "
         "gives today with reason `overdue` — plans in force, units not merged away, "
         "recognised units never; criterion and indicator targets. Units behind the pace and "
         "missed reports are in `ntmtrack laggards`.",
         "Các mục tiêu đã quá hạn mà chưa đạt: đúng các dòng `quá hạn` của lệnh `ntmtrack "
         "laggards` hôm nay — kế hoạch đang có hiệu lực, đơn vị chưa sáp nhập, không tính đơn vị "
         "đã được công nhận; cả mục tiêu tiêu chí và chỉ tiêu. Đơn vị chậm tiến độ và chưa báo "
         "cáo xem bằng lệnh `ntmtrack laggards`."),
        {"plan": ("Plan id", "Mã kế hoạch"), "unit": ("Unit name", "Tên đơn vị"),
         "unit_code": ("Code", "Mã đơn vị"),
         "criteria_set": ("Criteria set (criterion targets)", "Bộ tiêu chí (mục tiêu tiêu chí)"),
         "criteria_wanted": ("Criteria the target asks for", "Số tiêu chí mục tiêu yêu cầu"),
         "criteria_met": ("Criteria of the set the unit meets today",
                          "Số tiêu chí của bộ đơn vị đã đạt"),
         "target_date": ("Deadline", "Thời hạn"), "reason": ("Always 'overdue'", "Luôn là overdue (quá hạn)"),
         "unit_id": ("Internal unit id", "Mã nội bộ"),
         "target_id": ("Internal target id", "Mã nội bộ của mục tiêu"),
         "unit_path": ("The unit's path in the tree", "Đường dẫn đơn vị"),
         "unit_kind": ("commune, ward, village…", "Cấp đơn vị"),
         "target": ("Criteria numbers, or the indicator code", "Các tiêu chí, hoặc mã chỉ tiêu"),
         "indicator": ("Indicator code (indicator targets)", "Mã chỉ tiêu (mục tiêu chỉ tiêu)"),
         "wanted_met": ("Of the target's criteria, met today", "Số tiêu chí mục tiêu đã đạt"),
         "actual": ("Where the unit stands: criteria met, or the indicator's value (its own, "
                    "else its children's rolled up)",
                    "Kết quả hiện tại: số tiêu chí đã đạt, hoặc giá trị chỉ tiêu (của đơn vị, "
                    "hoặc cộng dồn từ cấp dưới)"),
         "expected": ("Expected by now (the goal, once the deadline has passed)",
                      "Mức cần đạt đến nay (bằng mục tiêu khi đã quá hạn)"),
         "goal": ("The goal", "Mục tiêu"),
         "shortfall": ("How far short of the goal", "Còn thiếu so với mục tiêu"),
         "days_left": ("Days to the deadline (negative: days overdue)",
                       "Số ngày còn lại (âm: số ngày quá hạn)")}),
    "unit": (
        ("The administrative tree: provinces, districts, clusters, communes, villages.",
         "Cây đơn vị hành chính: tỉnh, huyện, cụm, xã, thôn."),
        {"name": ("Name (NFC)", "Tên"), "kind": ("Kind", "Cấp"), "parent_id": ("Parent unit", "Đơn vị cấp trên"),
         "code": ("Official or local code", "Mã"), "active_until": ("Merged away on", "Ngừng hoạt động từ ngày")}),
    "observation": (
        ("Every observation ever recorded, append-only: verdicts, indicator values, recognitions "
         "and revocations, dossier steps, money and voids (corrections).",
         "Toàn bộ số liệu đã ghi, chỉ ghi thêm không sửa: đánh giá tiêu chí, giá trị chỉ tiêu, "
         "công nhận và thu hồi, các bước hồ sơ, vốn và hủy bỏ (đính chính)."),
        {"unit_id": ("Unit", "Đơn vị"), "criteria_set": ("Criteria set", "Bộ tiêu chí"),
         "criterion": ("Criterion number", "Tiêu chí"), "indicator": ("Indicator code", "Chỉ tiêu"),
         "kind": ("met, unmet, set, add, recognized, revoked, step (a dossier step), funds or void",
                  "Loại bản ghi"),
         "value": ("Value of an indicator", "Giá trị"), "decision": ("Recognition decision", "Quyết định công nhận"),
         "voids": ("The observation this one cancels", "Bản ghi bị hủy"),
         "date": ("Date the fact holds from", "Ngày số liệu"), "recorded_at": ("When it was recorded", "Thời điểm ghi"),
         "by": ("Who recorded it", "Người ghi"), "source": ("File and line, or command", "Nguồn"),
         "note": ("Note", "Ghi chú"),
         "level": ("A title's level: ntm, nang-cao, kieu-mau, hien-dai", "Mức danh hiệu"),
         "step": ("A dossier step (registered … proposed)", "Bước hồ sơ"),
         "department": ("The appraising department of a step", "Sở, ngành"),
         "result": ("An appraisal's result: passed or returned", "Kết quả thẩm định"),
         "amount": ("Money, in đồng", "Số tiền (đồng)"),
         "fund_kind": ("allocated, disbursed, contributed, debt, debt_paid", "Loại vốn"),
         "fund_source": ("The source of the money", "Nguồn vốn"),
         "project": ("The project", "Công trình, dự án")}),
    "department": (("A province's appraising departments (sở, ngành).",
                    "Các sở, ngành thẩm định của tỉnh."), {}),
    "plan": (("Campaign plans imported from YAML.", "Các kế hoạch đã nhập."), {}),
    "plan_target": (("What each plan demands of each unit, and by when.",
                     "Mục tiêu của kế hoạch cho từng đơn vị và thời hạn."), {}),
    "plan_fund": (("Each plan's capital: per unit and source, the amount planned in đồng.",
                   "Kế hoạch vốn của kế hoạch: theo đơn vị và nguồn vốn (đồng)."), {}),
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
