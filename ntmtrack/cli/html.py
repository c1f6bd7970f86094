"""`ntmtrack report html`: the printable report for meetings and the province."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import (
    AsOfOption,
    DbOption,
    ForceOption,
    LangOption,
    PlanOption,
    UnderOption,
    lang_of,
    message,
    output_file,
    register,
    tr,
)
from .report import as_of_day

app = typer.Typer(help="Reports to print and pass around.", no_args_is_help=True)


@app.command("html")
def report_html(
    path: Annotated[Path, typer.Argument(help="Where to write the HTML file ('-' for stdout).")],
    plan: PlanOption = None, under: UnderOption = None, as_of: AsOfOption = None,
    force: ForceOption = False, db: DbOption = None, lang: LangOption = None,
) -> None:
    """One self-contained HTML report (inline CSS and SVG charts, no network) that prints on A4.

    Example: ntmtrack report html bao-cao.html --under "Triệu Sơn" --lang vi
    """
    from .. import html_report, units

    language = lang_of(lang)
    day = as_of_day(as_of)
    target = output_file(path, db, language, force)
    with register(db, readonly=True) as reg:
        unit = units.resolve(reg.conn, under, container=True) if under else None
        document = html_report.build(reg.conn, day, unit.id if unit else None,
                                     unit.name if unit else None, plan, language)
    target.write_text(document)
    if target.is_stream:
        return
    message(tr(language, f"report written: {path}", f"đã ghi báo cáo: {path}"))
