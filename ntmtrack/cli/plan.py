"""`ntmtrack plan …`: campaign plans in YAML — validate, import, list, show, export, schema, remove."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..locale import N_, _
from ..model import InputProblems, NtmError
from ..output.render import MACHINE, Column, json_safe, write
from ._common import (
    DbOption,
    ForceOption,
    Format,
    FormatOption,
    LangOption,
    complete_plan,
    lang_of,
    message,
    output_file,
    register,
    tr,
    writing,
)

app = typer.Typer(help=N_("Campaign plans (kế hoạch): validate, import, list, show, export."),
                  no_args_is_help=True)

FilesArgument = Annotated[List[Path], typer.Argument(help=N_("Plan files (YAML); '-' for stdin."))]


def _parse(path: Path):
    from ..read.plan_file import parse_partial
    from ..read.text import read_text_file

    text = read_text_file(path)
    source = "<stdin>" if str(path) == "-" else str(path)
    doc, problems = parse_partial(text, source)
    return doc, problems, source


def _parse_all(files):
    """Parse every file: ([(doc, source)], every problem of every file). A file with problems
    still gives the plan of its parts that parsed, to bind: every problem is said at once."""
    parsed, problems = [], []
    for path in files:
        doc, found, source = _parse(path)
        problems += found
        if doc:
            parsed.append((doc, source))
    return parsed, problems


def _in_order(problems):
    """Every problem once, file by file in line order (shape, values and binding mixed)."""
    seen, out = set(), []
    for p in problems:
        key = (p.source, p.line, p.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    sources = list(dict.fromkeys(p.source for p in out))
    return sorted(out, key=lambda p: (sources.index(p.source), p.line or 0, p.column or 0))


def _report_warnings(warnings) -> None:
    for warning in warnings:
        message(str(warning))


@app.command("validate")
def plan_validate(files: FilesArgument, db: DbOption = None, lang: LangOption = None) -> None:
    """Check plan files against the format and the register; report every problem, write nothing.

    Opens the register read-only, so it works while another process writes to it.

    Example: ntmtrack plan validate examples/*.yaml
    """
    from ..register.plans import bind
    from ..store.connection import resolve_path

    language = lang_of(lang)
    parsed, problems = _parse_all(files)
    if parsed:
        if resolve_path(db).exists():
            context = register(db, readonly=True)
        else:
            message(tr(language, "no register found: checking against the shipped criteria sets only"))
            context = _shipped_sets_only()
        with context as reg:
            for doc, _source in parsed:
                bound, _unused = bind(reg.conn, doc)
                _report_warnings(bound.warnings)
                problems += bound.errors
    if problems:
        raise InputProblems(_in_order(problems))
    message(tr(language, "{files} plan file(s) valid").format(files=len(files)))


@contextlib.contextmanager
def _shipped_sets_only():
    """An in-memory register holding only the shipped criteria sets."""
    from ..register import criteria
    from ..store.connection import scratch_register, write_transaction

    reg = scratch_register()
    try:
        with write_transaction(reg.conn):
            criteria.install_shipped(reg.conn)
        yield reg
    finally:
        reg.close()


@app.command("import")
def plan_import(
    files: FilesArgument,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Report what would change; write nothing."))] = False,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Validate then import plans in one transaction; re-importing the same file changes nothing.

    Example: ntmtrack plan import examples/trieu-son-2018.yaml
    """
    from ..register.plans import bind, save

    language = lang_of(lang)
    parsed, problems = _parse_all(files)
    if problems:
        # the parts that parsed are bound too, so the file's every problem is said at once
        with register(db, readonly=True) as reg:
            for doc, _source in parsed:
                problems += bind(reg.conn, doc)[0].errors
        raise InputProblems(_in_order(problems))
    ids = [d.id for d, _unused in parsed]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise NtmError(_("plan id(s) {dupes} appear in more than one file").format(dupes=', '.join(dupes)))
    outcomes = []
    with writing(db, dry_run=dry_run) as reg:
        for doc, source in parsed:
            # Bound after the files before it were saved: a plan may name units an earlier
            # file's tree creates.
            bound, _unused = bind(reg.conn, doc)
            if bound.errors:
                problems += bound.errors
                continue
            outcomes.append((save(reg.conn, bound), source))
        if problems:
            raise InputProblems(problems)
    for outcome, source in outcomes:
        _report_warnings(outcome.warnings)
        if outcome.status == "unchanged":
            message(tr(language, "{source}: plan {plan} is already in the register; nothing changed").format(source=source, plan=outcome.plan))
            continue
        text = {("added", False): tr(language, "{source}: plan {plan} added{extra}"),
                ("added", True): tr(language, "{source}: plan {plan} would be added{extra}"),
                ("replaced", False): tr(language, "{source}: plan {plan} replaced{extra}"),
                ("replaced", True): tr(language, "{source}: plan {plan} would be replaced{extra}"),
                }[outcome.status, bool(dry_run)]
        extra = tr(language, ", {units_created} units created").format(units_created=len(outcome.units_created)) if outcome.units_created else ""
        message(text.format(source=source, plan=outcome.plan, extra=extra))
        for line in outcome.changes if outcome.status == "replaced" else []:
            message(f"  {line}")
    if dry_run:
        message(tr(language, "dry run: nothing was written"))


@app.command("list")
def plan_list(db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None) -> None:
    """List the plans in the register.

    Example: ntmtrack plan list
    """
    from ..store import plans as store_plans

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        rows = store_plans.summaries(reg.conn)
    full = [
        Column("plan", nowrap=True), Column("title", words="title_vi"),
        Column("reference"), Column("criteria_set"),
        Column("start", kind="date"), Column("end", kind="date"),
        Column("report_every"), Column("units", kind="int"),
        Column("criteria_targets", kind="int"),
        Column("indicator_targets", kind="int"),
    ]
    human = {"plan", "title", "start", "end", "units", "criteria_targets", "indicator_targets"}
    columns = full if fmt in MACHINE else [c for c in full if c.key in human]
    write(rows, columns, fmt, language)


def _column(key: str, kind: str = "text", header: str | None = None, **options) -> Column:
    """A column whose header comes from the label catalogue (output/labels.HEADERS)."""
    from ..output.labels import HEADERS

    en, vi = HEADERS[header or key]
    return Column(key, en, vi, kind, **options)


# Headers the catalogue lacks (amount, target type, unit of measure, direction, roll-up) are
# written here; "Kind" is the unit's kind in the catalogue, so the target's is "Target type".
TARGET_COLUMNS = [
    _column("plan", nowrap=True), _column("unit"), _column("unit_path"),
    _column("unit_kind", "unitkind"), _column("target"), Column("kind", words="target_kind"),
    Column("amount", kind="number"), _column("baseline", "number"),
    _column("by", "date", header="deadline"),
]
INDICATOR_COLUMNS = [
    _column("indicator"), _column("name"), Column("measure", words="unit_of_measure"),
    Column("direction"), Column("rollup"),
]


def plan_target_rows(conn, plan_id: str) -> list[dict]:
    from ..register import criteria as criteria_sets
    from ..register.tree import Tree
    from ..store import plans as store_plans

    tree = Tree.load(conn)
    rows = []
    set_numbers: dict[str, list[int]] = {}
    for t in store_plans.targets(conn, plan_id):
        if t["kind"] == "criteria" and t["criteria_set"] not in set_numbers:
            set_numbers[t["criteria_set"]] = criteria_sets.get(conn, t["criteria_set"]).numbers
        u = tree.units[t["unit_id"]]
        is_criteria = t["kind"] == "criteria"
        every = is_criteria and t["criteria"] == set_numbers.get(t["criteria_set"])
        rows.append({
            "plan": plan_id, "unit": u["name"], "unit_path": tree.path(t["unit_id"]),
            "unit_kind": u["kind"],
            "target": _criteria_label(t["criteria"], every, "en") if is_criteria else t["indicator"],
            "kind": t["kind"], "criteria_set": t["criteria_set"],
            "criteria": t["criteria"], "indicator": t["indicator"], "amount": t["amount"],
            "baseline": t["baseline"], "by": t["by"],
            "milestones": [{"on": d, "share": s} for d, s in t["milestones"]],
            "_order": (t["seq"], u["sort_key"]),
            "_all": every,
        })
    rows.sort(key=lambda r: r["_order"])
    return rows


def plan_fund_rows(conn, plan: dict) -> list[dict]:
    """The plan's `funds:` section: {unit, unit_path, unit_kind, source, amount} (integer đồng)."""
    from ..register.tree import Tree
    from ..store import funds as store_funds

    found = store_funds.plan_funds(conn, [plan["id"]])
    if not found:
        return []
    tree = Tree.load(conn)
    return [{"unit": tree.units[f["unit_id"]]["name"], "unit_path": tree.path(f["unit_id"]),
             "unit_kind": tree.units[f["unit_id"]]["kind"], "source": f["source"],
             "amount": f["amount"]} for f in found]


def _criteria_label(numbers: list[int], every: bool, lang: str) -> str:
    """'all 19 criteria' (the whole set) or 'criteria 1, 2, 3'; English in machine formats."""
    if every:
        return tr(lang, "all {numbers} criteria").format(numbers=len(numbers))
    return tr(lang, "criteria ") + ", ".join(map(str, numbers))


def _human_rows(rows: list[dict], lang: str) -> list[dict]:
    """Rows as a person reads them: namesakes told apart (`Xóm 1 (Đức Thành)`), kinds and
    criteria in the language's words. Machine formats keep the codes."""
    from ..output.labels import TARGET_KINDS, UNIT_KINDS, label
    from ..read.names import distinct_names

    shown = distinct_names(r["unit_path"] for r in rows)
    out = []
    for r in rows:
        human = dict(r, unit=shown[r["unit_path"]], kind=label(TARGET_KINDS, r["kind"], lang),
                     unit_kind=label(UNIT_KINDS, r["unit_kind"], lang))
        if r["kind"] == "criteria":
            human["target"] = _criteria_label(r["criteria"], r["_all"], lang)
        out.append(human)
    return out


def _indicator_rows(conn, rows: list[dict], lang: str) -> list[dict]:
    from ..output.labels import DIRECTIONS, ROLLUPS, label
    from ..store import plans as store_plans

    codes = list(dict.fromkeys(r["indicator"] for r in rows if r["indicator"]))
    out = []
    for code in codes:
        d = store_plans.indicator(conn, code) or {"name": None, "measure": None, "direction": None,
                                                  "rollup": None}
        out.append({"indicator": code, "name": d["name"], "measure": d["measure"],
                    "direction": label(DIRECTIONS, d["direction"], lang),
                    "rollup": label(ROLLUPS, d["rollup"], lang)})
    return out


@app.command("show")
def plan_show(plan_id: Annotated[str, typer.Argument(help=N_("Plan id."), autocompletion=complete_plan)],
              db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None) -> None:
    """Show a plan: its header, then every target per unit with its deadline, then the
    definitions of its indicators.

    Example: ntmtrack plan show trieu-son-2018
    """
    import json

    from ..store import plans as store_plans

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        plan = store_plans.get(reg.conn, plan_id)
        if plan is None:
            raise NtmError(_("no plan '{plan_id}'; known plans: {value}").format(plan_id=plan_id, value=', '.join(store_plans.ids(reg.conn)) or 'none'))
        rows = plan_target_rows(reg.conn, plan_id)
        funds = plan_fund_rows(reg.conn, plan)
        indicators = _indicator_rows(reg.conn, rows, language) if fmt not in MACHINE else []
    header = {k: plan[k] for k in ("id", "title", "reference", "issued_by", "criteria_set",
                                   "start", "end", "report_every", "note")}
    if fmt == Format.json:
        clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
        print(json_safe(json.dumps({"plan": header, "targets": clean, "funds": funds},
                                   ensure_ascii=False, indent=2)))
        return
    columns = TARGET_COLUMNS
    if fmt in (Format.csv, Format.tsv, Format.jsonl):
        columns = TARGET_COLUMNS + [Column("criteria", "criteria", "criteria", "list"),
                                    Column("indicator", "indicator", "indicator"),
                                    Column("criteria_set", "criteria_set", "criteria_set")]
        # The capital plan follows as rows of kind `funds`: target = the source, amount in đồng.
        money = [{"plan": plan_id, "unit": f["unit"], "unit_path": f["unit_path"],
                  "unit_kind": f["unit_kind"], "target": f["source"], "kind": "funds",
                  "amount": f["amount"], "by": plan["end"]} for f in funds]
        write(rows + money, columns, fmt, language)
        return
    from ..output.labels import PERIODS, label
    from ..output.render import format_date

    title = f"{plan['id']}: {plan['title']}"
    lines = [f"{tr(language, 'Reference')}: {plan['reference'] or '-'}"
             f"   {tr(language, 'Issued by')}: {plan['issued_by'] or '-'}",
             f"{tr(language, 'Period')}: {format_date(plan['start'], language)} – "
             f"{format_date(plan['end'], language)}   {tr(language, 'Criteria set')}: "
             f"{plan['criteria_set'] or '-'}   {tr(language, 'Reports')}: "
             f"{label(PERIODS, plan['report_every'], language) or '-'}"]
    for line in lines:
        print(line) if fmt == Format.markdown else message(line)
    write(_human_rows(rows, language), [c for c in TARGET_COLUMNS if c.key not in ("plan", "unit_path")],
          fmt, language, title=title)
    if indicators:
        if fmt == Format.markdown:
            print()
        write(indicators, INDICATOR_COLUMNS, fmt, language,
              title=tr(language, "Indicators"))
    if funds:
        from ..output.formats import format_money
        from ..output.labels import FUND_SOURCES
        from ..read.names import distinct_names

        if fmt == Format.markdown:
            print()
        shown = distinct_names(f["unit_path"] for f in funds)
        write([{"unit": shown[f["unit_path"]], "source": label(FUND_SOURCES, f["source"], language),
                "planned": format_money(f["amount"], language)} for f in funds],
              [Column("unit"), Column("source", words="fund_source"), Column("planned", justify="right")],
              fmt, language, title=tr(language, "Capital plan"))


@app.command("export")
def plan_export(plan_id: Annotated[str, typer.Argument(help=N_("Plan id."), autocompletion=complete_plan)],
                output: Annotated[Optional[Path], typer.Option("--output", "-o", help=N_("Write to this file instead of stdout."))] = None,
                force: ForceOption = False, db: DbOption = None, lang: LangOption = None) -> None:
    """Print a plan as YAML that imports back to the identical plan.

    Example: ntmtrack plan export trieu-son-2018 > trieu-son-2018.yaml
    """
    import json

    from ..read.yamldoc import dump
    from ..store import plans as store_plans

    target = output_file(output, db, lang_of(lang), force) if output else None
    with register(db, readonly=True) as reg:
        plan = store_plans.get(reg.conn, plan_id)
        if plan is None:
            raise NtmError(_("no plan '{plan_id}'").format(plan_id=plan_id))
    document = json.loads(plan["document"])
    ordered = {k: document[k] for k in ("plan", "title", "reference", "issued_by", "criteria_set",
                                        "start", "end", "report_every", "note", "units",
                                        "targets", "metrics", "funds") if k in document}
    text = f"# exported by ntmtrack from the register; source: {plan['source'] or '-'}\n" + dump(ordered)
    if target:
        target.write_text(text)
    else:
        sys.stdout.write(text)


@app.command("schema")
def plan_schema() -> None:
    """Print a JSON Schema of the plan format for editors.

    Example: ntmtrack plan schema > plan.schema.json
    """
    import json

    from ..read.plan_schema import schema

    print(json.dumps(schema(), ensure_ascii=False, indent=2))


@app.command("remove")
def plan_remove(plan_id: Annotated[str, typer.Argument(help=N_("Plan id."), autocompletion=complete_plan)],
                yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))] = False,
                db: DbOption = None, lang: LangOption = None) -> None:
    """Remove a plan and its targets (observations stay). Asks first; `--yes` when not at a terminal.

    Example: ntmtrack plan remove trieu-son-2018 --yes
    """
    from ..store import plans as store_plans

    language = lang_of(lang)
    if not yes:
        if not sys.stdin.isatty():
            raise NtmError(_("removing plan {plan_id} needs --yes when not at a terminal").format(plan_id=plan_id))
        if not typer.confirm(tr(language, "Remove plan {plan_id} and its targets?").format(plan_id=plan_id)):
            raise NtmError(_("not removed"))
    with writing(db) as reg:
        if store_plans.get(reg.conn, plan_id) is None:
            raise NtmError(_("no plan '{plan_id}'").format(plan_id=plan_id))
        store_plans.delete(reg.conn, plan_id)
    message(tr(language, "plan {plan_id} removed (observations kept)").format(plan_id=plan_id))
