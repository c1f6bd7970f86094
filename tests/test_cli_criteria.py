import json

import pytest
from conftest import digest


def test_default_set_is_qd51_with_ten_criteria(run):
    run("init")
    rows = json.loads(run("criteria", "list", "--format", "json").stdout)
    assert [r["number"] for r in rows] == list(range(1, 11))
    assert rows[0]["criteria_set"] == "qd51-2025"
    assert rows[1]["name_vi"] == "Hạ tầng kinh tế - xã hội"
    assert set(rows[0]) >= {"criteria_set", "number", "name_vi", "name_en", "group"}


@pytest.mark.parametrize("code,count,first,last", [
    ("qd318-2022", 19, "Quy hoạch", "Quốc phòng và An ninh"),
    ("qd1980-2016", 19, "Quy hoạch", "Quốc phòng và An ninh"),
    ("qd491-2009", 19, "Quy hoạch và thực hiện quy hoạch", "An ninh, trật tự xã hội"),
])
def test_older_national_sets(run, code, count, first, last):
    run("init")
    rows = json.loads(run("criteria", "list", "--set", code, "-f", "json").stdout)
    assert len(rows) == count
    assert rows[0]["name_vi"] == first and rows[-1]["name_vi"] == last
    assert rows[16]["name_vi"].startswith("Môi trường")


def test_sets_lists_all_four_and_marks_default(run):
    run("init")
    rows = json.loads(run("criteria", "sets", "-f", "json").stdout)
    codes = {r["code"]: r for r in rows}
    assert set(codes) >= {"qd51-2025", "qd318-2022", "qd1980-2016", "qd491-2009"}
    assert codes["qd51-2025"]["default"] is True
    assert codes["qd51-2025"]["effective"] == "2026-02-15"


def test_show_criterion_with_indicators_and_confidence(run):
    run("init")
    rows = json.loads(run("criteria", "show", "15", "--set", "qd1980-2016", "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["15.1", "15.2", "15.3"]
    assert rows[0]["confidence"] == "verified"
    assert "is not in set" in run("criteria", "show", "20", "--set", "qd318-2022", code=1).stderr


def test_unknown_set_is_a_clear_error(run):
    run("init")
    result = run("criteria", "list", "--set", "qd999", code=1)
    assert "unknown criteria set 'qd999'" in result.stderr and "qd51-2025" in result.stderr


PROVINCIAL = """\
code: th-2022-20
decision: 05/2022/QĐ-UBND
title_vi: Bộ tiêu chí xã NTM tỉnh Thanh Hóa (ví dụ)
criteria:
{items}
"""


def _set(n=20, rename=None):
    items = "\n".join(f"  - {{number: {i}, name_vi: 'Tiêu chí {i}'}}" for i in range(1, n + 1))
    text = PROVINCIAL.format(items=items)
    return text.replace("Tiêu chí 1'", f"{rename}'") if rename else text


def test_import_custom_set_idempotent_and_replace_rules(run, db, tmp_path):
    run("init")
    f = tmp_path / "set.yaml"
    f.write_text(_set(), encoding="utf-8")
    assert "added" in run("criteria", "import", f).stderr
    before = digest(db)
    assert "nothing changed" in run("criteria", "import", f).stderr
    assert digest(db) == before
    f.write_text(_set(rename="Quy hoạch"), encoding="utf-8")
    assert "--replace" in run("criteria", "import", f, code=1).stderr
    assert digest(db) == before
    run("criteria", "import", f, "--replace")
    rows = json.loads(run("criteria", "list", "--set", "th-2022-20", "-f", "json").stdout)
    assert len(rows) == 20 and rows[0]["name_vi"] == "Quy hoạch"


def test_bad_custom_set_reports_every_problem(run, db, tmp_path):
    run("init")
    before = digest(db)
    f = tmp_path / "bad.yaml"
    f.write_text("code: Bad Code\ntitle_vi: x\ncriteria:\n  - {number: 1, name_vi: a}\n"
                 "  - {number: 1, name_vi: b}\n  - {number: zero, name_vi: c}\n  - {numbr: 3}\n")
    err = run("criteria", "import", f, code=1).stderr
    assert f"{f}:1:7: code is required" in err
    assert f"{f}:5:14: criterion 1 appears twice (first at line 4)" in err
    assert f"{f}:6:14: number must be a whole number" in err
    assert f"{f}:7:6: unknown key 'numbr'" in err
    assert digest(db) == before
