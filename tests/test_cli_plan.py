import json
import textwrap

import pytest
from conftest import digest

ISSUE_SAMPLE = textwrap.dedent("""\
    plan: trieu-son-2018            # id: lowercase letters, digits, '-'; unique in the register
    title: Xây dựng NTM huyện Triệu Sơn năm 2018
    reference: 1463/KH-UBND         # optional: the plan's document number
    issued_by: UBND huyện Triệu Sơn # optional
    criteria_set: qd1980-2016       # required when there are criterion targets
    start: 2018-01-01               # required; DD/MM/YYYY accepted too
    end: 2018-12-31                 # required; not before start
    report_every: friday            # optional
    units:
      - name: Triệu Sơn
        kind: district
        children:
          - {name: Dân Lý, kind: commune}
    targets:                        # criterion targets
      - unit: Tân Ninh
        criteria: all               # every criterion of the set = reach the standard
        by: 2018-12-31              # default: end
      - units: [Dân Lý, Thọ Thế, Khuyến Nông]
        criteria: all
      - unit: Minh Châu
        criteria: [1, 2, 3, 17]
        by: 2018-09-30
      - under: Nông Cống              # every commune, town and ward below a unit
        criteria: all
        by: 2020-12-31
    metrics:                        # quantity targets on indicators
      - code: ho-so-tieu-chi
        name: Hồ sơ tiêu chí hoàn thiện
        measure: tiêu chí
        direction: up
        rollup: sum
        target: 19
        units: [Dân Lý, Tân Ninh, Thọ Thế]
        by: 2018-11-30
      - code: hang-rao-xanh
        name: Hộ trồng mới, bổ sung hàng rào xanh
        measure: hộ
        increases:
          Cẩm Trang: 40
          2 Bồng Giang: 30
        milestones:
          - {on: 2018-05-01, share: 0.5}
    """)

SETUP_UNITS = textwrap.dedent("""\
    - name: Thanh Hóa
      kind: province
      children:
        - name: Triệu Sơn
          kind: district
          children:
            - {name: Tân Ninh, kind: xã}
            - {name: Thọ Thế, kind: xã}
            - {name: Khuyến Nông, kind: xã}
            - {name: Minh Châu, kind: xã}
        - name: Nông Cống
          kind: district
          children:
            - {name: Tế Nông, kind: xã}
            - {name: Minh Khôi, kind: xã}
            - {name: Nông Cống, kind: thị trấn}
    - name: Hà Tĩnh
      kind: province
      children:
        - name: Hợp Giang
          kind: xã
          children:
            - {name: Cẩm Trang, kind: thôn}
            - {name: 2 Bồng Giang, kind: thôn}
    """)


@pytest.fixture
def sample(run, tmp_path):
    run("init")
    units = tmp_path / "units.yaml"
    units.write_text(SETUP_UNITS, encoding="utf-8")
    run("units", "import", units)
    plan = tmp_path / "plan.yaml"
    plan.write_text(ISSUE_SAMPLE, encoding="utf-8")
    return plan


def test_issue_sample_validates_imports_and_reimport_is_noop(run, db, sample):
    assert "valid" in run("plan", "validate", sample).stderr
    out = run("plan", "import", sample)
    assert "plan trieu-son-2018 added" in out.stderr
    before = digest(db)
    again = run("plan", "import", sample)
    assert "nothing changed" in again.stderr
    assert digest(db) == before
    shown = json.loads(run("plan", "show", "trieu-son-2018", "-f", "json").stdout)
    assert shown["plan"]["reference"] == "1463/KH-UBND"
    assert shown["plan"]["report_every"] == "friday"
    targets = shown["targets"]
    by_unit = {}
    for t in targets:
        by_unit.setdefault(t["unit"], []).append(t)
    assert by_unit["Minh Châu"][0]["criteria"] == [1, 2, 3, 17]
    assert by_unit["Minh Châu"][0]["by"] == "2018-09-30"
    assert by_unit["Dân Lý"][0]["criteria"] == list(range(1, 20))
    assert by_unit["Dân Lý"][0]["by"] == "2018-12-31"
    # under: every commune and town below Nông Cống
    assert {"Tế Nông", "Minh Khôi", "Nông Cống"} <= set(by_unit)
    assert by_unit["Tế Nông"][0]["by"] == "2020-12-31"
    hang_rao = [t for t in targets if t["indicator"] == "hang-rao-xanh"]
    assert {(t["unit"], t["kind"], t["amount"]) for t in hang_rao} == {
        ("Cẩm Trang", "increase", 40), ("2 Bồng Giang", "increase", 30)}
    assert hang_rao[0]["milestones"] == [{"on": "2018-05-01", "share": 0.5}]
    # the declared unit was matched or created under Triệu Sơn
    assert json.loads(run("units", "show", "Triệu Sơn/Dân Lý", "-f", "json").stdout)["kind"] == "commune"


def test_export_round_trips(run, db, sample, tmp_path):
    run("plan", "import", sample)
    exported = run("plan", "export", "trieu-son-2018").stdout
    f = tmp_path / "exported.yaml"
    f.write_text(exported, encoding="utf-8")
    before = digest(db)
    assert "nothing changed" in run("plan", "import", f).stderr
    assert digest(db) == before


def test_changed_plan_replaces_and_reports_changes(run, sample, tmp_path):
    run("plan", "import", sample)
    changed = tmp_path / "changed.yaml"
    changed.write_text(ISSUE_SAMPLE.replace("criteria: [1, 2, 3, 17]", "criteria: [1, 2, 3]"),
                       encoding="utf-8")
    dry = run("plan", "import", changed, "--dry-run")
    assert "would be replaced" in dry.stderr and "nothing was written" in dry.stderr
    shown = json.loads(run("plan", "show", "trieu-son-2018", "-f", "json").stdout)
    assert [t for t in shown["targets"] if t["unit"] == "Minh Châu"][0]["criteria"] == [1, 2, 3, 17]
    out = run("plan", "import", changed).stderr
    assert "replaced" in out
    assert "+ Thanh Hóa/Triệu Sơn/Minh Châu: criteria 1,2,3 by 2018-09-30" in out
    assert "- Thanh Hóa/Triệu Sơn/Minh Châu: criteria 1,2,3,17 by 2018-09-30" in out


BROKEN = [
    ("taget: 5\n", "unknown key 'taget'"),
    ("start: 31/02/2018\n", "'31/02/2018' is not a real date"),
]


def _break(text, old, new):
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("old,new,line,col,message", [
    ("    target: 19\n", "    taget: 19\n", 32, 5, "unknown key 'taget' (did you mean 'target'?)"),
    ("start: 2018-01-01 ", "start: 31/02/2018 ", 6, 8, "start: '31/02/2018' is not a real date"),
    ("end: 2018-12-31 ", "end: 2017-12-31 ", 7, 6, "end 2017-12-31 is before start 2018-01-01"),
    ("plan: trieu-son-2018 ", "plan: Trieu Son ", 1, 7, "plan id 'Trieu Son' must be lowercase"),
    ("criteria: [1, 2, 3, 17]", "criteria: [1, 2, 3, 27]", 21, 15, "criteria 27 not in set qd1980-2016"),
    ("criteria_set: qd1980-2016 ", "criteria_set: qd1999 ", 5, 15, "unknown criteria set 'qd1999'"),
    ("    by: 2018-09-30", "    by: 2017-09-30", 22, 9, "deadline 2017-09-30 is before the plan's start"),
    ("{on: 2018-05-01, share: 0.5}", "{on: 2019-05-01, share: 0.5}", 42, 14, "milestone 2019-05-01 is outside"),
    ("    target: 19\n", "    target: -19\n", 32, 13, "target -19 is negative"),
    ("  - unit: Minh Châu", "  - unit: Minh Chau Moi", 20, 11, "no unit named 'Minh Chau Moi'; did you mean: Minh Châu"),
    ("      Cẩm Trang: 40", "      Cẩm Trang: 40\n      Cẩm Trang: 41", 40, 7, "duplicate key 'Cẩm Trang' (first at line 39)"),
    ("    target: 19\n", "    target: 19\n    increase: 3\n", 33, 15, "give exactly one of target / targets / increase / increases"),
    ("    measure: hộ\n", "    measure: hộ\n    direction: sideways\n", 38, 16, "direction 'sideways' must be one of"),
    ("    measure: tiêu chí", "    measure: '%'", 32, 13, "target 120% is over 100%"),
    ("    units: [Dân Lý, Tân Ninh, Thọ Thế]", "    units: [Dân Lý, Tân Ninh, Thọ Thế, Dân Lý]", 33, 40, "Dân Lý appears twice in ho-so-tieu-chi"),
])
def test_broken_variants_fail_with_line_and_column_and_change_nothing(
        run, db, sample, tmp_path, old, new, line, col, message):
    bad = tmp_path / "bad.yaml"
    text = _break(ISSUE_SAMPLE, old, new)
    if "120%" in message:
        text = text.replace("    target: 19", "    target: 120")
    bad.write_text(text, encoding="utf-8")
    before = digest(db)
    for command in (("plan", "validate"), ("plan", "import")):
        result = run(*command, bad, code=1)
        assert f"{bad}:{line}:{col}: {message}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert digest(db) == before


def test_every_problem_is_reported_at_once(run, db, sample, tmp_path):
    text = ISSUE_SAMPLE.replace("    target: 19\n", "    taget: 19\n")
    text = text.replace("start: 2018-01-01 ", "start: 2018-02-30 ")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    lines = run("plan", "validate", bad, code=1).stderr.strip().splitlines()
    assert any(":6:8: start: '2018-02-30' is not a real date" in line for line in lines)
    assert any(":32:5: unknown key 'taget'" in line for line in lines)


def test_ambiguous_unit_outside_the_plans_own_units(run, sample, tmp_path):
    run("units", "add", "Cẩm Trang", "--kind", "thôn", "--parent", "Thanh Hóa")
    err = run("plan", "validate", sample, code=1).stderr
    assert ":39:7: 'Cẩm Trang' is ambiguous" in err and "Thanh Hóa/Cẩm Trang" in err


def test_units_declared_by_the_plan_settle_ambiguity(run, sample):
    run("units", "add", "Tân Ninh", "--kind", "xã", "--parent", "Hà Tĩnh")
    run("plan", "import", sample)
    shown = json.loads(run("plan", "show", "trieu-son-2018", "-f", "json").stdout)
    assert {t["unit_path"] for t in shown["targets"] if t["unit"] == "Tân Ninh"} == {
        "Thanh Hóa/Triệu Sơn/Tân Ninh"}


def test_indicator_definition_must_agree_across_plans(run, sample, tmp_path):
    run("plan", "import", sample)
    other = tmp_path / "other.yaml"
    other.write_text(textwrap.dedent("""\
        plan: other
        title: Other
        start: 2019-01-01
        end: 2019-12-31
        metrics:
          - code: hang-rao-xanh
            name: Hộ trồng mới, bổ sung hàng rào xanh
            measure: m
            target: 5
            unit: Cẩm Trang
        """), encoding="utf-8")
    err = run("plan", "import", other, code=1).stderr
    assert "other.yaml:8:14: indicator 'hang-rao-xanh' has measure 'hộ' in the register, not 'm'" in err


def test_sum_mismatch_is_a_warning_only(run, sample, tmp_path):
    f = tmp_path / "sum.yaml"
    f.write_text(textwrap.dedent("""\
        plan: sum-check
        title: Sum
        start: 2022-04-15
        end: 2022-05-30
        metrics:
          - code: chinh-trang-vuon
            name: Hộ chỉnh trang vườn
            measure: hộ
            increases: {Hợp Giang: 77, Cẩm Trang: 15, 2 Bồng Giang: 12}
        """), encoding="utf-8")
    result = run("plan", "import", f)
    assert "warning: chinh-trang-vuon: targets below Hợp Giang add up to 27, not its 77" in result.stderr


def test_yaml_hazards_stay_data(run, sample, tmp_path):
    f = tmp_path / "codes.yaml"
    f.write_text(textwrap.dedent("""\
        plan: codes
        title: no
        start: 15/04/2022
        end: 30/05/2022
        units:
          - {name: Thôn 0392, kind: village, code: 0392}
          - {name: Thôn 00010, kind: village, code: 00010}
        """), encoding="utf-8")
    run("plan", "import", f)
    assert json.loads(run("units", "show", "00010", "-f", "json").stdout)["code"] == "00010"
    assert json.loads(run("units", "show", "0392", "-f", "json").stdout)["name"] == "Thôn 0392"
    shown = json.loads(run("plan", "show", "codes", "-f", "json").stdout)
    assert shown["plan"]["title"] == "no" and shown["plan"]["start"] == "2022-04-15"


@pytest.mark.parametrize("text,message", [
    ("plan: x\ntitle: !!python/object/apply:os.system [echo hi]\nstart: 2022-01-01\nend: 2022-02-01\n",
     ":2:8: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    ("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
     "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
     "expands past"),
    ("plan: x\n" + "[" * 30000 + "\n", ":2: nesting deeper than 50 levels"),
    ("plan: x\n\ttitle: y\n", ":2:1: while scanning a plain scalar found a tab character"),
])
def test_hostile_yaml_is_refused_cleanly(run, sample, db, tmp_path, text, message):
    f = tmp_path / "hostile.yaml"
    f.write_text(text, encoding="utf-8")
    before = digest(db)
    err = run("plan", "import", f, code=1).stderr
    assert message in err and "Traceback" not in err
    assert digest(db) == before


def test_list_remove_and_schema(run, sample, monkeypatch):
    run("plan", "import", sample)
    rows = json.loads(run("plan", "list", "-f", "json").stdout)
    assert rows[0]["plan"] == "trieu-son-2018" and rows[0]["criteria_set"] == "qd1980-2016"
    assert "--yes" in run("plan", "remove", "trieu-son-2018", code=1).stderr
    run("plan", "remove", "trieu-son-2018", "--yes")
    assert json.loads(run("plan", "list", "-f", "json").stdout) == []
    schema = json.loads(run("plan", "schema").stdout)
    assert schema["required"] == ["plan", "title", "start", "end"]
    assert "taget" not in schema["properties"]["metrics"]["items"]["properties"]


def test_validate_without_a_register_uses_the_shipped_sets(run, db, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(textwrap.dedent("""\
        plan: p
        title: P
        criteria_set: qd51-2025
        start: 2026-03-01
        end: 2026-12-31
        units:
          - {name: Thanh Hóa, kind: province, children: [{name: Thọ Phú, kind: xã}]}
        targets:
          - {unit: Thọ Phú, criteria: [1, 11]}
        """), encoding="utf-8")
    err = run("plan", "validate", f, code=1).stderr
    assert "criteria 11 not in set qd51-2025" in err
    assert not db.exists()
