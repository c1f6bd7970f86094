"""Text is clean at the door (issue 18, rule 2): one rule (read/fields.py) for every stored text
field from every entry path; refused with the field's name and the character's position, the
register unchanged."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, digest

from ntmtrack.read import fields

HOSTILE = {
    "escape": "12/QĐ\x1b[2J\x1b]52;c;aGk=\x07",
    "c1": "ghi chú\x85",
    "bidi": "Minh \u202eChâu",
    "zero width": "Minh\u200b Châu",
    "bom": "\ufeffghi chú",
    "del": "x\x7fy",
}


@pytest.mark.parametrize("name,text", HOSTILE.items())
def test_the_rule_refuses_with_field_and_position(name, text):
    message = fields.problem(text, "note")
    assert message and message.startswith("note: ") and "position" in message


def test_the_rule_accepts_vietnamese_and_notes_with_line_breaks():
    assert fields.problem("Hợp tác xã Đồng Tiến — 19/19 tiêu chí", "title") is None
    assert fields.problem("dòng một\r\ndòng hai\tcột", "note", multiline=True) is None
    assert fields.problem("dòng một\ndòng hai", "title") is not None


@pytest.fixture
def planned(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    return ready


@pytest.mark.parametrize("name,text", HOSTILE.items())
def test_command_line_text_is_refused(planned, db, name, text):
    before = digest(db)
    for args, field in [
        (("record", "met", "Dân Lý", "1", "--date", "2018-05-01", "--note", text), "note"),
        (("record", "met", "Dân Lý", "1", "--date", "2018-05-01", "--by", text), "by"),
        (("record", "recognized", "Dân Lý", "--decision", text, "--date", "2018-12-20"), "decision"),
    ]:
        result = planned(*args, code=1)
        assert result.stderr.startswith(f"error: {field}: ") and "position" in result.stderr, result.stderr
        assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert digest(db) == before


def test_file_rows_are_refused(planned, db, tmp_path):
    before = digest(db)
    f = tmp_path / "bad.csv"
    f.write_text("date,unit,measure,value,note\n2018-05-01,Dân Lý,1,met,\"x\u202ey\"\n", encoding="utf-8")
    result = planned("record", "import", f, code=1)
    assert "note: a bidirectional control (U+202E) at position 2" in result.stderr
    f = tmp_path / "bad.jsonl"
    f.write_text('{"date": "2018-05-01", "unit": "Dân Lý", "measure": "1", "value": "met", "by": "a\\u0085"}\n',
                 encoding="utf-8")
    result = planned("record", "import", f, code=1)
    assert "by: a C1 control character (U+0085)" in result.stderr
    assert digest(db) == before
    ok = tmp_path / "ok.csv"
    ok.write_text('date,unit,measure,value,note\n2018-05-01,Dân Lý,1,met,"hai\r\ndòng"\n', encoding="utf-8")
    planned("record", "import", ok)


def test_plan_and_criteria_yaml_text_is_refused(ready, db, tmp_path):
    before = digest(db)
    text = (EXAMPLES / "trieu-son-2018.yaml").read_text(encoding="utf-8")
    f = tmp_path / "p.yaml"
    f.write_text(text.replace("reference: 1463/KH-UBND", 'reference: "1463/KH\\e[2J"'), encoding="utf-8")
    result = ready("plan", "validate", f, code=1)
    assert "reference: a control character (U+001B)" in result.stderr
    f.write_text(text.replace("title: Xây dựng NTM", "title: \u202eXây dựng NTM"), encoding="utf-8")
    assert "title: a bidirectional control" in ready("plan", "import", f, code=1).stderr
    crit = (EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml").read_text(encoding="utf-8")
    g = tmp_path / "c.yaml"
    g.write_text(crit.replace('name_vi: "Quy hoạch"', 'name_vi: "Quy\u200b hoạch"'), encoding="utf-8")
    assert "an invisible character (U+200B)" in ready("criteria", "import", g, code=1).stderr
    assert digest(db) == before


def test_unit_codes_and_aliases_are_refused(ready, db, tmp_path):
    before = digest(db)
    result = ready("units", "add", "Xã Mới", "--kind", "commune", "--parent", "Triệu Sơn",
                   "--code", "X\x1b1", code=1)
    assert "code: a control character (U+001B) at position 2" in result.stderr
    result = ready("units", "add", "Xã Mới", "--kind", "commune", "--parent", "Triệu Sơn",
                   "--alias", "A\u202eB", code=1)
    assert "alias: a bidirectional control (U+202E)" in result.stderr
    f = tmp_path / "u.yaml"
    f.write_text('- {name: Xã Q, kind: commune, code: "A\\e"}\n', encoding="utf-8")
    assert ":1:3: code: a control character" in ready("units", "import", f, code=1).stderr
    assert digest(db) == before
