"""`ntmtrack criteria …`: the national and provincial criteria sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..locale import N_, _
from ..output.labels import (
    CONFIDENCE,
    CRITERIA_FIELDS,
    ORIGINS,
    WORDS,
    group_label,
    label,
)
from ..output.render import Column, write
from ..register import criteria
from ..store import criteria as store_criteria
from ._common import (
    AsOfOption,
    DbOption,
    Format,
    FormatOption,
    LangOption,
    PlanOption,
    UnderOption,
    build_scope,
    lang_of,
    message,
    register,
    tr,
    writing,
)
from ._common import SetOption as ReportSetOption

app = typer.Typer(help=N_("Criteria sets (bộ tiêu chí): list, show, import."), no_args_is_help=True)

SetOption = Annotated[Optional[str], typer.Option("--set", "-s",
                                                  help=N_("Criteria set code (default: the register's default set)."))]


@app.command("sets")
def criteria_sets(db: DbOption = None, fmt: FormatOption = Format.table,
                  lang: LangOption = None) -> None:
    """List the criteria sets in the register; the default one is marked.

    Example: ntmtrack criteria sets
    """
    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        rows = store_criteria.summaries(reg.conn)
        default = criteria.default_code(reg.conn)
    for row in rows:
        row["default"] = row["code"] == default
    if fmt in (Format.table, Format.markdown):
        shown = [dict(row, title=row["title_vi"] if language == "vi" else row["title_en"],
                      origin=label(ORIGINS, row["origin"], language),
                      effective=_day(row["effective"]),
                      default=label(WORDS, "yes", language) if row["default"] else "")
                 for row in rows]
        write(shown, [_column(k, kind) for k, kind in (
            ("code", "text"), ("decision", "text"), ("effective", "date"), ("criteria", "int"),
            ("indicators", "int"), ("default", "text"), ("origin", "text"), ("title", "text"))],
            fmt, language)
        return
    columns = [
        Column("code"), Column("decision"),
        Column("effective", kind="date"),
        Column("criteria", words="met_of", kind="int"),
        Column("indicators", kind="int"),
        Column("default"), Column("origin"),
        Column("title_vi"), Column("title_en", "title_en", "title_en"),
    ]
    write(rows, columns, fmt, language)


def _column(key: str, kind: str = "text") -> Column:
    """A human column headed from the catalogue."""
    en, vi = CRITERIA_FIELDS[key]
    return Column(key, en, vi, kind)


def _day(value: str | None) -> str | None:
    """A set's date for a person: blank when the register holds no real date."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


@app.command("list")
def criteria_list(set_code: SetOption = None, db: DbOption = None,
                  fmt: FormatOption = Format.table, lang: LangOption = None) -> None:
    """List the criteria of a set with their numbers, names and groups.

    Example: ntmtrack criteria list --set qd318-2022
    """
    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        cs = criteria.get(reg.conn, set_code)
    rows = [{"criteria_set": cs.code, "number": c.number, "name_vi": c.name_vi,
             "name_en": c.name_en, "group": c.group, "indicators": len(c.indicators),
             "confidence": c.confidence,
             "name": c.name_vi if language == "vi" else c.name_en} for c in cs.criteria]
    if fmt == Format.table or fmt == Format.markdown:
        rows = [dict(row, group=group_label(row["group"], language, cs.groups)) for row in rows]
        columns = [_column("number", "int"), Column("name", words="criterion"),
                   _column("group"), _column("indicators", "int")]
        title = f"{cs.code} — {cs.decision or ''} — " + (cs.title_vi if language == "vi" else cs.title_en)
    else:
        columns = [Column(k, k, k) for k in ("criteria_set", "number", "name_vi", "name_en",
                                               "group", "indicators", "confidence")]
        title = None
    write(rows, columns, fmt, language, title=title)


@app.command("show")
def criteria_show(number: Annotated[int, typer.Argument(help=N_("Criterion number."))],
                  set_code: SetOption = None, db: DbOption = None,
                  fmt: FormatOption = Format.table, lang: LangOption = None) -> None:
    """Show one criterion: its names, group, confidence and indicators.

    Example: ntmtrack criteria show 17 --set qd318-2022
    """
    from ..model import NtmError

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        cs = criteria.get(reg.conn, set_code)
    found = [c for c in cs.criteria if c.number == number]
    if not found:
        raise NtmError(_("criterion {number} is not in set {code} (it has {str})").format(number=number, code=cs.code, str=', '.join(map(str, cs.numbers))))
    c = found[0]
    rows = [{"criteria_set": cs.code, "criterion": c.number, "id": i["id"], "name_vi": i["name_vi"],
             "name_en": i.get("name_en"), "confidence": i.get("confidence"),
             "name": i["name_vi"] if language == "vi" else (i.get("name_en") or i["name_vi"])}
            for i in c.indicators]
    if fmt in (Format.table, Format.markdown):
        title = f"{cs.code} {tr(language, 'criterion')} {c.number}: " + (
            c.name_vi if language == "vi" else f"{c.name_en} ({c.name_vi})")
        group = group_label(c.group, language, cs.groups) or "-"
        confidence = label(CONFIDENCE, c.confidence, language) or "-"
        footer = [tr(language, "Group: {group}; confidence: {confidence}").format(group=group, confidence=confidence)]
        if not rows:
            footer.append(tr(language, "No indicators shipped for this criterion."))
        rows = [dict(row, confidence=label(CONFIDENCE, row["confidence"], language)) for row in rows]
        write(rows, [Column("id", words="indicator"), Column("name", words="name_text"),
                     _column("confidence")],
              fmt, language, title=title, footer=footer)
    else:
        if not rows:
            rows = [{"criteria_set": cs.code, "criterion": c.number, "id": None,
                     "name_vi": c.name_vi, "name_en": c.name_en, "confidence": c.confidence}]
        write(rows, [Column(k, k, k) for k in ("criteria_set", "criterion", "id", "name_vi",
                                                "name_en", "confidence")], fmt, language)


@app.command("import")
def criteria_import(file: Annotated[Path, typer.Argument(help=N_("A criteria set in YAML."))],
                    replace: Annotated[bool, typer.Option(
                        "--replace", help=N_("Replace a different set with the same code."))] = False,
                    db: DbOption = None, lang: LangOption = None) -> None:
    """Import a provincial or custom criteria set from YAML (same form as data/criteria/).

    Example: ntmtrack criteria import examples/thanh-hoa-20-tieu-chi.yaml
    """
    from ..read.text import read_text_file

    language = lang_of(lang)
    text = read_text_file(file)
    with writing(db) as reg:
        outcome = criteria.import_set(reg.conn, text, str(file), replace=replace)
    message({"added": tr(language, "{file}: criteria set added").format(file=file),
             "unchanged": tr(language, "{file}: identical set already present; nothing changed").format(file=file),
             "replaced": tr(language, "{file}: criteria set replaced").format(file=file)}[outcome])


@app.command("stats")
def criteria_stats(under: UnderOption = None, plan: PlanOption = None, set_code: ReportSetOption = None,
                   as_of: AsOfOption = None,
                   db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None) -> None:
    """Per criterion: how many communes meet it, hardest first — the bottleneck criteria.

    Example: ntmtrack criteria stats --under "Triệu Sơn" --plan trieu-son-2018
    """
    from ..reports.stats import criteria_stats as stats

    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        scope = build_scope(reg.conn, as_of=as_of, under=under, plan=plan, set_code=set_code,
                            lang=language)
        rows = stats(reg.conn, scope)
    if fmt in (Format.table, Format.markdown):
        table = [{"criterion": r.criterion, "name": r.name_vi if language == "vi" else r.name_en,
                  "met_of": f"{r.units_met}/{r.units_total}", "share": r.share} for r in rows]
        write(table, [Column("criterion", words="number", kind="int"), Column("name", words="criterion"),
                     Column("met_of", words="units_met"),
                     Column("share", kind="pct")], fmt, language)
        return
    write(rows, [Column(k, k, k) for k in ("criteria_set", "criterion", "name_vi", "name_en",
                                            "units_met", "units_total", "share")], fmt, language)
