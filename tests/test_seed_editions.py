"""`units seed` respects editions (issue 13, contract 3): a seeded unit is matched only at its
own path, never adopted from an older map, in whichever order the seed and the example
register's file are imported; and every path an ambiguity error suggests resolves."""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES

from ntmtrack.register.unit_trees import edition_may_match, same_map
from ntmtrack.register.units import in_edition, spellings

E2025 = "vietnam-provinces 2025.10.1"


def _rows(run, *args):
    return json.loads(run(*args, "-f", "json").stdout)


@pytest.fixture(params=["seed first", "example first"])
def both_maps(request, run):
    """The example register (Triệu Sơn as its 2018 reports describe it) and Thanh Hóa seeded
    from the 2025 edition, in either order."""
    pytest.importorskip("vietnam_provinces")
    run("init")
    steps = [("units", "seed", "--province", "Thanh Hóa"),
             ("units", "import", EXAMPLES / "trieu-son-units.yaml")]
    for step in steps if request.param == "seed first" else reversed(steps):
        run(*step)
    return run


def test_thanh_hoa_has_166_commune_level_units_in_the_2025_edition(both_maps):
    rows = _rows(both_maps, "units", "list", "--under", "Thanh Hóa", "--edition", "2025.10")
    kinds = [r["kind"] for r in rows]
    assert len(rows) == 166
    assert (kinds.count("commune"), kinds.count("ward")) == (147, 19)
    assert all(r["path"] == f"Thanh Hóa/{r['name']}" for r in rows)


def test_the_2018_tree_is_untouched_and_keeps_no_2025_code(both_maps):
    old = _rows(both_maps, "units", "list", "--under", "huyện Triệu Sơn")
    assert len(old) == 6 + 20  # 6 clusters, 18 communes and 2 towns, as in the file
    assert all(r["code"] is None for r in old)
    assert {r["path"] for r in old if r["name"] == "Tân Ninh"} == {"Thanh Hóa/Triệu Sơn/Cụm 6/Tân Ninh"}
    new = json.loads(both_maps("units", "show", "15718", "-f", "json").stdout)
    assert (new["name"], new["path"]) == ("Tân Ninh", "Thanh Hóa/Tân Ninh")


def test_a_2018_recognition_stays_on_the_2018_commune(both_maps):
    both_maps("record", "recognized", "Cụm 6/Tân Ninh", "--decision", "4863/QĐ-UBND",
              "--date", "25/12/2018")
    old = _rows(both_maps, "status", "--under", "Cụm 6", "--as-of", "2019-01-01")
    assert [r["recognition"] for r in old if r["unit"] == "Tân Ninh"] == ["4863/QĐ-UBND"]
    new = _rows(both_maps, "status", "--under", "15718", "--as-of", "2026-01-01")
    assert [(r["unit_path"], r["recognition"]) for r in new] == [("Thanh Hóa/Tân Ninh", None)]


def test_reseeding_is_a_no_op(both_maps):
    again = both_maps("units", "seed", "--province", "Thanh Hóa")
    assert "0 units added, 167 already present" in again.stderr


def test_seed_adopts_a_codeless_unit_at_its_own_path(run):
    pytest.importorskip("vietnam_provinces")
    run("init")
    run("units", "add", "Thanh Hóa", "--kind", "province")
    run("units", "add", "Tân Ninh", "--kind", "xã", "--parent", "Thanh Hóa")
    assert "165 units added, 2 already present" in run("units", "seed", "--province", "Thanh Hóa").stderr
    shown = json.loads(run("units", "show", "15718", "-f", "json").stdout)
    assert shown["path"] == "Thanh Hóa/Tân Ninh"
    assert len(_rows(run, "units", "list", "--under", "Thanh Hóa", "--edition", E2025)) == 166


def test_which_units_a_seeded_node_may_be():
    # a file's node (no edition) matches as it always did
    assert same_map(E2025, "15718", "", None)
    # a seeded node: a unit without a code, or with a code of its edition or typed
    assert same_map("", None, E2025, "15718")
    assert same_map("", "15718", E2025, "15718")
    assert same_map(E2025, "15718", E2025, "15718")
    # … or the very same code of another edition; never another edition's other code
    assert same_map("vietnam-provinces 2024", "15718", E2025, "15718")
    assert not same_map("vietnam-provinces 2024", "15700", E2025, "15718")
    assert edition_may_match("", E2025) and edition_may_match(E2025, "")
    assert not edition_may_match("vietnam-provinces 2024", E2025)


def test_an_edition_is_named_by_any_part_of_its_name():
    assert in_edition(E2025, "2025.10") and in_edition(E2025, "Vietnam-Provinces")
    assert in_edition(E2025, E2025)
    assert not in_edition(E2025, "2024") and not in_edition("", "2025")


def test_a_plan_of_the_old_map_binds_to_its_own_units_after_seeding(run):
    pytest.importorskip("vietnam_provinces")
    run("init")
    run("units", "seed", "--province", "Thanh Hóa")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    targets = _rows(run, "plan", "show", "trieu-son-2018")["targets"]
    assert {t["unit_path"] for t in targets if t["unit"] == "Tân Ninh"} == {"Thanh Hóa/Triệu Sơn/Tân Ninh"}
    assert len(_rows(run, "units", "list", "--under", "Thanh Hóa", "--edition", "2025.10")) == 166


# -- what an ambiguity error suggests resolves when pasted back ---------------------------

def _suggested(message: str) -> list[str]:
    """The quoted spellings after 'write' in a one-line ambiguity error."""
    assert len(message.strip().splitlines()) == 1 and "Traceback" not in message
    return re.findall(r"'([^']+)' \(the ", message.split("; write ", 1)[1])


AMBIGUOUS = [
    ("status", "--under", "{}", "--as-of", "2019-01-01", "-f", "json"),
    ("units", "list", "--under", "{}", "-f", "json"),
    ("units", "show", "{}", "-f", "json"),
    ("record", "met", "{}", "1", "--date", "2018-10-01"),
]


@pytest.mark.parametrize("command", AMBIGUOUS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("text", ["Triệu Sơn", "Thanh Hóa/Triệu Sơn", "Tân Ninh", "An Nông"])
def test_every_path_an_ambiguity_error_suggests_resolves_when_pasted_back(both_maps, command, text):
    failed = both_maps(*[a.format(text) for a in command], code=1).stderr
    assert f"'{text}' is ambiguous" in failed
    count = int(re.search(r"(\d+) units match", failed).group(1))
    suggested = _suggested(failed)
    assert len(suggested) == count >= 2
    for written in suggested:
        pasted = both_maps(*[a.format(written) for a in command], code=None)
        # it names one unit; a district named to `record met` is then refused for what it is
        assert pasted.exit_code == 0 or (command[0] == "record" and "not to a district" in pasted.stderr), pasted.stderr
        assert "ambiguous" not in pasted.stderr
    ids = {json.loads(both_maps("units", "show", w, "-f", "json").stdout)["id"] for w in suggested}
    assert len(ids) == count


def test_triệu_sơn_names_the_district_the_town_and_the_2025_commune_apart(both_maps):
    failed = both_maps("status", "--under", "Thanh Hóa/Triệu Sơn", code=1).stderr
    assert _suggested(failed) == ["huyện Triệu Sơn", "xã Triệu Sơn", "thị trấn Triệu Sơn"]
    kinds = [json.loads(both_maps("units", "show", w, "-f", "json").stdout)["kind"]
             for w in _suggested(failed)]
    assert kinds == ["district", "commune", "town"]


def test_an_exact_path_names_every_level_from_the_top(ready):
    ready("units", "add", "Dân Lý", "--kind", "xã", "--parent", "Thanh Hóa")
    # a path written in full from the top names its unit (history's unit_path reads back)
    assert json.loads(ready("units", "show", "Thanh Hóa/Dân Lý", "-f", "json").stdout)["path"] == "Thanh Hóa/Dân Lý"
    failed = ready("units", "show", "Dân Lý", code=1).stderr
    assert _suggested(failed) == ["Thanh Hóa/Dân Lý", "Cụm 4/Dân Lý"]
    shown = json.loads(ready("units", "show", "/Thanh Hóa/Dân Lý", "-f", "json").stdout)
    assert shown["path"] == "Thanh Hóa/Dân Lý"
    assert "no unit named '/Triệu Sơn/Dân Lý'" in ready("units", "show", "/Triệu Sơn/Dân Lý", code=1).stderr
    shown = json.loads(ready("units", "show", "/thanh hoa/trieu son/cum 4/dan ly", "-f", "json").stdout)
    assert shown["path"] == "Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý"


def test_did_you_mean_shows_names_and_a_path_where_names_repeat(both_maps):
    failed = both_maps("units", "show", "Tan Nin", code=1).stderr
    offered = failed.split("did you mean: ", 1)[1].rstrip("?\n").split(", ")
    assert offered[:2] == ["xã Tân Ninh", "Cụm 6/Tân Ninh"]  # two Tân Ninh, each named apart
    assert "Xã Tân Ninh" not in offered  # an alias leads to its unit, not a third entry
    for written in offered:
        both_maps("units", "show", written)


def test_spellings_go_from_the_name_to_the_exact_path():
    assert spellings(["Thanh Hóa", "Triệu Sơn", "Cụm 4", "Triệu Sơn"], "town", None) == [
        "Triệu Sơn", "thị trấn Triệu Sơn", "Cụm 4/Triệu Sơn", "Cụm 4/thị trấn Triệu Sơn",
        "Triệu Sơn/Cụm 4/Triệu Sơn", "Triệu Sơn/Cụm 4/thị trấn Triệu Sơn",
        "Thanh Hóa/Triệu Sơn/Cụm 4/Triệu Sơn", "Thanh Hóa/Triệu Sơn/Cụm 4/thị trấn Triệu Sơn",
        "/Thanh Hóa/Triệu Sơn/Cụm 4/Triệu Sơn", "/Thanh Hóa/Triệu Sơn/Cụm 4/thị trấn Triệu Sơn"]
    assert spellings(["Thanh Hóa", "Tân Ninh"], "commune", "15718") == [
        "Tân Ninh", "xã Tân Ninh", "Thanh Hóa/Tân Ninh", "Thanh Hóa/xã Tân Ninh", "15718",
        "/Thanh Hóa/Tân Ninh", "/Thanh Hóa/xã Tân Ninh"]
