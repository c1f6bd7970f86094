"""`ntmtrack demo`: every shipped example imported into a fresh register, then a short tour.

Refuses to replace a file it did not make (it checks the register's own demo mark).
"""

from __future__ import annotations

import io
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from ..locale import N_, _
from ..model import InputProblems, NtmError
from ..output.labels import reason_text, tr
from ..output.render import Column
from ..read import department_file
from ..read.observation_files import read_delimited
from ..read.plan_file import parse as parse_plan
from ..register import criteria, units
from ..register.dossiers import import_departments
from ..register.observations import Recorder
from ..register.plans import bind_and_write
from ..register.recording import append_checked, import_rows
from ..register.unit_trees import nodes_from_text
from ..store import criteria as store_criteria
from ..store import maintenance, open_register, write_transaction
from ..store.connection import scratch_register
from ..store.observations import now
from ._common import LangOption, lang_of, message

DEMO_DAY = date(2018, 11, 2)   # Triệu Sơn's review meeting (seed article 002)
# Invented: which criteria each commune had met by then (the article gives dossiers only).
DEMO_CRITERIA = {"Dân Lý": range(1, 20), "Tân Ninh": range(1, 20), "Thọ Thế": range(1, 18),
                 "Minh Châu": range(1, 11), "Khuyến Nông": range(1, 15), "Dân Lực": range(1, 14),
                 "Dân Quyền": range(1, 16), "Thọ Cường": range(1, 9)}


DEPARTMENTS = "thanh-hoa-so-nganh.yaml"
PLAN_EXAMPLES = ["trieu-son-2018.yaml", "trieu-son-vu-dong-2022.yaml", "xa-45-ngay-2022.yaml",
                 "phong-my-2022.yaml"]


def _is_demo(path: Path) -> bool:
    try:
        with open_register(path, readonly=True) as reg:
            return store_criteria.get_meta(reg.conn, "demo") == "1"
    except NtmError:
        return False


def example_texts() -> dict[str, str]:
    folder = resources.files("ntmtrack").joinpath("examples")
    return {e.name: e.read_text(encoding="utf-8")
            for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".yaml")}


def build(path: Path) -> dict:
    path = Path(path)
    if path.exists():
        if not _is_demo(path):
            raise NtmError(_("{path} exists and is not an ntmtrack demo register; choose another --path").format(path=path))
    texts = example_texts()
    # Built in memory, then copied over the file through SQLite's backup API: deleting a
    # register (and its -wal) while something reads it could lose or mix pages.
    with scratch_register() as reg:
        with write_transaction(reg.conn):
            summary = _fill(reg, texts)
        with open_register(path, create=True) as target:
            maintenance.copy_into(reg.conn, target.conn)
    return summary


def _fill(reg, texts: dict[str, str]) -> dict:
    criteria.install_shipped(reg.conn)
    store_criteria.set_meta(reg.conn, "demo", "1")
    result = nodes_from_text(reg.conn, texts["trieu-son-units.yaml"],
                             "examples/trieu-son-units.yaml", "yaml")
    criteria.import_set(reg.conn, texts["tinh-20-tieu-chi-vi-du.yaml"],
                        "examples/tinh-20-tieu-chi-vi-du.yaml")
    plans = []
    for name in PLAN_EXAMPLES:
        doc, problems = parse_plan(texts[name], f"examples/{name}")
        if problems:
            raise InputProblems(problems)
        plans.append(bind_and_write(reg.conn, doc, f"examples/{name}").plan)
    departments, problems = department_file.read(texts[DEPARTMENTS], f"examples/{DEPARTMENTS}")
    if problems:
        raise InputProblems(problems)
    import_departments(reg.conn, departments, f"examples/{DEPARTMENTS}")
    recorder = Recorder(reg.conn, DEMO_DAY, "demo")
    for csv_name in ("bao-cao-giao-ban-2018.csv", "ho-so-trieu-son-2018.csv"):
        data = resources.files("ntmtrack").joinpath("examples", csv_name).read_bytes()
        import_rows(reg.conn, recorder, read_delimited(io.BytesIO(data), f"examples/{csv_name}",
                                                       None, None),
                    f"examples/{csv_name}", None, now(), "demo")
    stamp = now()
    for unit_name, numbers in DEMO_CRITERIA.items():
        unit = units.resolve(reg.conn, unit_name)
        rows = [recorder.finish(recorder.criterion(unit, n, "met", "2018-10-15"),
                                "demo", None, None, stamp, fingerprint=False) for n in numbers]
        append_checked(reg.conn, rows)
    return {"units": len(result.created), "plans": plans}


def show(path: Path, lang: str):
    """(title, rows, columns) sections for the tour: the district at its 2018 review."""
    from ..model import Scope
    from ..output.labels import state_label
    from ..output.render import format_number
    from ..reports.laggards import laggards
    from ..reports.status import status

    scope = Scope(DEMO_DAY, plan_id="trieu-son-2018", lang=lang)
    with open_register(path, readonly=True) as reg:
        rows, totals = status(reg.conn, scope)
        lag = laggards(reg.conn, scope)
    average = format_number(totals.average_criteria_met, lang)
    yield (tr(lang, "Plan trieu-son-2018 on {DEMO_DAY:%d/%m/%Y}: average {average} criteria per commune").format(DEMO_DAY=DEMO_DAY, average=average),
           [{"unit": r.label, "met_of": f"{r.criteria_met}/{r.criteria_total}",
             "target_date": r.target_date, "state": state_label(r.state, lang)} for r in rows],
           [Column("unit"), Column("met_of"),
            Column("target_date", words="target_due", kind="date"), Column("state")])
    yield (tr(lang, "Laggards"),
           [{"unit": r.label, "why": reason_text(r, lang)} for r in lag],
           [Column("unit"), Column("why", words="reason")])

DEMO_FILE = "ntmtrack-demo.db"


def demo_command(
    path: Annotated[Path, typer.Option("--path", help=N_("Where to build the demo register."))] = Path(DEMO_FILE),
    lang: LangOption = None,
) -> None:
    """Build a demo register of Triệu Sơn district from examples/ and show it at its 2018 review.

    Rebuilds its own demo file; never overwrites any other file.
    Example: ntmtrack demo
    """
    from ..output.render import Format, write

    language = lang_of(lang)
    build(path)
    message(tr(language, "Demo register built at {resolve}").format(resolve=path.resolve()))
    for section in show(path, language):
        title, rows, columns = section
        write(rows, columns, Format.table, language, title=title)
    exe = invoked_as()
    message(tr(language, "Try: {exe} status --db {path} --plan trieu-son-2018 --as-of 02/11/2018\n     {exe} progress trieu-son-2018 --db {path} --as-of 02/11/2018").format(exe=exe, path=path))


def invoked_as() -> str:
    """The executable as it was typed (`.venv/bin/ntmtrack`), so the hint runs as shown even
    when ntmtrack is not on the PATH; `python -m ntmtrack` as that; quoted for the shell."""
    import os
    import shlex
    import sys

    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "ntmtrack"
    if os.path.basename(argv0) in ("__main__.py", "-m", "-c"):
        return f"{shlex.quote(sys.executable)} -m ntmtrack"
    return shlex.quote(argv0)
