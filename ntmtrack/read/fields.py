"""What text the register accepts: the one rule for every stored text field from every entry
path (command-line options, plan and criteria YAML, CSV/TSV/JSONL/XLSX rows).

Text is stored NFC. Refused, with the field's name and the character's position: C0 and C1
control characters and DEL (a decision number `12/QĐ\\x1b[2J` would clear the screen of whoever
reads the summary), bidirectional controls (U+202A-U+202E, U+2066-U+2069: a right-to-left
override makes a name print backwards), zero-width characters and the BOM (two names that print
alike). Tabs and line breaks (LF, CR) only where a field allows several lines (notes).
"""

from __future__ import annotations

import unicodedata

from ..locale import N_, _

_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}


def forbidden(ch: str, multiline: bool = False) -> str | None:
    """Why `ch` cannot be in stored text, or None when it can."""
    if ch in "\t\n\r" and multiline:
        return None
    category = unicodedata.category(ch)
    code = ord(ch)
    if category == "Cc":
        return N_("a C1 control character") if 0x80 <= code < 0xA0 else N_("a control character")
    if category == "Cf":
        if code in _BIDI:
            return N_("a bidirectional control")
        return N_("a byte-order mark") if code == 0xFEFF else N_("an invisible character")
    if category in ("Zl", "Zp"):
        return N_("a line separator")
    if category in ("Cs", "Cn"):
        return N_("an unassigned character")
    return None


def problem(text: str, field: str, multiline: bool = False) -> str | None:
    """A one-line message naming the field and the first bad character's position (1-based),
    or None when the register accepts the text."""
    if text.isprintable():   # the common case, in C: every character above is non-printable
        return None
    for position, ch in enumerate(text, 1):
        why = forbidden(ch, multiline)
        if why:
            return _("{field}: {why} (U+{code:04X}) at position {position}").format(
                field=field, why=_(why), code=ord(ch), position=position)
    return None


def clean(text: str, field: str, multiline: bool = False) -> str:
    """`text` as the register stores it (NFC, stripped), or ValueError with `problem`'s message."""
    stored = unicodedata.normalize("NFC", text).strip()
    message = problem(stored, field, multiline)
    if message:
        raise ValueError(message)
    return stored
