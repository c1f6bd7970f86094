"""Numbers as offices write them: 5.466,32 and 1.101,4 (Vietnamese), 5466.32, 85%, +12.

A value that reads two ways under the file's decimal mark (is 1.234 one thousand two
hundred and thirty-four, or one point two three four?) is refused, never guessed.
Standard library only.
"""

from __future__ import annotations

import functools
import re

_NUMBER = re.compile(r"^[+-]?[\d.,]+$")


def parse_amount(text: str, decimal_mark: str | None = None) -> tuple[float, bool] | str:
    return _parse_amount(str(text), decimal_mark)


@functools.lru_cache(maxsize=1 << 12)
def _parse_amount(text: str, decimal_mark: str | None) -> tuple[float, bool] | str:
    """'+12' → (12.0, True); '5.466,32' → (5466.32, False); a message when it is not a number.

    The bool says whether the value is an increase (a leading '+').
    """
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    is_add = s.startswith("+")
    if not s or not _NUMBER.match(s) or not any(ch.isdigit() for ch in s):
        return f"'{text}' is not a number"
    sign = -1.0 if s.startswith("-") else 1.0
    digits = s.lstrip("+-")
    value = _digits(digits, decimal_mark)
    if isinstance(value, str):
        return f"'{text}' {value}"
    return sign * value, is_add


def _digits(s: str, mark: str | None) -> float | str:
    dots, commas = s.count("."), s.count(",")
    if mark in (".", ","):
        thousands = "," if mark == "." else "."
        if s.count(mark) > 1:
            return f"has more than one decimal mark '{mark}'"
        body = s.replace(thousands, "")
        if thousands in s and not _grouped(s.split(mark)[0], thousands):
            return f"has misplaced thousands separators '{thousands}'"
        return float(body.replace(mark, "."))
    if dots and commas:
        # Both marks: the last one is the decimal mark (5.466,32 or 5,466.32).
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        if s.count(decimal) > 1 or not _grouped(s.split(decimal)[0], thousands):
            return "is not a well-formed number"
        return float(s.replace(thousands, "").replace(decimal, "."))
    mark_char = "." if dots else "," if commas else None
    if mark_char is None:
        return float(s)
    count = dots or commas
    if count > 1:
        if not _grouped(s, mark_char):
            return "is not a well-formed number"
        return float(s.replace(mark_char, ""))
    whole, frac = s.split(mark_char)
    if len(frac) == 3 and whole and whole != "0":
        return ("is ambiguous: thousands or decimals? say --decimal-mark , or --decimal-mark .")
    return float(f"{whole or '0'}.{frac}")


def _grouped(whole: str, sep: str) -> bool:
    if sep not in whole:
        return True
    parts = whole.split(sep)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])
