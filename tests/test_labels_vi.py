"""Rule 10: Vietnamese output has no English codes.

With `--lang vi` every human output (table, markdown) shows the catalogue's labels, never its
codes, and numbers in the Vietnamese format; machine formats (csv, tsv, json, jsonl) keep the
English keys and codes, whatever the language.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES

from ntmtrack.output import labels
from ntmtrack.output.labels import (
    CATALOGUES,
    CONFIDENCE,
    DB_ITEMS,
    GROUPS,
    OBSERVATION_KINDS,
    ORIGINS,
    SOURCES,
    UNIT_FIELDS,
    UNIT_KINDS,
    group_label,
    label,
)

HUMAN = ("table", "markdown")
MACHINE = ("csv", "tsv", "json", "jsonl")

# Every code of the catalogue: `met`, `set`, `on_track`, `culture_society_env`,
# `command line`, `verified`, `schema_version`, `active_until` …
CODES = sorted({code for catalogue in CATALOGUES.values() for code in catalogue}, key=len,
               reverse=True)


def leaks(text: str) -> set[str]:
    """The codes that stand as words of their own in `text` (inside a path, a file name or an
    indicator code such as `ho-so-tieu-chi` they are not words)."""
    found = set()
    for code in CODES:
        if re.search(rf"(?<![\w./:-]){re.escape(code)}(?![\w./:-])", text):
            found.add(code)
    return found


def cells(markdown: str) -> list[str]:
    """The cells of a markdown table."""
    return [c.strip() for line in markdown.splitlines() if line.startswith("|")
            for c in line.strip().strip("|").split(" | ")]


def vi(run, *args, fmt="table", **kw):
    return run(*args, "--lang", "vi", "-f", fmt, **kw).stdout


@pytest.fixture
def season(ready):
    """Triệu Sơn's 2018 plan and review notes, the winter drive of 2022, a few commands."""
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv", "--by", "Lê Văn Tám")
    by = ("--by", "Nguyễn Thị Hoa")
    ready("record", "met", "Dân Lý", "17", "18", "--date", "12/10/2018", *by)
    ready("record", "unmet", "Dân Lý", "10", "--date", "13/10/2018", *by)
    ready("record", "set", "Dân Lý", "dien-tich-vu-dong", "91.5", "--date", "20/10/2022", *by)
    ready("record", "add", "Dân Lý", "dien-tich-vu-dong", "2,5", "--date", "21/10/2022", *by)
    ready("record", "recognized", "Dân Lý", "--decision", "4863/QĐ-UBND", "--date",
          "25/12/2018", *by)
    ready("record", "void", "1", *by)
    ready("units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú", "--kind", "xã",
          "--date", "2025-07-01")
    return ready


# -- the catalogue --------------------------------------------------------------------------

def test_catalogue_has_both_languages_and_keeps_its_names():
    for name, catalogue in CATALOGUES.items():
        assert getattr(labels, name) is catalogue
        for code, (en, vi_) in catalogue.items():
            assert en and vi_, (name, code)
    assert label(OBSERVATION_KINDS, "met", "vi") == "đạt"
    assert label(SOURCES, "command line", "vi") == "dòng lệnh"
    assert label(ORIGINS, "shipped", "en") == "shipped"
    assert label(CONFIDENCE, "partly-verified", "vi") == "kiểm chứng một phần"
    assert label(UNIT_KINDS, "household_group", "en") == "household group"
    assert label(DB_ITEMS, "schema_version", "vi") == "phiên bản cấu trúc"
    assert label(UNIT_FIELDS, "active_until", "vi") == "ngừng hoạt động từ"
    assert label(SOURCES, "/tmp/a.csv:2", "vi") == "/tmp/a.csv:2"  # a file stays as it is
    assert label(SOURCES, None, "vi") == ""
    assert {"met", "on_track", "culture_society_env", "command line", "verified",
            "recognized", "add", "set", "unmet"} <= set(CODES)


def test_group_label_prefers_the_sets_own_names_then_the_catalogue():
    groups = ({"code": "culture_society_env", "name_vi": "VH-XH-MT", "name_en": None},)
    assert group_label("culture_society_env", "vi", groups) == "VH-XH-MT"
    assert group_label("culture_society_env", "en", groups) == "VH-XH-MT"  # no English name
    assert group_label("culture_society_env", "vi") == GROUPS["culture_society_env"][1]
    assert group_label("economy", "en", groups) == "Economy and production organisation"
    assert group_label("local_extra", "vi") == "local_extra"
    assert group_label(None, "vi") == ""


def test_leak_check_finds_codes_as_words_only():
    assert leaks("| 13 | met | command line |") == {"met", "command line"}
    assert leaks("Nhóm: culture_society_env") == {"culture_society_env"}
    assert not leaks("/tmp/test_met0/set.csv:2 ho-so-tieu-chi qd1980-2016 trieu-son-2018")


# -- history --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", HUMAN)
def test_history_in_vietnamese_shows_labels_and_vietnamese_numbers(season, fmt):
    out = vi(season, "history", "Dân Lý", fmt=fmt)
    assert not leaks(out), leaks(out)
    for word in ("đạt", "chưa đạt", "mức", "cộng thêm", "công nhận", "hủy", "dòng lệnh",
                 "tiêu chí 17 (qd1980-2016)"):
        assert word in out, word
    assert "91,5" in out and "+2,5" in out and "91.5" not in out
    if fmt == "markdown":
        found = cells(out)
        assert "đạt" in found and "dòng lệnh" in found and "91,5" in found
        assert not set(found) & set(CODES)


def test_history_in_english_keeps_english_numbers(season):
    out = season("history", "Dân Lý", "--lang", "en").stdout
    assert "91.5" in out and "+2.5" in out and "91,5" not in out
    assert "command line" in out and "increase" in out


@pytest.mark.parametrize("fmt", MACHINE)
def test_history_machine_formats_keep_codes_whatever_the_language(season, fmt):
    assert vi(season, "history", "Dân Lý", fmt=fmt) == \
        season("history", "Dân Lý", "--lang", "en", "-f", fmt).stdout
    if fmt == "json":
        rows = json.loads(vi(season, "history", "Dân Lý", fmt="json"))
        assert {r["kind"] for r in rows} >= {"met", "unmet", "set", "add", "recognized", "void"}
        assert {r["source"] for r in rows} >= {"command line"}
        assert 91.5 in [r["value"] for r in rows]
        assert "qd1980-2016:17" in [r["measure"] for r in rows]
    if fmt == "csv":
        out = vi(season, "history", "Dân Lý", fmt="csv")
        assert ",met,met," in out and ",command line," in out and ",91.5," in out


def test_record_messages_in_vietnamese(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    out = ready("record", "met", "Dân Lý", "17", "--date", "2018-10-12", "--lang", "vi").stderr
    assert "đạt tiêu chí 17" in out and "12/10/2018" in out and "2018-10-12" not in out
    out = ready("record", "set", "Dân Lý", "dien-tich-vu-dong", "91.5", "--date", "20/10/2022",
                "--lang", "vi").stderr
    assert "91,5" in out and "20/10/2022" in out
    out = ready("record", "set", "Dân Lý", "dien-tich-vu-dong", "17.4024", "--date",
                "21/10/2022", "--lang", "vi").stderr
    assert "đặt bằng 17,4024" in out  # the value recorded is echoed whole
    out = ready("record", "set", "Dân Lý", "dien-tich-vu-dong", "91.5", "--date", "22/10/2022",
                "--lang", "en").stderr
    assert "set to 91.5 (2022-10-22)" in out
    out = ready("record", "recognized", "Dân Lý", "--decision", "1/QĐ-UBND", "--date",
                "25/12/2018", "--lang", "vi").stderr
    assert "được công nhận" in out and "25/12/2018" in out
    for text in [out]:
        assert not leaks(text)


# -- criteria list / show / sets ------------------------------------------------------------

@pytest.mark.parametrize("fmt", HUMAN)
def test_criteria_list_shows_group_names(ready, fmt):
    out = vi(ready, "criteria", "list", "--set", "qd318-2022", fmt=fmt)
    assert not leaks(out), leaks(out)
    assert "Văn hóa - Xã hội - Môi trường" in out and "Hạ tầng kinh tế - xã hội" in out
    en = ready("criteria", "list", "--set", "qd318-2022", "--lang", "en", "-f", fmt).stdout
    assert "Culture, society and environment" in en and "culture_society_env" not in en


@pytest.mark.parametrize("fmt", HUMAN)
def test_criteria_show_labels_group_and_confidence(ready, fmt):
    out = vi(ready, "criteria", "show", "17", "--set", "qd318-2022", fmt=fmt)
    assert not leaks(out), leaks(out)
    assert "Nhóm: Văn hóa - Xã hội - Môi trường" in out
    assert "độ tin cậy: đã kiểm chứng" in out and "chưa kiểm chứng" in out
    out = vi(ready, "criteria", "show", "1", "--set", "qd51-2025", fmt=fmt)  # no indicators
    assert not leaks(out), leaks(out)


@pytest.mark.parametrize("fmt", HUMAN)
def test_criteria_sets_label_origin_and_default(ready, fmt):
    ready("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    out = vi(ready, "criteria", "sets", fmt=fmt)
    assert not leaks(out), leaks(out)
    assert "có sẵn" in out and "nhập từ tệp" in out and "null" not in out
    assert "shipped" in ready("criteria", "sets", "--lang", "en", "-f", fmt).stdout


@pytest.mark.parametrize("fmt", MACHINE)
@pytest.mark.parametrize("args", [("criteria", "list", "--set", "qd318-2022"),
                                  ("criteria", "show", "17", "--set", "qd318-2022"),
                                  ("criteria", "sets")])
def test_criteria_machine_formats_keep_codes(ready, fmt, args):
    out = vi(ready, *args, fmt=fmt)
    assert out == ready(*args, "--lang", "en", "-f", fmt).stdout
    code = {"list": "culture_society_env", "show": "unverified", "sets": "shipped"}[args[1]]
    assert code in out


# -- db info --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", HUMAN)
def test_db_info_items_in_vietnamese(season, fmt):
    out = vi(season, "db", "info", fmt=fmt)
    assert not leaks(out), leaks(out)
    assert "phiên bản cấu trúc" in out and "số đơn vị" in out and "dung lượng (byte)" in out
    assert re.search(r"m\d{3}_\w+", out)  # the schema version stays as it is
    size = json.loads(season("db", "info", "-f", "json").stdout)
    size = next(r["value"] for r in size if r["key"] == "size_bytes")
    assert f"{size:,}".replace(",", ".") in out  # 249.856


@pytest.mark.parametrize("fmt", MACHINE)
def test_db_info_machine_formats_keep_keys(season, fmt):
    out = vi(season, "db", "info", fmt=fmt)
    assert out == season("db", "info", "--lang", "en", "-f", fmt).stdout
    assert "schema_version" in out and "observation_count" in out


# -- units list / show ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", HUMAN)
def test_units_list_and_show_label_kinds_and_fields(season, fmt):
    out = vi(season, "units", "list", "--inactive", fmt=fmt)
    assert not leaks(out), leaks(out)
    assert "xã" in out and "thị trấn" in out and "cụm" in out and "huyện" in out
    assert "ngừng hoạt động từ" in out and "01/07/2025" in out
    out = vi(season, "units", "show", "Thọ Thế", fmt=fmt)
    assert not leaks(out), leaks(out)
    assert "loại" in out and "sáp nhập vào" in out and "ngừng hoạt động từ" in out
    out = vi(season, "units", "show", "Cụm 4", fmt=fmt)
    assert "cụm" in out and "đơn vị trực thuộc" in out and not leaks(out)
    if fmt == "markdown":
        assert "xã" in cells(vi(season, "units", "show", "Dân Lý", fmt=fmt))
    en = season("units", "show", "Thọ Thế", "--lang", "en", "-f", fmt).stdout
    assert "commune" in en and "inactive from" in en


@pytest.mark.parametrize("fmt", MACHINE)
def test_units_machine_formats_keep_codes(season, fmt):
    for args in (("units", "list", "--inactive"), ("units", "show", "Thọ Thế")):
        out = vi(season, *args, fmt=fmt)
        assert out == season(*args, "--lang", "en", "-f", fmt).stdout
        assert "commune" in out and "2025-07-01" in out
    if fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        out = vi(season, "units", "show", "Thọ Thế", fmt=fmt).splitlines()
        assert out[0] == f"field{sep}value"
        assert f"kind{sep}commune" in out and f"active_until{sep}2025-07-01" in out


def test_units_messages_in_vietnamese(ready):
    out = ready("units", "merge", "Thọ Thế", "--into", "Thọ Vực", "--date", "2025-07-01",
                "--lang", "vi").stderr
    assert "01/07/2025" in out and "2025-07-01" not in out
    out = ready("units", "add", "Xóm Mới", "--kind", "thôn", "--parent", "Dân Lý",
                "--lang", "vi").stderr
    assert "đã thêm thôn" in out and not leaks(out)


# -- the demo -------------------------------------------------------------------------------

def test_demo_in_vietnamese_prints_no_codes(run, tmp_path):
    out = run("demo", "--path", tmp_path / "demo.db", "--lang", "vi").stdout
    assert not leaks(out), leaks(out)
    assert "đúng tiến độ" in out and "đạt đủ" in out and "chậm" in out
    assert "14,4" in out and "17,4" in out
    en = run("demo", "--path", tmp_path / "demo.db", "--lang", "en").stdout
    assert "on track" in en and "meets all" in en and "14.4" in en
    assert "on_track" not in en and "meets_all" not in en
