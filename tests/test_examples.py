"""Every file in examples/ imports with zero problems, and the schema accepts every plan."""

import json
import sqlite3

import pytest
import yaml
from conftest import EXAMPLES

PLANS = sorted(p for p in EXAMPLES.glob("*.yaml") if yaml.safe_load(p.read_text()).__class__ is dict
               and "plan" in yaml.safe_load(p.read_text()))


def test_all_examples_import_cleanly_and_twice_is_noop(run):
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    assert len(PLANS) >= 4
    for plan in PLANS:
        result = run("plan", "import", plan)
        assert "error" not in result.stderr and "warning" not in result.stderr, result.stderr
    for plan in PLANS:
        assert "nothing changed" in run("plan", "import", plan).stderr
    ids = {r["plan"] for r in json.loads(run("plan", "list", "-f", "json").stdout)}
    assert ids == {"trieu-son-2018", "trieu-son-vu-dong-2022", "hop-giang-45-ngay-2022", "phong-my-2022",
                   "ky-anh-2017"}


def test_campaign_example_has_the_articles_household_targets(run):
    run("init")
    run("criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    run("plan", "import", EXAMPLES / "xa-45-ngay-2022.yaml")
    targets = json.loads(run("plan", "show", "hop-giang-45-ngay-2022", "-f", "json").stdout)["targets"]
    commune = {t["indicator"]: t["amount"] for t in targets if t["unit"] == "Hợp Giang" and t["indicator"]}
    assert commune == {"khu-dan-cu-mau": 1, "vuon-sinh-thai": 4, "chinh-trang-vuon": 77,
                       "hang-rao-xanh": 140, "cong-ngo": 65, "ho-lang-loc": 70,
                       "nha-ve-sinh-tu-hoai": 38, "chuong-trai": 50}
    criteria = [t for t in targets if t["kind"] == "criteria"]
    assert len(criteria) == 1 and len(criteria[0]["criteria"]) == 20


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
def test_schema_accepts_every_example(plan):
    jsonschema = pytest.importorskip("jsonschema")
    from ntmtrack.read.plan_schema import schema

    data = yaml.load(plan.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    jsonschema.validate(data, schema())


def test_demo_rebuilds_its_own_register_in_place_and_refuses_others(run, tmp_path):
    demo = tmp_path / "demo.db"
    first = run("demo", "--path", demo).stdout
    assert "Dân Lý" in first and "Laggards" in first
    reader = sqlite3.connect(demo)
    count = reader.execute("SELECT count(*) FROM observation").fetchone()[0]
    second = run("demo", "--path", demo).stdout  # with a reader still connected
    assert second == first
    assert reader.execute("SELECT count(*) FROM observation").fetchone()[0] == count
    reader.close()
    assert "register ok" in run("db", "check", "--db", demo).stderr
    run("init")
    assert "not an ntmtrack demo register" in run("demo", "--path", run.db, code=1).stderr
