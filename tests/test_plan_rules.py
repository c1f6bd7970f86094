"""Issue 12's rules for plans, each held through the library and through the CLI:

- numbers as offices write them: one parser for plans and observations (read/numbers.py);
- binding a plan to the register is a pure step (register/plans.bind), saving a second one,
  so `plan validate` reads the register only and works while another process writes;
- a `down` target with no baseline and no value on the plan's start is warned about;
- `plan show` speaks the language asked for and tells namesakes apart.
"""

import json
import re
import sqlite3
import textwrap

import pytest
from conftest import EXAMPLES, digest

from ntmtrack.read import numbers
from ntmtrack.read.plan_file import parse

HEAD = "plan: p\ntitle: P\nstart: 2022-01-01\nend: 2022-12-31\nmetrics:\n  - code: m\n    name: M\n"


def _plan(*lines: str) -> str:
    return HEAD + "".join(f"    {line}\n" for line in lines)


def _messages(problems) -> list[str]:
    return [str(p) for p in problems]


# -- numbers as offices write them -------------------------------------------------------

OFFICE_NUMBERS = ["12", "5,5", "5.5", "5.466,32", "5,466.32", "1.234.567", "1.101,4", "85%",
                  "1 234", "0.125", "1234.567", "1234,5", ".5", "+12"]


@pytest.mark.parametrize("text", OFFICE_NUMBERS)
def test_a_plan_reads_a_number_exactly_as_an_observation_file_does(text):
    expected = numbers.parse_amount(text)
    assert not isinstance(expected, str), expected
    for written in (f'"{text}"', text):
        doc, problems = parse(_plan(f"target: {written}", "unit: Dân Lý"), "p.yaml")
        assert problems == [], _messages(problems)
        assert doc.metrics[0].amounts[0][1] == expected[0]
        doc, problems = parse(_plan("target: 100", f"baseline: {written}", "unit: Dân Lý"), "p.yaml")
        assert problems == [] and doc.metrics[0].default_baseline == expected[0]


@pytest.mark.parametrize("text,readings", [
    ("1.234", (1234, 1.234)), ("1,234", (1234, 1.234)), ("12.500", (12500, 12.5)),
    ("-1.234", (-1234, -1.234)), ("250,000", (250000, 250.0)),
])
def test_a_value_that_reads_two_ways_is_refused_by_plans_and_observations(text, readings):
    assert "ambiguous" in numbers.parse_amount(text)
    found = numbers.read_amount(text)
    assert isinstance(found, numbers.Unreadable) and found.readings == readings
    # With the decimal mark settled, observations read it.
    assert numbers.parse_amount(text, ",")[0] in readings
    for written in (f'"{text}"', text):
        _, problems = parse(_plan("target: 100", f"baseline: {written}", "unit: Dân Lý"), "p.yaml")
        [message] = _messages(problems)
        assert message.startswith(f"p.yaml:9:15: baseline '{text}' reads two ways"), message
        assert f"write {int(readings[0])} for the thousands, or " in message, message
        assert message.endswith(" for the decimal"), message


def test_the_ambiguity_message_shows_how_to_write_each_reading():
    _, problems = parse(_plan('target: "1.234"', "unit: Dân Lý"), "p.yaml")
    assert _messages(problems) == [
        ("p.yaml:8:13: target '1.234' reads two ways (1234, or 1.234 with a decimal point): "
         "write 1234 for the thousands, or 1.2340 for the decimal")]
    _, problems = parse(_plan('target: "1,234"', "unit: Dân Lý"), "p.yaml")
    assert _messages(problems) == [
        ("p.yaml:8:13: target '1,234' reads two ways (1234, or 1,234 with a decimal comma): "
         "write 1234 for the thousands, or 1,2340 for the decimal")]


def test_a_number_that_cannot_be_thousands_is_a_decimal_everywhere():
    # 1234.567: a thousands dot never follows four digits, so it reads one way only.
    assert numbers.parse_amount("1234.567") == (1234.567, False)
    assert numbers.parse_amount("0.125") == (0.125, False)
    assert "ambiguous" in numbers.parse_amount("123.456")


@pytest.mark.parametrize("text", ["nhiều", "1.2.3,4,5", "5,466,32", "1e3", ""])
def test_plans_and_observations_refuse_the_same_non_numbers(text):
    assert isinstance(numbers.parse_amount(text), str)
    _, problems = parse(_plan(f'target: "{text}"', "unit: Dân Lý"), "p.yaml")
    assert problems and "target" in problems[0].message


def test_every_amount_of_a_plan_goes_through_the_parser():
    text = _plan('targets: {Dân Lý: "5.466,32", Thọ Thế: "1.234"}',
                 'baseline: {Dân Lý: "1.101,4", Thọ Thế: "2.500"}',
                 "milestones:", '  - {on: 2022-06-01, share: "0,5"}', '  - {on: 2022-07-01, share: "1.500"}')
    _, problems = parse(text, "p.yaml")
    lines = text.splitlines()
    assert [(p.line, p.column, p.message.split(" reads")[0]) for p in problems] == [
        (8, lines[7].index('"1.234"') + 1, "targets '1.234'"),
        (9, lines[8].index('"2.500"') + 1, "baseline '2.500'"),
        (12, lines[11].index('"1.500"') + 1, "share '1.500'")]
    doc, problems = parse(text.replace('"1.234"', '"1.234,0"').replace('"2.500"', "2500")
                          .replace('"1.500"', "1"), "p.yaml")
    assert problems == [], _messages(problems)
    metric = doc.metrics[0]
    assert [a for _, a in metric.amounts] == [5466.32, 1234.0]
    assert metric.baselines == {"Dân Lý": 1101.4, "Thọ Thế": 2500.0}
    assert [s for _, s in metric.milestones] == [0.5, 1.0]


@pytest.mark.parametrize("mapping,number", [
    ("targets: {Dân Lý: 88,5, Thọ Thế: 12}", "88,5"),
    ("targets: {Thọ Thế: 12, Dân Lý: 88,25}", "88,25"),
    ("baseline: {Dân Lý: 1,5}", "1,5"),
])
def test_a_decimal_comma_in_a_flow_mapping_says_to_quote_it(mapping, number):
    lines = ["target: 100", "unit: Dân Lý", mapping] if mapping.startswith("baseline") else [mapping]
    _, problems = parse(_plan(*lines), "p.yaml")
    [message] = _messages(problems)
    line = 8 + lines.index(mapping)
    col = 5 + mapping.index(number)
    decimal = number.replace(",", ".")
    assert message == (f"p.yaml:{line}:{col}: {number} is cut at the comma inside {{…}}: "
                       f'quote it ("{number}") or write {decimal}'), message


def test_a_whole_metric_in_flow_style_with_a_decimal_comma():
    line = "  - {code: m, name: M, target: 88,5, unit: Dân Lý}"
    text = HEAD.split("  - code: m")[0] + line + "\n"
    _, problems = parse(text, "p.yaml")
    assert _messages(problems) == [
        f'p.yaml:6:{line.index("88") + 1}: 88,5 is cut at the comma inside {{…}}: quote it ("88,5") or write 88.5']


@pytest.mark.parametrize("line,suggestion", [
    ("measure: %", 'measure: "%"'),
    ("measure: % hộ  # share of households", 'measure: "% hộ"'),
])
def test_an_unquoted_percent_measure_says_to_quote_it(line, suggestion):
    _, problems = parse(_plan(line, "target: 5", "unit: Dân Lý"), "p.yaml")
    [message] = _messages(problems)
    assert message.startswith("p.yaml:8:14: ") and f"quote it: {suggestion}" in message, message
    assert "cannot start any token" not in message


def test_exported_numbers_read_back_to_the_same_plan():
    doc, problems = parse(_plan('targets: {Dân Lý: "1.234,5", Thọ Thế: "1,2340", Dân Quyền: "0,00001"}'),
                          "p.yaml")
    assert problems == []
    from ntmtrack.read.yamldoc import dump

    again, problems = parse(dump(doc.document), "p.yaml")
    assert problems == [], _messages(problems)
    assert again.document == doc.document
    assert [a for _, a in again.metrics[0].amounts] == [1234.5, 1.234, 0.00001]


# -- binding reads, saving writes ---------------------------------------------------------

NEW_UNITS = textwrap.dedent("""\
    plan: xom-moi
    title: Xóm mới
    start: 2022-01-01
    end: 2022-12-31
    report_every: friday
    units:
      - name: Triệu Sơn
        kind: district
        children:
          - name: Cụm 7
            kind: cluster
            children:
              - {name: Đức Thành, kind: commune, children: [{name: Xóm 1, kind: village}]}
              - {name: Hợp Lý, kind: commune, children: [{name: Xóm 1, kind: village}]}
          - {name: Dân Lý, kind: commune, aliases: [Xã Dân Lý mới]}
    metrics:
      - code: ho-moi
        name: Hộ làm mới
        measure: hộ
        increases: {Đức Thành/Xóm 1: 5, Hợp Lý/Xóm 1: 6, Đức Thành: 5, Xã Dân Lý mới: 2}
      - code: ty-le-ngheo
        name: Tỷ lệ hộ nghèo
        measure: "%"
        direction: down
        rollup: mean
        target: 2,5
        under: Cụm 7
    """)


def _readonly(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)


def test_bind_reads_only_and_sees_the_units_the_plan_would_create(ready, db):
    from ntmtrack.register import plans

    doc, problems = parse(NEW_UNITS, "p.yaml")
    assert problems == []
    before = digest(db)
    conn = _readonly(db)
    try:
        bound, problems = plans.bind(conn, doc)
        assert [p for p in problems if not p.warning] == []
        assert conn.total_changes == 0
        paths = {row["unit_id"]: bound.path(row["unit_id"]) for row in bound.rows}
    finally:
        conn.close()
    assert digest(db) == before
    assert sorted(bound.created) == ["Thanh Hóa/Triệu Sơn/Cụm 7", "Thanh Hóa/Triệu Sơn/Cụm 7/Hợp Lý",
                                     "Thanh Hóa/Triệu Sơn/Cụm 7/Hợp Lý/Xóm 1",
                                     "Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành",
                                     "Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành/Xóm 1"]
    assert sorted((paths[r["unit_id"]], r["indicator"], r["amount"]) for r in bound.rows) == [
        ("Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý", "ho-moi", 2),
        ("Thanh Hóa/Triệu Sơn/Cụm 7/Hợp Lý", "ty-le-ngheo", 2.5),
        ("Thanh Hóa/Triệu Sơn/Cụm 7/Hợp Lý/Xóm 1", "ho-moi", 6),
        ("Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành", "ho-moi", 5),
        ("Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành", "ty-le-ngheo", 2.5),
        ("Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành/Xóm 1", "ho-moi", 5),
    ]


def test_save_writes_what_bind_found(ready, db):
    from ntmtrack.register import plans
    from ntmtrack.store import write_transaction

    doc, _ = parse(NEW_UNITS, "p.yaml")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        with write_transaction(conn):
            bound, problems = plans.bind(conn, doc)
            assert not [p for p in problems if not p.warning]
            outcome = plans.save(conn, bound)
    finally:
        conn.close()
    assert outcome.status == "added" and len(outcome.units_created) == 5
    shown = json.loads(ready("plan", "show", "xom-moi", "-f", "json").stdout)["targets"]
    assert sorted((t["unit_path"], t["indicator"], t["amount"]) for t in shown) == sorted(
        (path, code, amount) for path, code, amount in [
            ("Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý", "ho-moi", 2),
            ("Thanh Hóa/Triệu Sơn/Cụm 7/Hợp Lý", "ty-le-ngheo", 2.5),
            ("Thanh Hóa/Triệu Sơn/Cụm 7/Hợp Lý/Xóm 1", "ho-moi", 6),
            ("Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành", "ho-moi", 5),
            ("Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành", "ty-le-ngheo", 2.5),
            ("Thanh Hóa/Triệu Sơn/Cụm 7/Đức Thành/Xóm 1", "ho-moi", 5)])
    assert "Xã Dân Lý mới" in ready("units", "show", "Dân Lý").stdout


def test_bind_of_the_examples_agrees_with_their_import(ready, db):
    """Each example plan binds (read-only) to exactly the targets its import writes."""
    from ntmtrack.register import plans

    ready("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    for name in ("trieu-son-2018.yaml", "trieu-son-vu-dong-2022.yaml", "xa-45-ngay-2022.yaml",
                 "phong-my-2022.yaml"):
        doc, problems = parse((EXAMPLES / name).read_text(encoding="utf-8"), name)
        assert problems == []
        conn = _readonly(db)
        try:
            bound, problems = plans.bind(conn, doc)
            assert problems == [], _messages(problems)
            expected = sorted((bound.path(r["unit_id"]), r["kind"], r.get("indicator"), r.get("amount"),
                               r["by"]) for r in bound.rows)
        finally:
            conn.close()
        ready("plan", "import", EXAMPLES / name)
        shown = json.loads(ready("plan", "show", doc.id, "-f", "json").stdout)["targets"]
        assert sorted((t["unit_path"], t["kind"], t["indicator"], t["amount"], t["by"])
                      for t in shown) == expected, name


def test_bind_sees_units_a_tree_moves_into_a_new_level(run, db, tmp_path):
    """A register with communes right under their district; a plan whose tree adds the
    clusters between them: binding moves them in memory, saving moves them for real."""
    from ntmtrack.register import plans

    run("init")
    flat = tmp_path / "flat.yaml"
    flat.write_text(textwrap.dedent("""\
        - name: Triệu Sơn
          kind: district
          children:
            - {name: Dân Lý, kind: commune}
            - {name: Dân Lực, kind: commune}
            - {name: Thọ Thế, kind: commune}
        """), encoding="utf-8")
    run("units", "import", flat)
    plan = textwrap.dedent("""\
        plan: cum
        title: Cụm
        criteria_set: qd1980-2016
        start: 2022-01-01
        end: 2022-12-31
        units:
          - name: Triệu Sơn
            kind: district
            children:
              - {name: Cụm 4, kind: cluster, children: [{name: Dân Lý, kind: commune}, {name: Dân Lực, kind: commune}]}
        targets:
          - {under: Cụm 4, criteria: [1, 2]}
        """)
    doc, _ = parse(plan, "cum.yaml")
    conn = _readonly(db)
    try:
        bound, problems = plans.bind(conn, doc)
        assert problems == []
        assert sorted(bound.path(r["unit_id"]) for r in bound.rows) == [
            "Triệu Sơn/Cụm 4/Dân Lý", "Triệu Sơn/Cụm 4/Dân Lực"]
        assert all(r["unit_id"] > 0 for r in bound.rows) and bound.created == ["Triệu Sơn/Cụm 4"]
    finally:
        conn.close()
    f = tmp_path / "cum.yaml"
    f.write_text(plan, encoding="utf-8")
    assert "1 units created" in run("plan", "import", f).stderr
    shown = json.loads(run("plan", "show", "cum", "-f", "json").stdout)["targets"]
    assert sorted(t["unit_path"] for t in shown) == ["Triệu Sơn/Cụm 4/Dân Lý", "Triệu Sơn/Cụm 4/Dân Lực"]


def test_validate_works_while_another_process_holds_the_write_lock(ready, db, tmp_path, monkeypatch):
    monkeypatch.setenv("NTMTRACK_BUSY_TIMEOUT", "0.5")
    good = tmp_path / "good.yaml"
    good.write_text(NEW_UNITS, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(NEW_UNITS.replace("Hợp Lý/Xóm 1: 6", "Hợp Lý/Xóm 9: 6"), encoding="utf-8")
    free_good = ready("plan", "validate", good)
    free_bad = ready("plan", "validate", bad, code=1)
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("INSERT INTO unit_alias (unit_id, alias, folded) VALUES (1, 'khoá', 'khoa')")
    try:
        locked_good = ready("plan", "validate", good)
        locked_bad = ready("plan", "validate", bad, code=1)
        # the writer is still there: a write would fail with exit 75
        assert ready("plan", "import", good, code=75)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert locked_good.stderr == free_good.stderr and "valid" in free_good.stderr
    assert locked_bad.stderr == free_bad.stderr
    assert "bad.yaml:20:" in free_bad.stderr and "Xóm 9" in free_bad.stderr


def test_validate_and_import_refuse_an_ambiguous_number_at_its_place(ready, db, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(NEW_UNITS.replace("target: 2,5", "target: 2.500"), encoding="utf-8")
    before = digest(db)
    for command in ("validate", "import"):
        err = ready("plan", command, f, code=1).stderr
        assert f"{f}:26:13: target '2.500' reads two ways (2500, or 2.5 with a decimal point): " \
               "write 2500 for the thousands, or 2.5 for the decimal" in err, err
    assert digest(db) == before


def test_dry_run_with_new_units_reports_and_writes_nothing(ready, db, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(NEW_UNITS, encoding="utf-8")
    before = digest(db)
    err = ready("plan", "import", f, "--dry-run").stderr
    assert "plan xom-moi would be added, 5 units created" in err and "nothing was written" in err
    assert digest(db) == before
    err = ready("plan", "import", f).stderr
    assert "plan xom-moi added, 5 units created" in err
    assert "nothing changed" in ready("plan", "import", f).stderr


# -- rule 6: a `down` target with no baseline ---------------------------------------------

DOWN = textwrap.dedent("""\
    plan: ngheo
    title: Giảm nghèo
    start: 2022-03-01
    end: 2022-12-31
    metrics:
      - code: ty-le-ngheo
        name: Tỷ lệ hộ nghèo
        measure: "%"
        direction: down
        rollup: mean
        target: 2,5
        units: [Dân Lý, Thọ Thế, Minh Châu]
        baseline: {Thọ Thế: 4}
    """)


def test_a_down_target_without_baseline_or_start_value_is_warned_about(ready, tmp_path):
    from ntmtrack.register import plans

    f = tmp_path / "down.yaml"
    f.write_text(DOWN, encoding="utf-8")
    result = ready("plan", "validate", f)
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert warnings == [
        f"{f}:12:{col}: warning: ty-le-ngheo (direction: down) for {name} has no baseline and no "
        "value on 2022-03-01, the plan's start: its first value recorded inside the plan will be "
        "the baseline (give 'baseline:' to set one)"
        for col, name in ((13, "Dân Lý"), (30, "Minh Châu"))]
    assert warnings[0] in ready("plan", "import", f).stderr
    # a value on the plan's start is the baseline: no warning for Minh Châu any more
    ready("record", "set", "Minh Châu", "ty-le-ngheo", "3,2", "--date", "2022-02-15")
    again = ready("plan", "validate", f).stderr
    assert "Dân Lý has no baseline" in again and "Minh Châu" not in again
    doc, _ = parse(DOWN, "down.yaml")
    conn = _readonly(ready.db)
    try:
        _, problems = plans.bind(conn, doc)
    finally:
        conn.close()
    assert [(p.warning, p.line, p.column) for p in problems] == [(True, 12, 13)]


def test_up_targets_and_down_targets_with_a_baseline_are_not_warned_about(ready, tmp_path):
    f = tmp_path / "up.yaml"
    f.write_text(DOWN.replace("direction: down", "direction: up"), encoding="utf-8")
    assert "warning" not in ready("plan", "validate", f).stderr
    f.write_text(DOWN.replace("baseline: {Thọ Thế: 4}", "baseline: 5"), encoding="utf-8")
    assert "warning" not in ready("plan", "validate", f).stderr


# -- plan show: labels, not codes; namesakes told apart -----------------------------------

def _imported(ready, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(NEW_UNITS + textwrap.dedent("""\
        criteria_set: qd1980-2016
        targets:
          - {unit: Dân Lý, criteria: all}
          - {unit: Đức Thành, criteria: [1, 2, 3]}
        """), encoding="utf-8")
    ready("plan", "import", f)


CODES = re.compile(r"\b(friday|increase|level|criteria|down|mean|sum|commune|village)\b")


def test_plan_show_in_vietnamese_shows_labels_not_codes(ready, tmp_path):
    _imported(ready, tmp_path)
    result = ready("plan", "show", "xom-moi", "--lang", "vi")
    text = result.stdout + result.stderr
    assert not CODES.search(text), CODES.findall(text)
    for words in ("thứ Sáu hằng tuần", "tăng thêm", "đạt mức", "tiêu chí", "giảm (tối đa)", "bình quân",
                  "cộng", "thôn", "tất cả 19 tiêu chí", "tiêu chí 1, 2, 3"):
        assert words in text, words


def test_plan_show_in_english_shows_labels_and_machine_formats_keep_codes(ready, tmp_path):
    _imported(ready, tmp_path)
    result = ready("plan", "show", "xom-moi")
    assert "every Friday" in result.stderr and "down (at most)" in result.stdout
    csv = ready("plan", "show", "xom-moi", "-f", "csv", "--lang", "vi").stdout
    assert ",increase," in csv and ",village," in csv and ",criteria," in csv
    data = json.loads(ready("plan", "show", "xom-moi", "-f", "json", "--lang", "vi").stdout)
    assert data["plan"]["report_every"] == "friday"
    assert {t["kind"] for t in data["targets"]} == {"criteria", "increase", "level"}


def test_plan_show_tells_namesakes_apart(ready, tmp_path):
    _imported(ready, tmp_path)
    for lang in ("en", "vi"):
        table = ready("plan", "show", "xom-moi", "--lang", lang).stdout
        assert "Xóm 1 (Đức Thành)" in table and "Xóm 1 (Hợp Lý)" in table
        assert "Đức Thành (" not in table  # a name shared by no one stays bare
    markdown = ready("plan", "show", "xom-moi", "-f", "markdown").stdout
    assert "Xóm 1 (Hợp Lý)" in markdown
    data = json.loads(ready("plan", "show", "xom-moi", "-f", "json").stdout)["targets"]
    assert {t["unit"] for t in data if t["unit_path"].endswith("Xóm 1")} == {"Xóm 1"}


# -- the schema accepts what plans accept ----------------------------------------------------

def test_the_schema_accepts_numbers_as_offices_write_them():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from ntmtrack.read.plan_schema import schema

    text = _plan('targets: {Dân Lý: "5.466,32", Thọ Thế: 1.234.567, Dân Quyền: "85%", Thọ Vực: "1 234"}',
                 'baseline: {Dân Lý: "+1.101,4"}', "milestones:", '  - {on: 2022-06-01, share: "0,5"}')
    assert parse(text, "p.yaml")[1] == []
    jsonschema.validate(yaml.load(text, Loader=yaml.BaseLoader), schema())
    bad = _plan('target: "nhiều"', "unit: Dân Lý")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.load(bad, Loader=yaml.BaseLoader), schema())


def test_a_plan_says_every_problem_at_once(ready, tmp_path, db):
    """Issue 15 item 4: shape, values and binding to the register in one run — the second run
    finds nothing the first did not say."""
    plan = tmp_path / "nhieu-loi.yaml"
    plan.write_text("""plan: nhieu-loi
title: Nhiều lỗi
criteria_set: qd1980-2016
start: 2018-01-01
end: 2018-12-31
targets:
  - units: [Dân Lý, Không Có Xã]
    criteria: [1, 2, 25]
    by: 2018-12-31
  - unit: Tân Ninh
    criteria: all
    by: 2017-05-01
  - units: Thọ Thế, Thọ Phú
    criteria: all
metrics:
  - code: bhyt
    name: BHYT
    measure: "%"
    target: 88,5,1
    units: [Minh Châu]
  - code: nha
    name: Nhà
    target: 5
    units: [Xã Ma]
""", encoding="utf-8")
    before = digest(db)
    for command in ("validate", "import"):
        lines = ready("plan", command, plan, code=1).stderr.strip().splitlines()
        assert [line.split(":")[1] for line in lines] == ["7", "8", "12", "13", "19", "24"], lines
        assert "write units: [Thọ Thế, Thọ Phú]" in lines[3]
        assert "Không Có Xã" in lines[0] and "Xã Ma" in lines[5] and "25" in lines[1]
    assert digest(db) == before
