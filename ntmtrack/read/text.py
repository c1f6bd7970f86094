"""Reading files and stdin as text the way they really arrive: BOMs, strict UTF-8 or an
explicit legacy encoding (Windows-1258 decodes to decomposed text), always NFC.

Standard library only. Never guesses an encoding silently.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from ..locale import _
from ..model import NtmError

MAX_FILE_BYTES = 512 * 1024 * 1024


def decode(data: bytes, source: str, encoding: str | None = None) -> str:
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise NtmError(_("unknown encoding '{encoding}'").format(encoding=encoding)) from None
        except UnicodeDecodeError as e:
            raise NtmError(_("{source}: not valid {encoding} at byte {start}").format(source=source, encoding=encoding, start=e.start)) from None
    elif data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        text = data.decode("utf-16")  # Excel's "Unicode Text"
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise NtmError(
                _("{source}:{line}: not UTF-8 (byte {start}); if it came from Vietnamese Windows software, try --encoding cp1258").format(source=source, line=line, start=e.start)
            ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text)


def read_text_file(path: Path | str, encoding: str | None = None) -> str:
    """A whole (small) text file, decoded strictly; '-' reads stdin."""
    if str(path) == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>", encoding)
    path = Path(path)
    if path.is_dir():
        raise NtmError(_("{path} is a directory").format(path=path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise NtmError(_("{path}: file too large ({size} bytes)").format(path=path, size=size))
        data = path.read_bytes()
    except FileNotFoundError:
        raise NtmError(_("{path}: no such file").format(path=path)) from None
    except PermissionError:
        raise NtmError(_("{path}: permission denied").format(path=path)) from None
    return decode(data, str(path), encoding)


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: the most frequent of `,` `;` and tab (`,` on a tie).
    Spreadsheets in a Vietnamese locale save CSV with `;`, since `,` is the decimal mark."""
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def first_line(text: str) -> str:
    """The first line of `text` that is not blank."""
    return next((line for line in text.splitlines() if line.strip()), "")
