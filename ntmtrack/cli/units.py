"""`ntmtrack units …`: the administrative tree (province → district → cluster → commune → village)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..locale import N_, _
from ..output.labels import UNIT_FIELDS, UNIT_KINDS, label
from ..output.render import Column, format_date, json_safe, write
from ..read.unit_files import parse_kind
from ..register import unit_trees, units
from ..store import units as store_units
from ._common import (
    DbOption,
    ExcelOption,
    Format,
    FormatOption,
    LangOption,
    complete_unit,
    lang_of,
    message,
    register,
    tr,
    writing,
)

app = typer.Typer(help=N_("Administrative units: add, import, list, show, rename, move, merge."),
                  no_args_is_help=True)

KindOption = Annotated[Optional[str], typer.Option(
    "--kind", "-k", help=N_("province, district, cluster, commune, town, ward, village, "
                         "household_group (Vietnamese words work too: xã, thôn…)."))]


def _kind(text: str | None, required: bool = False) -> str | None:
    if text is None:
        if required:
            raise typer.BadParameter(_("a kind is required"), param_hint="--kind")
        return None
    kind = parse_kind(text)
    if kind is None:
        raise typer.BadParameter(_("unknown kind '{text}'").format(text=text), param_hint="--kind")
    return kind


def _date(text: str) -> str:
    from ..read.dates import parse_date

    return parse_date(text).isoformat()


@app.command("add")
def units_add(
    name: Annotated[str, typer.Argument(help=N_("The unit's name, e.g. 'Dân Lý'."))],
    kind: KindOption = None,
    parent: Annotated[Optional[str], typer.Option("--parent", "-p", help=N_("Parent unit (name, code or path)."))] = None,
    code: Annotated[Optional[str], typer.Option("--code", help=N_("Official (GSO) code, kept as text."))] = None,
    alias: Annotated[Optional[List[str]], typer.Option("--alias", help=N_("Another name (repeatable)."))] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Add one unit under a parent.

    Example: ntmtrack units add "Dân Lý" --kind xã --parent "Triệu Sơn" --code 15766
    """
    language = lang_of(lang)
    unit_kind = _kind(kind, required=True)
    with writing(db) as reg:
        parent_unit = units.resolve(reg.conn, parent, container=True) if parent else None
        unit_id = units.add(reg.conn, name, unit_kind, parent_unit, code, alias or [])
        path = units.path_of(reg.conn, store_units.get(reg.conn, unit_id))
    message(tr(language, "added {UNIT_KINDS} {path}").format(UNIT_KINDS=label(UNIT_KINDS, unit_kind, language), path=path))


@app.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(help=N_("YAML tree or CSV (name,kind,parent[,code]); '-' for stdin."))],
    input_format: Annotated[Optional[str], typer.Option(
        "--input-format", help=N_("yaml or csv (default: from the file name)."))] = None,
    encoding: Annotated[Optional[str], typer.Option("--encoding", help=N_("e.g. cp1258 for old Windows files."))] = None,
    delimiter: Annotated[str | None, typer.Option("--delimiter", help=N_("CSV delimiter (default: guessed from the header: , ; or tab)."))] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Import a tree of units; units that exist are matched, so re-importing is a no-op.

    Example: ntmtrack units import examples/trieu-son-units.yaml
    """
    from ..read.text import read_text_file

    language = lang_of(lang)
    fmt = (input_format or Path(file).suffix.lstrip(".") or "").lower()
    fmt = {"yml": "yaml"}.get(fmt, fmt)
    if fmt not in ("yaml", "csv"):
        raise typer.BadParameter(_("use --input-format yaml or csv"), param_hint="--input-format")
    if delimiter is not None and len(delimiter.replace("\\t", "\t")) != 1:
        raise typer.BadParameter(_("a delimiter is one character"), param_hint="--delimiter")
    delimiter = delimiter.replace("\\t", "\t") if delimiter else None
    text = read_text_file(file, encoding)
    source = "<stdin>" if str(file) == "-" else str(file)
    with register(db) as reg:  # the import takes the write lock itself, only to write
        result = unit_trees.import_text(reg.conn, text, source, fmt, delimiter)
    if not result.created and not result.changed:
        message(tr(language, "{source}: {matched} units already present; nothing changed").format(source=source, matched=result.matched))
    else:
        text = (tr(language, "{source}: {added} units added, {matched} already present, {changed} updated")
                if result.changed else tr(language, "{source}: {added} units added, {matched} already present"))
        message(text.format(source=source, added=len(result.created), matched=result.matched,
                            changed=len(result.changed)))


# What a person reads (--inactive adds the day a unit was merged away, blank while active).
UNIT_COLUMNS = [
    Column("name", words="unit"), Column("kind", *UNIT_FIELDS["kind"]),
    Column("parent"), Column("code", *UNIT_FIELDS["code"]),
    Column("path", *UNIT_FIELDS["path"]), Column("active_until", *UNIT_FIELDS["active_until"], "date"),
]


@app.command("list")
def units_list(
    under: Annotated[Optional[str], typer.Option("--under", "-u", help=N_("Only units below this one."), autocompletion=complete_unit)] = None,
    kind: KindOption = None,
    include_inactive: Annotated[bool, typer.Option("--inactive", help=N_("Include units merged away."))] = False,
    edition: Annotated[Optional[str], typer.Option(
        "--edition", help=N_("Only units whose code came from this official edition "
                          "(any part of its name: 2025.10, vietnam-provinces)."))] = None,
    excel: ExcelOption = False,
    db: DbOption = None, fmt: FormatOption = Format.table, lang: LangOption = None,
) -> None:
    """List units in Vietnamese alphabetical order, optionally below a unit, of one kind or
    of one official edition.

    Example: ntmtrack units list --under "Triệu Sơn" --kind xã
    """
    from ..register.tree import Tree

    language = lang_of(lang)
    unit_kind = _kind(kind)
    with register(db, readonly=True) as reg:
        tree = Tree.load(reg.conn)
        root = units.resolve(reg.conn, under, container=True) if under else None
    ids = tree.descendants(root.id) if root else list(tree.units)
    rows = []
    for unit_id in ids:
        u = tree.units[unit_id]
        if unit_kind and u["kind"] != unit_kind:
            continue
        if edition is not None and not units.in_edition(u["edition"], edition):
            continue
        if u["active_until"] and not include_inactive:
            continue
        rows.append({"id": unit_id, "name": u["name"], "kind": u["kind"],
                     "parent": tree.units[u["parent_id"]]["name"] if u["parent_id"] else None,
                     "code": u["code"], "path": tree.path(unit_id),
                     "active": not u["active_until"], "active_until": u["active_until"],
                     "_key": u["sort_key"]})
    rows.sort(key=lambda r: (r["_key"], r["path"]))
    if fmt in (Format.table, Format.markdown):
        columns = [c for c in UNIT_COLUMNS if c.key != "active_until" or include_inactive]
        rows = [dict(r, kind=label(UNIT_KINDS, r["kind"], language)) for r in rows]
    else:
        columns = [Column(k, k, k) for k in ("id", "name", "kind", "parent", "code", "path",
                                             "active_until")]
    write(rows, columns, fmt, language, excel=excel,
          footer=[tr(language, "{rows} units").format(rows=len(rows))])


@app.command("show")
def units_show(unit: Annotated[str, typer.Argument(help=N_("Name, code, alias or path."), autocompletion=complete_unit)],
               db: DbOption = None, fmt: FormatOption = Format.table,
               lang: LangOption = None) -> None:
    """Show a unit: its path, code, aliases, children and lineage both ways (merges).

    Example: ntmtrack units show "tho the"
    """
    language = lang_of(lang)
    with register(db, readonly=True) as reg:
        u = units.resolve(reg.conn, unit)
        path = units.path_of(reg.conn, u)
        aliases = store_units.aliases(reg.conn, u.id)
        before, after = store_units.lineage(reg.conn, u.id)
        children = store_units.children_names(reg.conn, u.id)
    record = {
        "id": u.id, "name": u.name, "kind": u.kind, "path": path, "code": u.code,
        "aliases": aliases, "active_until": u.active_until,
        "children": children,
        "merged_from": [{"unit": n, "date": d} for _unused, n, d, _unused in before],
        "merged_into": [{"unit": n, "date": d} for _unused, n, d, _unused in after],
    }
    if fmt in (Format.json, Format.jsonl):
        import json

        print(json_safe(json.dumps(record, ensure_ascii=False, indent=2 if fmt == Format.json else None)))
        return
    if fmt in (Format.csv, Format.tsv):
        # A machine format: the JSON record's keys and codes, ISO dates, whatever the language.
        def lineage_codes(items):
            return "; ".join(f"{i['unit']} ({i['date']})" for i in items)

        fields = [("name", u.name), ("kind", u.kind), ("path", path), ("code", u.code or ""),
                  ("aliases", ", ".join(aliases)), ("children", ", ".join(children)),
                  ("merged_from", lineage_codes(record["merged_from"])),
                  ("merged_into", lineage_codes(record["merged_into"])),
                  ("active_until", u.active_until or "")]
        write([{"field": k, "value": v} for k, v in fields if v or k in ("name", "kind", "path")],
              [Column("field", "field", "field"), Column("value", "value", "value")], fmt, language)
        return

    def fmt_lineage(items):
        return "; ".join(f"{i['unit']} ({format_date(i['date'], language)})" for i in items)

    fields = [
        ("name", u.name), ("kind", label(UNIT_KINDS, u.kind, language)), ("path", path),
        ("code", u.code or ""), ("aliases", ", ".join(aliases)),
        ("children", ", ".join(children)),
        ("merged_from", fmt_lineage(record["merged_from"])),
        ("merged_into", fmt_lineage(record["merged_into"])),
        ("active_until", format_date(u.active_until, language)),
    ]
    write([{"field": label(UNIT_FIELDS, k, language), "value": v} for k, v in fields
           if v or k in ("name", "kind", "path")],
          [Column("field"), Column("value")], fmt, language)


@app.command("rename")
def units_rename(unit: Annotated[str, typer.Argument(help=N_("The unit to rename."), autocompletion=complete_unit)],
                 new_name: Annotated[str, typer.Argument(help=N_("Its new name."))],
                 db: DbOption = None, lang: LangOption = None) -> None:
    """Rename a unit; the old name stays as an alias so old files still find it.

    Example: ntmtrack units rename "Thọ Thế" "Thọ Phú"
    """
    language = lang_of(lang)
    with writing(db) as reg:
        u = units.resolve(reg.conn, unit)
        new_name = units.rename(reg.conn, u, new_name)
    message(tr(language, "renamed {name} → {new_name} (old name kept as an alias)").format(name=u.name, new_name=new_name))


@app.command("move")
def units_move(unit: Annotated[str, typer.Argument(help=N_("The unit to move."), autocompletion=complete_unit)],
               parent: Annotated[str, typer.Option("--parent", "-p", help=N_("Its new parent."))],
               db: DbOption = None, lang: LangOption = None) -> None:
    """Move a unit under another parent (a commune into a cluster, say).

    Example: ntmtrack units move "Dân Lý" --parent "Cụm 3"
    """
    language = lang_of(lang)
    with writing(db) as reg:
        u = units.resolve(reg.conn, unit)
        p = units.resolve(reg.conn, parent, container=True)
        units.move(reg.conn, u, p)
        path = units.path_of(reg.conn, store_units.get(reg.conn, u.id))
    message(tr(language, "moved: {path}").format(path=path))


@app.command("merge")
def units_merge(
    old: Annotated[List[str], typer.Argument(help=N_("The units merged away."), autocompletion=complete_unit)],
    into: Annotated[str, typer.Option("--into", help=N_("The new (or surviving) unit."))],
    date: Annotated[str, typer.Option("--date", help=N_("Date the merge took effect."))],
    kind: KindOption = None,
    parent: Annotated[Optional[str], typer.Option("--parent", "-p", help=N_("Parent for a new unit."))] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Record a merger: old units stay (history intact) but are inactive from the date; from
    it the unit they became, new or surviving, holds no criterion met and no title until new
    observations say so. Creates the new unit if it does not exist (give --kind and --parent).

    Example: ntmtrack units merge "Thọ Thế" "Thọ Vực" --into "Thọ Phú" --date 2025-07-01
    """
    language = lang_of(lang)
    when = _date(date)
    with writing(db) as reg:
        olds = [units.resolve(reg.conn, o) for o in old]
        found = units.find(reg.conn, into)
        if len(found) == 1:
            new = found[0]
            created = False
        elif not found and kind:
            parent_unit = units.resolve(reg.conn, parent, container=True) if parent else (
                store_units.get(reg.conn, olds[0].parent_id) if olds[0].parent_id else None)
            new = store_units.get(reg.conn, units.add(reg.conn, into, _kind(kind), parent_unit))
            created = True
        else:
            new = units.resolve(reg.conn, into)  # raises with candidates or suggestions
            created = False
        units.merge(reg.conn, olds, new, when)
    text = (tr(language, "merged {olds} into {new} on {day} (new unit created)") if created
            else tr(language, "merged {olds} into {new} on {day}"))
    message(text.format(olds=", ".join(u.name for u in olds), new=new.name,
                        day=when if language == "en" else format_date(when, language)))


@app.command("seed")
def units_seed(province: Annotated[Optional[str], typer.Option("--province", help=N_("Only this province."))] = None,
               db: DbOption = None, lang: LangOption = None) -> None:
    """Create the official provinces, communes and wards (optional `vietnam-provinces` package).

    Example: ntmtrack units seed --province "Thanh Hóa"
    """
    from ..register import seed

    language = lang_of(lang)
    roots, edition = seed.nodes(province)
    with register(db) as reg:  # checked first, then written under the write lock
        result = unit_trees.import_nodes(reg.conn, roots, edition)
    message(tr(language, "{edition}: {created} units added, {matched} already present").format(edition=edition, created=len(result.created), matched=result.matched))
    if "2025." in edition:
        message(tr(language, "this edition has no districts or merge mapping (it needs Python ≥ 3.12)"))
