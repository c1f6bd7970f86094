"""`ntmtrack template`: the sheet a commune fills in and sends back for `record import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..locale import N_, _
from ..model import NtmError
from ._common import (
    AsOfOption,
    DbOption,
    ForceOption,
    LangOption,
    UnderOption,
    build_scope,
    complete_plan,
    lang_of,
    message,
    output_file,
    register,
    tr,
)


def template_command(
    plan: Annotated[str, typer.Argument(help=N_("Plan id."), autocompletion=complete_plan)],
    output: Annotated[Path, typer.Option("--output", "-o", help=N_("FILE.xlsx or FILE.csv; with --per-unit, a directory."))],
    under: UnderOption = None, as_of: AsOfOption = None,
    per_unit: Annotated[bool, typer.Option("--per-unit", help=N_("One XLSX file per commune, into the directory -o names."))] = False,
    force: ForceOption = False, db: DbOption = None, lang: LangOption = None,
) -> None:
    """Write the fill-in template of a plan: one row per unit and measure, current values shown.

    Example: ntmtrack template trieu-son-2018 --under "Cụm 5" -o bao-cao-tuan.xlsx
    """
    from dataclasses import replace

    from ..output import template as writer
    from ..output.html import issuer
    from ..read.names import fold
    from ..reports.templates import template
    from ..store import units as store_units

    language = lang_of(lang)
    fmt = output.suffix.lower().lstrip(".")
    if not per_unit and fmt not in ("xlsx", "csv"):
        raise typer.BadParameter(_("the file name ends in .xlsx or .csv"), param_hint="--output")
    if per_unit and output.exists() and not output.is_dir():
        raise NtmError(tr(language, "{output} is not a directory (--per-unit writes one file per commune into it)").format(output=output))
    targets = None if per_unit else output_file(output, db, language, force)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, lang=language)
        head, rows = template(reg.conn, scope)
        if not rows:
            raise NtmError(tr(language, "plan {plan} asks nothing of the units in scope").format(plan=plan))
        if not per_unit:
            committee = issuer(reg.conn, scope)[0]
            write = writer.write_xlsx if fmt == "xlsx" else writer.write_csv
            with targets as temporary:
                count = write(temporary, head, rows, committee, language)
            message(tr(language, "{output}: {count} rows to fill in (due {value})").format(output=output, count=count, value=head.due.strftime('%d/%m/%Y')))
            return
        groups: dict[int, list] = {}
        for row in rows:
            groups.setdefault(row.group_id, []).append(row)
        files = []
        for group_id, members in groups.items():
            unit = store_units.get(reg.conn, group_id)
            name = "-".join(fold(unit.name).split()) or str(unit.id)
            taken = {f.name for f, _unused, _unused in files}
            filename = f"{plan}-{name}.xlsx" if f"{plan}-{name}.xlsx" not in taken else f"{plan}-{name}-{unit.id}.xlsx"
            committee = issuer(reg.conn, replace(scope, under=unit))[0]
            files.append((output / filename, members, committee))
        output.mkdir(parents=True, exist_ok=True)
        checked = [(output_file(path, db, language, force), members, committee)
                   for path, members, committee in files]
        for target, members, committee in checked:
            with target as temporary:
                writer.write_xlsx(temporary, head, members, committee, language)
    message(tr(language, "{output}: {checked} files, {rows} rows to fill in (due {value})").format(output=output, checked=len(checked), rows=len(rows), value=head.due.strftime('%d/%m/%Y')))
