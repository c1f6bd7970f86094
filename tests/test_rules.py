"""Each rule of "one answer per question" through the library, without the CLI."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import EXAMPLES

from ntmtrack.model import Scope
from ntmtrack.read.names import distinct_names
from ntmtrack.register.units import active_on
from ntmtrack.reports import pace, targets

# -- whether a unit is active on a day ----------------------------------------------------


def test_a_unit_is_active_until_the_day_it_is_merged_away():
    assert active_on(None, date(2030, 1, 1))
    assert active_on("2025-07-01", date(2025, 6, 30))
    assert not active_on("2025-07-01", date(2025, 7, 1))
    assert not active_on("2025-07-01", date(2026, 1, 1))


# -- a target's state ----------------------------------------------------------------------

D = date.fromisoformat


def test_judge_up_targets():
    deadline = D("2018-12-31")
    assert targets.judge(19, 0, 19, 15, deadline, D("2018-11-01")) == "done"
    assert targets.judge(19, 0, 19, 19, deadline, D("2019-06-01")) == "done"       # stays done
    assert targets.judge(10, 0, 19, 15.9, deadline, D("2018-11-01")) == "behind"   # 10 < 0.8 × 15.9
    assert targets.judge(10, 0, 19, 15.9, deadline, D("2018-11-01"), threshold=0.5) == "on_track"
    assert targets.judge(13, 0, 19, 15.9, deadline, D("2018-11-01")) == "on_track"
    assert targets.judge(18, 0, 19, 19, deadline, D("2019-01-01")) == "overdue"
    assert targets.judge(None, 5, 40, 5, deadline, D("2018-01-01")) == "on_track"  # nothing due yet


def test_judge_down_targets_and_moving_away():
    deadline = D("2024-12-31")
    assert targets.judge(2.4, 4, 2.5, 3.2, deadline, D("2024-06-30"), "down") == "done"
    assert targets.judge(3.2, 4, 2.5, 3.25, deadline, D("2024-06-30"), "down") == "on_track"
    assert targets.judge(3.9, 4, 2.5, 3.25, deadline, D("2024-06-30"), "down") == "behind"
    assert targets.judge(4.2, 4, 2.5, 4.0, deadline, D("2024-01-10"), "down") == "behind"   # moved away
    assert targets.judge(3.2, 2, 2.5, 2.2, deadline, D("2024-06-30"), "down") == "behind"
    assert targets.judge(3.2, 4, 2.5, 2.5, deadline, D("2025-01-01"), "down") == "overdue"


def test_share_of_target_in_either_direction():
    assert targets.share_of_target(10, 0, 20) == 0.5
    assert targets.share_of_target(3.2, 4, 2.5, "down") == pytest.approx(0.8 / 1.5)
    assert targets.share_of_target(3.2, 2, 2.5, "down") < 0          # moved away: negative
    assert targets.share_of_target(2.2, 2, 2.5, "down") == 1.0       # at or beyond the goal
    assert targets.share_of_target(25, 0, 20) == 1.25                # beyond: more than done
    assert targets.share_of_target(5, 5, 5) == 1.0


def test_criteria_targets_count_wanted_criteria_and_recognition():
    p = targets.criteria([1, 2, 3, 8], {1, 2, 3, 8, 9}, set(), False, D("2018-01-01"), "2018-11-30",
                         D("2018-11-02"))
    assert (p.actual, p.goal, p.state) == (4, 4, "done")
    p = targets.criteria(list(range(1, 20)), {1, 2}, set(), True, D("2018-01-01"), "2018-12-31",
                         D("2018-11-02"))
    assert p.state == "done"                                          # recognised under the set
    p = targets.criteria(list(range(1, 20)), set(range(1, 11)), set(), False, D("2018-01-01"),
                         "2018-12-31", D("2018-11-02"), threshold=0.5)
    assert p.state == "on_track" and p.expected == pytest.approx(15.9, abs=0.05)


# -- the expected value ----------------------------------------------------------------------

def test_expected_value_is_linear_through_milestones():
    start, deadline = D("2018-01-01"), D("2018-12-31")
    assert pace.expected(start, 0, deadline, 19, D("2017-06-01")) == 0
    assert pace.expected(start, 0, deadline, 19, D("2019-06-01")) == 19
    assert pace.expected(start, 10, deadline, 0, D("2018-07-02")) == pytest.approx(5, abs=0.05)
    half = pace.expected(start, 0, deadline, 100, D("2018-05-01"), [(D("2018-05-01"), 0.8)])
    assert half == pytest.approx(80)


# -- names that tell units apart ----------------------------------------------------------

def test_distinct_names_use_the_shortest_distinguishing_path():
    shown = distinct_names(["T/H/Đức Thành/Xóm 1", "T/H/Hợp Lý/Xóm 1", "T/H/Dân Lý"])
    assert shown == {"T/H/Đức Thành/Xóm 1": "Xóm 1 (Đức Thành)",
                     "T/H/Hợp Lý/Xóm 1": "Xóm 1 (Hợp Lý)", "T/H/Dân Lý": "Dân Lý"}
    deeper = distinct_names(["A/X/Xóm 1", "B/X/Xóm 1"])
    assert deeper == {"A/X/Xóm 1": "Xóm 1 (A/X)", "B/X/Xóm 1": "Xóm 1 (B/X)"}


# -- the scope: communes, set, plans in force, against a real register --------------------

@pytest.fixture
def conn(ready, db):
    from ntmtrack.store import open_register

    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    ready("units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú", "--date", "2025-07-01")
    with open_register(db, readonly=True) as reg:
        yield reg.conn


def _unit(conn, name):
    from ntmtrack.register import units

    return units.resolve(conn, name, container=True)


def test_scope_communes_follow_the_day_the_unit_and_the_plan(conn):
    from ntmtrack.register.tree import Tree
    from ntmtrack.reports import scope as scoping

    tree = Tree.load(conn, villages=False)
    names = lambda ids: {tree.units[u]["name"] for u in ids}  # noqa: E731
    assert len(scoping.communes(conn, tree, Scope(D("2018-11-02")))) == 20
    assert len(scoping.communes(conn, tree, Scope(D("2026-01-01")))) == 18   # two merged away
    assert "Thọ Thế" not in names(scoping.communes(conn, tree, Scope(D("2026-01-01"))))
    cluster = Scope(D("2018-11-02"), under=_unit(conn, "Cụm 5"))
    assert names(scoping.communes(conn, tree, cluster)) == {"Dân Quyền", "Dân Lực", "Thọ Phú", "Thọ Vực", "Thọ Thế"}
    commune = Scope(D("2018-11-02"), under=_unit(conn, "Dân Lý"))
    assert names(scoping.communes(conn, tree, commune)) == {"Dân Lý"}
    planned = Scope(D("2018-11-02"), plan_id="trieu-son-2018")
    assert len(scoping.communes(conn, tree, planned)) == 8


def test_scope_plans_are_the_named_one_or_those_in_force(conn):
    from ntmtrack.model import NtmError
    from ntmtrack.reports import scope as scoping

    ids = lambda day: [p["id"] for p in scoping.plans(conn, Scope(D(day)))]  # noqa: E731
    assert ids("2018-11-02") == ["trieu-son-2018"]
    assert ids("2019-06-30") == ["trieu-son-2018"]        # Thọ Cường's deadline is 31/12/2019
    assert ids("2020-01-01") == []
    assert ids("2022-11-01") == ["trieu-son-vu-dong-2022"]
    assert [p["id"] for p in scoping.plans(conn, Scope(D("2024-01-01"), plan_id="trieu-son-2018"))] == ["trieu-son-2018"]
    with pytest.raises(NtmError):
        scoping.plans(conn, Scope(D("2024-01-01"), plan_id="khong-co"))


def test_scope_set_is_the_plans_or_the_one_in_force(conn):
    from ntmtrack.reports import scope as scoping

    assert scoping.criteria_set(conn, Scope(D("2018-11-02")), []) == "qd1980-2016"
    assert scoping.criteria_set(conn, Scope(D("2024-11-02"), plan_id="trieu-son-2018"), []) == "qd1980-2016"
    assert scoping.criteria_set(conn, Scope(D("2024-11-02"), set_code="qd51-2025"), []) == "qd51-2025"
    assert scoping.criteria_set(conn, Scope(D("2024-11-02")), []) == "qd318-2022"
