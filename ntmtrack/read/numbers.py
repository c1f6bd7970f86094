"""Numbers as offices write them: 5.466,32 and 1.101,4 (Vietnamese), 5466.32, 85%, +12.

The one parser for every number a person writes: observation files and commands
(`parse_amount`), and plans (`read_amount`, whose refusals say how to write the value in the
plan). A value that reads two ways when the decimal mark is not known (is 1.234 one thousand
two hundred and thirty-four, or one point two three four?) is refused, never guessed; a value
that cannot be thousands (1234.567: a thousands dot never follows four digits) is a decimal.

Money (`read_money`) is read by the same rules into integer đồng, never a float: `1.500.000.000`,
`1,5 tỷ`, `294,98 tỉ đồng`, `1.500 triệu`, `250 triệu đồng`. A Vietnamese unit word written in
the value (tỷ, tỉ, triệu, nghìn, ngàn, đồng, đ) says how the value is written — `.` groups
thousands, `,` is the decimal comma — so it settles what a bare `1.234` leaves open.
Standard library and read.names only.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from ..locale import _, active

_NUMBER = re.compile(r"^[+-]?[\d.,]+$")


# Every number ntmtrack keeps is finite and below this (a % stays within 0-100, checked where
# the measure is known); money, in integer đồng, has its own bound (MONEY_LARGEST).
LARGEST = 1e15
# 9 triệu tỷ đồng: far above any budget, and below 2**53, so an amount is exact even where it
# is kept as an SQLite REAL (a money indicator's values and targets).
MONEY_LARGEST = 9 * 10 ** 15
# Words that scale a number of đồng, folded (no diacritics): tỷ and tỉ are both written.
MONEY_WORDS = {"ty": 10 ** 9, "ti": 10 ** 9, "trieu": 10 ** 6, "nghin": 10 ** 3, "ngan": 10 ** 3}
CURRENCY_WORDS = ("dong", "d", "vnd")
_MONEY_TEXT = re.compile(r"^([+-]?[\d.,\u00a0 ]*\d[\d.,]*)\s*(.*)$")


@dataclass(frozen=True)
class Amount:
    """A number as written: its value, whether it had a leading '+' (an increase), and
    whether it had a trailing '%'."""

    value: float
    plus: bool = False
    percent: bool = False


@dataclass(frozen=True)
class Unreadable:
    """Why a text is not one number. `reason` is not_a_number | malformed | ambiguous; an
    ambiguous value knows its two `readings` (thousands, decimal) and its decimal `mark`."""

    text: str
    reason: str
    detail: str
    readings: tuple[float, float] | None = None
    mark: str | None = None

    def message(self) -> str:
        """What an observation file or command says (its fix is --decimal-mark)."""
        return f"'{self.text}' {self.detail}"

    def advice(self) -> str:
        """How to write the value so it reads one way: for files without a --decimal-mark
        (plans). The thousands reading without separators; the decimal reading with its zeros
        dropped, or with a fourth decimal when it has three."""
        if self.reason != "ambiguous":
            return self.detail
        thousands, _unused = self.readings
        written = _compact(self.text)
        pct = "%" if written.endswith("%") else ""
        sign, digits = _split_sign(written.removesuffix("%"))
        whole, frac = digits.split(self.mark)
        frac = frac.rstrip("0")
        decimal_text = sign + whole + (self.mark + frac if frac else "")
        settled = decimal_text + "0" if len(frac) == 3 else decimal_text
        point = "decimal point" if self.mark == "." else "decimal comma"
        return (_("reads two ways ({thousands}{pct}, or {decimal_text}{pct} with a {point}): write {thousands}{pct} for the thousands, or {settled}{pct} for the decimal").format(thousands=_plain(thousands), pct=pct, decimal_text=decimal_text, point=point, settled=settled))


def read_amount(text, decimal_mark: str | None = None) -> Amount | Unreadable:
    """'+12' → Amount(12.0, plus=True); '5.466,32' → Amount(5466.32); '1.234' → Unreadable
    (ambiguous, readings 1234 and 1.234) unless `decimal_mark` settles it."""
    return _read(str(text), decimal_mark, active())


def parse_amount(text: str, decimal_mark: str | None = None) -> tuple[float, bool] | str:
    """'+12' → (12.0, True); '5.466,32' → (5466.32, False); a message when it is not a number.

    The bool says whether the value is an increase (a leading '+')."""
    found = _read(str(text), decimal_mark, active())
    if isinstance(found, Unreadable):
        return found.message()
    return found.value, found.plus


@dataclass(frozen=True)
class Money:
    """An amount of money in integer đồng, and whether it had a leading '+'."""

    dong: int
    plus: bool = False


def money_scale(measure: str | None) -> int | None:
    """The đồng in one unit of a money measure — `đồng` 1, `triệu đồng` 10**6, `tỷ đồng` (or
    `tỉ đồng`) 10**9 —, None for a measure that is not money (hộ, ha, %)."""
    if not measure:
        return None
    words = _fold(measure).split()
    if not words or words[-1] not in CURRENCY_WORDS or len(words) > 2:
        return None
    if len(words) == 1:
        return 1
    return MONEY_WORDS.get(words[0])


def read_money(text, decimal_mark: str | None = None, scale: int = 1) -> Money | Unreadable:
    """An amount as offices write it, in integer đồng: '1,5 tỷ' → Money(1_500_000_000);
    '1.500 triệu' → 1_500_000_000; '1500000000' → 1_500_000_000. A number without a unit word
    counts in `scale` đồng (the measure's unit: 10**9 for `tỷ đồng`). Refused (Unreadable): a
    value that reads two ways with no unit word or `decimal_mark` to settle it, an unknown
    word, a fraction of a đồng, more than MONEY_LARGEST."""
    return _read_money(str(text), decimal_mark, scale, active())


@functools.lru_cache(maxsize=1 << 12)  # `lang`: the messages are in the language of the run
def _read_money(text: str, decimal_mark: str | None, scale: int, lang: str = "en") -> Money | Unreadable:
    match = _MONEY_TEXT.match(text.strip())
    if not match:
        return Unreadable(text, "not_a_number", _("is not an amount of money (e.g. 1.500.000.000, 1,5 tỷ, 250 triệu đồng)"))
    body, words = _compact(match.group(1)), _fold(match.group(2)).replace(".", " ").split()
    plus = body.startswith("+")
    multiplier = None
    if words and words[0] in MONEY_WORDS:
        multiplier = MONEY_WORDS[words.pop(0)]
    currency = bool(words) and words[0] in CURRENCY_WORDS
    if currency:
        words.pop(0)
    if words:
        return Unreadable(text, "not_a_number",
                          _("is not an amount of money: '{strip}' is not tỷ, triệu, nghìn or đồng").format(strip=match.group(2).strip()))
    sign = -1 if body.startswith("-") else 1
    digits = body.lstrip("+-")
    if not _NUMBER.match(digits) or not any(ch.isdigit() for ch in digits):
        return Unreadable(text, "not_a_number", _("is not an amount of money"))
    found = _number_text(digits, decimal_mark)
    if isinstance(found, Unreadable) and found.reason == "ambiguous" and decimal_mark is None \
            and (multiplier or currency) and match.group(2).strip().lower() not in ("vnd", "vnđ"):
        # Written with a Vietnamese unit word: the Vietnamese way (1.500 triệu, 122,072 tỷ).
        found = _number_text(digits, ",")
    if isinstance(found, Unreadable):
        readings = found.readings and (sign * found.readings[0], sign * found.readings[1])
        return Unreadable(text, found.reason, found.detail, readings, found.mark)
    unit = multiplier or (1 if currency else scale)
    exact = Decimal(found) * unit
    if exact != exact.to_integral_value():
        return Unreadable(text, "fraction", _("is not a whole number of đồng"))
    dong = sign * int(exact)
    if abs(dong) > MONEY_LARGEST:
        return Unreadable(text, "too_large", _("is too large (an amount stays below 9 triệu tỷ đồng)"))
    return Money(dong, plus)


def _fold(text: str) -> str:
    from .names import fold

    return fold(text)


def canonical(value: float) -> int | float | str:
    """A number as a plan export writes it, so that reading it back gives the same number:
    an int when whole, a float when its YAML text reads one way, else text (`'1.2340'`,
    `'0.00001'`)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    text = repr(value)
    if "e" not in text and not isinstance(_read(text, None, active()), Unreadable):
        return value
    text = format(Decimal(text), "f")
    if isinstance(_read(text, None, active()), Unreadable):
        text += "0"
    return text


def _compact(text: str) -> str:
    return str(text).strip().replace("\u00a0", "").replace(" ", "")


def _split_sign(s: str) -> tuple[str, str]:
    return ("-", s[1:]) if s.startswith("-") else ("", s.lstrip("+"))


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


@functools.lru_cache(maxsize=1 << 12)  # `lang`: the messages are in the language of the run
def _read(text: str, decimal_mark: str | None, lang: str = "en") -> Amount | Unreadable:
    s = _compact(text)
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    plus = s.startswith("+")
    if not s or not _NUMBER.match(s) or not any(ch.isdigit() for ch in s):
        return Unreadable(text, "not_a_number", _("is not a number"))
    sign = -1.0 if s.startswith("-") else 1.0
    value = _digits(s.lstrip("+-"), decimal_mark)
    if isinstance(value, Unreadable):
        readings = value.readings and (sign * value.readings[0], sign * value.readings[1])
        return Unreadable(text, value.reason, value.detail, readings, value.mark)
    if not value < LARGEST:   # also inf and nan: a 400-digit value is a typing accident
        return Unreadable(text, "too_large", _("is too large (counts, areas and rates stay below {LARGEST:.0e})").format(LARGEST=LARGEST))
    return Amount(sign * value, plus, percent)


def _digits(s: str, mark: str | None) -> float | Unreadable:
    found = _number_text(s, mark)
    return found if isinstance(found, Unreadable) else float(found)


def _number_text(s: str, mark: str | None) -> str | Unreadable:
    """The digits of a number written with any marks, as plain decimal text ('5466.32'), so
    that counts read it as a float and money as an exact Decimal."""
    def bad(detail: str) -> Unreadable:
        return Unreadable(s, "malformed", detail)

    dots, commas = s.count("."), s.count(",")
    if mark in (".", ","):
        thousands = "," if mark == "." else "."
        if s.count(mark) > 1:
            return bad(_("has more than one decimal mark '{mark}'").format(mark=mark))
        body = s.replace(thousands, "")
        if thousands in s and not _grouped(s.split(mark)[0], thousands):
            return bad(_("has misplaced thousands separators '{thousands}'").format(thousands=thousands))
        return body.replace(mark, ".")
    if dots and commas:
        # Both marks: the last one is the decimal mark (5.466,32 or 5,466.32).
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        if s.count(decimal) > 1 or not _grouped(s.split(decimal)[0], thousands):
            return bad(_("is not a well-formed number"))
        return s.replace(thousands, "").replace(decimal, ".")
    mark_char = "." if dots else "," if commas else None
    if mark_char is None:
        return s
    count = dots or commas
    if count > 1:
        if not _grouped(s, mark_char):
            return bad(_("is not a well-formed number"))
        return s.replace(mark_char, "")
    whole, frac = s.split(mark_char)
    if len(frac) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
        # A first group of one to three digits and a group of three: thousands or decimals.
        return Unreadable(s, "ambiguous",
                          _("is ambiguous: thousands or decimals? say --decimal-mark , or --decimal-mark ."),
                          (float(whole + frac), float(f"{whole}.{frac}")), mark_char)
    return f"{whole or '0'}.{frac}"


def _grouped(whole: str, sep: str) -> bool:
    if sep not in whole:
        return True
    parts = whole.split(sep)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])
