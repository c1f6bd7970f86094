"""`ntmtrack init` and `ntmtrack db …`: creating and looking after the register file."""

from __future__ import annotations

import os

import typer

from .. import criteria
from ..render import Column, write
from ._common import DbOption, FormatOption, Format, LangOption, lang_of, message, register, tr
from ..store import write_transaction

app = typer.Typer(help="The register file: information, checks and backups.", no_args_is_help=True)


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
        message(tr(language, f"Register ready: {path} (criteria sets added: {', '.join(added)})",
                   f"Đã tạo sổ theo dõi: {path} (bộ tiêu chí: {', '.join(added)})"))
    else:
        message(tr(language, f"Register ready: {path} (already up to date)",
                   f"Sổ theo dõi đã sẵn sàng: {path} (không có gì thay đổi)"))


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
    write(rows, [Column("key", "item", "mục"), Column("value", "value", "giá trị")], fmt, language)
