"""Registers that travel (issue 16): global ids, packets out and in, conflicts, who has reported.

Each test builds real registers in tmp_path and goes through the CLI, as an office would: a
commune or district exports, the province imports, in any order, as often as it likes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest
from conftest import EXAMPLES, Run, digest, downgrade
from packets import UNITS, build, observation

REPORTS = (("status", "--plan", "trieu-son-2018", "--as-of", "02/11/2018"),
           ("status", "--as-of", "30/10/2018"), ("progress", "trieu-son-2018", "--as-of", "02/11/2018"),
           ("laggards", "--as-of", "02/11/2018"), ("history", "Dân Lý"))


@pytest.fixture
def office(monkeypatch, tmp_path):
    """A second register (another office), run through the same CLI."""
    def make(name: str) -> Run:
        run = Run(monkeypatch, tmp_path / f"{name}.db")
        return run
    return make


def on(run: Run, *args, code=0):
    return run(*args, "--db", run.db, code=code)


def commune(run: Run) -> Run:
    on(run, "init")
    on(run, "units", "import", EXAMPLES / "trieu-son-units.yaml")
    on(run, "plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    return run


def reports(run: Run) -> list[str]:
    import csv
    import io

    out = [on(run, *args, "-f", "csv").stdout for args in REPORTS]
    # history names observations by local id (voids, voided_by); everything else travels
    rows = list(csv.DictReader(io.StringIO(out[-1])))
    out[-1] = [{k: v for k, v in r.items() if k not in ("id", "voids", "voided_by")} for r in rows]
    return out


def facts(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT o.gid, u.name, o.kind, o.criteria_set, o.criterion, o.indicator, o.value, o.date,"
            " o.recorded_at, (SELECT v.gid FROM observation v WHERE v.id = o.voids), o.note"
            " FROM observation o JOIN unit u ON u.id = o.unit_id ORDER BY o.gid").fetchall()
    finally:
        conn.close()


def test_every_register_has_a_permanent_id_shown_by_db_info(run):
    run("init")
    first = json.loads(run("db", "info", "-f", "json").stdout)
    ids = {r["key"]: r["value"] for r in first}
    assert len(ids["register_id"]) == 36
    run("init")
    again = {r["key"]: r["value"] for r in json.loads(run("db", "info", "-f", "json").stdout)}
    assert again["register_id"] == ids["register_id"]


def test_observations_carry_global_ids_of_their_register(ready, db):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "met", "Dân Lý", "1", "2", "--date", "2018-03-01")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    register = {r["key"]: r["value"] for r in json.loads(ready("db", "info", "-f", "json").stdout)}["register_id"]
    conn = sqlite3.connect(db)
    gids = [r[0] for r in conn.execute("SELECT gid FROM observation ORDER BY id")]
    conn.close()
    assert gids and all(g.startswith(register + ":") for g in gids)
    assert gids == sorted(gids) and len(set(gids)) == len(gids)


def test_m010_gives_an_older_register_ids_and_changes_no_fact(ready, db, tmp_path, monkeypatch):
    run = ready
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    run("record", "met", "Dân Lý", "1", "2", "--date", "2018-03-01")
    run("record", "unmet", "Dân Lý", "2", "--date", "2018-03-01")   # a same-day tie
    run("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    run("record", "void", "3")
    before = [run(*args, "-f", "csv").stdout for args in REPORTS]
    old = downgrade(db, tmp_path / "m009.db", "m010_registers_travel")
    conn = sqlite3.connect(old)
    conn.execute("DELETE FROM meta WHERE key = 'register_id'")
    conn.commit()
    rows_before = conn.execute("SELECT * FROM observation ORDER BY id").fetchall()
    assert "gid" not in [r[1] for r in conn.execute("PRAGMA table_info(observation)")]
    conn.close()
    monkeypatch.setenv("NTMTRACK_DB", str(old))
    assert [run(*args, "-f", "csv").stdout for args in REPORTS] == before
    conn = sqlite3.connect(old)
    register = conn.execute("SELECT value FROM meta WHERE key = 'register_id'").fetchone()[0]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(observation)")]
    after = conn.execute("SELECT * FROM observation ORDER BY id").fetchall()
    at = columns.index("gid")   # m010's column, after m009's (later migrations add after it)
    assert [r[:at] for r in after] == rows_before and at == len(rows_before[0])
    assert [r[at] for r in after] == [f"{register}:{r[0]:012d}" for r in after]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE observation SET gid = 'x' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE observation SET note = 'x' WHERE id = 1")
    conn.close()
    assert "register ok" in run("db", "check").stderr


def test_same_day_verdicts_follow_recording_time_then_global_id(ready, db):
    """Within a register, the later recording still wins a same-day tie, as before."""
    ready("record", "met", "Dân Lý", "5", "--date", "2018-03-01")
    ready("record", "unmet", "Dân Lý", "5", "--date", "2018-03-01")
    out = ready("status", "--as-of", "2018-03-02", "-f", "json").stdout
    row = next(r for r in json.loads(out) if r["unit"] == "Dân Lý")
    assert row["criteria_met"] == 0


def test_a_packet_carries_a_register_to_another_which_then_reports_the_same(office, tmp_path):
    a = commune(office("xa"))
    on(a, "record", "met", "Dân Lý", "1", "2", "3", "17", "--date", "15/10/2018")
    on(a, "record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    on(a, "record", "void", "2")
    packet = tmp_path / "xa.ntmp"
    on(a, "exchange", "export", "-o", packet)
    head = json.loads(packet.read_bytes().split(b"\n", 1)[0])
    assert head["format"] == "ntmtrack-packet" and head["version"] == 1
    assert head["counts"]["observation"] == 17 and head["counts"]["plan"] == 1
    assert {u["path"] for u in head["units"]} >= {"Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý"}
    b = office("tinh")
    on(b, "init")
    first = on(b, "exchange", "import", packet, "--summary-json")
    summary = json.loads(first.stdout)
    assert list(summary) == ["file", "origin", "observations", "added", "already_present",
                             "units_created", "units_unplaced", "conflicts", "dry_run"]
    assert (summary["added"], summary["units_created"], summary["origin"]) == (17, 28, head["origin"])
    assert reports(b) == reports(a)
    assert facts(b.db) == facts(a.db)
    again = json.loads(on(b, "exchange", "import", packet, "--summary-json").stdout)
    assert (again["added"], again["already_present"], again["units_created"]) == (0, 17, 0)
    assert reports(b) == reports(a)
    # and back: the commune's register already holds every observation
    back = json.loads(on(a, "exchange", "import", packet, "--summary-json").stdout)
    assert (back["added"], back["already_present"]) == (0, 17)


def test_packets_in_any_order_make_the_same_register(office, tmp_path):
    a = commune(office("xa"))
    on(a, "record", "met", "Dân Lý", "1", "2", "--date", "01/10/2018")
    p1 = tmp_path / "1.ntmp"
    on(a, "exchange", "export", "--since-last", "tinh", "-o", p1)
    on(a, "record", "unmet", "Dân Lý", "2", "--date", "20/10/2018")
    on(a, "record", "void", "1")     # voids an observation the first packet carried
    p2 = tmp_path / "2.ntmp"
    on(a, "exchange", "export", "--since-last", "tinh", "-o", p2)
    assert json.loads(p2.read_bytes().split(b"\n", 1)[0])["counts"]["observation"] == 3
    empty = tmp_path / "3.ntmp"
    on(a, "exchange", "export", "--since-last", "tinh", "-o", empty)
    assert json.loads(empty.read_bytes().split(b"\n", 1)[0])["counts"]["observation"] == 0
    x, y = office("x"), office("y")
    for run, order in ((x, [p1, p2]), (y, [p2, p1, p2])):
        on(run, "init")
        for p in order:
            on(run, "exchange", "import", p)
    assert facts(x.db) == facts(y.db) == facts(a.db)
    assert reports(x) == reports(y) == reports(a)


def test_dry_run_lists_the_units_it_would_create_and_writes_nothing(office, tmp_path):
    a = commune(office("xa"))
    on(a, "record", "met", "Dân Lý", "1", "--date", "01/10/2018")
    packet = tmp_path / "p.ntmp"
    on(a, "exchange", "export", "--under", "Cụm 4", "-o", packet)
    b = office("tinh")
    on(b, "init")
    before = digest(b.db)
    result = on(b, "exchange", "import", "--dry-run", "--summary-json", packet)
    assert "would create: Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý" in result.stderr
    assert json.loads(result.stdout)["dry_run"] is True
    assert digest(b.db) == before


def test_a_unit_that_cannot_be_placed_refuses_the_packet(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    on(b, "units", "add", "Hà Tĩnh", "--kind", "province")
    on(b, "units", "add", "Xã Gửi", "--kind", "district", "--parent", "Hà Tĩnh")
    packet = build(tmp_path / "p.ntmp", [observation(1)])
    before = digest(b.db)
    dry = on(b, "exchange", "import", "--dry-run", "--summary-json", packet)
    assert json.loads(dry.stdout)["units_unplaced"] == 1
    assert "cannot place: Hà Tĩnh/Xã Gửi (it is a district here, a commune there)" in dry.stderr
    refused = on(b, "exchange", "import", packet, code=1)
    assert "cannot be placed" in refused.stderr and digest(b.db) == before


def test_units_are_matched_by_code_before_path(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    on(b, "units", "add", "Hà Tĩnh", "--kind", "province", "--code", "42")
    on(b, "units", "add", "Xã Gửi Mới", "--kind", "commune", "--parent", "Hà Tĩnh", "--code", "18000")
    units = [dict(UNITS[0], code="42"), dict(UNITS[1], code="18000")]
    packet = build(tmp_path / "p.ntmp", [observation(1)], units=units)
    summary = json.loads(on(b, "exchange", "import", "--summary-json", packet).stdout)
    assert (summary["added"], summary["units_created"]) == (1, 0)
    assert "Xã Gửi Mới" in on(b, "history", "Xã Gửi Mới", "-f", "csv").stdout


def test_a_packet_never_changes_what_the_register_holds(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    packet = build(tmp_path / "p.ntmp", [observation(1)])
    on(b, "exchange", "import", packet)
    other = build(tmp_path / "q.ntmp", [observation(1, kind="unmet")])
    before = digest(b.db)
    refused = on(b, "exchange", "import", other, code=1)
    assert "held here with different content" in refused.stderr and digest(b.db) == before


def test_conflicting_verdicts_from_two_origins_both_stay_and_are_listed(office, tmp_path):
    xa, huyen = commune(office("xa")), commune(office("huyen"))
    on(xa, "record", "met", "Dân Lý", "5", "--date", "01/10/2018")
    on(huyen, "record", "unmet", "Dân Lý", "5", "--date", "01/10/2018")
    pa, pb = tmp_path / "a.ntmp", tmp_path / "b.ntmp"
    on(xa, "exchange", "export", "-o", pa)
    on(huyen, "exchange", "export", "-o", pb)
    x, y = office("x"), office("y")
    on(x, "init")
    on(y, "init")
    on(x, "exchange", "import", pa)
    second = json.loads(on(x, "exchange", "import", pb, "--summary-json").stdout)
    assert second["conflicts"] == 1
    on(y, "exchange", "import", pb, pa)
    assert reports(x) == reports(y)
    rows = json.loads(on(x, "exchange", "conflicts", "--under", "Triệu Sơn", "-f", "json").stdout)
    assert len(rows) == 1
    row = rows[0]
    assert (row["type"], row["criterion"], row["date"], row["verdict_a"], row["verdict_b"]) == (
        "verdict", 5, "2018-10-01", "met", "unmet")
    origins = {json.loads(p.read_bytes().split(b"\n", 1)[0])["origin"] for p in (pa, pb)}
    assert {row["origin_a"], row["origin_b"]} == origins


def _one_plan_sent_two_ways(office, tmp_path):
    """Packets from a commune and a district carrying plan trieu-son-2018 with two contents."""
    xa, huyen = commune(office("xa")), office("huyen")
    on(huyen, "init")
    on(huyen, "units", "import", EXAMPLES / "trieu-son-units.yaml")
    changed = tmp_path / "plan.yaml"
    changed.write_text((EXAMPLES / "trieu-son-2018.yaml").read_text(encoding="utf-8").replace(
        "2018-12-31", "2018-12-30", 1), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != (EXAMPLES / "trieu-son-2018.yaml").read_text(encoding="utf-8")
    on(huyen, "plan", "import", changed)
    pa, pb = tmp_path / "a.ntmp", tmp_path / "b.ntmp"
    on(xa, "exchange", "export", "-o", pa)
    on(huyen, "exchange", "export", "-o", pb)
    return pa, pb


def test_a_plan_sent_with_other_content_keeps_the_first(office, tmp_path):
    pa, pb = _one_plan_sent_two_ways(office, tmp_path)
    x = office("x")
    on(x, "init")
    on(x, "exchange", "import", pa)
    plan_before = on(x, "plan", "show", "trieu-son-2018", "-f", "json").stdout
    assert json.loads(on(x, "exchange", "import", pb, "--summary-json").stdout)["conflicts"] == 1
    assert on(x, "plan", "show", "trieu-son-2018", "-f", "json").stdout == plan_before
    rows = json.loads(on(x, "exchange", "conflicts", "-f", "json").stdout)
    assert [(r["type"], r["key"]) for r in rows] == [("plan", "trieu-son-2018")]
    huyen_id = json.loads(pb.read_bytes().split(b"\n", 1)[0])["origin"]
    assert rows[0]["origin_b"] == huyen_id


def test_status_and_laggards_count_a_packet_that_arrived_in_time(office, tmp_path):
    from ntmtrack.reports.laggards import last_period

    today = date.today()
    as_of = next(today + timedelta(days=n) for n in range(1, 15)
                 if (p := last_period("friday", today + timedelta(days=n))) and p[0] <= today <= p[1])
    plan = tmp_path / "weekly.yaml"
    plan.write_text(f"""plan: bao-cao-tuan
title: Báo cáo tuần
start: {(today - timedelta(days=60)).isoformat()}
end: {(today + timedelta(days=60)).isoformat()}
report_every: weekly
criteria_set: qd1980-2016
units:
  - name: Thanh Hóa
    kind: province
    children: [{{name: Triệu Sơn, kind: district, children: [{{name: Dân Lý, kind: commune}}, {{name: Nưa, kind: commune}}]}}]
targets:
  - {{unit: Dân Lý, criteria: [1, 2], by: {(today + timedelta(days=50)).isoformat()}}}
  - {{unit: Nưa, criteria: [1, 2], by: {(today + timedelta(days=50)).isoformat()}}}
""", encoding="utf-8")
    tinh = office("tinh")
    on(tinh, "init")
    on(tinh, "plan", "import", plan)
    xa = office("xa")
    on(xa, "init")
    on(xa, "plan", "import", plan)
    packet = tmp_path / "xa.ntmp"
    on(xa, "exchange", "export", "--under", "Dân Lý", "-o", packet)
    lag = json.loads(on(tinh, "laggards", "--as-of", as_of.isoformat(), "-f", "json").stdout)
    assert {r["unit"] for r in lag if r["reason"] == "no_report"} == {"Dân Lý", "Nưa"}
    on(tinh, "exchange", "import", packet)    # nothing new to say, but it came in time
    lag = json.loads(on(tinh, "laggards", "--as-of", as_of.isoformat(), "-f", "json").stdout)
    assert {r["unit"] for r in lag if r["reason"] == "no_report"} == {"Nưa"}
    rows = json.loads(on(tinh, "exchange", "status", "--as-of", as_of.isoformat(), "-f", "json").stdout)
    assert len(rows) == 1
    assert (rows[0]["units"], rows[0]["top_units"], rows[0]["late"]) == (1, "Thanh Hóa/Triệu Sơn/Dân Lý", False)
    assert rows[0]["last_file"] == "xa.ntmp"
    later = json.loads(on(tinh, "exchange", "status", "--as-of", (as_of + timedelta(days=7)).isoformat(),
                          "-f", "json").stdout)
    assert later[0]["late"] is True


def test_export_refuses_both_since_last_and_all_and_never_overwrites(office, tmp_path):
    a = commune(office("xa"))
    on(a, "exchange", "export", "--since-last", "tinh", "--all", "-o", tmp_path / "p.ntmp", code=2)
    existing = tmp_path / "old.ntmp"
    existing.write_text("keep", encoding="utf-8")
    assert "exists" in on(a, "exchange", "export", "-o", existing, code=1).stderr
    assert existing.read_text(encoding="utf-8") == "keep"
    assert on(a, "exchange", "export", "-o", a.db, "--force", code=1).exit_code == 1


def test_a_record_the_register_cannot_hold_refuses_the_packet(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    packet = build(tmp_path / "p.ntmp", [observation(1), observation(2, criterion=99)])
    before = digest(b.db)
    refused = on(b, "exchange", "import", packet, code=1)
    assert "cannot hold" in refused.stderr and "Traceback" not in refused.stderr
    assert digest(b.db) == before


def test_names_alike_but_for_diacritics_with_other_codes_are_two_units(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    on(b, "units", "add", "Hà Tĩnh", "--kind", "province", "--code", "42")
    on(b, "units", "add", "Đông Hồng", "--kind", "commune", "--parent", "Hà Tĩnh", "--code", "00768")
    units = [dict(UNITS[0], code="42"), dict(UNITS[1], name="Đồng Hồng", path="Hà Tĩnh/Đồng Hồng", code="00752")]
    packet = build(tmp_path / "p.ntmp", [observation(1)], units=units)
    summary = json.loads(on(b, "exchange", "import", "--summary-json", packet).stdout)
    assert (summary["units_created"], summary["units_unplaced"], summary["added"]) == (1, 0, 1)
    assert "00752" in on(b, "units", "show", "00752").stdout


def test_a_value_typed_here_before_one_recorded_later_elsewhere_does_not_replace_it(office, tmp_path, monkeypatch):
    """Same day, same indicator: the packet's value was recorded later (by its own clock)
    than the one typed here afterwards, so it stays the day's value, as in the register that
    received them the other way round."""
    from ntmtrack.store import observations as obs_store

    a = commune(office("xa"))
    monkeypatch.setattr(obs_store, "now", lambda: "2018-10-05T09:00:00+00:00")
    on(a, "record", "set", "Dân Lý", "ho-so-tieu-chi", "12", "--date", "01/10/2018")
    packet = tmp_path / "xa.ntmp"
    on(a, "exchange", "export", "-o", packet)
    b = commune(office("huyen"))
    on(b, "exchange", "import", packet)
    monkeypatch.setattr(obs_store, "now", lambda: "2018-10-05T08:00:00+00:00")
    on(b, "record", "set", "Dân Lý", "ho-so-tieu-chi", "7", "--date", "01/10/2018")
    c = commune(office("tinh"))
    on(c, "record", "set", "Dân Lý", "ho-so-tieu-chi", "7", "--date", "01/10/2018")
    on(c, "exchange", "import", packet)

    def value(run):
        conn = sqlite3.connect(run.db)
        try:
            return conn.execute("SELECT s.value FROM indicator_state s JOIN unit u ON u.id = s.unit_id"
                                " WHERE u.name = 'Dân Lý' AND s.indicator = 'ho-so-tieu-chi'").fetchone()[0]
        finally:
            conn.close()

    assert value(b) == value(c) == 12
    assert "register ok" in on(b, "db", "check").stderr


def test_packets_imported_together_are_not_all_held_in_memory(office, tmp_path, monkeypatch):
    """Memory flat in the number of packets: every file is checked before anything is written,
    but while one is imported the others' manifests (each a district's tree) are not held."""
    import gc

    from ntmtrack.read.packet import Manifest
    from ntmtrack.register import exchange

    packets = [build(tmp_path / f"p{n}.ntmp", [observation(n, criterion=n)]) for n in range(1, 5)]
    live = []
    real = exchange.import_packet

    def counting(*args, **kwargs):
        gc.collect()
        live.append(sum(isinstance(o, Manifest) for o in gc.get_objects()))
        return real(*args, **kwargs)

    monkeypatch.setattr(exchange, "import_packet", counting)
    b = office("tinh")
    on(b, "init")
    out = on(b, "exchange", "import", *packets, "--summary-json").stdout
    assert [json.loads(line)["added"] for line in out.splitlines()] == [1, 1, 1, 1]
    assert live == [1, 1, 1, 1]


def test_content_changed_after_the_check_is_refused_when_read(tmp_path):
    """What is imported is what was checked: the content is hashed again as it is read."""
    from ntmtrack.read import packet as reader

    packet = build(tmp_path / "p.ntmp", [observation(1, criterion=1)])
    manifest = reader.read_manifest(packet)
    reader.verify(packet, manifest)
    for criterion in range(2, 10):   # another verdict whose content has the same length
        other = build(tmp_path / "q.ntmp", [observation(1, criterion=criterion)])
        content = other.read_bytes()[reader.read_manifest(other).header_bytes:]
        if len(content) == manifest.content_bytes:
            break
    assert len(content) == manifest.content_bytes
    packet.write_bytes(packet.read_bytes()[:manifest.header_bytes] + content)
    with pytest.raises(reader.PacketError, match="checksum"):
        list(reader.records(packet, manifest))
    with pytest.raises(reader.PacketError, match="checksum"):
        reader.reread_manifest(other, manifest.sha256)


def _records(packet) -> tuple[dict, list[dict]]:
    import gzip

    head, rest = packet.read_bytes().split(b"\n", 1)
    return json.loads(head), [json.loads(line) for line in gzip.decompress(rest).splitlines()]


def test_since_last_keeps_a_mark_per_unit_exported(office, tmp_path):
    """A mark made by one unit's export says nothing of another's; destinations are named
    without regard to spaces, case or diacritics."""
    a = commune(office("huyen"))
    on(a, "record", "met", "Dân Lý", "1", "--date", "01/10/2018")
    on(a, "record", "met", "Nưa", "2", "--date", "01/10/2018")
    first, second, third = (tmp_path / f"{n}.ntmp" for n in ("c4", "nua", "nua2"))
    on(a, "exchange", "export", "--under", "Dân Lý", "--since-last", "Tỉnh", "-o", first)
    on(a, "exchange", "export", "--under", "Nưa", "--since-last", " tinh ", "-o", second)
    on(a, "exchange", "export", "--under", "Nưa", "--since-last", "TỈNH", "-o", third)
    assert [_records(p)[0]["counts"]["observation"] for p in (first, second, third)] == [1, 1, 0]


def test_packets_alike_from_two_origins_or_two_weeks_are_each_a_report(office, tmp_path, monkeypatch):
    from ntmtrack.register import exchange

    tinh = office("tinh")
    on(tinh, "init")
    sent = []
    for name in ("xa1", "xa2"):
        xa = office(name)
        on(xa, "init")
        for week in ("2026-11-20T08:00:00+00:00", "2026-11-27T08:00:00+00:00"):
            monkeypatch.setattr(exchange, "now", lambda week=week: week)
            packet = tmp_path / f"{name}-{week[:10]}.ntmp"
            on(xa, "exchange", "export", "--since-last", "tinh", "-o", packet)
            sent.append(packet)
    assert len({p.read_bytes().split(b"\n", 1)[1] for p in sent}) == 1   # the same content
    monkeypatch.undo()
    on(tinh, "exchange", "import", *sent)
    on(tinh, "exchange", "import", *sent)      # again: nothing new
    rows = json.loads(on(tinh, "exchange", "status", "-f", "json").stdout)
    assert sorted(r["packets"] for r in rows) == [2, 2]


def test_a_packet_claiming_the_registers_own_ids_is_refused(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    own = {r["key"]: r["value"] for r in json.loads(on(b, "db", "info", "-f", "json").stdout)}["register_id"]
    packet = build(tmp_path / "p.ntmp", [{**observation(1), "gid": f"{own}:000000000003"}])
    before = digest(b.db)
    assert "own id" in on(b, "exchange", "import", packet, code=1).stderr
    assert digest(b.db) == before


def test_a_void_of_another_units_observation_or_a_lineage_cycle_is_refused(office, tmp_path):
    units = [*UNITS, {"n": 3, "parent": 1, "name": "Xã Khác", "kind": "commune", "code": None, "edition": None,
                      "path": "Hà Tĩnh/Xã Khác", "aliases": None, "active_until": None, "covered": True}]
    b = office("tinh")
    on(b, "init")
    before = digest(b.db)
    void = {**observation(2, kind="void", day="2022-05-03"), "unit": 3, "voids": observation(1)["gid"]}
    del void["criteria_set"], void["criterion"]
    cases = {
        "another unit": [observation(1), void],
        "own predecessor": [{"type": "lineage", "predecessor": 2, "successor": 2, "date": "2022-01-01", "event": "merge"}],
        "own predecessor ": [{"type": "lineage", "predecessor": 2, "successor": 3, "date": "2022-01-01", "event": "merge"},
                             {"type": "lineage", "predecessor": 3, "successor": 2, "date": "2022-02-01", "event": "merge"}],
    }
    for words, records in cases.items():
        packet = build(tmp_path / "p.ntmp", records, units=units)
        assert words.strip() in on(b, "exchange", "import", packet, code=1).stderr
        assert digest(b.db) == before


def test_a_plan_a_report_could_not_read_is_refused(office, tmp_path):
    a = commune(office("xa"))
    packet = tmp_path / "xa.ntmp"
    on(a, "exchange", "export", "-o", packet)
    head, records = _records(packet)
    b = office("tinh")
    on(b, "init")
    before = digest(b.db)
    for change, words in ((lambda p: p["targets"][0].update(dossier=[1, 2, "x"]), "target"),
                          (lambda p: p["targets"][0].update(criteria=["a", None]), "target"),
                          (lambda p: p.update(end="2010-01-01"), "ends before"),
                          (lambda p: p.update(report_every="fortnightly"), "report_every"),
                          (lambda p: p.update(title="Kế hoạch khác"), "hash")):
        bad = json.loads(json.dumps(records))
        plan = next(r for r in bad if r["type"] == "plan")
        change(plan)
        if words == "hash":
            plan["document"] = plan["document"].replace("title", "tieu_de", 1)
        tampered = build(tmp_path / "bad.ntmp", bad, units=head["units"], origin=head["origin"])
        assert words in on(b, "exchange", "import", tampered, code=1).stderr, words
        assert digest(b.db) == before


def test_units_renamed_or_merged_on_one_side_make_the_same_register_in_any_order(office, tmp_path, monkeypatch):
    m = commune(office("m"))
    on(m, "record", "met", "Dân Lực", "1", "--date", "01/10/2018")
    m1, m2 = tmp_path / "m1.ntmp", tmp_path / "m2.ntmp"
    on(m, "exchange", "export", "-o", m1)
    on(m, "units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú", "--date", "2025-07-01")
    on(m, "units", "rename", "Dân Lực", "Dân Lực Mới")
    on(m, "exchange", "export", "-o", m2)
    x, y = office("x"), office("y")
    for run, order in ((x, (m1, m2)), (y, (m2, m1))):
        on(run, "init")
        on(run, "exchange", "import", *order)
    for args in (("units", "list", "-f", "csv"), ("status", "--as-of", "2025-08-01", "-f", "csv"),
                 ("history", "Dân Lực Mới", "-f", "csv")):
        assert on(x, *args).stdout == on(y, *args).stdout, args
    assert "Dân Lực Mới" in on(x, "units", "list", "-f", "csv").stdout


def test_times_from_elsewhere_are_kept_in_utc(office, tmp_path):
    b = office("tinh")
    on(b, "init")
    packet = build(tmp_path / "p.ntmp", [{**observation(1), "recorded_at": "2022-05-02T15:00:00+07:00"}])
    on(b, "exchange", "import", packet)
    conn = sqlite3.connect(b.db)
    assert conn.execute("SELECT recorded_at FROM observation").fetchone()[0] == "2022-05-02T08:00:00+00:00"
    conn.close()


def test_conflicts_under_a_unit_list_its_plans_with_the_documented_keys(office, tmp_path):
    from ntmtrack.reports.exchange import CONFLICT_KEYS

    pa, pb = _one_plan_sent_two_ways(office, tmp_path)
    x = office("x")
    on(x, "init")
    on(x, "exchange", "import", pa, pb)
    rows = json.loads(on(x, "exchange", "conflicts", "--under", "Triệu Sơn", "-f", "json").stdout)
    assert [(r["type"], r["key"]) for r in rows] == [("plan", "trieu-son-2018")]
    assert list(rows[0]) == CONFLICT_KEYS
    header = on(x, "exchange", "conflicts", "-f", "csv").stdout.splitlines()[0]
    assert header.split(",") == CONFLICT_KEYS


def test_m012_keeps_the_packets_logged_and_drops_the_marks_of_unknown_scope(office, tmp_path, monkeypatch):
    a = commune(office("xa"))
    on(a, "record", "met", "Dân Lý", "1", "--date", "01/10/2018")
    before = reports(a)
    old = downgrade(a.db, tmp_path / "before-m012.db", "m012_exchange_keys")
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO packet VALUES ('ab', 'o', '2026-11-20T08:00:00+00:00',"
                 " '2026-11-21T08:00:00+00:00', 'p.ntmp', 1, 9, 9, 9, '2026-11-19')")
    conn.execute("INSERT INTO exchange_sent VALUES ('tinh', 7, '2026-11-20T08:00:00+00:00')")
    conn.commit()
    conn.close()
    b = office("before-m012")
    b.db = old
    assert reports(b) == before
    conn = sqlite3.connect(old)
    assert conn.execute("SELECT sha256, origin, file, newest_date FROM packet").fetchall() == [
        ("ab", "o", "p.ntmp", "2026-11-19")]
    assert conn.execute("SELECT count(*) FROM exchange_sent").fetchone() == (0,)
    assert [r[1] for r in conn.execute("PRAGMA table_info(exchange_sent)")][:2] == ["destination", "under_id"]
    conn.close()
    packet = tmp_path / "all.ntmp"
    on(b, "exchange", "export", "--since-last", "tinh", "-o", packet)   # everything, once
    assert _records(packet)[0]["counts"]["observation"] == 1
    assert "register ok" in on(b, "db", "check").stderr


def test_packets_through_exchange_import_in_any_order_make_the_same_register(office, tmp_path):
    """The order-independence of rule 1, through the whole import: units placed, created,
    renamed and merged, plans, voids and a contradicting origin, in several orders."""
    import itertools
    import random

    a, b = commune(office("xa")), commune(office("huyen"))
    packets = []

    def send(run, name):
        packets.append(tmp_path / f"{name}.ntmp")
        on(run, "exchange", "export", "-o", packets[-1])

    on(a, "record", "met", "Dân Lực", "1", "2", "--date", "01/10/2018")
    on(a, "record", "set", "Dân Lực", "ho-so-tieu-chi", "5", "--date", "01/10/2018")
    send(a, "a1")
    on(a, "record", "void", "1")
    on(a, "units", "rename", "Dân Lực", "Dân Lực Mới")
    on(a, "units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú", "--date", "2025-07-01")
    on(a, "record", "add", "Dân Lực Mới", "ho-so-tieu-chi", "3", "--date", "01/10/2018")
    send(a, "a2")
    on(b, "record", "unmet", "Dân Lực", "2", "--date", "01/10/2018")
    on(b, "units", "add", "Thôn Mới", "--kind", "village", "--parent", "Dân Lực")
    send(b, "b1")
    orders = list(itertools.permutations(packets))
    seen = None
    for n, order in enumerate(random.Random(16).sample(orders, 5)):
        run = office(f"x{n}")
        on(run, "init")
        on(run, "exchange", "import", *order)
        got = [on(run, *args, "-f", "csv").stdout for args in (
            ("units", "list"), ("status", "--as-of", "2025-08-01"), ("status", "--as-of", "2018-10-02"),
            ("exchange", "conflicts"))] + reports(run)[:-1]
        assert seen is None or got == seen, [p.name for p in order]
        seen = got
