"""Administrative units: naming them forgivingly (never guessing), keeping siblings apart,
single edits (add, rename, move), merges and lineage. Whole trees: register/unit_trees.py.

Domain rules over store.units; knows nothing of the CLI. Data problems become `Problem`s.
"""

from __future__ import annotations

import difflib
import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import date

from ..locale import N_, _
from ..model import NtmError, Unit
from ..read import dates, fields, names
from ..store import units as db


def active_on(active_until: str | None, day: date) -> bool:
    """The one rule for whether a unit is active on a day: it is, unless it was merged away
    on or before that day (`active_until` is the merger's date)."""
    return not active_until or active_until > day.isoformat()


def in_edition(unit_edition: str, text: str) -> bool:
    """Whether a unit's code came from the official edition `text` names: any part of the
    edition's name, accents and case aside ("2025.10" names "vietnam-provinces 2025.10.1").
    A unit without an edition (a code typed or imported from a file) is in none."""
    return bool(unit_edition) and names.fold(text.strip()) in names.fold(unit_edition)


def path_of(conn: sqlite3.Connection, unit: Unit) -> str:
    return "/".join([u.name for u in db.ancestors(conn, unit.id)] + [unit.name])


def parent_name(conn: sqlite3.Connection, unit: Unit) -> str:
    return db.get(conn, unit.parent_id).name if unit.parent_id else ""


def _candidates(conn: sqlite3.Connection, text: str, kinds: tuple[str, ...] | None) -> list[Unit]:
    found = db.by_code(conn, text)
    if not found:
        folded = names.fold(text)
        found = db.by_folded(conn, folded)
        if not found:
            split = names.split_kind_prefix(folded)
            if split:
                rest, prefix_kinds = split
                found = [u for u in db.by_folded(conn, rest) if u.kind in prefix_kinds]
    if kinds:
        found = [u for u in found if u.kind in kinds]
    return found


def path_parts(text: str) -> tuple[list[str], bool] | None:
    """A path's parts and whether it is exact (written from the top with every level: it
    starts with '/'); None for a text without '/'."""
    if "/" not in text:
        return None
    parts = [p for p in (part.strip() for part in text.split("/")) if p]
    return parts, text.lstrip().startswith("/")


def find(conn: sqlite3.Connection, text: str, kinds: tuple[str, ...] | None = None) -> list[Unit]:
    """Every unit `text` names: a code, a name or alias (any case, accents, NFC/NFD, kind
    prefix), a path `District/Commune` whose parts may skip levels, or an exact path
    `/Province/Commune` that names every level from the top."""
    text = names.nfc(text)
    split = path_parts(text)
    if split is None:
        return _candidates(conn, text, kinds)
    parts, exact = split
    if not parts:
        return []
    current = _candidates(conn, parts[0], None)
    if exact:
        current = [u for u in current if u.parent_id is None]
    for part in parts[1:]:
        allowed = {u.id for u in current}
        if exact:
            current = [u for u in _candidates(conn, part, None) if u.parent_id in allowed]
        else:
            current = [u for u in _candidates(conn, part, None)
                       if any(a.id in allowed for a in db.ancestors(conn, u.id))]
    if kinds:
        current = [u for u in current if u.kind in kinds]
    if len(current) > 1 and not exact:
        # Levels may be skipped in a path, but a path written in full (as `history` and the
        # workbook write unit_path) names its unit: Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý.
        written = [names.fold(p) for p in parts]
        full = [u for u in current if [names.fold(p) for p in path_of(conn, u).split("/")] == written]
        if len(full) == 1:
            return full
    return current


# -- what to write instead: spellings that name one unit -------------------------------------

def spellings(path: list[str], kind: str, code: str | None) -> list[str]:
    """Ways to write the unit at `path` (its names from the top), shortest first: its name,
    then ever longer paths ending in it, each also with its kind word on the last part
    ("xã Triệu Sơn"); its code; then the exact path from the top ("/Thanh Hóa/Tân Ninh")."""
    word = names.KIND_WORDS.get(kind)
    out = []
    for k in range(1, len(path) + 1):
        tail = path[-k:]
        out.append("/".join(tail))
        if word:
            out.append("/".join(tail[:-1] + [f"{word} {tail[-1]}"]))
    if code:
        out.append(code)
    out.append("/" + "/".join(path))
    if word:
        out.append("/" + "/".join(path[:-1] + [f"{word} {path[-1]}"]))
    return list(dict.fromkeys(out))


def spelling(unit: Unit, path: str, pick: Callable[[str], list[Unit]]) -> str | None:
    """The first of the unit's `spellings` that names it alone where `pick` reads names (the
    caller's own rules: kinds, containers, preferred kinds): pasted back, it resolves."""
    for text in spellings(path.split("/"), unit.kind, unit.code):
        found = pick(text)
        if len(found) == 1 and found[0].id == unit.id:
            return text
    return None


def _by_path(found: list[Unit], path: Callable[[Unit], str]) -> list[Unit]:
    rank = {kind: i for i, kind in enumerate(names.KIND_WORDS)}
    return sorted(found, key=lambda u: (names.sort_key(path(u)), rank.get(u.kind, len(rank)), u.code or ""))


def ambiguous_message(text: str, found: list[Unit], path: Callable[[Unit], str],
                      pick: Callable[[str], list[Unit]]) -> str:
    """'X' is ambiguous, with for each unit what to write to name it alone (checked with
    `pick`), its kind and where it is; in the order of their paths, whatever their ids."""
    found = _by_path(found, path)
    choices = []
    for u in found[:8]:
        above = path(u).rpartition("/")[0]
        written = spelling(u, path(u), pick)
        # where it is, said by the path above it (its own path is what was ambiguous), and
        # its name when what to write does not show it (a code)
        named = "" if written and u.name in written else f" {u.name}"
        kind = _(u.kind)
        where = (_("the {kind}{named} in {above}") if above else _("the {kind}{named}")).format(
            kind=kind, named=named, above=above)
        where += _(", code {code}").format(code=u.code) if u.code else ""
        choices.append(f"'{written}' ({where})" if written else f"{path(u)} ({where})")
    if len(found) > len(choices):
        listed = ", ".join(choices) + _(", … ({count} more)").format(count=len(found) - len(choices))
    elif len(choices) > 1:
        listed = _("{choices} or {last}").format(choices=", ".join(choices[:-1]), last=choices[-1])
    else:
        listed = choices[0]
    return _("'{text}' is ambiguous: {count} units match; write {listed}").format(text=names.nfc(text), count=len(found), listed=listed)


# The kinds as the ambiguity message says them (the codes of model.UNIT_KINDS are the msgids).
_KIND_WORDS = [N_("province"), N_("district"), N_("cluster"), N_("commune"), N_("town"), N_("ward"),
               N_("village"), N_("household_group")]


def suggestions(conn: sqlite3.Connection, text: str, limit: int = 5,
                pick: Callable[[str], list[Unit]] | None = None) -> list[str]:
    """Units named close to `text` ("did you mean"), each as its name — or, where units share
    that name, as what names it alone (`spelling`, with `pick`'s rules): pasted back, each
    resolves."""
    pick = pick or (lambda t: find(conn, t))
    pool = {folded for folded, _unused in db.all_folded_names(conn)}
    query = names.fold(text.split("/")[-1])
    split = names.split_kind_prefix(query)
    close = difflib.get_close_matches(query, pool, n=limit, cutoff=0.6)
    if split and not close:
        close = difflib.get_close_matches(split[0], pool, n=limit, cutoff=0.6)
    found: dict[int, Unit] = {}
    for folded in close:  # an alias ("Xã Tân Ninh") leads to its unit, shown by its name
        for u in _by_path(db.by_folded(conn, folded), lambda u: path_of(conn, u)):
            found.setdefault(u.id, u)
    out: list[str] = []
    for u in found.values():
        written = u.name if [x.id for x in pick(u.name)] == [u.id] else spelling(u, path_of(conn, u), pick)
        if written and written not in out:
            out.append(written)
        if len(out) == limit:
            break
    return out


def resolve(conn: sqlite3.Connection, text: str, kinds: tuple[str, ...] | None = None,
            container: bool = False, prefer: tuple[str, ...] | None = None) -> Unit:
    """The one unit `text` names, or an NtmError that lists candidates or suggestions.

    With `container` (for --under and --parent) a name shared by a unit and units inside it
    (huyện Triệu Sơn and its thị trấn Triệu Sơn) means the outer one: a commune cannot
    contain its district, so this is not a guess.
    """
    message = resolve_problem(conn, text, kinds, container, prefer)
    if isinstance(message, Unit):
        return message
    raise NtmError(message)


def resolve_problem(conn, text: str, kinds=None, container: bool = False,
                    prefer: tuple[str, ...] | None = None) -> Unit | str:
    """The unit, or the message saying why `text` names none (for Problem lists).

    `prefer` settles a name shared by units of different kinds when exactly one has a
    preferred kind (criteria belong to communes: "Triệu Sơn" there is the thị trấn)."""
    if not names.nfc(text):
        return _("a unit name is required")

    def pick(written: str) -> list[Unit]:
        return _settle(conn, find(conn, written, kinds), container, prefer)

    found = pick(text)
    if len(found) == 1:
        return found[0]
    if found:
        return ambiguous_message(text, found, lambda u: path_of(conn, u), pick)
    close = suggestions(conn, text, pick=pick)
    hint = _("; did you mean: {close}?").format(close=', '.join(close)) if close else ""
    what = " or ".join(kinds) if kinds else "unit"
    return _("no {what} named '{text}'{hint}").format(what=what, text=names.nfc(text), hint=hint)


def _settle(conn, found: list[Unit], container: bool, prefer: tuple[str, ...] | None) -> list[Unit]:
    """`found` narrowed by resolve's two rules that are not guesses: the one unit of a
    preferred kind, and for a container the one unit holding all the others."""
    if prefer and len(found) > 1:
        preferred = [u for u in found if u.kind in prefer]
        if len(preferred) == 1:
            return preferred
    if container and len(found) > 1:
        outer = outermost(conn, found)
        if outer is not None:
            return [outer]
    return found


def outermost(conn, found: list[Unit]) -> Unit | None:
    for candidate in found:
        if all(u.id == candidate.id or candidate.id in {a.id for a in db.ancestors(conn, u.id)}
               for u in found):
            return candidate
    return None


# -- single edits: add, rename, move ---------------------------------------------------------

def check_name(name: str) -> None:
    if not name:
        raise NtmError(_("a unit name cannot be empty"))
    if names.has_control_chars(name):
        raise NtmError(_("a unit name cannot contain control characters: {name!r}").format(name=name))
    hidden = names.invisible_chars(name)
    if hidden:
        position, ch = hidden[0]
        raise NtmError(_("a unit name cannot contain invisible or direction-changing characters: {ch} at position {position} of '{name}'").format(ch=names.describe_char(ch), position=position, name=names.show_invisible(name)))
    message = fields.problem(name, "name")
    if message:
        raise NtmError(message)
    private = next((i for i, ch in enumerate(name, 1) if unicodedata.category(ch) == "Co"), None)
    if private:
        # Fine in a note, not in a name: no other computer shows it alike, so it cannot be told apart.
        raise NtmError(_("name: a private-use character at position {private}").format(private=private))
    if "/" in name:
        raise NtmError(_("a unit name cannot contain '/' (it separates a path): {name!r}").format(name=name))


def lookalike_message(name: str, other: str, other_path: str) -> str:
    detail = ""
    for position, (a, b) in enumerate(zip(name, other), 1):
        if a != b and a.casefold() != b.casefold():
            detail = _(" ({a} at position {position})").format(a=names.describe_char(a), position=position)
            break
    return (_("'{name}'{detail} would print like its sibling {other_path}: names under one parent must differ by more than case, character width or lookalike letters of another script").format(name=name, detail=detail, other_path=other_path))


def sibling_problem(conn, name: str, kind: str, parent_id: int | None, code: str | None = None,
                    exclude_id: int | None = None) -> str | None:
    """Why `name` cannot be a `kind` under `parent_id`, or None.

    A sibling of the same kind must not print alike (case, width, lookalike letters: see
    `names.lookalike_keys`), nor differ only in diacritics unless both carry codes that
    differ: names and paths fold diacritics, so only a code could then tell them apart.
    Units of other kinds may share a name: a kind word tells them apart ("xã Nưa", "TT Nưa")."""
    keys = set(names.lookalike_keys(name))
    siblings = [u for u in db.children(conn, parent_id) if u.kind == kind and u.id != exclude_id]
    for u in siblings:
        if keys & set(names.lookalike_keys(u.name)):
            return lookalike_message(name, u.name, path_of(conn, u))
    folded = names.fold(name)
    for u in db.child_by_folded(conn, parent_id, folded):
        if u.kind != kind or u.id == exclude_id or (code and u.code and code != u.code):
            continue
        if names.fold(u.name) != folded:
            return _("'{name}' is another name of its sibling {conn}").format(name=name, conn=path_of(conn, u))
        return (_("'{name}' differs from its sibling {conn} only in diacritics, which names and paths ignore: give both units their official codes, or another name").format(name=name, conn=path_of(conn, u)))
    return None


def check_labels(code: str | None, aliases) -> None:
    """A unit's code and aliases follow the register's text rule (read.fields)."""
    for value, field in [(code, "code"), *((a, "alias") for a in aliases or [])]:
        message = fields.problem(names.nfc(value), field) if value else None
        if message:
            raise NtmError(message)


def add(conn, name: str, kind: str, parent: Unit | None, code: str | None = None,
        aliases: list[str] | None = None, edition: str = "") -> int:
    name = names.nfc(name)
    check_name(name)
    check_labels(code, aliases)
    problem = sibling_problem(conn, name, kind, parent.id if parent else None, code)
    if problem:
        raise NtmError(problem)
    if code and db.by_code(conn, code):
        raise NtmError(_("code {code} already belongs to {conn}").format(code=code, conn=path_of(conn, db.by_code(conn, code)[0])))
    unit_id = db.insert(conn, name, kind, parent.id if parent else None, code or None, edition)
    for alias in aliases or []:
        db.add_alias(conn, unit_id, names.nfc(alias))
    return unit_id


def rename(conn, unit: Unit, new_name: str) -> str:
    """Rename a unit, keeping its old name as an alias; returns the new name as stored."""
    new_name = names.nfc(new_name)
    check_name(new_name)
    problem = sibling_problem(conn, new_name, unit.kind, unit.parent_id, unit.code, unit.id)
    if problem:
        raise NtmError(problem)
    db.add_alias(conn, unit.id, unit.name)
    db.rename(conn, unit.id, new_name)
    return new_name


def move(conn, unit: Unit, parent: Unit) -> None:
    if parent.id == unit.id or parent.id in db.descendant_ids(conn, unit.id):
        raise NtmError(_("cannot move {name} under itself or its own descendant").format(name=unit.name))
    problem = sibling_problem(conn, unit.name, unit.kind, parent.id, unit.code, unit.id)
    if problem:
        raise NtmError(problem)
    db.set_parent(conn, unit.id, parent.id)


# -- merges -------------------------------------------------------------------------------

def merge(conn, old: list[Unit], new: Unit, date: str) -> None:
    """Record that `old` units became `new` on `date`. The old units keep their history but
    are inactive from that date; from it `new` — created by the merger or surviving it — holds
    no verdict and no title until new observations say so (store/observations.FRESH: a merged
    commune is assessed afresh).

    Refused, before anything is written: a date after today; a target merged away by then
    (or one that became, through earlier mergers, one of the old units: a lineage cycle,
    both would vanish from every report); a target inside an old unit (merged away with it)."""
    day = dates.parse_date(date) if isinstance(date, str) else date
    if day > dates.today():
        raise NtmError(_("the merger date {isoformat} is in the future (after today, {isoformat2}): record a merger once it has taken effect").format(isoformat=day.isoformat(), isoformat2=dates.today().isoformat()))
    if not active_on(new.active_until, day):
        _unused, after = db.lineage(conn, new.id)
        became = _(" (it became {names})").format(names=', '.join(n for _unused, n, _unused, _unused in after)) if after else ""
        raise NtmError(_("{conn} was itself merged away on {active_until}{became}: merge into the unit it became").format(conn=path_of(conn, new), active_until=new.active_until, became=became))
    later = db.successor_ids(conn, new.id)
    for unit in old:
        if unit.id == new.id:
            raise NtmError(_("cannot merge {name} into itself").format(name=unit.name))
        if not active_on(unit.active_until, day):
            raise NtmError(_("{name} was already merged away on {active_until}").format(name=unit.name, active_until=unit.active_until))
        if new.id in set(db.descendant_ids(conn, unit.id)):
            raise NtmError(_("cannot merge {name} into {conn}: that unit is inside {name} and would be merged away with it").format(name=unit.name, conn=path_of(conn, new)))
        if unit.id in later:
            raise NtmError(_("cannot merge {name} into {name2}: {name2} has already become part of {name} through earlier mergers; the lineage would be a cycle").format(name=unit.name, name2=new.name))
    for unit in {u.id: u for u in old}.values():
        db.deactivate(conn, unit.id, day.isoformat())
        db.add_lineage(conn, unit.id, new.id, day.isoformat(), "merge")
