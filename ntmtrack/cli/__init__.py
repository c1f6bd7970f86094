"""The command line: every group wired here, and the one place errors become messages.

Typer only under cli/. NTMTRACK_DEBUG=1 shows tracebacks instead of one-line errors.
"""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import sys
from collections.abc import MutableMapping
from typing import Annotated

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..locale import N_, _
from ..model import InputProblems, NtmError
from ._params import checks_without_pydantic


class NtmGroup(TyperGroup):
    """Turns ntmtrack's errors into one line (or a FILE:LINE list) on stderr and an exit code,
    in the language chosen before Click reads a word (`--lang`, else the environment).
    Its commands are built lazily (`_Commands`): only the invoked one is imported."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = _root_commands()
        self._listing = False

    def list_commands(self, ctx):
        return list(self.commands)   # Typer's walks .items(), which would build every command

    def get_command(self, ctx, cmd_name):
        if self._listing:
            return self.commands.listed(cmd_name) if cmd_name in self.commands else None
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx, formatter):
        # Typer's list of commands, each one's help taken from COMMANDS, none imported.
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def main(self, args=None, *more, **options):
        from ..locale import language, language_in_argv, use
        from ._i18n import translate_tree

        words = sys.argv[1:] if args is None else list(args)
        previous = use(language(language_in_argv(words)))
        checks_without_pydantic(self)
        try:
            translate_tree(self)
            return super().main(words, *more, **options)
        finally:
            use(previous)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _CLICK_ERROR as e:
            raise _in_language(e) from None

    def invoke(self, ctx):
        if os.environ.get("NTMTRACK_DEBUG"):
            return super().invoke(ctx)
        try:
            return super().invoke(ctx)
        except _CLICK_ERROR as e:
            # Click's usage errors quote what was typed (a value, an option): shown, not obeyed.
            from ..output.formats import visible

            e.message = visible(e.message)
            raise _in_language(e) from None
        except InputProblems as e:
            for problem in e.problems:
                _err(str(problem))
            raise typer.Exit(e.exit_code) from None
        except NtmError as e:
            _err(_("error: {e}").format(e=e))
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            _err(_("interrupted; nothing was written"))
            raise typer.Exit(130) from None
        except Terminated:
            _err(_("terminated; nothing was written"))
            raise typer.Exit(143) from None
        except BrokenPipeError:
            # `ntmtrack … | head`: the reader left; not an error worth a message.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except sqlite3.Error as e:
            from ..store.connection import translate

            error = translate(e)
            _err(_("error: {error}").format(error=error))
            raise typer.Exit(error.exit_code) from None
        except OSError as e:
            _err(_("error: {value}").format(value=e.strerror or e) + (f": {e.filename}" if e.filename else ""))
            raise typer.Exit(1) from None
        except OverflowError:
            # A number too large for SQLite or a date: whatever option carried it, one line.
            _err(_("error: a number or date given is out of range"))
            raise typer.Exit(1) from None


# Click's own error class, reached through Typer (Click is never imported by name here).
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _Translated(_CLICK_ERROR):
    """A Click error shown in Vietnamese: Click's lines, rebuilt from the catalogue."""

    def __init__(self, error):
        super().__init__(error.message)
        self.error = error
        self.exit_code = error.exit_code

    def show(self, file=None):
        from ._i18n import show_translated

        show_translated(self.error, file)


def _in_language(error):
    from ..locale import active

    if active() == "en" or isinstance(error, _Translated):
        return error
    return _Translated(error)


class Terminated(BaseException):
    """SIGTERM (shutdown, `timeout`, a cron supervisor): unwinds like Ctrl-C, so the open
    transaction rolls back and the message is the same one line."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def _err(text: str) -> None:
    from ..output.render import clean

    sys.stderr.write(clean(text) + "\n")
    sys.stderr.flush()


def _version(value: bool) -> None:
    if value:
        print(f"ntmtrack {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=NtmGroup,
    name="ntmtrack",
    help=N_("The register of the New Rural Development programme (nông thôn mới): criteria, "
         "plans, progress and laggards."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
)


@app.callback()
def _root(
    # A plain bool: Typer checks any other value through Pydantic, whose import alone costs
    # more than a whole `--help`.
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help=N_("Show the version and exit."))] = False,
) -> None:
    """ntmtrack: the NTM register."""


# Every command, in the order `ntmtrack --help` lists them: (name, module of cli/, attribute,
# help). A command's module is imported only when that command runs or shows its help, so the
# list of commands needs their help here: the group's `help=` or the function's docstring, as
# Typer passes it to Click (the msgid the catalogue translates). tests/test_startup.py keeps
# this list in step with the modules. Listed explicitly: deleting an import never drops a
# command silently.
COMMANDS = [
    ('init', 'db', 'init_command',
     'Create the register (or bring an existing one up to date); safe to run twice.\n'
     '\n'
     'Example: ntmtrack init --db huyen.db'),
    ('demo', 'demo', 'demo_command',
     'Build a demo register of Triệu Sơn district from examples/ and show it at its 2018 review.\n'
     '\n'
     'Rebuilds its own demo file; never overwrites any other file.\n'
     'Example: ntmtrack demo'),
    ('history', 'record', 'history_command',
     "A unit's observations in order, voided ones marked.\n"
     '\n'
     'Example: ntmtrack history "Dân Lý" --measure 17'),
    ('status', 'report', 'status_command',
     'Criteria met per commune, with the target date and a state; the district figures below.\n'
     '\n'
     'Example: ntmtrack status --under "Triệu Sơn" --as-of 02/11/2018'),
    ('progress', 'report', 'progress_command',
     'Each indicator target of a plan: baseline, actual, target, share done, expected by now.\n'
     '\n'
     'Example: ntmtrack progress hop-giang-45-ngay-2022 --as-of 13/05/2022'),
    ('laggards', 'report', 'laggards_command',
     'Every unit behind a target, overdue, or missing its report — worst first, with reasons.\n'
     '\n'
     'Example: ntmtrack laggards --plan trieu-son-vu-dong-2022 --fail-on-any'),
    ('summary', 'report', 'summary_command',
     'The weekly digest for a cron mail: criteria gained and lost, indicator changes,\n'
     'recognitions, laggards, deadlines due, missed reports, dossier steps, departments holding\n'
     'dossiers. Plain text, 80 columns.\n'
     '\n'
     'Example: ntmtrack summary --under "Triệu Sơn" --output "reports/%Y-W%V.md" --format markdown'),
    ('template', 'template', 'template_command',
     'Write the fill-in template of a plan: one row per unit and measure, current values shown.\n'
     '\n'
     'Example: ntmtrack template trieu-son-2018 --under "Cụm 5" -o bao-cao-tuan.xlsx'),
    ('criteria', 'criteria', 'app',
     'Criteria sets (bộ tiêu chí): list, show, import.'),
    ('units', 'units', 'app',
     'Administrative units: add, import, list, show, rename, move, merge.'),
    ('plan', 'plan', 'app',
     'Campaign plans (kế hoạch): validate, import, list, show, export.'),
    ('record', 'record', 'app',
     'Record progress (append-only): criteria met or lost, indicator values, recognition decisions, whole files; void mistakes.'),
    ('dossier', 'dossier', 'app',
     'Dossiers on the road to recognition: steps, departments, who is ready.'),
    ('funds', 'funds', 'app',
     'Money (vốn): capital allocated, disbursed and contributed, construction debt; the capital status per unit and source.'),
    ('form', 'form', 'app',
     "The periodic forms: yearly (results to 30/09, the estimate for the year, next year's registrations) and half-yearly."),
    ('db', 'db', 'app',
     'The register file: information, checks and backups.'),
    ('export', 'export', 'app',
     'Exports that travel: an XLSX workbook.'),
    ('exchange', 'exchange', 'app',
     'Packets between registers: export, import, conflicts, who has reported.'),
    ('report', 'report', 'app',
     'Reports to print and pass around.'),
]


class _Commands(MutableMapping):
    """A group's commands by name: every name known up front, each command built (and put in
    the chosen language) on first use, so one command's run imports and builds that command
    only. `builders`: name → a function building the command; `helps`: the help of those
    not built yet, for the list of commands (the root's, from COMMANDS)."""

    def __init__(self, builders: dict, helps: dict | None = None):
        self._builders = dict(builders)
        self._helps = helps or {}
        self._built: dict = {}

    def __getitem__(self, name):
        if name not in self._built:
            self._built[name] = self._builders[name]()   # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name, command):
        self._builders.setdefault(name, None)
        self._built[name] = command

    def __delitem__(self, name):
        del self._builders[name]
        self._built.pop(name, None)

    def __contains__(self, name):
        return name in self._builders   # Mapping's would build the command

    def __iter__(self):
        return iter(self._builders)

    def __len__(self):
        return len(self._builders)

    def listed(self, name):
        """The command itself if built, else a stand-in carrying its help, for the list of
        commands in `ntmtrack --help` (which shows the first sentence of each)."""
        if name in self._built or name not in self._helps:
            return self[name]
        return TyperCommand(name=name, help=_(self._helps[name]))


def _root_commands() -> _Commands:
    return _Commands({name: functools.partial(_build, name, module, attribute)
                      for name, module, attribute, _text in COMMANDS},
                     {name: text for name, _module, _attribute, text in COMMANDS})


def _build(name: str, module: str, attribute: str):
    """The Click command of `name` from its module, as `app.command(name)` or
    `app.add_typer(…, name=name)` on the root would have built it, in the chosen language;
    a group's own commands built on first use in turn."""
    import copy
    import importlib

    target = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    holder = typer.Typer()
    if not isinstance(target, typer.Typer):
        holder.command(name)(target)
        return _finish(holder.registered_commands[0])
    # The group without its commands (its subgroups, rare, are built with it), then its
    # commands in Typer's order — commands first, then subgroups — each built when asked for.
    shell = copy.copy(target)
    shell.registered_commands = []
    holder.add_typer(shell, name=name)
    group = typer.main.get_group_from_info(
        holder.registered_groups[0], pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode, suggest_commands=app.suggest_commands)
    _ready(group)
    builders = {}
    for info in target.registered_commands:
        builders[info.name or typer.main.get_command_name(info.callback.__name__)] = \
            functools.partial(_finish, info)
    subgroups = group.commands
    group.commands = _Commands({**builders, **{n: None for n in subgroups}})
    for sub_name, sub in subgroups.items():
        group.commands[sub_name] = sub
    return group


def _finish(info):
    """One command from its CommandInfo, as Typer builds it under the root."""
    command = typer.main.get_command_from_info(
        info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=app.rich_markup_mode)
    _ready(command)
    return command


def _ready(command) -> None:
    """A command just built: its values checked without Pydantic, its help in the chosen language."""
    from ..locale import active

    checks_without_pydantic(command)
    if active() != "en":
        from ._i18n import translate_tree

        translate_tree(command)


def _hook_typer_gettext() -> None:
    from ._i18n import hook_typer_gettext

    hook_typer_gettext()


_hook_typer_gettext()


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    for stream in (sys.stdout, sys.stderr):
        # A pipe on a cp1258 console would raise UnicodeEncodeError on the first "ệ".
        if stream and getattr(stream, "encoding", "utf-8").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):
                pass
    app()
