"""Issue 16, rule 1: two registers holding the same observations compute the same state for
every unit on every day, whatever order the observations arrived in.

Hypothesis builds observations from three origins — verdicts, indicator levels and increases,
recognitions, voids, with same-day ties and same-second recordings — and appends them to two
copies of one register in two different orders and batchings; then every as-of answer, for
every day, and the reports through the CLI, must agree."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta

import pytest
from conftest import EXAMPLES, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ntmtrack.store import exchange as exchange_store
from ntmtrack.store import observations as obs_store
from ntmtrack.store import write_transaction

ORIGINS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
           "33333333-3333-4333-8333-333333333333"]
DAYS = ["2018-10-01", "2018-10-02"]
STAMPS = ["2018-10-05T08:00:00+00:00", "2018-10-05T08:00:01+00:00"]
COMMUNES = ["Dân Lý", "Nưa"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from typer.testing import CliRunner

    from ntmtrack.cli import app

    db = tmp_path_factory.mktemp("prop") / "t.db"
    for args in (["init"], ["units", "import", EXAMPLES / "trieu-son-units.yaml"],
                 ["plan", "import", EXAMPLES / "trieu-son-2018.yaml"]):
        result = CliRunner().invoke(app, [*map(str, args), "--db", str(db)])
        assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(db)
    units = dict(conn.execute("SELECT name, id FROM unit WHERE name IN (?, ?)", COMMUNES).fetchall())
    conn.close()
    return db, units


fact = st.fixed_dictionaries({
    "origin": st.integers(0, 2), "unit": st.sampled_from(COMMUNES), "date": st.sampled_from(DAYS),
    "recorded_at": st.sampled_from(STAMPS),
    "what": st.one_of(
        st.tuples(st.just("verdict"), st.integers(1, 2), st.sampled_from(["met", "unmet"])),
        st.tuples(st.just("value"), st.sampled_from(["set", "add"]), st.integers(0, 9)),
        st.tuples(st.just("recognized"), st.sampled_from(["1/QĐ", "2/QĐ"]), st.just(None))),
    "voided": st.booleans(),
})


def observations(facts: list[dict], units: dict) -> list[dict]:
    """The facts as observations with global ids; a voided fact gets a void from its origin."""
    seq = [0, 0, 0]
    out = []
    for f in facts:
        def gid(origin: int) -> str:
            seq[origin] += 1
            return f"{ORIGINS[origin]}:{seq[origin]:012d}"
        row = {"gid": gid(f["origin"]), "unit_id": units[f["unit"]], "date": f["date"],
               "recorded_at": f["recorded_at"], "by": "x", "source": "prop", "voids": None}
        kind = f["what"]
        if kind[0] == "verdict":
            row.update(kind=kind[2], criteria_set="qd1980-2016", criterion=kind[1])
        elif kind[0] == "value":
            row.update(kind=kind[1], indicator="ho-so-tieu-chi", value=float(kind[2]))
        else:
            row.update(kind="recognized", criteria_set="qd1980-2016", decision=kind[1], level="ntm")
        out.append(row)
        if f["voided"]:
            out.append({"gid": gid(f["origin"]), "unit_id": row["unit_id"], "kind": "void",
                        "voids": row["gid"], "date": DAYS[-1], "recorded_at": STAMPS[-1],
                        "by": "x", "source": "prop"})
    return out


def load(db, rows: list[dict], order: list[int], cut: int) -> sqlite3.Connection:
    """Append the rows in `order` (each void after what it cancels), in two batches."""
    placed, done = [], set()
    waiting: dict[str, list[dict]] = {}
    for i in order:
        row = rows[i]
        if row["voids"] and row["voids"] not in done:
            waiting.setdefault(row["voids"], []).append(row)
            continue
        placed.append(row)
        done.add(row["gid"])
        placed += waiting.pop(row["gid"], [])
    conn = sqlite3.connect(db, isolation_level=None)
    for batch in (placed[:cut], placed[cut:]):
        with write_transaction(conn):
            exchange_store.append_imported(conn, [r for r in batch if not r["voids"]])
            voids = [r for r in batch if r["voids"]]
            ids = exchange_store.ids_of(conn, [r["voids"] for r in voids])
            exchange_store.append_imported(conn, [{**r, "voids": ids[r["voids"]]} for r in voids])
    return conn


def answers(conn) -> list:
    days = [(date(2018, 9, 30) + timedelta(days=n)).isoformat() for n in range(6)]
    out = []
    for day in days:
        out.append(sorted(obs_store.criteria_verdicts(conn, day)))
        out.append(sorted((u, i, round(v, 6), d) for u, i, v, d in obs_store.indicator_values(conn, day)))
        out.append(obs_store.title_events(conn, day))
    out.append(obs_store.state_mismatches(conn))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.lists(fact, min_size=1, max_size=14), data=st.data())
def test_the_same_observations_in_any_order_give_the_same_state(template, tmp_path, monkeypatch, facts, data):
    source, units = template
    rows = observations(facts, units)
    first = data.draw(st.permutations(range(len(rows))))
    second = data.draw(st.permutations(range(len(rows))))
    cuts = data.draw(st.tuples(st.integers(0, len(rows)), st.integers(0, len(rows))))
    results = []
    for name, order, cut in (("x", first, cuts[0]), ("y", second, cuts[1])):
        db = tmp_path / f"{name}-{data.draw(st.integers(0, 10 ** 9))}.db"
        shutil.copy(source, db)
        conn = load(db, rows, list(order), cut)
        results.append(answers(conn))
        conn.close()
        run = Run(monkeypatch, db)
        results[-1].append([run(*args, "-f", "csv").stdout for args in (
            ("status", "--plan", "trieu-son-2018", "--as-of", "2018-10-02"),
            ("status", "--as-of", "2018-10-04"), ("progress", "trieu-son-2018", "--as-of", "2018-10-04"))])
    assert results[0][-2] == 0
    assert results[0] == results[1]
