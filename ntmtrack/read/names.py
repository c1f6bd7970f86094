"""Vietnamese names: NFC storage form, folding for matching, the alphabetical sort key.

Pure functions over strings; imports only the standard library.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Vietnamese alphabet order, with the Latin letters Vietnamese does not use (f j w z) slotted
# where Latin puts them so foreign names still sort sensibly.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
# Letter ranks start at '0' (0x30); space and punctuation rank '!' and digits '"'..'+', so a
# name sorts before its own extensions ("An" < "An Nông") and digits before letters.
_LETTER_RANK = {letter: chr(0x30 + i) for i, letter in enumerate(_ALPHABET)}
_DIGIT_RANK = {str(d): chr(0x22 + d) for d in range(10)}

# Combining marks: the vowel-shape marks are part of the letter, the rest are the tones.
_SHAPE = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def nfc(text: str) -> str:
    """The storage form: NFC, surrounding whitespace removed, inner runs of spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


# Cached: an import folds the same unit names, codes and words on every row.
@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """The matching form: no case, no diacritics, đ as d, single spaces.

    NFD does not decompose đ (U+0111), so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.casefold().split())


def strip_marks(text: str) -> str:
    """The text without diacritics, case kept ("Dân Lý" → "Dan Ly"); same length as NFC text."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")


def _letters(text: str):
    """Yield (base letter with its shape mark, tone digit, is_upper) per character."""
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        shape = "".join(m for m in marks if m in _SHAPE)
        tone = next((_TONES[m] for m in marks if m in _TONES), "0")
        letter = unicodedata.normalize("NFC", base + shape)
        yield letter, tone, letter != letter.lower()


def sort_key(text: str) -> str:
    """A text key whose plain byte order is Vietnamese alphabetical order.

    Three levels, as ICU's `vi` collation: every letter of the string first, then the tones
    (none, huyền, hỏi, ngã, sắc, nặng), then case. Stored in a column, `ORDER BY` is right in
    any SQLite client.
    """
    primary, tones, cases = [], [], []
    for letter, tone, upper in _letters(nfc(text)):
        low = letter.lower()
        if low in _LETTER_RANK:
            primary.append(_LETTER_RANK[low])
        elif low in _DIGIT_RANK:
            primary.append(_DIGIT_RANK[low])
        elif low.isspace() or not low.isalnum():
            primary.append("!")
        else:
            primary.append("~" + low)
        tones.append(tone)
        cases.append("1" if upper else "0")
    return "".join(primary) + " " + "".join(tones) + " " + "".join(cases)


# Kind words people put before a name, folded, longest first: "xã Dân Lý", "TT Nưa".
KIND_PREFIXES: list[tuple[str, tuple[str, ...]]] = [
    ("to lien gia", ("household_group",)),
    ("to dan pho", ("village",)),
    ("thi tran", ("town",)),
    ("thanh pho", ("district", "province")),
    ("thi xa", ("district",)),
    ("phuong", ("ward",)),
    ("huyen", ("district",)),
    ("tinh", ("province",)),
    ("thon", ("village",)),
    ("xom", ("village",)),
    ("ban", ("village",)),
    ("cum", ("cluster",)),
    ("tdp", ("village",)),
    ("xa", ("commune",)),
    ("tt", ("town",)),
    ("tx", ("district",)),
    ("tp", ("district", "province")),
    ("h", ("district",)),
    ("p", ("ward",)),
    ("x", ("commune",)),
]
_PREFIX_RE = re.compile(r"^(%s)[ .]+" % "|".join(re.escape(p) for p, _ in KIND_PREFIXES))


def split_kind_prefix(folded: str) -> tuple[str, tuple[str, ...]] | None:
    """`'xa dan ly'` → `('dan ly', ('commune',))`; None when there is no kind word in front."""
    match = _PREFIX_RE.match(folded)
    if not match or match.end() >= len(folded):
        return None
    kinds = dict(KIND_PREFIXES)[match.group(1)]
    return folded[match.end():].strip(), kinds


def has_control_chars(text: str) -> bool:
    """NUL, ANSI escapes and other C0/C1 controls do not belong in a name."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def distinct_names(paths) -> dict[str, str]:
    """{unit path: the name to show}: the last part of the path alone, or, where two paths of
    one output end in the same name, the name with the shortest part of the path above it
    that tells them apart — `Xóm 1 (Đức Thành)`, `Xóm 1 (Hợp Lý)`. The one rule for every
    human output; machine formats carry the whole `unit_path`."""
    by_name: dict[str, list[list[str]]] = {}
    for path in dict.fromkeys(paths):
        parts = path.split("/")
        by_name.setdefault(parts[-1], []).append(parts)
    out = {}
    for name, same in by_name.items():
        if len(same) == 1:
            out["/".join(same[0])] = name
            continue
        depth = max(len(p) for p in same) - 1
        shown = {}
        for k in range(1, depth + 1):
            shown = {"/".join(p): "/".join(p[-1 - k:-1]) for p in same}
            if len(set(shown.values())) == len(shown):
                break
        for path, above in shown.items():
            out[path] = f"{name} ({above})" if above else name
    return out
