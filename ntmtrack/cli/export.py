"""`ntmtrack export xlsx`: the workbook that goes to the province."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..locale import N_
from ..model import DEFAULT_THRESHOLD
from ._common import (
    AsOfOption,
    DbOption,
    ForceOption,
    LangOption,
    PlanOption,
    SetOption,
    ThresholdOption,
    UnderOption,
    build_scope,
    lang_of,
    message,
    output_file,
    register,
    tr,
)

app = typer.Typer(help=N_("Exports that travel: an XLSX workbook."), no_args_is_help=True)


@app.command("xlsx")
def export_xlsx(path: Annotated[Path, typer.Argument(help=N_("The .xlsx file to write."))],
                plan: PlanOption = None, under: UnderOption = None, set_code: SetOption = None,
                as_of: AsOfOption = None, threshold: ThresholdOption = DEFAULT_THRESHOLD,
                force: ForceOption = False, db: DbOption = None, lang: LangOption = None) -> None:
    """One workbook: status, criteria matrix, criteria stats, each plan's progress, laggards,
    the week's observations. Values only, never formulas.

    Example: ntmtrack export xlsx bao-cao.xlsx --under "Triệu Sơn" --lang vi
    """
    from ..output import workbook

    language = lang_of(lang)
    target = output_file(path, db, language, force)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            threshold=threshold, lang=language)
        with target as temporary:
            sheets = workbook.build(reg.conn, scope, temporary, reg.path.name)
    message(tr(language, "{path}: sheets {sheets}").format(path=path, sheets=', '.join(sheets)))
