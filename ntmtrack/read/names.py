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
# The word a person writes before a name of each kind, as suggestions write it ("xã Triệu Sơn").
KIND_WORDS = {"province": "tỉnh", "district": "huyện", "cluster": "cụm", "commune": "xã",
              "town": "thị trấn", "ward": "phường", "village": "thôn",
              "household_group": "tổ liên gia"}
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


# -- names that look alike, and characters nobody sees ---------------------------------------

# Letters of other scripts (and a few odd Latin ones) that print like a Latin letter or digit
# in the fonts Vietnamese offices use: Unicode's confusables (UTS #39) for the scripts met here
# — Cyrillic, Greek, Latin extensions — each mapped to the letter it looks like *in its own
# case* (Greek Ν is N, ν is v). Latin letters and digits are not folded into each other (I, l
# and 1): with case folded too, that would join "i" and "L". Fullwidth and mathematical
# letters are NFKC's. Vietnamese letters keep their marks: Bình Đông is not Bình Đồng.
_LOOKALIKE = str.maketrans({
    # Cyrillic capitals
    "\u0405": "S", "\u0406": "I", "\u0408": "J", "\u0410": "A", "\u0412": "B", "\u0415": "E",
    "\u0417": "3", "\u041a": "K", "\u041c": "M", "\u041d": "H", "\u041e": "O", "\u0420": "P",
    "\u0421": "C", "\u0422": "T", "\u0423": "Y", "\u0425": "X", "\u042c": "b", "\u0474": "V",
    "\u04ae": "Y", "\u04c0": "I", "\u04e0": "3", "\u050c": "G", "\u051a": "Q", "\u051c": "W",
    # Cyrillic small letters
    "\u0430": "a", "\u0431": "6", "\u0433": "r", "\u0435": "e", "\u043e": "o", "\u0440": "p",
    "\u0441": "c", "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0456": "i", "\u0458": "j",
    "\u0461": "w", "\u0475": "v", "\u04af": "y", "\u04bb": "h", "\u04bd": "e", "\u04cf": "l",
    "\u0501": "d", "\u051b": "q", "\u051d": "w",
    # Greek capitals
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H", "\u0399": "I",
    "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O", "\u03a1": "P", "\u03a4": "T",
    "\u03a5": "Y", "\u03a7": "X", "\u037f": "J", "\u03d2": "Y", "\u03dc": "F", "\u03f9": "C",
    "\u03fa": "M",
    # Greek small letters
    "\u03b1": "a", "\u03b3": "y", "\u03b9": "i", "\u03bd": "v", "\u03bf": "o", "\u03c1": "p",
    "\u03c3": "o", "\u03c5": "u", "\u03f1": "p", "\u03f2": "c", "\u03f3": "j", "\u037a": "i",
    # Latin letters that print as other Latin letters
    "\u0131": "i", "\u0269": "i", "\u026a": "i", "\u0251": "a", "\u0261": "g", "\u028f": "y",
    "\u1d04": "c", "\u1d0f": "o", "\u1d1c": "u", "\u1d20": "v", "\u1d21": "w", "\u1d22": "z",
    "\ua731": "s", "\u01c0": "l", "\u0196": "l", "\u017f": "f", "\u00d7": "x",
    # Eth and African D print as Đ
    "\u00d0": "\u0110", "\u0189": "\u0110",
    # dashes and quotes
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'",
    "`": "'",
})


def lookalike_keys(text: str) -> tuple[str, str]:
    """Two keys under which names that print alike meet: one folds case and width (NFKC),
    the other also letters of other scripts that look Latin. Two names look alike when either
    key is equal. Diacritics are kept: only `fold` drops them.

    Two keys, not one: Greek Ν prints as N but its small ν as v, so no single key can fold
    both case and lookalikes without joining names that look nothing alike.
    """
    return _case_key(text), _lookalike_key(text)


def _case_key(text: str) -> str:
    return "c:" + " ".join(unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold()).split())


@functools.lru_cache(maxsize=1 << 16)
def _lookalike_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    mapped = decomposed.translate(_LOOKALIKE).casefold()
    # casefold can itself make letters the table knows (a Cyrillic capital's small form)
    mapped = unicodedata.normalize("NFD", mapped).translate(_LOOKALIKE)
    return "l:" + " ".join(unicodedata.normalize("NFC", mapped).split())


# Default-ignorable code points (Unicode's DerivedCoreProperties) beside the format
# characters (category Cf): zero-width space, joiners, word joiner, soft hyphen, BOM, bidi
# embeddings, overrides and isolates, variation selectors, Hangul fillers. None is ever part
# of a name; each makes one name print like another, or reorders what is printed after it.
_IGNORABLE_RANGES = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]


_IGNORABLE_RE = re.compile("[%s]" % "".join(
    f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in _IGNORABLE_RANGES))


def is_invisible(ch: str) -> bool:
    # Format characters are never printable; the printable default-ignorables are listed.
    return bool(_IGNORABLE_RE.match(ch)) or (not ch.isprintable() and unicodedata.category(ch) == "Cf")


def invisible_chars(text: str) -> list[tuple[int, str]]:
    """(position from 1, character) of every invisible or direction-changing character."""
    if text.isprintable() and not _IGNORABLE_RE.search(text):
        return []  # the usual name, in two passes in C
    return [(i, ch) for i, ch in enumerate(text, 1) if is_invisible(ch)]


def describe_char(ch: str) -> str:
    """`U+0430 CYRILLIC SMALL LETTER A`: a character named so that it can be told apart."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def show_invisible(text: str) -> str:
    """The text with every invisible character written as <U+XXXX>, safe to print."""
    return "".join(f"<U+{ord(ch):04X}>" if is_invisible(ch) else ch for ch in text)
