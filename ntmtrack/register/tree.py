"""The whole unit tree in memory, for listings and roll-ups over many units at once.

One query loads every unit; paths and descendants are then computed without per-unit SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import BELOW_COMMUNE_KINDS
from ..store import units as db


@dataclass
class Tree:
    units: dict[int, dict]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn, under: int | None = None, villages: bool = True) -> "Tree":
        """Every unit; with `under`, only that unit's subtree and its ancestors (a district's
        report on a national register need not read 90,000 units); without `villages`, the
        tree down to communes (criteria reports: villages are most of a national tree)."""
        return cls._of(db.all_units(conn, under, () if villages else BELOW_COMMUNE_KINDS))

    @classmethod
    def around(cls, conn, unit_ids: list[int]) -> "Tree":
        """The units, those below them and those above them: a plan's targets judged without
        the rest of a national tree."""
        return cls._of(db.units_around(conn, unit_ids))

    @classmethod
    def _of(cls, rows) -> "Tree":
        units: dict[int, dict] = {}
        children: dict[int | None, list[int]] = {}
        for unit_id, name, kind, parent_id, code, active_until, key, edition in rows:
            units[unit_id] = {"name": name, "kind": kind, "parent_id": parent_id, "code": code,
                              "active_until": active_until, "sort_key": key, "edition": edition}
            children.setdefault(parent_id, []).append(unit_id)
        return cls(units, children)

    def path(self, unit_id: int) -> str:
        parts = []
        current: int | None = unit_id
        while current is not None:
            parts.append(self.units[current]["name"])
            current = self.units[current]["parent_id"]
        return "/".join(reversed(parts))

    def ancestors(self, unit_id: int) -> list[int]:
        out = []
        current = self.units[unit_id]["parent_id"]
        while current is not None:
            out.append(current)
            current = self.units[current]["parent_id"]
        return out

    def descendants(self, unit_id: int) -> list[int]:
        out, stack = [], list(self.children.get(unit_id, []))
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(self.children.get(current, []))
        return out

    def depth(self, unit_id: int) -> int:
        return len(self.ancestors(unit_id))
