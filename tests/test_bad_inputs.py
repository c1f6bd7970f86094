"""The hostile-input corpus in tests/data/bad/: each file fails with its error, on stderr, with
no traceback and no raw control characters, and the register is byte-for-byte unchanged."""

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, digest

BAD = Path(__file__).resolve().parent / "data" / "bad"
EXPECTED = json.loads((BAD / "expected.json").read_text(encoding="utf-8"))
COMMANDS = {"plan": ("plan", "import"), "units": ("units", "import"),
            "criteria": ("criteria", "import"), "record": ("record", "import"),
            "exchange": ("exchange", "import")}
EXTRA = """\
plan: bad-fixture
title: Fixture
start: 2022-04-15
end: 2022-05-30
units:
  - name: Hà Tĩnh
    kind: province
    children:
      - {name: Xã Một, kind: xã, children: [{name: Thôn Trùng, kind: thôn}]}
      - {name: Xã Hai, kind: xã, children: [{name: Thôn Trùng, kind: thôn}]}
metrics:
  - {code: ty-le-phan-tram, name: Tỷ lệ, measure: '%', rollup: mean, target: 90, unit: Hợp Giang}
"""


def test_the_corpus_has_at_least_40_files():
    assert len(EXPECTED) >= 40
    assert all((BAD / name).exists() or spec.get("generated") for name, spec in EXPECTED.items())


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from typer.testing import CliRunner

    from ntmtrack.cli import app

    folder = tmp_path_factory.mktemp("template")
    db = folder / "r.db"
    extra = folder / "extra.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    for args in (["init"], ["criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml"],
                 ["plan", "import", EXAMPLES / "xa-45-ngay-2022.yaml"], ["plan", "import", extra]):
        result = CliRunner().invoke(app, [*map(str, args), "--db", str(db)])
        assert result.exit_code == 0, result.stderr
    return db


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_and_changes_nothing(run, db, template, tmp_path, name):
    import shutil

    shutil.copy(template, db)
    spec = EXPECTED[name]
    path = BAD / name
    if spec.get("generated"):
        path = tmp_path / name
        path.write_text("plan: " + "x" * (20 * 1024 * 1024) + "\n", encoding="utf-8")
    before = digest(db)
    result = run(*COMMANDS[spec["command"]], path, code=1)
    assert spec["error"] in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    assert "\x00" not in result.stderr
    assert digest(db) == before
