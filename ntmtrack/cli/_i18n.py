"""The command line in the reader's language: help texts, and Click's and Typer's own words.

Help texts are marked `N_()` (or are command docstrings) and translated when the command tree
is built, before Click reads them. Typer (≥ 0.28) carries its own copy of Click without
gettext, so Click's words are msgids here (CLICK_WORDS, in the catalogue like every message):
the help's frame goes through our formatter, and a usage error, as Click writes it in English,
is matched line by line against these msgids (`{…}` stands for what Click fills in) and
rebuilt from their translation. The few words Typer still passes to `gettext` reach the same
catalogue through `typer.core._`.
"""

from __future__ import annotations

import functools
import gettext
import io
import re

import typer

from ..locale import N_, _, active

# -- Click's and Typer's words (the English is theirs, kept to the letter) -----------------
HELP_WORDS = [
    N_("Usage: "), N_("Arguments"), N_("Options"), N_("Commands"), N_("[OPTIONS]"),
    N_("COMMAND [ARGS]..."), N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Install completion for the specified shell."),
    N_("Show completion for the specified shell, to copy it or customize the installation."),
    N_("default: {default}"), N_("env var: {var}"), N_("required"), N_("(dynamic)"),
    N_("Aborted!"), N_("Missing command."), N_("No such command {name!r}."),
]
# Matched against Click's English, most specific first; {message} is translated in turn.
ERROR_WORDS = [
    N_("Usage: {usage}"),
    N_("Try '{command}' for help."),
    N_("Error: {message}"),
    N_("Invalid value for {hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument {hint}. {message}"),
    N_("Missing argument {hint}."),
    N_("Missing option {hint}. {message}"),
    N_("Missing option {hint}."),
    N_("Missing parameter {hint}."),
    N_("No such option: {name} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("{message}. Did you mean {suggestions}?"),
    N_("No such command {name}."),
    N_("Got unexpected extra argument(s) ({arguments})"),
    N_("Got unexpected extra argument ({arguments})"),
    N_("Got unexpected extra arguments ({arguments})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {count} values."),
    N_("Value {value} is not a valid {kind}."),
    N_("Value error, {message}"),
    N_("{value} is not one of {choices}."),
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid float."),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid integer, got a number with a fractional part"),
    N_("Input should be a valid boolean, unable to interpret input"),
    N_("Input should be a finite number"),
    N_("File {name} does not exist."),
    N_("Directory {name} does not exist."),
    N_("Path {name} does not exist."),
    N_("File {name} is a directory."),
    N_("Path {name} is a directory."),
    N_("Directory {name} is a file."),
    N_("File {name} is not readable."),
    N_("Path {name} is not readable."),
    N_("File {name} is not writable."),
    N_("Path {name} is not writable."),
    N_("Directory {name} is not writable."),
    N_("Could not open file {name}: {message}"),
    N_("Aborted."),
]
# Inside the brackets after an option's help: `[default: 0.8; env var: NTMTRACK_DB]`.
EXTRA_WORDS = [N_("default: {default}"), N_("env var: {var}"), N_("required")]


def _pattern(msgid: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)(?:![rs])?\}", msgid)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(regex, re.DOTALL)


@functools.cache
def _patterns(words: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    # Compiled when first needed (an error, a translated help): a run that shows neither
    # does not pay for some fifty regular expressions.
    return [(msgid, _pattern(msgid)) for msgid in words]


def _rebuild(text: str, patterns) -> str:
    """`text`, Click's English, in the chosen language: the first msgid it matches, its
    parts put back into the translation (a nested message translated in turn)."""
    translated = _(text)
    if translated != text:
        return translated
    for msgid, pattern in patterns:
        found = pattern.fullmatch(text)
        if found:
            parts = dict(found.groupdict())
            if "message" in parts:
                parts["message"] = _rebuild(parts["message"], patterns)
            return _fill(_(msgid), parts)
    return text


def _fill(template: str, parts: dict[str, str]) -> str:
    # Not str.format: what Click quotes may hold braces of its own.
    return re.sub(r"\{(\w+)(?:![rs])?\}", lambda m: parts.get(m.group(1), m.group(0)), template)


def click_text(text: str) -> str:
    """What Click wrote (an error, with its usage lines) in the chosen language."""
    if active() == "en":
        return text
    return "\n".join(_rebuild(line, _patterns(tuple(ERROR_WORDS))) if line else line for line in text.split("\n"))


def _help_cell(text: str) -> str:
    found = re.fullmatch(r"(.*?)(\s*)\[([^\[\]]*)\]", text, re.DOTALL)
    if not found:
        return _(text)
    help_text, space, extras = found.groups()
    extras = "; ".join(_rebuild(item, _patterns(tuple(EXTRA_WORDS))) for item in extras.split("; "))
    return f"{_(help_text)}{space}[{extras}]"


_Formatter = typer.Context.formatter_class


class Formatter(_Formatter):
    """Click's help formatter, its fixed words translated."""

    def write_usage(self, prog, args="", prefix=None):
        super().write_usage(prog, args, _("Usage: ") if prefix is None else _(prefix))

    def write_heading(self, heading):
        super().write_heading(_(heading))

    def write_dl(self, rows, *args, **kwargs):
        super().write_dl([(term, _help_cell(text) if text else text) for term, text in rows],
                         *args, **kwargs)


class Context(typer.Context):
    formatter_class = Formatter


def translate_tree(command) -> None:
    """Every command's and option's help in the chosen language, before Click reads them
    (a fresh tree is built for every run; the root's commands one by one, as they are built)."""
    if active() == "en":
        return
    command.context_class = Context
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            setattr(command, attribute, _(text))
    if getattr(command, "options_metavar", None):
        command.options_metavar = _(command.options_metavar)
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = _(command.subcommand_metavar)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    subcommands = getattr(command, "commands", None)
    # Only commands already built: the root's (cli._Commands) are translated as they are built.
    if isinstance(subcommands, dict):
        for sub in subcommands.values():
            translate_tree(sub)


def show_translated(error, file=None) -> None:
    """Click's error shown as Click shows it, in the chosen language."""
    import sys

    buffer = io.StringIO()
    type(error).show(error, file=buffer)
    (file or sys.stderr).write(click_text(buffer.getvalue()))


def hook_typer_gettext() -> None:
    """The words Typer still passes to gettext (`Aborted!`, `default: …`) into our catalogue."""
    import typer.core as core

    if getattr(core, "_", None) is gettext.gettext:
        core._ = _
