"""The command line: every group wired here, and the one place errors become messages.

Typer only under cli/. NTMTRACK_DEBUG=1 shows tracebacks instead of one-line errors.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .. import __version__
from ..locale import N_, _
from ..model import InputProblems, NtmError


class NtmGroup(TyperGroup):
    """Turns ntmtrack's errors into one line (or a FILE:LINE list) on stderr and an exit code,
    in the language chosen before Click reads a word (`--lang`, else the environment)."""

    def main(self, args=None, *more, **options):
        from ..locale import language, language_in_argv, use
        from ._i18n import translate_tree

        words = sys.argv[1:] if args is None else list(args)
        previous = use(language(language_in_argv(words)))
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
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help=N_("Show the version and exit."))] = None,
) -> None:
    """ntmtrack: the NTM register."""


def _hook_typer_gettext() -> None:
    from ._i18n import hook_typer_gettext

    hook_typer_gettext()


def _wire() -> None:
    # Every group wired explicitly: deleting an import must never silently drop a command.
    from . import (
        criteria,
        db,
        demo,
        dossier,
        exchange,
        export,
        form,
        funds,
        plan,
        record,
        report,
        template,
        units,
    )

    app.command("init")(db.init_command)
    app.command("demo")(demo.demo_command)
    app.add_typer(criteria.app, name="criteria")
    app.add_typer(units.app, name="units")
    app.add_typer(plan.app, name="plan")
    app.add_typer(record.app, name="record")
    app.add_typer(dossier.app, name="dossier")
    app.command("history")(record.history_command)
    app.command("status")(report.status_command)
    app.command("progress")(report.progress_command)
    app.command("laggards")(report.laggards_command)
    app.command("summary")(report.summary_command)
    app.add_typer(funds.app, name="funds")
    app.add_typer(form.app, name="form")
    app.add_typer(db.app, name="db")
    app.add_typer(export.app, name="export")
    app.add_typer(exchange.app, name="exchange")
    app.add_typer(report.app, name="report")
    app.command("template")(template.template_command)


_wire()
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
