"""Properties (Hypothesis): export∘import is the identity, re-imports change nothing, the as-of
state does not depend on how observations were split into files, voids undo exactly."""

import json
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from conftest import EXAMPLES, digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ntmtrack.cli import app
from ntmtrack.reports import state
from ntmtrack.store import open_register

VILLAGES = ["Cẩm Trang", "1 Bồng Giang", "2 Bồng Giang", "1 Văn Giang", "2 Văn Giang", "Hợp Phát"]
# Ten examples each: every one builds registers through the CLI, and the suite must stay
# within CI's fifteen minutes on two cores (25 examples cost about two minutes more).
SETTINGS = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _run(db, *args, code=0):
    result = CliRunner().invoke(app, [*map(str, args), "--db", str(db)])
    assert result.exit_code == code, (args, result.stderr)
    return result


def _register(tmp: Path, name: str = "r.db") -> Path:
    db = tmp / name
    _run(db, "init")
    _run(db, "criteria", "import", EXAMPLES / "tinh-20-tieu-chi-vi-du.yaml")
    _run(db, "plan", "import", EXAMPLES / "xa-45-ngay-2022.yaml")
    return db


amounts = st.dictionaries(st.sampled_from(VILLAGES), st.integers(min_value=0, max_value=500),
                          min_size=1, max_size=6)


@SETTINGS
@given(targets=amounts, name=st.text(alphabet="abcđêôơưăâ ÀÁẠẢÃ", min_size=1, max_size=20).filter(str.strip),
       by=st.integers(min_value=0, max_value=45), share=st.integers(min_value=0, max_value=100))
def test_plan_export_then_import_is_the_identity(targets, name, by, share):
    with tempfile.TemporaryDirectory() as tmp:
        db = _register(Path(tmp))
        deadline = date(2022, 4, 15) + timedelta(days=by)
        lines = ["plan: prop", f"title: {json.dumps(name, ensure_ascii=False)}", "start: 15/04/2022",
                 "end: 2022-05-30", "metrics:", "  - code: prop-metric",
                 f"    name: {json.dumps(name, ensure_ascii=False)}", "    measure: hộ",
                 f"    by: {deadline.isoformat()}", "    targets:"]
        lines += [f"      {v}: {a}" for v, a in targets.items()]
        lines += ["    milestones:", f"      - {{on: {deadline.isoformat()}, share: {share / 100}}}"]
        f = Path(tmp) / "p.yaml"
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _run(db, "plan", "import", f)
        before = digest(db)
        exported = _run(db, "plan", "export", "prop").stdout
        f.write_text(exported, encoding="utf-8")
        assert "nothing changed" in _run(db, "plan", "import", f).stderr
        assert digest(db) == before


observation = st.tuples(st.sampled_from(VILLAGES), st.integers(min_value=0, max_value=45),
                        st.booleans(), st.integers(min_value=0, max_value=30))


def _csv(rows) -> str:
    out = ["date,unit,measure,value,note"]
    for village, day, add, amount in rows:
        when = (date(2022, 4, 15) + timedelta(days=day)).isoformat()
        out.append(f"{when},{village},hang-rao-xanh,{'+' if add else ''}{amount},")
    return "\n".join(out) + "\n"


def _state(db, day):
    with open_register(db, readonly=True) as reg:
        return state.own_indicator_values(reg.conn, day, ["hang-rao-xanh"])


@SETTINGS
@given(rows=st.lists(observation, min_size=1, max_size=30), cuts=st.lists(st.integers(0, 30), max_size=3),
       seed=st.integers(0, 1000))
def test_state_does_not_depend_on_files_or_their_order_and_reimport_is_noop(rows, cuts, seed):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        one, many = _register(tmp), _register(tmp, "many.db")
        whole = tmp / "all.csv"
        whole.write_text(_csv(rows), encoding="utf-8")
        _run(one, "record", "import", whole)
        before = digest(one)
        _run(one, "record", "import", whole)
        assert digest(one) == before
        # The same facts split by date into files imported in a random order: a file holds
        # whole days, so ties within a day keep their recording order.
        days = sorted({r[1] for r in rows})
        bounds = sorted({days[c % len(days)] for c in cuts})
        parts, start = [], None
        for b in bounds + [None]:
            parts.append([r for r in rows if (start is None or r[1] > start) and (b is None or r[1] <= b)])
            start = b
        random.Random(seed).shuffle(parts)
        for i, part in enumerate(p for p in parts if p):
            f = tmp / f"part{i}.csv"
            f.write_text(_csv(part), encoding="utf-8")
            _run(many, "record", "import", f)
        for day in (date(2022, 4, 20), date(2022, 5, 10), date(2022, 6, 1)):
            assert _state(one, day) == _state(many, day)
        for db in (one, many):  # the kept current state agrees with the observations
            assert "register ok" in _run(db, "db", "check").stderr


@SETTINGS
@given(rows=st.lists(observation, min_size=2, max_size=15), victim=st.integers(0, 100))
def test_voiding_gives_the_state_without_the_voided_entry(rows, victim):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        full, without = _register(tmp), _register(tmp, "without.db")
        index = victim % len(rows)
        for db, subset in ((full, rows), (without, rows[:index] + rows[index + 1:])):
            for village, day, add, amount in subset:
                when = (date(2022, 4, 15) + timedelta(days=day)).isoformat()
                # --again: the same level typed twice is two observations here (one is voided).
                _run(db, "record", "add" if add else "set", village, "hang-rao-xanh", str(amount),
                     "--date", when, *(() if add else ("--again",)))
        history = json.loads(_run(full, "history", "Hợp Giang", "--below", "-f", "json").stdout)
        _run(full, "record", "void", str(history_ids_in_order(history)[index]))
        for day in (date(2022, 4, 20), date(2022, 6, 1)):
            assert _state(full, day) == _state(without, day)
        assert "register ok" in _run(full, "db", "check").stderr


def history_ids_in_order(history):
    return [h["id"] for h in sorted(history, key=lambda h: h["id"]) if h["kind"] != "void"]


verdict_events = st.lists(st.tuples(st.sampled_from(["Dân Lý", "Tân Ninh"]), st.integers(1, 4),
                                    st.booleans(), st.integers(0, 60), st.booleans()),
                          min_size=1, max_size=12)


@SETTINGS
@given(events=verdict_events, as_of=st.lists(st.integers(-5, 70), min_size=1, max_size=4))
def test_current_state_answers_like_the_observations_on_every_day(events, as_of):
    """criterion_state (kept on every append and void) gives, for any as-of day, the latest
    live verdict that a brute-force reading of the observations gives."""
    start = date(2018, 1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "r.db"
        _run(db, "init")
        _run(db, "units", "import", EXAMPLES / "trieu-son-units.yaml")
        recorded = []  # (id, unit, criterion, met, day)
        for unit, number, met, offset, void in events:
            day = (start + timedelta(days=offset)).isoformat()
            # --again: a verdict typed twice is two observations here (ids are counted).
            _run(db, "record", "met" if met else "unmet", unit, str(number), "--date", day, "--again")
            recorded.append([len(recorded) + 1, unit, number, met, day])
            live = [r for r in recorded[:-1] if r[1]]
            if void and live:
                target = live[offset % len(live)]
                _run(db, "record", "void", str(target[0]))
                recorded.append([len(recorded) + 1, None, None, None, None])
                target[1] = None  # voided: counts on no day
        assert "register ok" in _run(db, "db", "check").stderr
        with open_register(db, readonly=True) as reg:
            for offset in as_of:
                day = start + timedelta(days=offset)
                expected = {}
                for obs_id, unit, number, met, on in recorded:
                    if unit and on <= day.isoformat():
                        key = (unit, number)
                        if key not in expected or (on, obs_id) >= expected[key][1]:
                            expected[key] = (met, (on, obs_id))
                got = state.criteria(reg.conn, day)
                names = {u: reg.conn.execute("SELECT name FROM unit WHERE id=?", [u]).fetchone()[0]
                         for u in got}
                seen = {(names[u], n): v[0] for u, verdicts in got.items() for (_s, n), v in verdicts.items()}
                assert seen == {k: v[0] for k, v in expected.items()}
                # The per-unit reading status and trends use agrees with the per-verdict one.
                code = next(iter({s for v in got.values() for (s, _n) in v}), "qd1980-2016")
                met = {(names.get(u) or u, n) for u, numbers in state.met_sets(reg.conn, day, code).items()
                       for n in numbers}
                assert met == {k for k, v in expected.items() if v[0]}
            # A trend's one pass gives, at every day, what the as-of rule gives on that day.
            days = sorted({start + timedelta(days=offset) for offset in as_of})
            series = state.met_series(reg.conn, "qd1980-2016", days)
            for i, day in enumerate(days):
                met = state.met_sets(reg.conn, day, "qd1980-2016")
                known = {u for u, values in series.items() if values[i] is not None}
                assert {u: values[i] for u, values in series.items() if u in known} == \
                    {u: len(met.get(u, ())) for u in known}
                assert known == set(state.criteria(reg.conn, day))  # a verdict on or before it
