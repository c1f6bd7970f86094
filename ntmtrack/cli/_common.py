"""Shared CLI options, the two output streams, and the one way commands open the register."""

from __future__ import annotations

import contextlib
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..locale import N_, _, use
from ..output.labels import language, tr
from ..output.render import Format

DbOption = Annotated[
    Optional[Path],
    # readable=False: an unreadable register is ntmtrack's own one-line error (exit 1), not Click's.
    typer.Option("--db", envvar="NTMTRACK_DB", show_envvar=True, dir_okay=True, readable=False,
                 help=N_("Register file (default: ntmtrack.db in the user data directory).")),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help=N_("Output format."), case_sensitive=False)
]
LangOption = Annotated[
    Optional[str],
    typer.Option("--lang", envvar="NTMTRACK_LANG", show_envvar=True,
                 help=N_("Language of human output: vi or en (default: from LANG).")),
]
ExcelOption = Annotated[
    bool, typer.Option("--excel", help=N_("With csv/tsv: a file for Excel (BOM, CRLF, formulas neutralised)."))
]
AsOfOption = Annotated[
    Optional[str],
    typer.Option("--as-of", help=N_("Show the register as it stood on this date (YYYY-MM-DD or DD/MM/YYYY).")),
]


def _completion_register(ctx: typer.Context):
    from ..store import open_register

    return open_register(ctx.params.get("db") if ctx else None, readonly=True)


def complete_unit(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: active units whose name starts like `incomplete`, diacritics optional.

    The shell keeps only values that start with what was typed, so a name typed without
    diacritics ("dan") completes without them ("dan Ly"), which ntmtrack matches just the
    same; the hint shows the real name, its kind and code."""
    from ..read.names import fold, strip_marks
    from ..store import units as store_units

    typed = incomplete or ""
    try:
        with _completion_register(ctx) as reg:
            found = store_units.names_starting(reg.conn, fold(typed))
    except Exception:  # completion must never print a traceback into the user's prompt
        return []
    out = []
    for name, kind, code in found:
        hint = f"{name} · {kind}{' ' + code if code else ''}"
        if name.startswith(typed):
            out.append((name, hint))
        else:
            plain = strip_marks(name)
            out.append((typed + plain[len(typed):], hint))
    return out


def complete_plan(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion: plan ids starting with `incomplete`, titles as the hint."""
    from ..store import plans as store_plans

    try:
        with _completion_register(ctx) as reg:
            return [(pid, title) for pid, title in store_plans.titles(reg.conn)
                    if pid.startswith(incomplete or "")]
    except Exception:
        return []


PlanOption = Annotated[Optional[str], typer.Option("--plan", "-p", help=N_("Only this plan's units and targets."),
                                                   autocompletion=complete_plan)]
UnderOption = Annotated[Optional[str], typer.Option("--under", "-u", help=N_("Only units below this one."),
                                                    autocompletion=complete_unit)]


SetOption = Annotated[Optional[str], typer.Option(
    "--set", "-s", help=N_("Criteria set (default: the plan's, else the one the units' plans in force use, "
                        "else the national set in force on the day)."))]
ThresholdOption = Annotated[float, typer.Option(
    "--threshold", help=N_("Behind: progress below this share (0-1] of the progress expected by now."))]
OfficeOption = Annotated[Optional[str], typer.Option(
    "--office", envvar="NTMTRACK_OFFICE", show_envvar=True,
    help=N_("The office signing the report when the register has several top units."))]


def as_of_day(text: str | None):
    from ..read.dates import parse_date, today

    return parse_date(text) if text else today()


class Level(str, Enum):
    """A title's level (model.LEVELS), as options take it."""

    ntm = "ntm"
    nang_cao = "nang-cao"
    kieu_mau = "kieu-mau"
    hien_dai = "hien-dai"


def build_scope(conn, *, as_of: str | None = None, under: str | None = None, plan: str | None = None,
                set_code: str | None = None, threshold: float | None = None, lang: str = "en",
                office: str | None = None):
    """The one place command-line options become a Scope: the day parsed, the unit resolved,
    the plan and the set checked, the threshold in range — before any report runs."""
    from ..model import DEFAULT_THRESHOLD, NtmError, Scope
    from ..register import criteria as criteria_sets
    from ..register import units
    from ..store import plans as store_plans

    if threshold is not None and not 0 < threshold <= 1:
        raise typer.BadParameter(_("a share between 0 and 1 ({example} of the expected progress)").format(example="0.8 = 80%"),
                                 param_hint="--threshold")
    day = as_of_day(as_of)
    unit = units.resolve(conn, under, container=True) if under else None
    if plan and store_plans.get(conn, plan) is None:
        raise NtmError(_("no plan '{plan}'; known plans: {value}").format(plan=plan, value=', '.join(store_plans.ids(conn)) or 'none'))
    if set_code:
        set_code = criteria_sets.get(conn, set_code).code
    return Scope(day, unit, plan, set_code, DEFAULT_THRESHOLD if threshold is None else threshold,
                 lang, office)


def lang_of(value: str | None) -> str:
    """The command's language (`--lang`, else the environment), made the language of `_()`."""
    if value and value.lower()[:2] not in ("vi", "en"):
        raise typer.BadParameter(_("use vi or en"), param_hint="--lang")
    lang = language(value)
    use(lang)
    return lang


def message(text: str) -> None:
    """A message for the person (stderr), never mixed with data on stdout."""
    from ..output.render import clean

    sys.stderr.write(clean(text) + "\n")


ForceOption = Annotated[bool, typer.Option("--force", help=N_("Replace an existing file (never the register)."))]


def output_file(path, db: Path | None, lang: str, force: bool = False, **options):
    """The checked target of an output file: refuses the register (`--db`) and its companions,
    directories, and without `force` any existing file — before any work is done."""
    from ..output.files import OutputFile
    from ..store.connection import resolve_path

    return OutputFile(path, protect=(resolve_path(db),), force=force, lang=lang, **options)


@contextlib.contextmanager
def register(db: Path | None, readonly: bool = False, create: bool = False):
    from ..store import open_register

    reg = open_register(db, create=create, readonly=readonly)
    try:
        yield reg
    finally:
        reg.close()


class _DryRun(Exception):
    pass


@contextlib.contextmanager
def writing(db: Path | None, dry_run: bool = False):
    """Open the register and run the block in one IMMEDIATE transaction.

    With `dry_run` every check and write happens, then the transaction is rolled back: what
    a dry run reports is exactly what the real run would do.
    """
    from ..store import write_transaction

    with register(db) as reg:
        try:
            with write_transaction(reg.conn):
                yield reg
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass


__all__ = ["DbOption", "ForceOption", "output_file", "ExcelOption", "FormatOption", "LangOption", "AsOfOption", "lang_of", "message",
           "register", "writing", "tr", "Format"]
