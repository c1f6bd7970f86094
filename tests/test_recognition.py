"""The road's end: titles at levels, batches, revocations, and mergers that carry nothing over."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import EXAMPLES

from ntmtrack.register.titles import held_titles


def _status(run, unit, day):
    rows = json.loads(run("status", "--under", unit, "--as-of", day, "-f", "json").stdout)
    return {r["unit"]: r for r in rows}


def test_one_decision_recognises_a_batch_at_a_level(ready):
    run = ready
    out = run("record", "recognized", "Dân Lý", "Tân Ninh", "Thọ Thế", "--decision", "4706/QĐ-UBND",
              "--date", "12/11/2019").stderr
    assert out.count("4706/QĐ-UBND") == 3
    rows = _status(run, "Triệu Sơn", "2019-12-31")
    for name in ("Dân Lý", "Tân Ninh", "Thọ Thế"):
        assert rows[name]["recognition"] == "4706/QĐ-UBND"
        assert rows[name]["recognition_level"] == "ntm"
        assert rows[name]["state"] == "recognized"
    assert rows["Minh Châu"]["recognition_level"] is None
    run("record", "recognized", "Dân Lý", "--decision", "88/QĐ-UBND", "--level", "nang-cao",
        "--date", "2021-03-01")
    assert _status(run, "Dân Lý", "2021-12-31")["Dân Lý"]["recognition_level"] == "nang-cao"


def test_a_batch_with_one_unknown_commune_records_nothing(ready):
    run = ready
    result = run("record", "recognized", "Dân Lý", "Không Có", "--decision", "1/QĐ", code=1)
    assert "Không Có" in result.stderr
    assert "recogni" not in run("history", "Dân Lý", "-f", "csv").stdout


def test_a_bad_level_is_a_usage_error(ready):
    assert ready("record", "recognized", "Dân Lý", "--decision", "1/QĐ", "--level", "vip", code=2)


def test_revocation_withdraws_from_its_date_and_history_keeps_both(ready):
    run = ready
    run("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "2018-12-25")
    run("record", "recognized", "Tân Ninh", "--decision", "9/QĐ-UBND", "--level", "nang-cao",
        "--date", "2021-06-01")
    run("record", "revoked", "Tân Ninh", "--decision", "15/QĐ-UBND", "--date", "2024-03-01")
    before = _status(run, "Tân Ninh", "2024-02-29")["Tân Ninh"]
    assert (before["recognition_level"], before["recognition"]) == ("nang-cao", "9/QĐ-UBND")
    after = _status(run, "Tân Ninh", "2024-03-01")["Tân Ninh"]
    # revoking NTM withdraws the advanced title that rests on it
    assert after["recognition"] is None and after["recognition_level"] is None
    history = list(csv.DictReader(io.StringIO(run("history", "Tân Ninh", "-f", "csv").stdout)))
    assert [(h["kind"], h["level"]) for h in history] == [
        ("recognized", "ntm"), ("recognized", "nang-cao"), ("revoked", "ntm")]


def test_revoking_a_title_not_held_is_refused(ready):
    run = ready
    run("record", "recognized", "Tân Ninh", "--decision", "4863/QĐ-UBND", "--date", "2018-12-25")
    result = run("record", "revoked", "Tân Ninh", "--decision", "1/QĐ", "--level", "kieu-mau",
                 "--date", "2020-01-01", code=1)
    assert "holds no" in result.stderr
    run("record", "revoked", "Tân Ninh", "--decision", "1/QĐ", "--date", "2018-12-01", code=1)


def test_revoking_the_advanced_title_keeps_ntm():
    events = [("recognized", "ntm", "a", "1", "2019-01-01"),
              ("recognized", "nang-cao", "b", "2", "2021-01-01"),
              ("revoked", "nang-cao", "b", "3", "2023-01-01")]
    assert [t["level"] for t in held_titles(events)] == ["ntm"]
    assert [t["level"] for t in held_titles(events[:2])] == ["ntm", "nang-cao"]
    assert held_titles(events + [("revoked", "ntm", "a", "4", "2024-01-01")]) == []
    again = events + [("revoked", "ntm", "a", "4", "2024-01-01"),
                      ("recognized", "ntm", "c", "5", "2025-01-01")]
    assert [(t["level"], t["decision"]) for t in held_titles(again)] == [("ntm", "5")]


@pytest.mark.parametrize("into_new", [False, True])
def test_a_merger_carries_no_title_and_no_verdict_over(ready, into_new):
    """Issue 13: Thọ Phú survives the merger of Thọ Thế and Thọ Vực into it, and starts afresh."""
    run = ready
    run("record", "met", "Thọ Phú", *map(str, range(1, 20)), "--set", "qd1980-2016", "--date", "2019-05-01")
    run("record", "recognized", "Thọ Phú", "--decision", "4706/QĐ-UBND", "--date", "2019-11-12")
    if into_new:
        run("units", "merge", "Thọ Thế", "Thọ Vực", "Thọ Phú", "--into", "Thọ Xuân Mới",
            "--kind", "commune", "--date", "2025-07-01")
        survivor = "Thọ Xuân Mới"
    else:
        run("units", "merge", "Thọ Thế", "Thọ Vực", "--into", "Thọ Phú", "--date", "2025-07-01")
        survivor = "Thọ Phú"
    row = _status(run, "Cụm 5", "01/03/2026")[survivor]
    assert row["recognition"] is None and row["recognition_level"] is None
    assert row["criteria_met"] == 0 and row["state"] != "recognized"
    assert row["since_merger"] == "2025-07-01"
    # the days before the merger keep what was true then
    old = _status(run, "Cụm 5", "2025-06-30")["Thọ Phú"]
    assert old["recognition"] == "4706/QĐ-UBND" and old["since_merger"] is None
    # new observations after the merger count
    run("record", "met", survivor, "1", "2", "--set", row["criteria_set"], "--date", "2025-09-01")
    assert _status(run, "Cụm 5", "2026-03-01")[survivor]["criteria_met"] == 2
    assert "4706/QĐ-UBND" in run("history", "Thọ Phú", "-f", "csv").stdout


def test_villages_have_their_own_set(ready):
    """Issue 13 item 11: a village's verdicts and titles only against a village set."""
    run = ready
    run("units", "add", "Thôn Đông Hồ", "--kind", "village", "--parent", "Dân Lý")
    refused = run("record", "met", "Thôn Đông Hồ", "1", "--date", "2022-05-01", code=1)
    assert "village set" in refused.stderr
    run("record", "recognized", "Thôn Đông Hồ", "--decision", "1/QĐ", "--date", "2022-05-01", code=1)
    assert "cluster" in run("record", "met", "Cụm 4", "1", "--date", "2022-05-01", code=1).stderr
    run("criteria", "import", EXAMPLES / "thon-ntm-vi-du.yaml")
    run("record", "met", "Thôn Đông Hồ", "1", "2", "--date", "2022-05-01")
    run("record", "recognized", "Thôn Đông Hồ", "--decision", "12/QĐ-UBND", "--date", "2022-06-01")
    history = run("history", "Thôn Đông Hồ", "-f", "csv").stdout
    assert "thon-ntm-vi-du:1" in history and "thon-ntm-vi-du:recognized" in history
    # a commune is never judged by the village set
    assert "judges villages" in run("record", "met", "Dân Lý", "1", "--set", "thon-ntm-vi-du",
                                    "--date", "2022-05-01", code=1).stderr


def test_the_summary_lists_every_decision_of_the_week(ready):
    run = ready
    run("record", "recognized", "Tân Ninh", "--decision", "1/QĐ-UBND", "--date", "2022-01-10")
    run("record", "recognized", "Tân Ninh", "--decision", "2/QĐ-UBND", "--level", "nang-cao", "--date", "2022-09-20")
    run("record", "revoked", "Dân Lý", "--decision", "3/QĐ-UBND", "--date", "2022-09-21", code=1)
    run("record", "recognized", "Dân Lý", "--decision", "4/QĐ-UBND", "--date", "2022-01-10")
    run("record", "revoked", "Dân Lý", "--decision", "5/QĐ-UBND", "--date", "2022-09-21")
    data = json.loads(run("summary", "--as-of", "2022-09-23", "-f", "json").stdout)
    assert [(r["unit"], r["decision"], r["kind"], r["level"]) for r in data["recognitions"]] == [
        ("Tân Ninh", "2/QĐ-UBND", "recognized", "nang-cao"), ("Dân Lý", "5/QĐ-UBND", "revoked", "ntm")]
    text = run("summary", "--as-of", "2022-09-23", "--lang", "vi").stdout
    assert "Dân Lý: thu hồi danh hiệu nông thôn mới theo 5/QĐ-UBND" in text
    assert "Tân Ninh: 2/QĐ-UBND nông thôn mới nâng cao" in text
