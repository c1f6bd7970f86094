"""Reading observation files as they really arrive: CSV/TSV (BOM, CRLF, `;`, cp1258),
JSONL and XLSX, streamed row by row with their line numbers.

Yields (line, {column: value}) or (line, problem message). Fatal problems (bytes that are
not text, a line over 1 MB) raise NtmError at once. openpyxl is imported only for XLSX.

The header row is the first of the first HEADER_SEARCH rows that names the required columns
(rows above it are a title, as in a commune's workbook or a fill-in template), or the row
after `skip_rows`. Files the register wrote itself (`history --format csv|jsonl`, the
workbook's observations sheet, a fill-in template) are read back: their informational
columns are known, a `kind` column says how to read the value, voided rows are left out.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import unicodedata
from datetime import date, datetime
from typing import IO, Iterator

from ..locale import _
from ..model import NtmError
from . import fields
from .names import fold
from .text import sniff_delimiter

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
    # Written by ntmtrack itself (history, the workbook, fill-in templates): read back.
    "kind": "kind", "loai": "kind", "voided": "voided", "da huy": "voided",
    "unit path": "path", "unit_path": "path", "path": "path", "duong dan": "path",
    "current": "current", "current value": "current", "hien tai": "current",
    "gia tri hien tai": "current",
}
# Columns of ntmtrack's own files that carry nothing to record (ids, names shown to help the
# person filling in, when and where it was recorded).
INFORMATIONAL = {
    "id", "source", "nguon", "recorded at", "ghi luc", "voids", "voided by", "decision",
    "quyet dinh", "name", "ten", "ten chi tieu", "unit of measure", "don vi tinh", "stt", "no",
    # a dossier step's and a money row's own fields, said again by `measure` and `value`
    "step", "amount", "fund kind", "fund source",
}
REQUIRED = ("date", "unit", "measure", "value")
HEADER_SEARCH = 20   # rows a title may take above the header
# A register's own export names a criterion and an indicator beside its measure: there they
# describe the measure, they are not a second one.
_DESCRIBING = {"criterion", "indicator"}


def _check_columns(source: str, line: int, header: list[str], columns: list[str | None]) -> None:
    """Every required column once: a file naming one twice (`value` twice, or `ngày` and
    `date`) would silently keep one of them."""
    seen: dict[str, str] = {}
    for shown, column in zip(header, columns):
        if column is None:
            continue
        if column in seen:
            raise NtmError(_("{source}:{line}: the column {column} is named twice ('{seen}' and '{shown}'); keep one").format(source=source, line=line, column=column, seen=seen[column], shown=shown))
        seen[column] = shown
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise NtmError(_("{source}:{line}: missing column(s): {missing}").format(source=source, line=line, missing=', '.join(missing)))


def column_name(header: str) -> str | None:
    key = fold(str(header)).replace("_", " ").strip()
    return COLUMN_ALIASES.get(key) or COLUMN_ALIASES.get(key.replace(" ", "_"))


def header_columns(header: list) -> tuple[list[str | None], list[str]]:
    """The column each header cell names (None for an empty or informational cell), and the
    cells naming no known column."""
    keys = [fold(str(h)).replace("_", " ").strip() if h is not None else "" for h in header]
    exported = "kind" in {column_name(k) for k in keys if k}
    columns, unknown = [], []
    for shown, key in zip(header, keys):
        if not key or key in INFORMATIONAL or (exported and key in _DESCRIBING):
            columns.append(None)
            continue
        column = column_name(key)
        columns.append(column)
        if column is None:
            unknown.append(str(shown))
    return columns, unknown


def _is_header(cells: list) -> bool:
    columns, _unused = header_columns(cells)
    return all(c in columns for c in REQUIRED)


_KINDS = {
    "met": "met", "dat": "met", "unmet": "unmet", "not met": "unmet", "chua dat": "unmet",
    "set": "set", "level": "set", "muc": "set", "add": "add", "increase": "add",
    "cong them": "add", "recognized": "recognized", "recognised": "recognized",
    "cong nhan": "recognized", "void": "void", "huy": "void", "revoked": "revoked",
    "thu hoi": "revoked", "step": "step", "dossier step": "step", "buoc ho so": "step",
    "funds": "funds", "money": "funds", "von": "funds",
}
_TRUE = {"true", "1", "yes", "co", "x"}


def from_export(row: dict) -> dict | None:
    """A row of ntmtrack's own export as `record import` reads any row, or None to leave it
    out (a voided observation, or a void: the state they leave is the state without both).
    `kind` says how to read the value (an increase is written without its '+'); a measure
    `SET:17`, `SET:recognized` or `SET:revoked` carries its criteria set; `dossier:STEP` and
    `funds:KIND:SOURCE` stay as they are."""
    kind = row.pop("kind", None)
    voided = row.pop("voided", None)
    if voided is not None and fold(str(voided)).strip() in _TRUE:
        return None
    kind = _KINDS.get(fold(str(kind)).strip()) if kind not in (None, "") else None
    if kind == "void":
        return None
    measure = str(row.get("measure", "")).strip()
    if ":" in measure and kind not in ("step", "funds"):   # dossier:STEP, funds:KIND:SOURCE
        code, _unused, rest = measure.rpartition(":")
        if code and not row.get("set"):
            row["set"] = code
        row["measure"] = rest
    if kind in ("met", "unmet"):
        row["value"] = kind
    elif kind == "add":
        value = row.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            row["value"] = ("+" if value >= 0 else "") + repr(value)
        elif isinstance(value, str) and value.strip() and value.strip()[0] not in "+-":
            row["value"] = "+" + value.strip()
    elif kind == "set" and isinstance(row.get("value"), str):
        row["value"] = row["value"].strip().lstrip("+")
    row["_exported"] = True
    return row


def _same(value, current) -> bool:
    """A template's value left as the current one (a number equal, or the same words)."""
    from .numbers import parse_amount

    numbers = []
    for v in (value, current):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.append(float(v))
        else:
            parsed = parse_amount(str(v))
            numbers.append(parsed[0] if isinstance(parsed, tuple) and not parsed[1] else None)
    if None not in numbers:
        return abs(numbers[0] - numbers[1]) < 1e-9
    return fold(str(value)).strip() == fold(str(current)).strip()


def finish_row(row: dict) -> dict | None:
    """A data row as `record import` reads it: a path names the unit exactly; a register's own
    export is read back (from_export); a fill-in template's row left empty or unchanged is
    left out (None)."""
    path = row.pop("path", None)
    if path not in (None, "") and str(path).strip():
        row["unit"] = str(path).strip()
    if "current" in row:
        current = row.pop("current")
        value = row.get("value")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if current not in (None, "") and _same(value, current):
            return None
    if "kind" in row or "voided" in row:
        return from_export(row)
    return row


def _bad_text(row: dict) -> str | None:
    """What the register refuses in a row's text (read.fields), as the row's problem. A note
    may hold line breaks (CRLF inside a quoted CSV cell is one), kept as written."""
    try:
        if "".join(row.values()).isprintable():
            return None   # the common case, in C: every character refused is non-printable
    except TypeError:
        pass   # numbers in a JSONL or XLSX row
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
        raise NtmError(_("unknown encoding '{encoding}'").format(encoding=encoding)) from None


def _lines(stream: io.TextIOWrapper, source: str, explicit_encoding: bool) -> Iterator[str]:
    number = 0
    while True:
        try:
            line = stream.readline(MAX_LINE + 1)
        except UnicodeDecodeError as e:
            hint = "" if explicit_encoding else _("; if it came from Vietnamese Windows software, try --encoding cp1258")
            raise NtmError(_("{source}:{number}: not valid {value} (byte 0x{object:02x}){hint}").format(source=source, number=number + 1, value=stream.encoding.replace('-sig', ''), object=e.object[e.start], hint=hint)) from None
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise NtmError(_("{source}:{number}: line longer than {MAX_LINE} MB; is this really a table?").format(source=source, number=number, MAX_LINE=MAX_LINE // 1024 // 1024))
        yield unicodedata.normalize("NFC", line)


def read_delimited(binary: IO[bytes], source: str, delimiter: str | None, encoding: str | None,
                   skip_rows: int | None = None) -> Iterator[tuple[int, dict | str]]:
    stream = _text_stream(binary, encoding)
    lines = _lines(stream, source, encoding is not None)
    seen: list[tuple[int, str]] = []   # the lines read while looking for the header
    chosen = None                      # index in `seen` of the header line
    first = None                       # the first non-blank line: the header if none is found
    searched = 0
    for number, line in enumerate(lines, 1):
        seen.append((number, line))
        if (skip_rows is not None and number <= skip_rows) or not line.strip():
            continue
        if first is None:
            first = len(seen) - 1
        if skip_rows is not None:
            chosen = first
            break
        cells = next(csv.reader([line], delimiter=delimiter or sniff_delimiter(line)), [])
        if _is_header(cells):
            chosen = len(seen) - 1
            break
        searched += 1
        if searched >= HEADER_SEARCH:
            break
    if first is None:
        return
    if chosen is None:
        chosen = first
    header_line, header_text = seen[chosen]
    delimiter = delimiter or sniff_delimiter(header_text)
    header = next(csv.reader([header_text], delimiter=delimiter))
    columns, unknown = header_columns(header)
    if unknown:
        raise NtmError(_("{source}:{header_line}: unknown column(s) {unknown}; expected date, unit, measure, value, note (optional: by, set, department, result, level, project); a title above the header may take up to {HEADER_SEARCH} rows, or give --skip-rows N").format(source=source, header_line=header_line, unknown=', '.join(unknown), HEADER_SEARCH=HEADER_SEARCH))
    _check_columns(source, header_line, header, columns)
    rest = itertools.chain((line for _unused, line in seen[chosen + 1:]), lines)
    # line_num counts the physical lines the reader took (a quoted cell may span several).
    reader = csv.reader(rest, delimiter=delimiter, strict=True)
    width = len(columns)
    plain = all(columns)                                   # no informational column to drop
    finishing = not {"path", "current", "kind", "voided"}.isdisjoint(columns)
    while True:
        start = header_line + reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield header_line + reader.line_num, _("cannot read this row: {e}").format(e=e)
            continue
        if not "".join(cells).strip():
            continue
        if len(cells) > width and "".join(cells[width:]).strip():
            yield start, _("{count} cells but the header has {count2} columns").format(count=len(cells), count2=len(columns))
            continue
        row = dict(zip(columns, cells)) if plain else {c: v for c, v in zip(columns, cells) if c}
        if finishing:
            row = finish_row(row)
            if row is None:
                continue
        bad = _bad_text(row)
        yield start, bad or row


def read_jsonl(binary: IO[bytes], source: str, encoding: str | None) -> Iterator[tuple[int, dict | str]]:
    stream = _text_stream(binary, encoding)
    for number, line in enumerate(_lines(stream, source, encoding is not None), 1):
        if not line.strip():
            continue
        try:
            pairs = json.loads(line, object_pairs_hook=lambda items: items)
        except json.JSONDecodeError as e:
            yield number, _("not JSON: {msg}").format(msg=e.msg)
            continue
        if not isinstance(pairs, list) or not all(isinstance(p, tuple) for p in pairs):
            yield number, _("each line must be a JSON object")
            continue
        row, twice = {}, []
        columns, unknown = header_columns([key for key, _unused in pairs])
        for (key, value), column in zip(pairs, columns):
            if column is None:
                continue
            if column in row:
                twice.append(column)
            else:
                row[column] = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
                    else ("" if value is None else str(value))
        if unknown:
            yield number, _("unknown key(s) {unknown}").format(unknown=', '.join(unknown))
            continue
        if twice:
            yield number, _("{twice} named twice; keep one").format(twice=', '.join(twice))
            continue
        row = finish_row(row)
        if row is None:
            continue
        bad = _bad_text(row)
        yield number, bad or row


def read_xlsx(path_or_file, source: str, sheet: str | None, skip_rows: int | None = None
              ) -> Iterator[tuple[int, dict | str]]:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a declared dependency
        raise NtmError(_("reading XLSX needs openpyxl: pip install openpyxl")) from None
    import zipfile

    try:
        book = load_workbook(path_or_file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise NtmError(_("{source}: not a readable XLSX workbook ({e})").format(source=source, e=e)) from None
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise NtmError(_("{source}: no sheet '{sheet}'; sheets: {sheetnames}").format(source=source, sheet=sheet, sheetnames=', '.join(book.sheetnames)))
            ws = book[sheet]
        else:
            ws = _first_data_sheet(book)
        yield from _sheet_rows(ws, source, skip_rows)
    finally:
        book.close()


INSTRUCTIONS_SHEETS = {"huong dan", "instructions"}


def _first_data_sheet(book):
    """The first sheet with observations' header in its first rows (the exported workbook's
    observations sheet, a template's rows), else the first that is not instructions."""
    others = [ws for ws in book.worksheets if fold(ws.title).strip() not in INSTRUCTIONS_SHEETS]
    for ws in others:
        for values in ws.iter_rows(max_row=HEADER_SEARCH, values_only=True):
            if _is_header(list(values)):
                return ws
    return (others or book.worksheets)[0]


def _cell_value(cell):
    """A cell's value as a row holds it: dates as ISO text, a cell formatted as a percentage
    (Excel stores 90% as 0.9) as the percentage it shows (90), text NFC."""
    value = cell.value
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "%" in (getattr(cell, "number_format", None) or ""):
            return round(value * 100, 10)
        return value
    return unicodedata.normalize("NFC", str(value))


def _sheet_rows(ws, source: str, skip_rows: int | None) -> Iterator[tuple[int, dict | str]]:
    columns = None
    first = None          # (number, values, index in pending) of the first non-empty row
    searched = 0
    pending: list = []    # rows read while looking for the header
    rows = enumerate(ws.iter_rows(), 1)
    for number, cells in rows:
        values = [c.value for c in cells]
        if skip_rows is not None and number <= skip_rows:
            continue
        if not any(v not in (None, "") for v in values):
            continue
        if first is None:
            first = (number, values, len(pending))
        pending.append((number, cells))
        if skip_rows is not None or _is_header(values):
            columns = _header(source, number, values)
            pending = []
            break
        searched += 1
        if searched >= HEADER_SEARCH:
            break
    if columns is None:
        if first is None:
            return
        number, values, index = first
        columns = _header(source, number, values)
        pending = pending[index + 1:]
    for number, cells in itertools.chain(pending, rows):
        values = [_cell_value(c) for c in cells]
        if not any(v not in (None, "") for v in values):
            continue
        row = finish_row({c: v for c, v in zip(columns, values) if c})
        if row is None:
            continue
        bad = _bad_text(row)
        yield number, bad or row


def _header(source: str, number: int, values: list) -> list[str | None]:
    columns, unknown = header_columns(values)
    if unknown:
        raise NtmError(_("{source}:{number}: unknown column(s) {unknown}; a title above the header may take up to {HEADER_SEARCH} rows, or give --skip-rows N").format(source=source, number=number, unknown=', '.join(unknown), HEADER_SEARCH=HEADER_SEARCH))
    _check_columns(source, number, [str(v) for v in values], columns)
    return columns


def with_date_order(rows, order: str):
    """Rows whose dates were written month first (`--date-order mdy`), with ISO dates."""
    from .dates import try_parse

    for line, row in rows:
        if isinstance(row, dict) and isinstance(row.get("date"), str):
            parsed = try_parse(row["date"], order)
            if isinstance(parsed, date):
                row = {**row, "date": parsed.isoformat()}
        yield line, row
