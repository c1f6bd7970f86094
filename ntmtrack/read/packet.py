"""Reading an exchange packet (`ntmtrack exchange import`): the manifest, the checksum, then the
records, each checked for shape before anything is written. A packet is data: nothing in it is
executed or evaluated, paths in it are names (never file names), sizes are checked against
the manifest before the content is read, and decompression stops at the size declared.

The format (version 1) is in the README ("Exchange packets"). Imports nothing above read/.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from ..locale import _
from ..model import UNIT_KINDS, NtmError
from . import fields

FORMAT = "ntmtrack-packet"
VERSION = 1
MAX_MANIFEST = 64 * 1024 * 1024     # a province's whole tree with codes and paths is ~2 MiB
MAX_LINE = 16 * 1024 * 1024         # a plan's document is the largest record
# gzip cannot shrink data more than ~1,032 times; a manifest that claims more is not gzip.
MAX_RATIO = 1100
_CHUNK = 1 << 20
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID_RE = re.compile(_UUID + r"\Z")
GID_RE = re.compile(_UUID + r":[0-9]{12}\Z")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_STAMP_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})\Z")


class PacketError(NtmError):
    """A packet refused whole: nothing of it is written."""


@dataclass(frozen=True)
class PacketUnit:
    n: int
    parent: int | None
    name: str
    kind: str
    code: str | None
    edition: str
    path: str
    aliases: tuple[str, ...]
    active_until: str | None
    covered: bool


@dataclass(frozen=True)
class Manifest:
    origin: str
    made_at: str
    under: str | None
    units: tuple[PacketUnit, ...]
    first_seq: int | None
    last_seq: int | None
    newest_date: str | None
    counts: dict
    content_bytes: int
    uncompressed_bytes: int
    sha256: str
    header_bytes: int


# -- the records' shapes: every key known, every value of its type ---------------------------
# text: a one-line text; note: text that may hold line breaks; ref: a unit's number in the
# manifest; json: a list or object kept as JSON text (criteria lists, milestones).
_OBSERVATION = {
    "gid": "gid", "unit": "ref", "kind": "text", "criteria_set": "text?", "criterion": "int?",
    "indicator": "text?", "value": "num?", "decision": "text?", "voids": "gid?", "date": "date",
    "recorded_at": "stamp", "by": "text", "source": "text", "note": "note?", "level": "text?",
    "step": "text?", "department": "text?", "result": "text?", "amount": "int?",
    "fund_kind": "text?", "fund_source": "text?", "project": "text?",
}
_TARGET = {"seq": "int", "unit": "ref", "kind": "text", "criteria_set": "text?", "criteria": "json?",
           "indicator": "text?", "amount": "num?", "baseline": "num?", "by": "date",
           "milestones": "json?", "dossier": "json?"}
_FUND = {"seq": "int", "unit": "ref", "source": "text", "amount": "int"}
_GROUP = {"code": "text", "name_vi": "text", "name_en": "text?"}
_CRITERION = {"number": "int", "name_vi": "text", "name_en": "text", "group_code": "text?",
              "confidence": "text?"}
_CRITERION_INDICATOR = {"criterion": "int", "id": "text", "name_vi": "text", "name_en": "text?",
                        "confidence": "text?"}
RECORDS = {
    "observation": _OBSERVATION,
    "plan": {"id": "text", "title": "text", "reference": "text?", "issued_by": "text?",
             "criteria_set": "text?", "start": "date", "end": "date", "report_every": "text?",
             "note": "note?", "document": "document", "content_hash": "text", "source": "text?",
             "imported_at": "stamp", "targets": ("list", _TARGET), "funds": ("list", _FUND)},
    "indicator": {"code": "text", "name": "text", "measure": "text?", "direction": "text",
                  "rollup": "text", "created_at": "stamp"},
    "criteria_set": {"code": "text", "decision": "text?", "title_vi": "text", "title_en": "text",
                     "date": "text?", "effective": "text?", "content_hash": "text",
                     "document": "document", "imported_at": "stamp", "applies_to": "text",
                     "groups": ("list", _GROUP), "criteria": ("list", _CRITERION),
                     "indicators": ("list", _CRITERION_INDICATOR)},
    "lineage": {"predecessor": "ref", "successor": "ref", "date": "date", "event": "text"},
}
COUNTED = ("observation", "plan", "indicator", "criteria_set", "lineage")


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(_("key '{key}' appears twice").format(key=key))
        out[key] = value
    return out


def _reject_constant(name):
    raise ValueError(_("{name} is not a number JSON allows").format(name=name))


def _json(text: str, where: str):
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise PacketError(_("{where}: not valid JSON ({detail})").format(
            where=where, detail=str(e).splitlines()[0][:120])) from None


def _check_date(value, where: str) -> str:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise PacketError(_("{where}: not a date (YYYY-MM-DD)").format(where=where))
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PacketError(_("{where}: {value} is not a real day").format(where=where, value=value)) from None
    return value


def _check(value, kind: str, where: str):
    """`value` if it has the shape `kind` names, else PacketError."""
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None:
        if optional:
            return None
        raise PacketError(_("{where}: missing").format(where=where))
    if kind in ("text", "note", "document"):
        if not isinstance(value, str) or (kind == "text" and not value.strip()):
            raise PacketError(_("{where}: not a text").format(where=where))
        limit = MAX_LINE if kind == "document" else 4000
        if len(value) > limit:
            raise PacketError(_("{where}: longer than {limit} characters").format(where=where, limit=limit))
        message = fields.problem(value, where, multiline=kind != "text")
        if message:
            raise PacketError(message)
        return value
    if kind in ("int", "ref"):
        if isinstance(value, bool) or not isinstance(value, int) or not -2 ** 63 < value < 2 ** 63:
            raise PacketError(_("{where}: not a whole number").format(where=where))
        if kind == "ref" and value < 1:
            raise PacketError(_("{where}: not a unit of the manifest").format(where=where))
        return value
    if kind == "num":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > 1e300:
            raise PacketError(_("{where}: not a number").format(where=where))
        return float(value)
    if kind == "gid":
        if not isinstance(value, str) or not GID_RE.match(value):
            raise PacketError(_("{where}: not a global id (REGISTER-UUID:SEQUENCE)").format(where=where))
        return value
    if kind == "date":
        return _check_date(value, where)
    if kind == "stamp":
        if not isinstance(value, str) or not _STAMP_RE.match(value):
            raise PacketError(_("{where}: not a time (ISO 8601 with its zone)").format(where=where))
        return utc_stamp(value, where)
    if kind == "json":
        if not isinstance(value, (list, dict)):
            raise PacketError(_("{where}: not a list or object").format(where=where))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise PacketError(_("{where}: not true or false").format(where=where))
        return value
    raise AssertionError(kind)


def utc_stamp(value: str, where: str) -> str:
    """A time as registers keep it, in UTC (`2018-10-05T01:00:00+00:00`): times are compared as
    text (the later recording wins a same-day tie), so `…Z` and `…+07:00` are brought to it."""
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(value).astimezone(timezone.utc)
    except ValueError:
        raise PacketError(_("{where}: not a time (ISO 8601 with its zone)").format(where=where)) from None
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def check_record(raw, where: str) -> dict:
    """One content record, its type known and every field of its shape; unknown keys refused."""
    if not isinstance(raw, dict):
        raise PacketError(_("{where}: not an object").format(where=where))
    kind = raw.get("type")
    shape = RECORDS.get(kind) if isinstance(kind, str) else None
    if shape is None:
        raise PacketError(_("{where}: unknown record type").format(where=where))
    record = {"type": kind, **_shaped(raw, shape, where, skip=("type",))}
    if kind == "plan":
        _check_plan(record, where)
    return record


def _check_plan(plan: dict, where: str) -> None:
    """What the register's reports read from a plan, in the shapes `plan import` writes: a
    plan is kept once held, so one that would break a report is refused at the door."""
    from ..model import STEPS
    from .plan_file import REPORT_EVERY

    if plan["end"] < plan["start"]:
        raise PacketError(_("{where}: the plan ends before it starts").format(where=where))
    if plan["report_every"] is not None and plan["report_every"] not in REPORT_EVERY:
        raise PacketError(_("{where}: report_every must be one of {choices}").format(
            where=where, choices=", ".join(REPORT_EVERY)))
    for n, t in enumerate(plan["targets"], start=1):
        at = f"{where}.targets[{n}]"
        criteria, milestones, dossier = t["criteria"], t["milestones"], t["dossier"]
        if t["kind"] not in ("criteria", "level", "increase") or (
                criteria is not None and not (isinstance(criteria, list) and all(
                    isinstance(c, int) and not isinstance(c, bool) for c in criteria))) or (
                milestones is not None and not (isinstance(milestones, list) and all(
                    isinstance(m, list) and len(m) == 2 and isinstance(m[0], str) and _DATE_RE.match(m[0])
                    and isinstance(m[1], (int, float)) and not isinstance(m[1], bool) for m in milestones))) or (
                dossier is not None and not (isinstance(dossier, dict) and all(
                    k in STEPS and isinstance(v, str) and _DATE_RE.match(v) for k, v in dossier.items()))):
            raise PacketError(_("{where}: not a target as a plan holds one").format(where=at))


def _shaped(raw: dict, shape: dict, where: str, skip=()) -> dict:
    unknown = [k for k in raw if k not in shape and k not in skip]
    if unknown:
        raise PacketError(_("{where}: unknown field '{field}'").format(where=where, field=str(unknown[0])[:40]))
    out = {}
    for key, kind in shape.items():
        if isinstance(kind, tuple):
            items = raw.get(key, [])
            if not isinstance(items, list):
                raise PacketError(_("{where}: not a list").format(where=f"{where}.{key}"))
            out[key] = []
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    raise PacketError(_("{where}: not an object").format(where=f"{where}.{key}[{i}]"))
                out[key].append(_shaped(item, kind[1], f"{where}.{key}[{i}]"))
        else:
            out[key] = _check(raw.get(key), kind, f"{where}.{key}")
    return out


# -- the manifest -----------------------------------------------------------------------------

def _units(raw, where: str) -> tuple[PacketUnit, ...]:
    if not isinstance(raw, list):
        raise PacketError(_("{where}: not a list").format(where=where))
    units: list[PacketUnit] = []
    seen: set[tuple] = set()
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        item = _shaped(item if isinstance(item, dict) else _fail(at), {
            "n": "int", "parent": "int?", "name": "text", "kind": "text", "code": "text?",
            "edition": "text?", "path": "text", "aliases": "json?", "active_until": "date?",
            "covered": "bool"}, at)
        if item["n"] != i + 1:
            raise PacketError(_("{where}: units are numbered 1, 2, 3 … in order").format(where=at))
        parent = item["parent"]
        # A parent comes before its children: a tree, never a cycle.
        if parent is not None and not 1 <= parent < item["n"]:
            raise PacketError(_("{where}: its parent must be a unit listed before it (a cycle or a dangling parent)").format(where=at))
        if item["kind"] not in UNIT_KINDS:
            raise PacketError(_("{where}: unknown kind '{kind}'").format(where=at, kind=item['kind'][:40]))
        if "/" in item["name"] or item["name"] != item["name"].strip():
            raise PacketError(_("{where}: a unit's name cannot hold '/' or surrounding spaces").format(where=at))
        expected = item["name"] if parent is None else units[parent - 1].path + "/" + item["name"]
        if item["path"] != expected:
            raise PacketError(_("{where}: its path does not follow its parent's").format(where=at))
        aliases = item["aliases"] or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise PacketError(_("{where}: not a list of names").format(where=f"{at}.aliases"))
        for alias in aliases:
            _check(alias, "text", f"{at}.aliases")
        key = (parent, item["name"])
        if key in seen:
            raise PacketError(_("{where}: the unit '{path}' is listed twice").format(where=at, path=item['path'][:80]))
        seen.add(key)
        units.append(PacketUnit(item["n"], parent, item["name"], item["kind"], item["code"],
                                item["edition"] or "", item["path"], tuple(aliases),
                                item["active_until"], item["covered"]))
    return tuple(units)


def _fail(where: str):
    raise PacketError(_("{where}: not an object").format(where=where))


def _int(raw: dict, key: str, where: str, optional: bool = False) -> int | None:
    value = raw.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 2 ** 63:
        raise PacketError(_("{where}: '{key}' is not a whole number").format(where=where, key=key))
    return value


def read_manifest(path: Path) -> Manifest:
    """The packet's manifest, checked, and the file's size checked against it — before a
    byte of the content is read."""
    shown = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise PacketError(_("{file}: no such file").format(file=shown)) from None
    except OSError as e:
        raise PacketError(_("{file}: cannot read ({reason})").format(file=shown, reason=e.strerror)) from None
    if not stat.S_ISREG(st.st_mode):
        raise PacketError(_("{file}: not a regular file").format(file=shown))
    try:
        with open(path, "rb") as f:
            header = f.readline(MAX_MANIFEST + 1)
    except OSError as e:
        raise PacketError(_("{file}: cannot read ({reason})").format(file=shown, reason=e.strerror)) from None
    if not header.startswith(b"{"):
        raise PacketError(_("{file}: not an ntmtrack packet").format(file=shown))
    if not header.endswith(b"\n"):
        raise PacketError(_("{file}: the manifest is cut short or larger than {size} bytes").format(
            file=shown, size=MAX_MANIFEST))
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        raise PacketError(_("{file}: the manifest is not UTF-8").format(file=shown)) from None
    where = _("{file}: manifest").format(file=shown)
    raw = _json(text, where)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise PacketError(_("{file}: not an ntmtrack packet").format(file=shown))
    if raw.get("version") != VERSION:
        version = raw.get("version")
        shown_version = version if isinstance(version, int) and not isinstance(version, bool) else "?"
        raise PacketError(_("{file}: packet format version {version}; this ntmtrack reads version {VERSION}").format(
            file=shown, version=shown_version, VERSION=VERSION))
    known = {"format", "version", "origin", "made_at", "under", "units", "first_seq", "last_seq",
             "newest_date", "counts", "content"}
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise PacketError(_("{where}: unknown field '{field}'").format(where=where, field=str(unknown[0])[:40]))
    origin = raw.get("origin")
    if not isinstance(origin, str) or not UUID_RE.match(origin):
        raise PacketError(_("{where}: 'origin' is not a register id").format(where=where))
    made_at = _check(raw.get("made_at"), "stamp", f"{where}.made_at")
    under = _check(raw.get("under"), "text?", f"{where}.under")
    newest = _check(raw.get("newest_date"), "date?", f"{where}.newest_date")
    counts = raw.get("counts")
    if not isinstance(counts, dict) or set(counts) != set(COUNTED):
        raise PacketError(_("{where}: 'counts' must give {keys}").format(where=where, keys=', '.join(COUNTED)))
    counts = {k: _int(counts, k, where) for k in COUNTED}
    content = raw.get("content")
    if not isinstance(content, dict) or set(content) != {"bytes", "uncompressed_bytes", "sha256", "compression"}:
        raise PacketError(_("{where}: 'content' must give bytes, uncompressed_bytes, sha256, compression").format(where=where))
    if content["compression"] != "gzip":
        raise PacketError(_("{where}: content compression must be gzip").format(where=where))
    sha = content["sha256"]
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise PacketError(_("{where}: 'sha256' is not a SHA-256 in hex").format(where=where))
    size = _int(content, "bytes", where)
    uncompressed = _int(content, "uncompressed_bytes", where)
    if uncompressed > size * MAX_RATIO + 1024:
        raise PacketError(_("{where}: declares {uncompressed} bytes from {size} compressed (a compression bomb?)").format(
            where=where, uncompressed=uncompressed, size=size))
    if st.st_size != len(header) + size:
        raise PacketError(_("{file}: {actual} bytes of content where the manifest declares {size}: truncated or "
                            "altered; nothing imported").format(file=shown, actual=st.st_size - len(header), size=size))
    units = _units(raw.get("units"), f"{where}.units")
    return Manifest(origin, made_at, under, units, _int(raw, "first_seq", where, True),
                    _int(raw, "last_seq", where, True), newest, counts, size, uncompressed, sha,
                    len(header))


def verify(path: Path, manifest: Manifest) -> None:
    """The content's SHA-256 against the manifest's (the file's size was checked already)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(manifest.header_bytes)
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != manifest.sha256:
        raise altered(path)


def altered(path: Path) -> PacketError:
    return PacketError(_("{file}: the content does not match its checksum: altered or damaged; "
                         "nothing imported").format(file=path))


def reread_manifest(path: Path, sha256: str) -> Manifest:
    """The manifest of a packet checked earlier, read again when its turn comes (the checked
    manifests are not all kept: memory stays flat in the number of packets); a file changed
    since is refused."""
    manifest = read_manifest(path)
    if manifest.sha256 != sha256:
        raise altered(path)
    return manifest


class _Hashing(io.RawIOBase):
    """The compressed bytes as gzip reads them, hashed on the way: what is imported is what
    was checked, even if the file changed after the check."""

    def __init__(self, f):
        self._f, self.digest = f, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._f.read(len(buffer))
        self.digest.update(data)
        buffer[:len(data)] = data
        return len(data)

    def rest(self) -> str:
        while chunk := self._f.read(_CHUNK):
            self.digest.update(chunk)
        return self.digest.hexdigest()


class _Bounded(io.RawIOBase):
    """The decompressed stream, refused as soon as it passes the size the manifest declares."""

    def __init__(self, stream, limit: int, shown: str):
        self._stream, self._limit, self._shown, self.count = stream, limit, shown, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self._limit - self.count + 1)
        data = self._stream.read(want)
        self.count += len(data)
        if self.count > self._limit:
            raise PacketError(_("{file}: the content is larger than its manifest declares "
                                "(a compression bomb?); nothing imported").format(file=self._shown))
        buffer[:len(data)] = data
        return len(data)


def records(path: Path, manifest: Manifest) -> Iterator[dict]:
    """The content's records in order, each checked; their counts checked against the manifest
    at the end (the caller's transaction is still open then, and rolls back on an error)."""
    shown = str(path)
    counts = dict.fromkeys(COUNTED, 0)
    with open(path, "rb") as f:
        f.seek(manifest.header_bytes)
        hashed = _Hashing(f)
        try:
            raw = _Bounded(gzip.GzipFile(fileobj=io.BufferedReader(hashed, _CHUNK), mode="rb"),
                           manifest.uncompressed_bytes, shown)
            stream = io.BufferedReader(raw, _CHUNK)
            number = 0
            while True:
                line = stream.readline(MAX_LINE + 1)
                if not line:
                    break
                number += 1
                where = _("{file}: record {number}").format(file=shown, number=number)
                if not line.endswith(b"\n"):
                    raise PacketError(_("{where}: cut short or longer than {size} bytes").format(where=where, size=MAX_LINE))
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    raise PacketError(_("{where}: not UTF-8").format(where=where)) from None
                record = check_record(_json(text, where), where)
                counts[record["type"]] += 1
                yield record
        except (OSError, EOFError, gzip.BadGzipFile, ValueError) as e:
            if isinstance(e, NtmError):
                raise
            raise PacketError(_("{file}: the content cannot be decompressed ({error}); nothing imported").format(
                file=shown, error=e)) from None
        if hashed.rest() != manifest.sha256:
            raise altered(path)
        if raw.count != manifest.uncompressed_bytes:
            raise PacketError(_("{file}: {actual} bytes of content where the manifest declares {size}; "
                                "nothing imported").format(file=shown, actual=raw.count, size=manifest.uncompressed_bytes))
    if counts != manifest.counts:
        differ = next(k for k in COUNTED if counts[k] != manifest.counts[k])
        raise PacketError(_("{file}: {count} {type} records where the manifest declares {declared}; "
                            "nothing imported").format(file=shown, count=counts[differ], type=differ,
                                                       declared=manifest.counts[differ]))
