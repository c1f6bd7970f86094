"""Shared CLI options, the two output streams, and the one way commands open the register."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..render import Format, language, tr

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", envvar="NTMTRACK_DB", show_envvar=True, dir_okay=True,
                 help="Register file (default: ntmtrack.db in the user data directory)."),
]
FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
LangOption = Annotated[
    Optional[str],
    typer.Option("--lang", envvar="NTMTRACK_LANG", show_envvar=True,
                 help="Language of human output: vi or en (default: from LANG)."),
]
ExcelOption = Annotated[
    bool, typer.Option("--excel", help="With csv/tsv: a file for Excel (BOM, CRLF, formulas neutralised).")
]
AsOfOption = Annotated[
    Optional[str],
    typer.Option("--as-of", help="Show the register as it stood on this date (YYYY-MM-DD or DD/MM/YYYY)."),
]


def lang_of(value: str | None) -> str:
    if value and value.lower()[:2] not in ("vi", "en"):
        raise typer.BadParameter("use vi or en", param_hint="--lang")
    return language(value)


def message(text: str) -> None:
    """A message for the person (stderr), never mixed with data on stdout."""
    from ..render import clean

    sys.stderr.write(clean(text) + "\n")


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


__all__ = ["DbOption", "ExcelOption", "FormatOption", "LangOption", "AsOfOption", "lang_of", "message",
           "register", "writing", "tr", "Format"]
