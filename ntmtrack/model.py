"""The vocabulary of ntmtrack: units, criteria sets, problems, and the errors that stop a run.

Frozen dataclasses and exceptions only; imports nothing from ntmtrack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNIT_KINDS = (
    "province", "district", "cluster", "commune", "town", "ward", "village", "household_group",
)
# Units that meet (or not) the criteria: communes, and towns and wards tracked like them.
COMMUNE_KINDS = ("commune", "town", "ward")
# Below them: villages and household groups, most of a national tree.
BELOW_COMMUNE_KINDS = ("village", "household_group")

KIND_NAMES_VI = {
    "province": "tỉnh", "district": "huyện", "cluster": "cụm", "commune": "xã",
    "town": "thị trấn", "ward": "phường", "village": "thôn", "household_group": "tổ liên gia",
}

# Vietnamese kind words accepted wherever a kind is given (`--kind xã`).
KIND_ALIASES = {
    "tinh": "province", "huyen": "district", "thi xa": "district", "thanh pho": "district",
    "cum": "cluster", "xa": "commune", "thi tran": "town", "phuong": "ward", "thon": "village",
    "xom": "village", "ban": "village", "to dan pho": "village", "to lien gia": "household_group",
}


class NtmError(Exception):
    """A user or data error: one clear message, exit code 1, nothing written."""

    exit_code = 1


class UsageError(NtmError):
    """Arguments that do not fit together: exit code 2."""

    exit_code = 2


class RegisterBusy(NtmError):
    """Another process held the register's write lock past the busy timeout (EX_TEMPFAIL)."""

    exit_code = 75


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, where it is: `FILE:LINE:COL: message`."""

    source: str
    line: int | None
    column: int | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        prefix = "warning: " if self.warning else ""
        return f"{where}: {prefix}{self.message}"


class InputProblems(NtmError):
    """An input with one or more problems; each is reported on its own line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str
    parent_id: int | None
    code: str | None = None
    path: str = ""
    active_until: str | None = None


@dataclass(frozen=True)
class Criterion:
    set_code: str
    number: int
    name_vi: str
    name_en: str
    group: str | None = None
    confidence: str | None = None
    indicators: tuple = ()


@dataclass(frozen=True)
class CriteriaSet:
    code: str
    decision: str
    title_vi: str
    title_en: str
    date: str | None
    effective: str | None
    criteria: tuple[Criterion, ...] = ()
    groups: tuple[dict, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def numbers(self) -> list[int]:
        return [c.number for c in self.criteria]
