"""Rows → table | csv | tsv | json | jsonl | markdown, in Vietnamese or English.

The only core module that imports Rich (and only for human tables). Machine formats carry
data only: English snake_case keys, ISO dates, plain numbers, no colour.
"""

from __future__ import annotations

import csv
import datetime as _dt
import enum
import itertools
import json
import operator
import os
import re
import sys
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, Iterator

from .formats import format_date, format_number, format_share, number_ranges, visible  # noqa: F401 (re-exported)
from .labels import UNIT_KINDS, header, label, tr


class Format(str, enum.Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    text = "text"         # plain text for a mail body: `laggards` has its own; elsewhere a table


MACHINE = {Format.csv, Format.tsv, Format.json, Format.jsonl}


@dataclass(frozen=True)
class Column:
    """A column of a table: the row's key, and its header — from the label catalogue
    (labels.HEADERS[words or key]) unless `en`/`vi` are given (machine formats, where the
    header is the key itself, and period columns whose header is a date)."""

    key: str
    en: str | None = None
    vi: str | None = None
    kind: str = "text"   # text | int | number | date | list | pct | unitkind
    justify: str | None = None
    nowrap: bool = False
    words: str | None = None
    # Which columns a narrow table keeps: the lowest priority is dropped first (ties: the
    # rightmost). See fit_columns.
    priority: int = 50

    def header(self, lang: str) -> str:
        if self.en is None:
            return header(self.words or self.key, lang)
        return self.vi if lang == "vi" else self.en


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


# -- human formats of values --------------------------------------------------------------

def human(value: Any, kind: str, lang: str) -> str:
    if value is None:
        return ""
    if kind in ("int", "number"):
        # Text in a number column was formatted already (money: `1,5 tỷ đồng`).
        return value if isinstance(value, str) else format_number(value, lang)
    if kind == "pct":
        return format_share(value, lang)
    if kind == "date":
        return format_date(value, lang)
    if kind == "list":
        return ", ".join(str(v) for v in value)
    if kind == "unitkind":
        return label(UNIT_KINDS, value, lang)
    if isinstance(value, bool):
        return tr(lang, "yes") if value else ""
    if isinstance(value, float):
        return format_number(value, lang)
    return str(value)


def as_mapping(row: Any) -> dict:
    """A typed row (a frozen dataclass of model.py) or a dict, as a dict of its fields."""
    if isinstance(row, dict):
        return row
    names = _FIELDS.get(type(row))
    if names is None:
        import dataclasses

        names = _FIELDS[type(row)] = tuple(f.name for f in dataclasses.fields(row))
    return {n: getattr(row, n) for n in names}


_FIELDS: dict[type, tuple[str, ...]] = {}


# -- writers ------------------------------------------------------------------------------

def _machine_value(value: Any, kind: str) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _iso(value: Any) -> str:
    """The JSON encoder's hook for what it cannot write itself: a day as ISO text, as
    _machine_value gives it."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _machine_rows(rows: Iterable[Any], keys: list[str]) -> Iterator[dict]:
    """Each row as the dict of the columns' keys (None where the row has no such field),
    for the JSON writers: days are left to the encoder's hook (_iso). A national status is
    10,752 rows of 16 keys, so a typed row's fields are read with one attrgetter."""
    getters: dict[type, Callable | None] = {}
    for row in rows:
        if isinstance(row, dict):
            yield {k: row.get(k) for k in keys}
            continue
        kind = type(row)
        if kind not in getters:
            names = set(as_mapping(row))
            getters[kind] = operator.attrgetter(*keys) if keys and set(keys) <= names else None
        getter = getters[kind]
        if getter is None:
            mapping = as_mapping(row)
            yield {k: mapping.get(k) for k in keys}
        else:
            values = getter(row)
            yield dict(zip(keys, values if len(keys) > 1 else (values,)))


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_cell(value: Any) -> str:
    """A value as a CSV cell: numbers as _flat writes them, text made visible."""
    kind = type(value)
    if kind is str:
        return value if value.isprintable() else visible(value)
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if kind is float:
        return _flat(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _flat(value)
    return visible(_flat(_machine_value(value, "")))


def _excel_cell(value: Any) -> str:
    """A CSV cell for Excel: as _csv_cell, with formula-like text neutralised."""
    text = _csv_cell(value)
    if isinstance(value, (int, float)):
        return text
    return excel_safe(text)


def excel_safe(cell):
    """A text cell Excel would run as a formula gets a leading apostrophe; numbers stay."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(cell)
            return cell
        except ValueError:
            return "'" + cell
    return cell


def write(rows: Iterable[dict], columns: list[Column], fmt: Format, lang: str,
          out: IO[str] | None = None, title: str | None = None,
          footer: list[str] | None = None,
          styles: list[str | None] | Callable[[dict], str | None] | None = None,
          excel: bool = False) -> None:
    """Write rows in `fmt`. Title, footer and row styles appear in human formats only.

    `rows` may be any iterable, a cursor's generator included: every format streams them
    (a million rows never sit in memory), and a table over TABLE_ROWS rows is printed as plain
    aligned text (see `_plain_table`). `styles` is a list aligned with the rows or a function
    of the row.

    `excel` (CSV/TSV only): a UTF-8 BOM so Excel reads the diacritics, CRLF, and formula-like
    text neutralised. Plain CSV for pipelines never gets any of that: it stays byte-exact."""
    out = out or sys.stdout
    raw = rows
    rows = map(as_mapping, rows)
    keys = [c.key for c in columns]
    if fmt in (Format.csv, Format.tsv):
        writer = csv.writer(out, delimiter="," if fmt == Format.csv else "\t",
                            lineterminator="\r\n" if excel else "\n")
        if excel:
            out.write("\ufeff")
        writer.writerow(keys)
        cell = _excel_cell if excel else _csv_cell
        writer.writerows([cell(row.get(k)) for k in keys] for row in rows)
        return
    if fmt == Format.json:
        _json_array(_machine_rows(raw, keys), out)
        return
    if fmt == Format.jsonl:
        encode = json.JSONEncoder(ensure_ascii=False, default=_iso).encode
        for row in _machine_rows(raw, keys):
            out.write(json_safe(encode(row)) + "\n")
        return
    if fmt == Format.markdown:
        if title:
            out.write(f"**{_md(title)}**\n\n")
        out.write("| " + " | ".join(_md(c.header(lang)) for c in columns) + " |\n")
        out.write("|" + "|".join("---:" if c.kind in ("int", "number", "pct") else "---"
                                 for c in columns) + "|\n")
        for row in rows:
            out.write("| " + " | ".join(_md(human(row.get(c.key), c.kind, lang))
                                        for c in columns) + " |\n")
        for line in footer or []:
            out.write(f"\n{_md(line)}\n")
        return
    first = list(itertools.islice(rows, TABLE_ROWS + 1))
    if len(first) <= TABLE_ROWS:
        if callable(styles):
            styles = [styles(row) for row in first]
        _rich_table(first, columns, lang, out, title, footer, styles)
        return
    _plain_table(itertools.chain(first, rows), columns, lang, out, title, footer, sample=TABLE_ROWS)


# A JSON array up to this many rows is written as before, in one piece (indented); a longer
# one is streamed, compact in a pipe (JSON_CHUNK objects at a time: the same bytes json.dumps
# would give), indented object by object at a terminal.
JSON_INDENT_BELOW = 2000
JSON_CHUNK = 1000


def _json_array(items: Iterator[dict], out: IO[str]) -> None:
    first = list(itertools.islice(items, JSON_INDENT_BELOW))
    tty = getattr(out, "isatty", lambda: False)()
    if len(first) < JSON_INDENT_BELOW:
        # Indented for a person at a terminal; compact in a pipe, where Python's C encoder is
        # ~5x faster than the indenting one (0.7 s for a national status).
        out.write(json_safe(json.dumps(first, ensure_ascii=False, indent=2, default=_iso)) + "\n")
        return
    if not tty:
        # Compact: a chunk of items encoded as one list gives them with the array's own
        # separator, so the C encoder writes a thousand objects per call.
        encode = json.JSONEncoder(ensure_ascii=False, default=_iso).encode
        out.write("[")
        chunk, n = first, 0
        while chunk:
            if n:
                out.write(", ")
            out.write(json_safe(encode(chunk)[1:-1]))
            n += len(chunk)
            chunk = list(itertools.islice(items, JSON_CHUNK))
        out.write("]\n")
        return
    encode = json.JSONEncoder(ensure_ascii=False, indent=2, default=_iso).encode
    out.write("[\n  ")
    for n, item in enumerate(itertools.chain(first, items)):
        if n:
            out.write(",\n  ")
        out.write(json_safe(encode(item).replace("\n", "\n  ")))
    out.write("\n]\n")


def _md(text: str) -> str:
    return clean(text).replace("|", "\\|").replace("\n", " ")


def clean(text: str) -> str:
    """Register data must not drive the terminal: control, bidi and invisible characters
    become visible escapes (formats.visible, the one escaping step of every human output)."""
    return visible(text)


# What JSON may carry raw but a terminal or an editor would obey or hide: C1 controls, DEL,
# bidi controls, invisible characters, line separators. json.dumps escapes only C0.
_JSON_RAW = re.compile("[\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def json_safe(text: str) -> str:
    """JSON text with those characters as \\uXXXX escapes: the same data, never raw."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def console(out: IO[str] | None = None, stderr: bool = False):
    from rich.console import Console

    stream = out or (sys.stderr if stderr else sys.stdout)
    plain = not stream.isatty() or "NO_COLOR" in os.environ
    return Console(file=stream, no_color=plain, highlight=False, emoji=False,
                   color_system=None if plain else "auto", soft_wrap=False,
                   width=None if stream.isatty() else int(os.environ.get("COLUMNS", 100)))


# A table a person reads is at most this many rows as one Rich table (Rich measures every cell
# before printing the first, ~1 ms a row). Longer, it is printed as plain aligned text in
# pieces of this many rows, in bounded memory: `history` of a unit with a million observations.
TABLE_ROWS = 5000
PLAIN_WIDTH_MAX = 40   # a longer cell is printed whole and pushes its line to the right


def _plain_table(rows, columns, lang, out, title, footer, sample: int) -> None:
    """Plain aligned text: the title, the header, then one line per row, two spaces between
    columns, numbers to the right, no colour. Rows come in pieces of `sample`; a column is as
    wide as its widest cell so far (at most PLAIN_WIDTH_MAX) and never narrows, and the header
    is printed again above a piece that widens a column. Says so on stderr."""
    from rich.cells import cell_len

    many = format_number(sample, lang)
    sys.stderr.write(clean(tr(lang, "more than {many} rows: printed as plain aligned text in pieces of {many} rows (the header again where a column widens); for a spreadsheet use --format csv --excel").format(many=many)) + "\n")
    right = [(c.justify or ("right" if c.kind in ("int", "number", "pct") else "left")) == "right"
             for c in columns]

    def cells(row):
        values = [clean(human(row.get(c.key), c.kind, lang)).replace("\n", " ").replace("\t", " ")
                  for c in columns]
        return values, [cell_len(v) for v in values]

    def text(line):
        parts = []
        for value, length, width, to_right in zip(*line, widths, right):
            pad = " " * (width - length)
            parts.append(pad + value if to_right else value + pad)
        return "  ".join(parts).rstrip() + "\n"

    head = [clean(c.header(lang)) for c in columns]
    head = (head, [cell_len(h) for h in head])
    widths = list(head[1])
    shown = None
    if title:
        out.write(clean(title) + "\n")
    while True:
        piece = [cells(row) for row in itertools.islice(rows, sample)]
        if not piece:
            break
        for _, lengths in piece:
            widths = [max(w, min(PLAIN_WIDTH_MAX, n)) for w, n in zip(widths, lengths)]
        if widths != shown:
            out.write(("\n" if shown else "") + text(head))
            shown = list(widths)
        out.writelines(text(line) for line in piece)
    for line in footer or []:
        out.write(clean(line) + "\n")


UNSPLIT_KINDS = ("int", "number", "pct", "date")


def _longest_word(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(w) for w in text.split()), default=0)


def fit_columns(cells: list[list[str]], columns: list[Column], lang: str, width: int,
                gap: int = 2) -> list[int]:
    """The indexes of the columns a table of `width` cells shows. Each column needs at least
    its longest header word, and a date, a number or a column marked `nowrap` its longest
    cell whole (text may wrap between words, never inside one); while the table cannot fit,
    the column of lowest `priority` goes (the rightmost first among equals)."""
    least = least_widths(cells, columns, lang)
    kept = list(range(len(columns)))
    while len(kept) > 1 and sum(least[i] for i in kept) + gap * (len(kept) - 1) > width:
        drop = min(reversed(kept), key=lambda i: columns[i].priority)
        kept.remove(drop)
    return kept


def least_widths(cells: list[list[str]], columns: list[Column], lang: str) -> list[int]:
    """How narrow each column can be without splitting a word of its header, a date, a number
    or a `nowrap` cell."""
    from rich.cells import cell_len

    least = []
    for i, c in enumerate(columns):
        header_word = _longest_word(c.header(lang))
        if c.kind in UNSPLIT_KINDS or c.nowrap:
            widest = max((cell_len(r[i]) for r in cells), default=0)
        else:
            widest = max((_longest_word(r[i]) for r in cells), default=0)
        least.append(max(header_word, widest, 1))
    return least


def _widths(cells, columns: list[Column], kept: list[int], lang: str, room: int) -> list[int]:
    """Each kept column's width: as wide as its widest cell while the table fits in `room`;
    else the text columns give way, the widest first, down to their longest word."""
    from rich.cells import cell_len

    natural = [max([cell_len(c.header(lang))] + [cell_len(r[i]) for r in cells]) for c, i in zip(columns, kept)]
    least = [least_widths(cells, [c], lang)[0] if not cells else
             least_widths([[r[i]] for r in cells], [c], lang)[0] for c, i in zip(columns, kept)]
    widths = list(natural)
    while sum(widths) > room:
        shrinkable = [j for j in range(len(columns)) if widths[j] > least[j]]
        if not shrinkable:
            break
        j = max(shrinkable, key=lambda j: widths[j])
        widths[j] -= 1
    return widths


def _rich_table(rows, columns, lang, out, title, footer, styles) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console(out)
    fancy = con.is_terminal and not con.no_color
    cells = [[clean(human(row.get(c.key), c.kind, lang)) for c in columns] for row in rows]
    gap = 3 if fancy else 2
    room = con.width - (2 if fancy else 0)
    kept = fit_columns(cells, columns, lang, room, gap=gap)
    widths = _widths(cells, [columns[i] for i in kept], kept, lang, room - gap * (len(kept) - 1))
    table = Table(title=Text(clean(title)) if title else None,
                  box=box.SIMPLE_HEAVY if fancy else None, show_edge=fancy,
                  header_style="bold" if fancy else None, pad_edge=False)
    for i, width in zip(kept, widths):
        c = columns[i]
        table.add_column(c.header(lang), justify=c.justify or (
            "right" if c.kind in ("int", "number", "pct") else "left"),
            # A date or a number always fits its width (least_widths): only a header of
            # several words may wrap, between them.
            overflow="fold", no_wrap=c.nowrap, width=width)
    for n, row in enumerate(cells):
        style = styles[n] if styles and fancy else None
        table.add_row(*[Text(row[i]) for i in kept], style=style)
    con.print(table)
    for line in footer or []:
        con.print(Text(clean(line)))


