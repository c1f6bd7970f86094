"""What a pipeline reads from the machine formats, however many rows: JSON is the same data
whether 10 rows or 10,000 (days as ISO text, typed rows and dicts alike, numbers as numbers),
CSV cells are written as before for every kind of value, and nothing the register holds can
drive the terminal or run as a formula in Excel."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

import pytest

from ntmtrack.output.render import JSON_INDENT_BELOW, Column, Format, write


@dataclass(frozen=True)
class _Row:
    unit: str
    met: int
    share: float
    day: date | None
    missing: tuple
    done: bool


def _rows(n: int) -> list:
    rows = []
    for i in range(n):
        typed = _Row(f"Xã {i}\u202e", i, i / 4, date(2026, 1, 1 + i % 28) if i % 3 else None, (1, i), i % 2 == 0)
        # A dict row, and one without every key, mixed in as reports give them.
        rows.append(typed if i % 5 else {"unit": f"Thôn {i}", "met": i, "day": date(2025, 12, 31)})
    return rows


COLUMNS = [Column("unit", "unit", "unit"), Column("met", "met", "met", "int"),
           Column("share", "share", "share", "number"), Column("day", "day", "day", "date"),
           Column("missing", "missing", "missing", "list"), Column("done", "done", "done")]


def _expected(row) -> dict:
    mapping = row if isinstance(row, dict) else row.__dict__
    out = {}
    for c in COLUMNS:
        value = mapping.get(c.key)
        out[c.key] = value.isoformat() if isinstance(value, date) else (
            list(value) if isinstance(value, tuple) else value)
    return out


@pytest.mark.parametrize("n", [3, JSON_INDENT_BELOW - 1, JSON_INDENT_BELOW, 4321])
def test_json_gives_every_row_with_days_as_text_however_many(n):
    out = io.StringIO()
    write(_rows(n), COLUMNS, Format.json, "vi", out)
    text = out.getvalue()
    assert json.loads(text) == [_expected(r) for r in _rows(n)]
    assert "\u202e" not in text and "\\u202e" in text   # a bidi control arrives escaped
    assert text.endswith("]\n")
    if n >= JSON_INDENT_BELOW:   # in a pipe: one line, the separators json.dumps writes
        assert text == json.dumps([_expected(r) for r in _rows(n)],
                                  ensure_ascii=False).replace("\u202e", "\\u202e") + "\n"


def test_small_json_is_indented_and_numbers_keep_their_type():
    out = io.StringIO()
    write(_rows(7), COLUMNS, Format.json, "vi", out)
    expected = json.dumps([_expected(r) for r in _rows(7)], ensure_ascii=False, indent=2)
    assert out.getvalue() == expected.replace("\u202e", "\\u202e") + "\n"
    assert '"share": 0.25,' in out.getvalue() and '"done": false' in out.getvalue()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_long_json_array_at_a_terminal_is_indented_object_by_object():
    out = _Terminal()
    write(_rows(JSON_INDENT_BELOW + 5), COLUMNS, Format.json, "vi", out)
    text = out.getvalue()
    assert json.loads(text) == [_expected(r) for r in _rows(JSON_INDENT_BELOW + 5)]
    assert text.startswith('[\n  {\n    "unit": "Thôn 0",\n    "met": 0,\n')


def test_json_lines_give_one_object_per_row_with_days_as_text():
    out = io.StringIO()
    write(_rows(12), COLUMNS, Format.jsonl, "en", out)
    expected = "".join(json.dumps(_expected(r), ensure_ascii=False).replace("\u202e", "\\u202e") + "\n"
                       for r in _rows(12))
    assert out.getvalue() == expected


def test_any_mapping_row_and_a_single_column_are_written_as_given():
    from collections import OrderedDict

    rows = [OrderedDict(unit="Dân Lý", items=3), _Row("Thọ Thế", 2, 0.5, None, (), True)]
    out = io.StringIO()
    write(rows, [Column("unit", "unit", "unit"), Column("items", "items", "items", "int")], Format.json, "vi", out)
    assert json.loads(out.getvalue()) == [{"unit": "Dân Lý", "items": 3}, {"unit": "Thọ Thế", "items": None}]
    out = io.StringIO()
    write(rows, [Column("unit", "unit", "unit")], Format.jsonl, "vi", out)
    assert out.getvalue() == '{"unit": "Dân Lý"}\n{"unit": "Thọ Thế"}\n'


def test_csv_cells_keep_numbers_exact_and_text_visible():
    out = io.StringIO()
    rows = [{"unit": "=cmd|' /C calc'!A0", "met": 7, "share": 2.0, "day": date(2026, 3, 1),
             "missing": (3, 4), "done": True},
            {"unit": "Tân\x1b[31m", "met": 0, "share": 0.125, "day": None, "missing": (), "done": False},
            {"unit": "-5", "met": -3, "share": -1.5}]
    write(rows, COLUMNS, Format.csv, "en", out)
    got = list(csv.reader(io.StringIO(out.getvalue())))
    assert got == [["unit", "met", "share", "day", "missing", "done"],
                   ["=cmd|' /C calc'!A0", "7", "2", "2026-03-01", "3 4", "true"],
                   ["Tân\\x1b[31m", "0", "0.125", "", "", "false"],
                   ["-5", "-3", "-1.5", "", "", ""]]
    excel = io.StringIO()
    write(rows, COLUMNS, Format.csv, "en", excel, excel=True)
    cells = list(csv.reader(io.StringIO(excel.getvalue().lstrip("\ufeff"))))
    assert cells[1][0] == "'=cmd|' /C calc'!A0"   # text Excel would run: neutralised
    assert cells[3][:3] == ["-5", "-3", "-1.5"]     # numbers, and text that is a number: as is
    assert [c[5] for c in cells[1:]] == ["true", "false", ""]
