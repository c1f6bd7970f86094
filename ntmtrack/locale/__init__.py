"""Messages in the reader's language: GNU gettext catalogues kept with Babel (README,
Development) under locale/<lang>/LC_MESSAGES/ntmtrack.po, compiled to the .mo read here.

`_()` translates into the language the command line chose (`use`); `tr(lang, …)` into a given
one (tables, workbooks and reports carry their `lang`). English is the msgid itself.
Imports nothing from ntmtrack: every layer may use it.
"""

from __future__ import annotations

import functools
import gettext
import os
from importlib import resources

DOMAIN = "ntmtrack"
LANGUAGES = ("en", "vi")
_active = "en"


def language(explicit: str | None = None) -> str:
    """`--lang`, else NTMTRACK_LANG, else Vietnamese when the locale (LC_ALL, else LC_MESSAGES,
    else LANG, the POSIX order) starts with vi, else English."""
    choice = explicit or os.environ.get("NTMTRACK_LANG")
    if choice:
        return "vi" if choice.strip().lower().startswith("vi") else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def language_in_argv(args) -> str | None:
    """The value of `--lang` among command-line words (before `--`), read before Click parses
    them so that help and Click's own errors are in that language too."""
    args = list(args or ())
    for i, word in enumerate(args):
        if word == "--":
            break
        if word == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (English: the msgids as they are)."""
    if lang == "en":
        return gettext.NullTranslations()
    compiled = resources.files(__package__) / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with compiled.open("rb") as stream:
            return gettext.GNUTranslations(stream)
    except OSError:  # a checkout whose .mo was never compiled: English rather than a crash
        return gettext.NullTranslations()


def use(lang: str) -> str:
    """Make `lang` the language of `_()`; returns the one it replaces."""
    global _active
    previous, _active = _active, (lang if lang in LANGUAGES else "en")
    return previous


def active() -> str:
    return _active


def _(message: str) -> str:
    """`message` in the chosen language."""
    return catalogue(_active).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(_active).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is translated later (help texts, built
    once at import, are translated when the command line is built)."""
    return message


def tr(lang: str, message: str) -> str:
    """`message` in `lang`."""
    return catalogue(lang if lang in LANGUAGES else "en").gettext(message)


def ntr(lang: str, singular: str, plural: str, n: int) -> str:
    return catalogue(lang if lang in LANGUAGES else "en").ngettext(singular, plural, n)


def trp(lang: str, context: str, message: str) -> str:
    """`message` in `lang`, where the same English reads differently (msgctxt `context`)."""
    return catalogue(lang if lang in LANGUAGES else "en").pgettext(context, message)
