"""`ntmtrack dossier …`: the road from criteria met to a recognition decision."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..locale import N_, _
from ..model import STEPS as ROAD
from ..output.formats import format_date
from ..output.render import Column, write
from ._common import (
    AsOfOption,
    DbOption,
    Format,
    FormatOption,
    LangOption,
    Level,
    PlanOption,
    UnderOption,
    build_scope,
    complete_unit,
    lang_of,
    message,
    register,
    tr,
    writing,
)

app = typer.Typer(help=N_("Dossiers on the road to recognition: steps, departments, who is ready."),
                  no_args_is_help=True)
departments_app = typer.Typer(help=N_("The province's appraising departments (sở, ngành)."),
                              invoke_without_command=True)
app.add_typer(departments_app, name="departments")


# The steps as the command line takes them: the one list, model.STEPS.
Step = Enum("Step", {step: step for step in ROAD}, type=str)


class Result(str, Enum):
    passed = "passed"
    returned = "returned"




@app.command("record")
def dossier_record(
    unit: Annotated[str, typer.Argument(help=N_("Commune."), autocompletion=complete_unit)],
    step: Annotated[Step, typer.Argument(help=N_("registered, self_assessed, criteria_dossiers, general_dossier, submitted, sent, inspected, appraised, satisfaction, council, proposed."))],
    department: Annotated[Optional[str], typer.Option("--department", help=N_("The department (code or name) for sent, inspected, appraised."))] = None,
    result: Annotated[Optional[Result], typer.Option("--result", help=N_("An appraisal's result: passed or returned."))] = None,
    count: Annotated[Optional[str], typer.Option("--count", help=N_("criteria_dossiers: how many criteria have a finished dossier."))] = None,
    value: Annotated[Optional[str], typer.Option("--value", help=N_("satisfaction: the share of residents satisfied, in %."))] = None,
    level: Annotated[Optional[Level], typer.Option("--level", "-l", help=N_("The title sought (default: the commune's last step's, else ntm)."))] = None,
    date: Annotated[Optional[str], typer.Option("--date", "-d", help=N_("Date of the step (default today)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", "-n", help=N_("A note (a returned dossier: why)."))] = None,
    by: Annotated[Optional[str], typer.Option("--by", help=N_("Who reported it."))] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Record a step of a commune's dossier (append-only; `record void ID` cancels it).

    Example: ntmtrack dossier record "Dân Lý" sent --department so-xay-dung --date 20/10/2018
    """
    from ..register import units
    from ..register.dossiers import step_observation
    from ..register.recording import append_checked
    from ..store.observations import now
    from .record import _recorder

    language = lang_of(lang)
    if result == Result.returned and not note:
        raise typer.BadParameter(_("a returned dossier needs its reason: --note"), param_hint="--note")
    with writing(db) as reg:
        recorder = _recorder(reg.conn, by)
        target = units.resolve(reg.conn, unit)
        on = recorder.when(date)
        row = step_observation(recorder, target, step.value, on, department=department,
                               result=result.value if result else None, count=count, value=value,
                               level=level.value if level else None)
        row = recorder.finish(row, "command line", note, None, now(), fingerprint=False)
        ids, _unused = append_checked(reg.conn, [row])
    from ..output.labels import STEPS, label
    from ..output.render import format_date

    what = label(STEPS, step.value, language) + (f" ({row['department']})" if row.get("department") else "")
    message(tr(language, "recorded: {name}, {what}, {on} [id {ids}]").format(name=target.name, what=what, on=format_date(on, language), ids=ids[0]))


STATUS_KEYS = ["unit", "unit_path", "level", "criteria_set", "step", "step_date", "criteria_dossiers",
               "criteria_total", "general_dossier", "departments_total", "departments_sent",
               "departments_inspected", "departments_passed", "departments_returned", "satisfaction",
               "days_since_step", "ready", "missing"]


@app.command("status")
def dossier_status(
    under: UnderOption = None, plan: PlanOption = None,
    level: Annotated[Optional[Level], typer.Option("--level", "-l", help=N_("Only the road to this title."))] = None,
    as_of: AsOfOption = None, db: DbOption = None, fmt: FormatOption = Format.table,
    lang: LangOption = None,
) -> None:
    """One row per commune on the road: furthest step, dossiers, departments, ready or what is missing.

    Example: ntmtrack dossier status --under "Triệu Sơn" --as-of 02/11/2018
    """
    from ..output.labels import LEVELS, STEPS, label, missing_text
    from ..output.render import MACHINE, format_number
    from ..reports import dossiers as reports

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, lang=language)
        rows = reports.dossier_status(reg.conn, scope, level.value if level else None,
                                      _debts(reg.conn, scope))
    if fmt in MACHINE:
        write(({k: (list(getattr(r, k)) if k == "missing" else getattr(r, k)) for k in STATUS_KEYS}
               for r in rows),
              [Column(k, k, k, "list" if k == "missing" else "text") for k in STATUS_KEYS], fmt, language)
        return
    yes, no = tr(language, "yes"), tr(language, "no")
    levels = {r.level for r in rows}
    table = [{"unit": r.label + (f" ({label(LEVELS, r.level, language)})" if levels != {"ntm"} else ""),
              "step": label(STEPS, r.step, language) if r.step else "",
              "step_date": r.step_date,
              "criteria_dossiers_of": f"{r.criteria_dossiers if r.criteria_dossiers is not None else '-'}/{r.criteria_total}",
              "general_dossier": yes if r.general_dossier else no,
              "departments_of": f"{r.departments_sent}/{r.departments_inspected}/{r.departments_passed}"
                                f" ({r.departments_total})",
              "satisfaction": f"{format_number(r.satisfaction, language)}%" if r.satisfaction is not None else "",
              "days_since_step": r.days_since_step,
              "missing_words": tr(language, "ready") if r.ready else missing_text(r, language)}
             for r in rows]
    day = scope.as_of
    title = tr(language, "Recognition dossiers as of {day}").format(day=format_date(day, language))
    footer = [tr(language, "{value} of {rows} communes ready for a decision").format(value=sum(r.ready for r in rows), rows=len(rows))]
    # The general dossier and a missing survey are said under `missing`; a column of blanks
    # would only narrow the one that says what to do.
    columns = [Column("unit"), Column("step"), Column("step_date", kind="date", nowrap=True),
               Column("criteria_dossiers_of", nowrap=True), Column("departments_of", nowrap=True)]
    if any(r.satisfaction is not None for r in rows):
        columns.append(Column("satisfaction", nowrap=True))
    columns += [Column("days_since_step", kind="int"), Column("missing_words")]
    write(table, columns, fmt, language, title=title, footer=footer)


def _debts(conn, scope) -> dict[int, int]:
    """Outstanding construction debt per commune on the day, where the register records it."""
    from ..reports.funds import outstanding_debt

    return outstanding_debt(conn, scope.as_of, None)


DEPARTMENT_KEYS = ["department", "name", "waiting", "oldest_days", "inspected", "passed", "returned"]


@departments_app.callback()
def departments_list(
    ctx: typer.Context, under: UnderOption = None, as_of: AsOfOption = None, db: DbOption = None,
    fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """Per department: dossiers waiting for its appraisal (the oldest, in days), inspected,
    passed, returned — the province's bottleneck list. `import FILE` declares them.

    Example: ntmtrack dossier departments --under "Thanh Hóa"
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..output.render import MACHINE
    from ..reports import dossiers as reports

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, lang=language)
        rows = reports.departments(reg.conn, scope)
    if fmt in MACHINE:
        write(({k: getattr(r, k) for k in DEPARTMENT_KEYS} for r in rows),
              [Column(k, k, k) for k in DEPARTMENT_KEYS], fmt, language)
        return
    title = tr(language, "Departments' appraisals as of {day}").format(day=format_date(scope.as_of, language))
    several = len({r.province for r in rows}) > 1
    write([{"department": r.department,
            "department_name": f"{r.name} ({r.province})" if several else r.name, "waiting": r.waiting,
            "oldest_days": r.oldest_days, "inspected": r.inspected, "passed": r.passed,
            "returned": r.returned} for r in rows],
          [Column("department", nowrap=True), Column("department_name"), Column("waiting", kind="int"),
           Column("oldest_days", kind="int"), Column("inspected", kind="int"),
           Column("passed", kind="int"), Column("returned", kind="int")], fmt, language, title=title)


@departments_app.command("import")
def departments_import(
    file: Annotated[Path, typer.Argument(help=N_("The departments YAML file."))],
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Declare a province's appraising departments and the criteria each appraises (replaces
    the province's list).

    Example: ntmtrack dossier departments import examples/thanh-hoa-so-nganh.yaml
    """
    from ..model import InputProblems
    from ..read import department_file
    from ..read.text import read_text_file
    from ..register.dossiers import import_departments

    language = lang_of(lang)
    text = read_text_file(file)
    doc, problems = department_file.read(text, str(file))
    if problems:
        raise InputProblems(problems)
    with writing(db) as reg:
        province, changes = import_departments(reg.conn, doc, str(file))
    for change in changes:
        message(change)
    if changes:
        text = tr(language, "{file}: {count} departments of {province} ({changed} changed)")
    else:
        text = tr(language, "{file}: {count} departments of {province}, unchanged")
    message(text.format(file=file, count=len(doc.departments), province=province, changed=len(changes)))
