"""The exchange's rules: what a packet carries out (export), and how a packet joins the register
(import) — matched by code else path, added by global id, never changing what is held.

An import is one transaction per packet, opened by the caller; any refusal raises, and the
caller rolls everything back. Knows nothing of the CLI or of the file format's bytes
(read/packet.py reads them, output/packet.py writes them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..locale import _
from ..read import packet as reader
from ..read.names import fold
from ..read.packet import PacketError
from ..store import exchange as db
from ..store import observations as obs_store
from ..store import units as unit_store

BATCH = 5000
MAX_LISTED = 20


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- export -----------------------------------------------------------------------------------

@dataclass
class Outgoing:
    """A packet about to be written: its manifest (without the content's size and checksum,
    which the writer adds) and its records, produced while the file is written."""

    manifest: dict
    records: Iterator[dict]
    last_id: int
    stats: dict = field(default_factory=dict)


def export(conn, under, destination: str | None) -> Outgoing:
    """The packet for `under` (a Unit, or None for the whole register): every observation of
    its units (since what `destination` was last sent, if named), the voided observations its
    voids cancel, the plans with targets on its units, the indicators and imported criteria
    sets they name, the lineage of its units, and the unit tree all of them need."""
    covered = db.covered_ids(conn, under.id if under else None)
    after = db.sent_mark(conn, destination_key(destination), scope_of(under)) if destination else 0
    plans = db.plans_touching(conn, covered)
    lineage = db.lineage_among(conn, covered)
    wanted = set(covered) | db.plan_unit_ids(conn, plans) | {u for row in lineage for u in row[:2]}
    units = db.with_ancestors(conn, wanted)
    number = {u["id"]: n for n, u in enumerate(units, start=1)}
    aliases = db.aliases_of(conn, [u["id"] for u in units])
    covered_set = set(covered)
    paths: dict[int, str] = {}
    listed = []
    for n, u in enumerate(units, start=1):
        paths[u["id"]] = u["name"] if u["parent_id"] is None else paths[u["parent_id"]] + "/" + u["name"]
        listed.append({"n": n, "parent": number.get(u["parent_id"]), "name": u["name"], "kind": u["kind"],
                       "code": u["code"], "edition": u["code_edition"] or None, "path": paths[u["id"]],
                       "aliases": aliases.get(u["id"]) or None, "active_until": u["active_until"],
                       "covered": u["id"] in covered_set})
    scope_ids = None if under is None else covered
    last_id = obs_store.max_id(conn)
    stats = {"first_seq": None, "last_seq": None, "newest_date": None}
    manifest = {"format": reader.FORMAT, "version": reader.VERSION, "origin": obs_store.register_id(conn),
                "made_at": now(), "under": paths.get(under.id) if under else None, "units": listed}

    def records() -> Iterator[dict]:
        for row in db.indicators_used(conn, scope_ids, plans):
            yield {"type": "indicator", **row}
        for code in db.imported_sets_used(conn, scope_ids, plans):
            yield {"type": "criteria_set", **db.criteria_set_rows(conn, code)}
        for plan_id in plans:
            plan, targets, funds = db.plan_rows(conn, plan_id)
            yield {"type": "plan", **plan,
                   "targets": [_target(t, number) for t in targets],
                   "funds": [{"seq": f["seq"], "unit": number[f["unit_id"]], "source": f["source"],
                              "amount": f["amount"]} for f in funds]}
        for predecessor, successor, day, event in lineage:
            yield {"type": "lineage", "predecessor": number[predecessor], "successor": number[successor],
                   "date": day, "event": event}
        for row in db.observations_to_send(conn, scope_ids, after):
            if row["id"] > last_id:
                continue   # recorded after the export began: the next packet carries it
            seq = row.pop("id")
            stats["first_seq"] = seq if stats["first_seq"] is None else stats["first_seq"]
            stats["last_seq"] = seq
            # A void is dated the day it was made: not a report of that day's state.
            if row["kind"] != "void" and (stats["newest_date"] is None or row["date"] > stats["newest_date"]):
                stats["newest_date"] = row["date"]
            row["unit"] = number[row.pop("unit_id")]
            row["voids"] = row.pop("voids_gid")
            yield {"type": "observation", **{k: v for k, v in row.items() if v is not None}}

    return Outgoing(manifest, records(), last_id, stats)


def _target(target: dict, number: dict[int, int]) -> dict:
    """A target as a packet carries it: its unit by number, its JSON columns as JSON values."""
    import json

    out = {k: v for k, v in target.items() if k != "unit_id"}
    out["unit"] = number[target["unit_id"]]
    for k in ("criteria", "milestones", "dossier"):
        out[k] = json.loads(target[k]) if target[k] else None
    return out


def destination_key(name: str) -> str:
    """A destination as `--since-last` names it: spaces, case and diacritics aside, so that
    " Tỉnh", "tinh" and "TỈNH" are one destination."""
    return fold(" ".join(name.split()))


def scope_of(under) -> int:
    """What a mark of what was sent is kept for: the `--under` unit, 0 for the whole register
    (a mark for one unit's export says nothing of another's)."""
    return under.id if under else 0


def mark_sent(conn, destination: str, under, last_id: int) -> None:
    db.set_sent_mark(conn, destination_key(destination), scope_of(under), last_id, now())


# -- import -----------------------------------------------------------------------------------

@dataclass
class Incoming:
    file: str
    origin: str = ""
    observations: int = 0
    added: int = 0
    already_present: int = 0
    units_created: list[str] = field(default_factory=list)
    units_unplaced: list[str] = field(default_factory=list)
    conflicts: int = 0
    plans_added: int = 0

    def as_dict(self, dry_run: bool) -> dict:
        return {"file": self.file, "origin": self.origin, "observations": self.observations,
                "added": self.added, "already_present": self.already_present,
                "units_created": len(self.units_created), "units_unplaced": len(self.units_unplaced),
                "conflicts": self.conflicts, "dry_run": dry_run}


def check(path: Path) -> reader.Manifest:
    """The manifest and the checksum, checked before anything is written."""
    manifest = reader.read_manifest(path)
    reader.verify(path, manifest)
    return manifest


def reread(path: Path, sha256: str) -> reader.Manifest:
    return reader.reread_manifest(path, sha256)


def import_packet(conn, path: Path, manifest: reader.Manifest, dry_run: bool) -> Incoming:
    """Add the packet to the register inside the caller's transaction. Refuses (raises) a packet
    whose content contradicts its manifest or the register's copy of an observation, and —
    unless `dry_run` — one with units it cannot place."""
    import sqlite3

    try:
        return _import(conn, path, manifest, dry_run)
    except sqlite3.IntegrityError as e:
        # A record the schema refuses (an unknown kind, a criterion its set lacks …): the
        # packet is refused whole, like any other.
        raise PacketError(_("{file}: a record the register cannot hold ({error}); nothing imported").format(
            file=path, error=e)) from None


def _import(conn, path: Path, manifest: reader.Manifest, dry_run: bool) -> Incoming:
    shown = str(path)
    summary = Incoming(shown, manifest.origin)
    at = now()
    placed = _place_units(conn, manifest, summary)
    if summary.units_unplaced and not dry_run:
        listed = "; ".join(summary.units_unplaced[:MAX_LISTED])
        raise PacketError(_("{file}: {count} unit(s) cannot be placed: {units}; nothing imported").format(
            file=shown, count=len(summary.units_unplaced), units=listed))
    if len(summary.units_created) > len(manifest.units):
        raise PacketError(_("{file}: would create more units than its manifest declares").format(file=shown))
    first_new = obs_store.next_id(conn)
    newest: str | None = None
    batch: list[dict] = []
    packet_key = manifest.sha256

    def flush() -> None:
        _add_batch(conn, batch, summary, shown)
        batch.clear()

    for record in reader.records(path, manifest):
        kind = record["type"]
        if kind == "observation":
            summary.observations += 1
            unit_id = placed.get(record["unit"])
            if record["unit"] > len(manifest.units):
                raise PacketError(_("{file}: observation {gid} names unit {unit}, not in the manifest").format(
                    file=shown, gid=record['gid'], unit=record['unit']))
            if unit_id is None:
                continue   # a dry run past units it cannot place
            if newest is None or record["date"] > newest:
                newest = record["date"]
            batch.append({**record, "unit_id": unit_id})
            if len(batch) >= BATCH:
                flush()
            continue
        if batch:
            flush()
        if kind == "indicator":
            _indicator(conn, record, manifest.origin, packet_key, at, summary)
        elif kind == "criteria_set":
            _criteria_set(conn, record, manifest.origin, packet_key, at, summary, shown)
        elif kind == "plan":
            _plan(conn, record, placed, manifest, packet_key, at, summary, shown, dry_run)
        elif kind == "lineage":
            ends = [placed.get(_ref(record[k], manifest, shown)) for k in ("predecessor", "successor")]
            if None not in ends:
                if ends[0] == ends[1] or db.lineage_reaches(conn, ends[1], ends[0]):
                    raise PacketError(_("{file}: a lineage record would make a unit its own predecessor; "
                                        "nothing imported").format(file=shown))
                db.add_lineage(conn, ends[0], ends[1], record["date"], record["event"])
                if record["event"] == "merge":
                    db.end_activity(conn, ends[0], record["date"])
    if batch:
        flush()
    summary.conflicts += _verdict_conflicts_added(conn, first_new)
    covered = [placed[u.n] for u in manifest.units if u.covered and u.n in placed]
    db.add_origin_units(conn, manifest.origin, covered)
    db.log_packet(conn, {"sha256": manifest.sha256, "origin": manifest.origin, "made_at": manifest.made_at,
                         "imported_at": at, "file": Path(shown).name, "first_seq": manifest.first_seq,
                         "last_seq": manifest.last_seq, "observations": summary.observations,
                         "added": summary.added, "newest_date": newest})
    return summary


def _ref(n: int, manifest: reader.Manifest, shown: str) -> int:
    if n > len(manifest.units):
        raise PacketError(_("{file}: unit {unit} is not in the manifest").format(file=shown, unit=n))
    return n


def _place_units(conn, manifest: reader.Manifest, summary: Incoming) -> dict[int, int]:
    """{packet unit number: register unit id}: by official code and edition when the unit has
    one and the register knows it, else by the path of names; units found nowhere are created
    under their placed parent. A unit is unplaced when its match is ambiguous or of another
    kind, or its parent is unplaced."""
    placed: dict[int, int] = {}
    for u in manifest.units:
        why = None
        if u.code:
            found = db.unit_by_code(conn, u.code, u.edition)
            if len(found) == 1:
                if found[0][1] != u.kind:
                    why = _("code {code} is a {kind} here, a {other} there").format(code=u.code, kind=found[0][1], other=u.kind)
                else:
                    placed[u.n] = found[0][0]
                    continue
        if why is None and u.parent is not None and u.parent not in placed:
            why = _("its parent cannot be placed")
        if why is None:
            parent_id = None if u.parent is None else placed[u.parent]
            found = _same_unit(db.children_named(conn, parent_id, fold(u.name)), u)
            renamed = False
            if not found:
                # Renamed on one side: a former name is an alias. The unit one side lists as
                # the other's former name is the older naming, whichever packet came first.
                found = _same_unit(db.children_aliased(conn, parent_id, fold(u.name)), u)
                if not found and u.aliases:
                    found = _same_unit(db.children_named_any(conn, parent_id, [fold(a) for a in u.aliases]), u)
                    renamed = True
            if len(found) > 1:
                why = _("several units here have that path")
            elif len(found) == 1:
                unit_id, kind = found[0][:2]
                if kind != u.kind:
                    why = _("it is a {kind} here, a {other} there").format(kind=kind, other=u.kind)
                else:
                    placed[u.n] = unit_id
                    _merge_attributes(conn, unit_id, u, renamed, found[0][4])
                    continue
            else:
                placed[u.n] = _create(conn, u, parent_id)
                summary.units_created.append(u.path)
                continue
        summary.units_unplaced.append(f"{u.path} ({why})")
    return placed


def _same_unit(candidates: list[tuple], u: reader.PacketUnit) -> list[tuple]:
    """Of the register's units at the packet unit's path (names compared folded), those that
    can be it: not one with another official code (Đông Hồng 00768 and Đồng Hồng 00752 are two
    communes), and the one spelt exactly alike when there is one."""
    if u.code:
        candidates = [c for c in candidates if not c[2] or (c[2], c[3]) == (u.code, u.edition)]
    exact = [c for c in candidates if c[4] == u.name]
    return exact if len(exact) == 1 else candidates


def _merge_attributes(conn, unit_id: int, u: reader.PacketUnit, renamed: bool, held_name: str) -> None:
    """What a packet says of a unit the register holds, merged so that any order of packets
    gives the same unit: former names added (and the newer name taken when the register's
    name is one of them), an official code filled in when missing, the earliest end of
    activity kept."""
    if renamed:
        unit_store.rename(conn, unit_id, u.name)
        unit_store.add_alias(conn, unit_id, held_name)
    for alias in u.aliases:
        if fold(alias) != fold(u.name):
            unit_store.add_alias(conn, unit_id, alias)
    if u.code:
        db.fill_code(conn, unit_id, u.code, u.edition)
    if u.active_until:
        db.end_activity(conn, unit_id, u.active_until)


def _create(conn, u: reader.PacketUnit, parent_id: int | None) -> int:
    unit_id = unit_store.insert(conn, u.name, u.kind, parent_id, u.code, u.edition)
    for alias in u.aliases:
        unit_store.add_alias(conn, unit_id, alias)
    if u.active_until:
        db.set_active_until(conn, unit_id, u.active_until)
    return unit_id


# The fields of an observation that must agree when a global id is already held.
_SAME = ["kind", "criteria_set", "criterion", "indicator", "value", "decision", "voids", "date",
         "recorded_at", "by", "source", "note", "level", "step", "department", "result", "amount",
         "fund_kind", "fund_source", "project"]


def _add_batch(conn, batch: list[dict], summary: Incoming, shown: str) -> None:
    seen: dict[str, dict] = {}
    fresh: list[dict] = []
    for row in batch:
        earlier = seen.get(row["gid"])
        if earlier is not None:
            if _differs(earlier, row):
                raise PacketError(_("{file}: observation {gid} appears twice with different content; "
                                    "nothing imported").format(file=shown, gid=row['gid']))
            summary.already_present += 1
            continue
        seen[row["gid"]] = row
    held = db.present(conn, list(seen))
    own = obs_store.register_id(conn) + ":"
    for gid, row in seen.items():
        mine = held.get(gid)
        if mine is None:
            if gid.startswith(own):
                # Only this register makes its own ids: one it does not hold would later
                # collide with what it records.
                raise PacketError(_("{file}: observation {gid} carries this register's own id, which it "
                                    "never made; nothing imported").format(file=shown, gid=gid))
            fresh.append(row)
            continue
        stored = {**mine, "voids": mine["voids_gid"]}
        if mine["unit_id"] != row["unit_id"] or _differs(stored, row):
            raise PacketError(_("{file}: observation {gid} is held here with different content; "
                                "nothing imported").format(file=shown, gid=gid))
        summary.already_present += 1
    facts = [r for r in fresh if r.get("voids") is None]
    voids = [r for r in fresh if r.get("voids") is not None]
    summary.added += db.append_imported(conn, [_row(r, None) for r in facts])
    if voids:
        targets = db.voided_units(conn, sorted({r["voids"] for r in voids}))
        missing = [r["gid"] for r in voids if r["voids"] not in targets]
        if missing:
            raise PacketError(_("{file}: observation {gid} voids an observation the packet does not "
                                "carry; nothing imported").format(file=shown, gid=missing[0]))
        elsewhere = [r["gid"] for r in voids if targets[r["voids"]][1] != r["unit_id"]]
        if elsewhere:
            raise PacketError(_("{file}: observation {gid} voids an observation of another unit; "
                                "nothing imported").format(file=shown, gid=elsewhere[0]))
        summary.added += db.append_imported(conn, [_row(r, targets[r["voids"]][0]) for r in voids])


def _differs(a: dict, b: dict) -> bool:
    return any(a.get(k) != b.get(k) for k in _SAME)


def _row(record: dict, voids: int | None) -> dict:
    row = {k: record.get(k) for k in obs_store.COLUMNS if k not in ("voids", "fingerprint", "unit_id")}
    return {**row, "gid": record["gid"], "unit_id": record["unit_id"], "voids": voids, "fingerprint": None}


def _verdict_conflicts_added(conn, first_new: int) -> int:
    return sum(1 for row in db.verdict_conflicts_from(conn, first_new))


def _indicator(conn, record: dict, origin: str, packet: str, at: str, summary: Incoming) -> None:
    mine = db.indicator_row(conn, record["code"])
    if mine is None:
        db.insert_indicator(conn, record)
    elif any(mine[k] != record[k] for k in ("name", "measure", "direction", "rollup")):
        digest = _hash([record[k] for k in ("code", "name", "measure", "direction", "rollup")])
        summary.conflicts += db.record_conflict(conn, "indicator", record["code"], origin, digest, packet, at)


def _criteria_set(conn, record: dict, origin: str, packet: str, at: str, summary: Incoming, shown: str) -> None:
    from ..store import criteria as criteria_store

    from .criteria import digest

    if not _hash_matches(record, digest):
        raise PacketError(_("{file}: criteria set {code}: its content does not match its hash; nothing imported").format(
            file=shown, code=record["code"]))
    held = criteria_store.content_hash(conn, record["code"])
    if held is None:
        db.insert_criteria_set(conn, record)
    elif held != record["content_hash"]:
        summary.conflicts += db.record_conflict(conn, "criteria_set", record["code"], origin,
                                                record["content_hash"], packet, at)


def _plan(conn, record: dict, placed: dict, manifest, packet: str, at: str, summary: Incoming,
          shown: str, dry_run: bool) -> None:
    from ..store import plans as plan_store

    from .plans import digest

    if not _hash_matches(record, digest):
        raise PacketError(_("{file}: plan {plan}: its content does not match its hash; nothing imported").format(
            file=shown, plan=record["id"]))
    held = plan_store.content_hash(conn, record["id"])
    if held is not None:
        if held != record["content_hash"]:
            summary.conflicts += db.record_conflict(conn, "plan", record["id"], manifest.origin,
                                                    record["content_hash"], packet, at)
        return
    import json

    targets, funds = [], []
    for t in record["targets"]:
        unit_id = placed.get(_ref(t["unit"], manifest, shown))
        if unit_id is None:
            return   # a dry run past units it cannot place
        targets.append({**t, "unit_id": unit_id,
                        "criteria": json.dumps(t["criteria"]) if t["criteria"] is not None else None,
                        "milestones": json.dumps(t["milestones"]) if t["milestones"] else None,
                        "dossier": json.dumps(t["dossier"], sort_keys=True) if t["dossier"] else None})
    for f in record["funds"]:
        unit_id = placed.get(_ref(f["unit"], manifest, shown))
        if unit_id is None:
            return
        funds.append({**f, "unit_id": unit_id})
    db.insert_plan(conn, record, targets, funds)
    summary.plans_added += 1


def _hash_matches(record: dict, digest) -> bool:
    """Whether a plan's or criteria set's document (JSON text) has the hash it came with."""
    import json

    try:
        return digest(json.loads(record["document"])) == record["content_hash"]
    except ValueError:
        return False


def _hash(values: list) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()
