"""Values as a person reads them: numbers with at most one decimal in the language's format,
dates, shares as percentages, runs of criterion numbers. Used by every human output."""

from __future__ import annotations

import datetime as _dt


def format_number(value: float | int | None, lang: str, decimals: int | None = None) -> str:
    """A number as a person reads it: at most one decimal unless `decimals` says otherwise,
    `17,4` and `1.234.567` in Vietnamese, `17.4` and `1,234,567` in English."""
    if value is None:
        return ""
    if decimals is None and isinstance(value, float):
        value = round(value, 1)
        if value.is_integer():
            value = int(value)
    if lang == "vi":
        if decimals is None:
            plain = _vi_plain(value)
            if plain is not None:
                return plain
        from babel.numbers import format_decimal

        if decimals is not None:
            return format_decimal(value, format="#,##0." + "0" * decimals, locale="vi") \
                if decimals else format_decimal(round(value), locale="vi")
        return format_decimal(value, locale="vi", decimal_quantization=False)
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    return f"{value:,}"


def _vi_plain(value) -> str | None:
    """What Babel writes for `value` in Vietnamese (`1.234.567`, `-7,4`; its pattern #,##0.###,
    every decimal kept), for an int or a float written without an exponent; else None (Babel
    then). Importing Babel and its locale data costs more than a district's whole report."""
    if type(value) is int:
        text, fraction = str(value), ""
    elif type(value) is float:
        text = repr(value)
        if "e" in text or "n" in text:   # 1e+16, inf, nan: Babel's own words
            return None
        text, _dot, fraction = text.partition(".")
        fraction = fraction.rstrip("0")
    else:
        return None
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)   # -0.0 too: "-0"
    return sign + f"{int(digits):,}".replace(",", ".") + ("," + fraction if fraction else "")


def format_date(value: str | _dt.date | None, lang: str) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def format_share(share: float | None, lang: str) -> str:
    """A share (0.874) as a percentage: one decimal, two under 1% (`87,4%`, `0,25%`)."""
    if share is None:
        return ""
    percent = share * 100
    decimals = 2 if 0 < abs(percent) < 1 else 1
    rounded = round(percent, decimals)
    if rounded == int(rounded):
        return format_number(int(rounded), lang) + "%"
    return format_number(rounded, lang, decimals) + "%"


def counted(n: int, singular: str, plural: str, lang: str = "en") -> str:
    """`1 day`, `3 days` in English; Vietnamese nouns do not change (`1 ngày`, `3 ngày`: pass
    the Vietnamese noun as both forms)."""
    shown = format_number(n, lang)
    return f"{shown} {singular if n == 1 else plural}"


def number_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] → '1-3, 5, 7-8': a commune missing most criteria stays one line."""
    parts, start, prev = [], None, None
    for n in list(numbers) + [None]:
        if start is not None and (n is None or n != prev + 1):
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(parts)


def visible(text: str) -> str:
    """Text that cannot drive a terminal or reorder what is shown: every character the register
    refuses at the door (read.fields: controls, bidi controls, invisible characters) shown as
    its escape (`\\x1b`, `\\u202e`) — for text written before that rule, or by other tools.
    Line breaks and tabs stay: they are the layout of a message."""
    if text.isprintable():
        return text
    from ..read.fields import forbidden

    return "".join(ch if ch in "\n\t" or not forbidden(ch) else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Money: the one rounding rule of every human output (tables, the workbook's text, the HTML
# report, messages). Amounts of a tỷ or more are shown in tỷ, of a triệu or more in triệu,
# else in đồng; at most three decimals of that unit (to the triệu for tỷ, to the nghìn for
# triệu — exact for the way offices write amounts: 294,98 tỷ, 122,072 tỷ), rounded half up,
# trailing zeros dropped. Machine formats carry the integer đồng.
MONEY_UNITS = ((10 ** 9, "tỷ", "billion"), (10 ** 6, "triệu", "million"), (1, "", ""))


def format_money(dong: int | None, lang: str) -> str:
    """`1,5 tỷ đồng`, `250 triệu đồng`, `5.000 đồng` in Vietnamese; `1.5 billion VND`,
    `250 million VND`, `5,000 VND` in English."""
    if dong is None:
        return ""
    from decimal import ROUND_HALF_UP, Decimal

    size = abs(int(dong))
    scale, vi_word, en_word = next(u for u in MONEY_UNITS if size >= u[0] or u[0] == 1)
    value = (Decimal(int(dong)) / scale).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    text = f"{abs(value):f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    group, mark = (".", ",") if lang == "vi" else (",", ".")
    grouped = f"{int(whole):,}".replace(",", group)
    number = ("-" if value < 0 else "") + grouped + (mark + frac if frac else "")
    if lang == "vi":
        return f"{number} {vi_word} đồng" if vi_word else f"{number} đồng"
    return f"{number} {en_word} VND" if en_word else f"{number} VND"
