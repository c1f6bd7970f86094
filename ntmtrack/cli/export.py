"""`ntmtrack export xlsx`: the workbook that goes to the province."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    AsOfOption,
    DbOption,
    ForceOption,
    LangOption,
    complete_plan,
    complete_unit,
    lang_of,
    message,
    output_file,
    register,
    tr,
)

app = typer.Typer(help="Exports that travel: an XLSX workbook.", no_args_is_help=True)


@app.command("xlsx")
def export_xlsx(path: Annotated[Path, typer.Argument(help="The .xlsx file to write.")],
                plan: Annotated[Optional[str], typer.Option("--plan", "-p", help="Only this plan.", autocompletion=complete_plan)] = None,
                under: Annotated[Optional[str], typer.Option("--under", "-u", help="Only units below this one.", autocompletion=complete_unit)] = None,
                as_of: AsOfOption = None, force: ForceOption = False, db: DbOption = None,
                lang: LangOption = None) -> None:
    """One workbook: status, criteria matrix, criteria stats, each plan's progress, laggards,
    the week's observations. Values only, never formulas.

    Example: ntmtrack export xlsx bao-cao.xlsx --under "Triệu Sơn" --lang vi
    """
    from ..output import workbook
    from .report import as_of_day, under_id

    language = lang_of(lang)
    day = as_of_day(as_of)
    target = output_file(path, db, language, force)
    with register(db, readonly=True) as reg, target as temporary:
        root = under_id(reg.conn, under)
        sheets = workbook.build(reg.conn, temporary, day, plan, root, language, reg.path.name,
                                " ".join(f for f in (plan or "", under or "") if f) or
                                tr(language, "whole register", "toàn bộ sổ"))
    message(tr(language, f"{path}: sheets {', '.join(sheets)}", f"{path}: các trang {', '.join(sheets)}"))
