"""`ntmtrack init` and `ntmtrack db …`: creating and looking after the register file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..locale import N_
from ..output.render import Column, json_safe, write
from ..register import criteria
from ..store import write_transaction
from ._common import (
    DbOption,
    ForceOption,
    Format,
    FormatOption,
    LangOption,
    lang_of,
    message,
    output_file,
    register,
    tr,
)

app = typer.Typer(help=N_("The register file: information, checks and backups."), no_args_is_help=True)


def init_command(db: DbOption = None, lang: LangOption = None) -> None:
    """Create the register (or bring an existing one up to date); safe to run twice.

    Example: ntmtrack init --db huyen.db
    """
    language = lang_of(lang)
    with register(db, create=True) as reg:
        with write_transaction(reg.conn):
            added = criteria.install_shipped(reg.conn)
        path = reg.path
    if added:
        message(tr(language, "Register ready: {path} (criteria sets added: {added})").format(path=path, added=', '.join(added)))
    else:
        message(tr(language, "Register ready: {path} (already up to date)").format(path=path))


@app.command("info")
def db_info(db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None) -> None:
    """Show the register's path, size, schema version and what it holds.

    Example: ntmtrack db info
    """
    from ..store import info as store_info

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        facts = store_info.facts(reg.conn)
        facts = {"path": str(reg.path), "size_bytes": os.path.getsize(reg.path), **facts}
    rows = [{"key": k, "value": v} for k, v in facts.items()]
    if fmt in (Format.table, Format.markdown):
        # People read the items' names and numbers in their language; machine formats keep
        # the keys and plain values.
        from ..output.labels import DB_ITEMS, label
        from ..output.render import format_number

        rows = [{"key": label(DB_ITEMS, k, language),
                 "value": format_number(v, language)
                 if isinstance(v, (int, float)) and not isinstance(v, bool) else v}
                for k, v in facts.items()]
    write(rows, [Column("key"), Column("value")], fmt, language)


@app.command("check")
def db_check(db: DbOption = None, lang: LangOption = None) -> None:
    """Check integrity, foreign keys and the register's own rules; exit 1 if anything is wrong.

    Example: ntmtrack db check
    """
    from ..model import NtmError
    from ..store import maintenance
    from ..store.migrations import known_names

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        found = maintenance.problems(reg.conn, known_names())
    for problem in found:
        message(problem)
    if found:
        raise NtmError(tr(language, "{found} problem(s) found").format(found=len(found)))
    message(tr(language, "register ok"))


@app.command("backup")
def db_backup(path: Annotated[Path, typer.Argument(help=N_("Where to write the copy."))],
              force: ForceOption = False,
              db: DbOption = None, lang: LangOption = None) -> None:
    """Copy the register consistently (SQLite's online backup), even while others write.

    Example: ntmtrack db backup "backups/huyen-$(date +%F).db"
    """
    from ..store import maintenance

    language = lang_of(lang)
    # A backup may replace an older backup (an SQLite file) with --force, never the register.
    target = output_file(path, db, language, force, replace_sqlite=True)
    with register(db, readonly=True) as reg, target as temporary:
        maintenance.backup(reg.conn, temporary)
    message(tr(language, "backup written: {shown} ({size} bytes)").format(shown=target.shown, size=target.size))


@app.command("datasette-metadata")
def db_datasette_metadata(db: DbOption = None) -> None:
    """Print Datasette metadata (tables, views and columns described in English and Vietnamese).

    Example: ntmtrack db datasette-metadata > m.json && datasette huyen.db --metadata m.json
    """
    import json

    from ..output.datasette import metadata

    with register(db, readonly=True) as reg:  # also brings an older register's views up to date
        name = reg.path.stem
    print(json_safe(json.dumps(metadata(name), ensure_ascii=False, indent=2)))
