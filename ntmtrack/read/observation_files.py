"""Reading observation files as they really arrive: CSV/TSV (BOM, CRLF, `;`, cp1258),
JSONL and XLSX, streamed row by row with their line numbers.

Yields (line, {column: value}) or (line, problem message). Fatal problems (bytes that are
not text, a line over 1 MB) raise NtmError at once. openpyxl is imported only for XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, datetime
from typing import IO, Iterator

from ..model import NtmError
from . import fields
from .names import fold

MAX_LINE = 1024 * 1024

COLUMN_ALIASES = {
    "date": "date", "ngay": "date", "ngay bao cao": "date", "thoi gian": "date",
    "unit": "unit", "don vi": "unit", "xa": "unit", "ten don vi": "unit", "thon": "unit",
    "measure": "measure", "chi tieu": "measure", "tieu chi": "measure", "indicator": "measure",
    "criterion": "measure", "noi dung": "measure",
    "value": "value", "gia tri": "value", "so lieu": "value", "ket qua": "value",
    "note": "note", "ghi chu": "note", "notes": "note",
    "by": "by", "nguoi ghi": "by", "nguoi bao cao": "by", "reported by": "by",
    "set": "set", "criteria set": "set", "criteria_set": "set", "bo tieu chi": "set",
    "department": "department", "so nganh": "department", "so": "department", "nganh": "department",
    "result": "result", "ket qua tham dinh": "result", "level": "level", "muc": "level",
    "project": "project", "cong trinh": "project", "du an": "project",
}
REQUIRED = ("date", "unit", "measure", "value")


def _check_columns(source: str, line: int, header: list[str], columns: list[str | None]) -> None:
    """Every required column once: a file naming one twice (`value` twice, or `ngày` and
    `date`) would silently keep one of them."""
    seen: dict[str, str] = {}
    for shown, column in zip(header, columns):
        if column is None:
            continue
        if column in seen:
            raise NtmError(f"{source}:{line}: the column {column} is named twice ('{seen[column]}' and "
                           f"'{shown}'); keep one")
        seen[column] = shown
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise NtmError(f"{source}:{line}: missing column(s): {', '.join(missing)}")


def column_name(header: str) -> str | None:
    key = fold(str(header)).replace("_", " ").strip()
    return COLUMN_ALIASES.get(key) or COLUMN_ALIASES.get(key.replace(" ", "_"))


def _bad_text(row: dict) -> str | None:
    """What the register refuses in a row's text (read.fields), as the row's problem. A note
    may hold line breaks (CRLF inside a quoted CSV cell is one), kept as written."""
    for column, value in row.items():
        if isinstance(value, str) and not value.isprintable():
            message = fields.problem(value, column, multiline=column == "note")
            if message:
                return message
    return None


def _text_stream(binary: IO[bytes], encoding: str | None) -> io.TextIOWrapper:
    head = binary.peek(4)[:4] if hasattr(binary, "peek") else b""
    if encoding is None:
        if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
    try:
        return io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    except LookupError:
        raise NtmError(f"unknown encoding '{encoding}'") from None


def _lines(stream: io.TextIOWrapper, source: str, explicit_encoding: bool) -> Iterator[str]:
    number = 0
    while True:
        try:
            line = stream.readline(MAX_LINE + 1)
        except UnicodeDecodeError as e:
            hint = "" if explicit_encoding else "; if it came from Vietnamese Windows software, try --encoding cp1258"
            raise NtmError(f"{source}:{number + 1}: not valid {stream.encoding.replace('-sig', '')} "
                           f"(byte 0x{e.object[e.start]:02x}){hint}") from None
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise NtmError(f"{source}:{number}: line longer than {MAX_LINE // 1024 // 1024} MB; "
                           "is this really a table?")
        yield unicodedata.normalize("NFC", line)


def read_delimited(binary: IO[bytes], source: str, delimiter: str | None, encoding: str | None
                   ) -> Iterator[tuple[int, dict | str]]:
    stream = _text_stream(binary, encoding)
    lines = _lines(stream, source, encoding is not None)
    first = None
    header_line = 0
    for first in lines:
        header_line += 1
        if first.strip():
            break
    if first is None or not first.strip():
        return
    if delimiter is None:
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    header = next(csv.reader([first], delimiter=delimiter))
    columns = [column_name(h) for h in header]
    unknown = [h for h, c in zip(header, columns) if c is None and h.strip()]
    if unknown:
        raise NtmError(f"{source}:{header_line}: unknown column(s) {', '.join(unknown)}; expected "
                       "date, unit, measure, value, note (optional: by, set, department, result, level)")
    _check_columns(source, header_line, header, columns)
    counter = _LineCounter(lines, start=header_line)
    reader = csv.reader(counter, delimiter=delimiter, strict=True)
    while True:
        start = counter.number + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield counter.number, f"cannot read this row: {e}"
            continue
        if not any(c.strip() for c in cells):
            continue
        extra = cells[len(columns):]
        if any(c.strip() for c in extra):
            yield start, f"{len(cells)} cells but the header has {len(columns)} columns"
            continue
        row = {c: v for c, v in zip(columns, cells) if c}
        bad = _bad_text(row)
        yield start, bad or row


class _LineCounter:
    """Feeds csv.reader and remembers the physical line number (rows may span lines)."""

    def __init__(self, lines, start: int):
        self.lines, self.number = lines, start

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.lines)
        self.number += 1
        return line


def read_jsonl(binary: IO[bytes], source: str, encoding: str | None) -> Iterator[tuple[int, dict | str]]:
    stream = _text_stream(binary, encoding)
    for number, line in enumerate(_lines(stream, source, encoding is not None), 1):
        if not line.strip():
            continue
        try:
            pairs = json.loads(line, object_pairs_hook=lambda items: items)
        except json.JSONDecodeError as e:
            yield number, f"not JSON: {e.msg}"
            continue
        if not isinstance(pairs, list) or not all(isinstance(p, tuple) for p in pairs):
            yield number, "each line must be a JSON object"
            continue
        row, unknown, twice = {}, [], []
        for key, value in pairs:
            column = column_name(key)
            if column is None:
                unknown.append(key)
            elif column in row:
                twice.append(column)
            else:
                row[column] = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
                    else ("" if value is None else str(value))
        if unknown:
            yield number, f"unknown key(s) {', '.join(unknown)}"
            continue
        if twice:
            yield number, f"{', '.join(twice)} named twice; keep one"
            continue
        bad = _bad_text(row)
        yield number, bad or row


def read_xlsx(path_or_file, source: str, sheet: str | None) -> Iterator[tuple[int, dict | str]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a declared dependency
        raise NtmError("reading XLSX needs openpyxl: pip install openpyxl") from None
    import zipfile

    try:
        book = load_workbook(path_or_file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise NtmError(f"{source}: not a readable XLSX workbook ({e})") from None
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise NtmError(f"{source}: no sheet '{sheet}'; sheets: {', '.join(book.sheetnames)}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        columns = None
        for number, values in enumerate(ws.iter_rows(values_only=True), 1):
            if columns is None:
                if not any(v not in (None, "") for v in values):
                    continue
                columns = [column_name(v) if v is not None else None for v in values]
                unknown = [str(v) for v, c in zip(values, columns) if c is None and v not in (None, "")]
                if unknown:
                    raise NtmError(f"{source}:{number}: unknown column(s) {', '.join(unknown)}")
                _check_columns(source, number, [str(v) for v in values], columns)
                continue
            if not any(v not in (None, "") for v in values):
                continue
            row = {}
            for column, value in zip(columns, values):
                if column is None:
                    continue
                if isinstance(value, datetime):
                    value = value.date().isoformat()
                elif isinstance(value, date):
                    value = value.isoformat()
                elif value is None:
                    value = ""
                elif not isinstance(value, (int, float)) or isinstance(value, bool):
                    value = unicodedata.normalize("NFC", str(value))
                row[column] = value
            bad = _bad_text(row)
            yield number, bad or row
    finally:
        book.close()
