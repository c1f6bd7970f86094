import json
import unicodedata

import pytest
from conftest import EXAMPLES, digest


def test_import_yaml_tree_then_reimport_is_noop(run, db):
    run("init")
    first = run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    assert "units added" in first.stderr
    before = digest(db)
    again = run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    assert "nothing changed" in again.stderr
    assert digest(db) == before


def test_list_is_in_vietnamese_order_and_machine_formats_have_keys(ready):
    out = ready("units", "list", "--under", "Triệu Sơn", "--kind", "xã", "-f", "json").stdout
    rows = json.loads(out)
    names = [r["name"] for r in rows]
    assert names.index("Dân Quyền") < names.index("Đồng Lợi") < names.index("Khuyến Nông")
    assert set(rows[0]) == {"id", "name", "kind", "parent", "code", "path", "active_until"}
    assert all(r["kind"] == "commune" for r in rows)
    csv_out = ready("units", "list", "--kind", "town", "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "id,name,kind,parent,code,path,active_until"
    assert len(csv_out) == 3


def test_lookup_ascii_nfd_alias_prefix_and_path(ready):
    for spelling in ["tho the", "THO THE", unicodedata.normalize("NFD", "Thọ Thế"), "xã Thọ Thế",
                     "Triệu Sơn/Thọ Thế", "trieu son/cum 5/tho the"]:
        shown = json.loads(ready("units", "show", spelling, "-f", "json").stdout)
        assert shown["name"] == "Thọ Thế", spelling
    assert json.loads(ready("units", "show", "Thị trấn Nưa", "-f", "json").stdout)["kind"] == "town"
    assert json.loads(ready("units", "show", "TT Nưa", "-f", "json").stdout)["name"] == "Nưa"


def test_ambiguous_name_lists_candidates_and_path_disambiguates(ready, db):
    ready("units", "add", "Dân Lý", "--kind", "commune", "--parent", "Thanh Hóa")
    result = ready("units", "show", "dan ly", code=1)
    assert "ambiguous" in result.stderr
    assert "Triệu Sơn" in result.stderr and "Thanh Hóa/Dân Lý" in result.stderr
    assert "Traceback" not in result.stderr
    shown = json.loads(ready("units", "show", "Triệu Sơn/Dân Lý", "-f", "json").stdout)
    assert shown["path"] == "Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý"


def test_unknown_name_suggests_close_names(ready):
    result = ready("units", "show", "Dan Lu", code=1)
    assert "no unit named 'Dan Lu'" in result.stderr
    assert "Dân Lực" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_csv_import_with_parent_by_name_path_and_code(run, tmp_path):
    run("init")
    f = tmp_path / "units.csv"
    f.write_text(
        "name,kind,parent,code\n"
        "Thanh Hóa,province,,38\n"
        "Nông Cống,district,38,\n"
        "Tế Nông,xã,Thanh Hóa/Nông Cống,15883\n"
        "Thôn 1,thôn,15883,\n", encoding="utf-8")
    run("units", "import", f)
    shown = json.loads(run("units", "show", "te nong", "-f", "json").stdout)
    assert shown["code"] == "15883" and shown["children"] == ["Thôn 1"]
    assert "nothing changed" in run("units", "import", f).stderr


def test_csv_import_with_a_bad_row_writes_nothing(run, db, tmp_path):
    run("init")
    before = digest(db)
    f = tmp_path / "units.csv"
    f.write_text("name,kind,parent\nThanh Hóa,province,\nX,planet,Thanh Hóa\nY,xã,Nowhere\n")
    result = run("units", "import", f, code=1)
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{f}:3:") and "unknown kind 'planet'" in lines[0]
    assert lines[1].startswith(f"{f}:4:") and "Nowhere" in lines[1]
    assert digest(db) == before


def test_yaml_tree_errors_have_line_and_column(run, tmp_path, db):
    run("init")
    before = digest(db)
    f = tmp_path / "t.yaml"
    f.write_text("- name: Thanh Hóa\n  kind: province\n  childrn: []\n- name: X\n  kind: planet\n")
    result = run("units", "import", f, code=1)
    assert f"{f}:3:3: unknown key 'childrn' (did you mean 'children'?)" in result.stderr
    assert f"{f}:5:9: unknown unit kind 'planet'" in result.stderr
    assert digest(db) == before


def test_rename_keeps_old_name_as_alias(ready):
    ready("units", "rename", "Thọ Thế", "Thọ Phú Mới")
    shown = json.loads(ready("units", "show", "tho the", "-f", "json").stdout)
    assert shown["name"] == "Thọ Phú Mới" and "Thọ Thế" in shown["aliases"]


def test_move_under_cluster_and_refuse_cycles(ready):
    ready("units", "move", "Dân Lý", "--parent", "Cụm 5")
    shown = json.loads(ready("units", "show", "Dân Lý", "-f", "json").stdout)
    assert shown["path"].endswith("Cụm 5/Dân Lý")
    assert "descendant" in ready("units", "move", "Cụm 5", "--parent", "Dân Lý", code=1).stderr


def test_merge_records_lineage_both_ways_and_deactivates(ready):
    ready("units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú Mới", "--kind", "xã",
          "--parent", "Thanh Hóa", "--date", "01/07/2025")
    new = json.loads(ready("units", "show", "Thọ Phú Mới", "-f", "json").stdout)
    assert {m["unit"] for m in new["merged_from"]} == {"Thọ Thế", "Thọ Vực"}
    assert new["merged_from"][0]["date"] == "2025-07-01"
    old = json.loads(ready("units", "show", "Thọ Thế", "-f", "json").stdout)
    assert old["active_until"] == "2025-07-01"
    assert old["merged_into"] == [{"unit": "Thọ Phú Mới", "date": "2025-07-01"}]
    listed = [r["name"] for r in json.loads(ready("units", "list", "-f", "json").stdout)]
    assert "Thọ Thế" not in listed
    listed = [r["name"] for r in json.loads(ready("units", "list", "--inactive", "-f", "json").stdout)]
    assert "Thọ Thế" in listed


def test_names_with_control_characters_are_refused(ready):
    result = ready("units", "add", "Xóm \x1b[31mđỏ", "--kind", "village", "--parent", "Dân Lý", code=1)
    assert "\x1b" not in result.stderr
    assert "control characters" in result.stderr


def test_markup_like_names_print_literally(ready):
    ready("units", "add", "Xóm [red]", "--kind", "village", "--parent", "Dân Lý")
    out = ready("units", "list", "--under", "Dân Lý").stdout
    assert "Xóm [red]" in out


def test_seed_from_the_official_divisions_records_the_edition(run):
    pytest.importorskip("vietnam_provinces")
    run("init")
    first = run("units", "seed", "--province", "Thanh Hóa")
    assert "units added" in first.stderr
    shown = json.loads(run("units", "show", "15763", "-f", "json").stdout)
    assert shown["name"] == "Thọ Phú" and shown["path"] == "Thanh Hóa/Thọ Phú"
    assert "167 already present" in run("units", "seed", "--province", "Thanh Hóa").stderr


def test_seed_without_the_package_says_how_to_get_it(run, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "vietnam_provinces", None)
    run("init")
    assert "pip install 'ntmtrack[seed]'" in run("units", "seed", code=1).stderr


def test_siblings_differing_only_in_diacritics_are_two_units_when_codes_differ(run, tmp_path):
    run("init")
    tree = tmp_path / "tree.yaml"
    tree.write_text("- {name: Huyện X, kind: district, children: [\n"
                    "    {name: Bình Đông, kind: commune, code: '08662'},\n"
                    "    {name: Bình Đồng, kind: commune, code: '08663'}]}\n", encoding="utf-8")
    run("units", "import", tree)
    listed = json.loads(run("units", "list", "--kind", "commune", "-f", "json").stdout)
    assert sorted((u["name"], u["code"]) for u in listed) == [("Bình Đông", "08662"), ("Bình Đồng", "08663")]
    assert "Bình Đồng" in run("units", "show", "Binh Dong", code=1).stderr  # ambiguous: both listed
    assert run("units", "show", "08663").stdout.count("Bình Đồng") >= 1
    clash = tmp_path / "clash.yaml"
    clash.write_text("- {name: Huyện X, kind: district, children: [\n"
                     "    {name: Bình Đông, kind: commune, code: '09999'}]}\n", encoding="utf-8")
    assert "already has code 08662" in run("units", "import", clash, code=1).stderr


def test_shell_completion_offers_units_and_plans_from_the_register(run, db):
    import os
    import subprocess
    import sys
    from pathlib import Path

    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    exe = Path(sys.executable).parent / "ntmtrack"
    if not exe.exists():
        pytest.skip("the ntmtrack console script is not installed next to this Python")

    def complete(words: str) -> list[str]:
        env = {**os.environ, "NTMTRACK_DB": str(db), "_NTMTRACK_COMPLETE": "complete_bash",
               "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        return subprocess.run([str(exe)], env=env, capture_output=True, text=True).stdout.splitlines()

    assert complete("ntmtrack units show Dân") == ["Dân Lực", "Dân Lý", "Dân Quyền"]
    # typed without diacritics: completed without them, and still a name ntmtrack matches
    assert complete("ntmtrack status --under dan") == ["dan Luc", "dan Ly", "dan Quyen"]
    assert "Dân Lý" in run("units", "show", "dan Ly").stdout
    assert complete("ntmtrack progress trieu") == ["trieu-son-2018"]
    assert complete("ntmtrack record met Tho")[:2] == ["Tho Cuong", "Tho Phu"]
