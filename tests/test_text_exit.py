"""Text is clean at the exit (issue 18, rule 2): a register written before the door was shut
(or by another tool) holds control and bidi characters; no human output lets them reach a
terminal raw, machine formats escape them per their format, and the workbook can still be
exported."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import EXAMPLES

RAW = ["\x1b", "\x07", "\x85", "\u202e", "\u200b", "\x9b"]


@pytest.fixture
def tainted(ready, db):
    """Triệu Sơn's 2018 review, then text no command would accept, written straight into the
    file as an older ntmtrack could have."""
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "met", "Dân Lý", "1", "2", "--date", "2018-10-15")
    conn = sqlite3.connect(db)
    with conn:
        unit = conn.execute("SELECT id FROM unit WHERE name = 'Dân Lý'").fetchone()[0]
        conn.execute("UPDATE unit SET name = ?, code = 'DL1' WHERE id = ?", ["Dân \u202eLý\x1b[2J", unit])
        conn.execute(
            "INSERT INTO observation (unit_id, criteria_set, kind, decision, date, note, by, source,"
            " recorded_at, level) VALUES (?, 'qd1980-2016', 'recognized', ?, '2018-10-30', ?, ?, 'old', "
            "'2018-10-30T00:00:00+00:00', 'ntm')",
            [unit, "12/QĐ\x1b]52;c;aGk=\x07", "ghi chú\x85\x9b31m", "cán bộ\u200b"])
    conn.close()
    return ready


def _clean(text: str, where: str) -> None:
    for ch in RAW:
        assert ch not in text, (where, repr(ch))


def test_human_outputs_never_print_them_raw(tainted, tmp_path):
    for args in [("status", "--as-of", "2018-11-02"), ("status", "--as-of", "2018-11-02", "-f", "markdown"),
                 ("laggards", "--as-of", "2018-11-02"), ("history", "DL1"),
                 ("summary", "--as-of", "2018-11-02", "--since", "2018-10-01"),
                 ("summary", "--as-of", "2018-11-02", "--since", "2018-10-01", "-f", "markdown"),
                 ("report", "html", "-", "--as-of", "2018-11-02"),
                 ("units", "list"), ("plan", "show", "trieu-son-2018"),
                 ("plan", "show", "trieu-son-2018", "-f", "markdown")]:
        result = tainted(*args)
        _clean(result.stdout, args)
        _clean(result.stderr, args)
    out = tainted("summary", "--as-of", "2018-11-02", "--since", "2018-10-01").stdout
    assert "\\x1b" in out                    # shown as its escape, not dropped
    error = tainted("units", "show", "Dân \u202eLý", code=None)
    _clean(error.stderr, "error")


def test_machine_formats_escape_them_per_format(tainted):
    for fmt in ("json", "jsonl"):
        text = tainted("history", "DL1", "-f", fmt).stdout
        _clean(text, fmt)
        rows = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
        rows = rows if isinstance(rows, list) else [rows]
        assert any("\x1b" in (r.get("decision") or "") for r in rows)   # the data, escaped in transit
    for fmt in ("csv", "tsv"):
        _clean(tainted("history", "DL1", "-f", fmt).stdout, fmt)
    data = tainted("summary", "--as-of", "2018-11-02", "--since", "2018-10-01", "-f", "json").stdout
    _clean(data, "summary json")
    assert json.loads(data)["recognitions"][0]["decision"].startswith("12/QĐ\x1b")


def test_the_workbook_can_still_be_exported(tainted, tmp_path):
    from openpyxl import load_workbook

    tainted("export", "xlsx", tmp_path / "b.xlsx", "--as-of", "2018-11-02")
    book = load_workbook(tmp_path / "b.xlsx")
    for ws in book:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    _clean(value, ws.title)


def test_every_json_output_escapes_them(tainted):
    for args in [("units", "show", "DL1", "-f", "json"), ("units", "show", "DL1", "-f", "jsonl"),
                 ("plan", "show", "trieu-son-2018", "-f", "json"), ("status", "--as-of", "2018-11-02", "-f", "json")]:
        text = tainted(*args).stdout
        _clean(text, args)
        assert "\\u202e" in text, args
