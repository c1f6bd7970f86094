"""The vocabulary of ntmtrack: units, criteria sets, problems, and the errors that stop a run.

Frozen dataclasses and exceptions only; imports nothing from ntmtrack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

UNIT_KINDS = (
    "province", "district", "cluster", "commune", "town", "ward", "village", "household_group",
)
# Units that meet (or not) the criteria: communes, and towns and wards tracked like them.
COMMUNE_KINDS = ("commune", "town", "ward")
# Below them: villages and household groups, most of a national tree.
BELOW_COMMUNE_KINDS = ("village", "household_group")

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
        from .locale import _

        prefix = _("warning: ") if self.warning else ""
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
    edition: str = ""   # the official edition the code came from ("": typed or imported)


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


# -- what a report is asked, and the rows it answers with ---------------------------------

# Recognition levels (18/2022/QĐ-TTg; 51/2025 adds the "modern" pilot). A commune holds the
# highest level it has been recognised at and not stripped of; "modern" (2026-2030) and
# "advanced" (2021-2025) are each one step above NTM, in different periods.
LEVELS = ("ntm", "nang-cao", "kieu-mau", "hien-dai")
LEVEL_RANK = {"ntm": 1, "nang-cao": 2, "hien-dai": 2, "kieu-mau": 3}

# A commune's road to a title, in order (18/2022/QĐ-TTg; reference/criteria.md §6c); the
# decision itself is `record recognized`.
STEPS = ("registered", "self_assessed", "criteria_dossiers", "general_dossier", "submitted", "sent",
         "inspected", "appraised", "satisfaction", "council", "proposed")
DEPARTMENT_STEPS = ("sent", "inspected", "appraised")

# Money (issue 14): where capital comes from, and what a funds observation says. `debt` is the
# outstanding construction debt on a date (a level); the other kinds are amounts that add up.
FUND_SOURCES = ("trung-uong", "dia-phuong", "long-ghep", "tin-dung", "doanh-nghiep", "nhan-dan", "khac")
FUND_KINDS = ("allocated", "disbursed", "contributed", "debt", "debt_paid")

DEFAULT_THRESHOLD = 0.8  # behind: progress below this share of the progress expected by now


@dataclass(frozen=True)
class Scope:
    """What a report is about, built once from the options and passed whole: the day, the
    unit reported under, the plan, the criteria set asked for, the behind threshold, the
    language and the office that signs it."""

    as_of: date
    under: Unit | None = None
    plan_id: str | None = None
    set_code: str | None = None       # --set as given; which set applies is a rule (reports/scope)
    threshold: float = DEFAULT_THRESHOLD
    lang: str = "en"
    office: str | None = None

    @property
    def under_id(self) -> int | None:
        return self.under.id if self.under else None


@dataclass(frozen=True)
class StatusRow:
    """A commune's criteria on the day: `missing` of the whole set, `target_missing` of what
    its targets ask for. `label` tells it apart from a namesake in the same output."""

    unit: str
    unit_path: str
    parent: str | None
    criteria_set: str
    criteria_met: int
    criteria_total: int
    missing: tuple[int, ...]
    target_date: str | None
    plan: str | None
    recognition: str | None          # the decision of the highest title held on the day
    recognition_date: str | None
    recognition_level: str | None    # ntm | nang-cao | kieu-mau | hien-dai
    state: str   # recognized | meets_all | target_met | on_track | behind | overdue | no_target
    target_missing: tuple[int, ...]
    unit_id: int
    unit_kind: str
    label: str
    since_merger: str | None = None  # the merger it was assessed afresh from, if any
    debt: int = 0                     # outstanding construction debt on the day, in đồng


@dataclass(frozen=True)
class StatusTotals:
    units: int
    criteria_set: str
    criteria_total: int
    meeting_all: int
    recognized: int
    average_criteria_met: float | None
    as_of: str


@dataclass(frozen=True)
class StatusGroup:
    """Status rows summed by the unit one level below the report's unit."""

    group: str
    units: int
    meeting_all: int
    recognized: int
    average_criteria_met: float
    behind: int
    overdue: int
    criteria_total: int


@dataclass(frozen=True)
class CriterionStat:
    criteria_set: str
    criterion: int
    name_vi: str
    name_en: str
    units_met: int
    units_total: int
    share: float | None


@dataclass(frozen=True)
class ProgressRow:
    """One indicator target (or a roll-up of the targets below a unit) on the day."""

    plan: str
    unit: str
    unit_path: str
    unit_kind: str
    indicator: str
    indicator_name: str | None
    measure: str | None
    direction: str
    baseline: float | None       # None: a `down` target with nothing recorded inside the plan yet
    actual: float | None
    goal: float
    percent_of_target: float
    expected: float | None
    deadline: str
    state: str   # done | on_track | behind | overdue
    rollup: bool
    depth: int
    unit_id: int
    label: str


@dataclass(frozen=True)
class Laggard:
    """A unit behind or overdue on one target, or missing its report."""

    unit: str
    unit_path: str
    plan: str
    target: tuple[int, ...] | str | None   # criteria numbers, or an indicator code
    actual: float | None
    expected: float | None
    goal: float | None
    deadline: str
    shortfall: float | None
    days_left: int
    reason: str   # overdue | behind | no_report
    period_start: str | None
    period_end: str | None
    unit_id: int
    label: str
    order: tuple = ()   # worst first: how laggards sort (not data)


@dataclass(frozen=True)
class TrendPoint:
    date: str
    criteria_met: int | None   # None before the unit's first observation of the set


@dataclass(frozen=True)
class TrendRow:
    unit: str
    unit_path: str
    criteria_set: str
    criteria_total: int
    criteria_met: int
    pace_per_month: float | None
    projected_date: str | None
    target_date: str | None
    projection: str   # done | on_time | late | stalled | no_target
    series: tuple[TrendPoint, ...]
    unit_id: int
    label: str


@dataclass(frozen=True)
class DossierRow:
    """A commune on the road to a title: how far its dossier has come and what is missing."""

    unit: str
    unit_path: str
    level: str
    criteria_set: str
    step: str | None                 # the furthest step reached (`recognized` at the end)
    step_date: str | None
    criteria_dossiers: int | None
    criteria_total: int
    general_dossier: bool
    departments_total: int
    departments_sent: int
    departments_inspected: int
    departments_passed: int
    departments_returned: int
    satisfaction: float | None
    days_since_step: int | None
    ready: bool
    missing: tuple[str, ...]         # codes: criteria, criteria_dossiers, general_dossier, ...
    unit_id: int
    label: str
    criteria_missing: tuple[int, ...] = ()
    debt: int = 0


@dataclass(frozen=True)
class DepartmentRow:
    """An appraising department: the dossiers it holds and what it decided."""

    department: str
    name: str
    waiting: int
    oldest_days: int | None
    inspected: int
    passed: int
    returned: int
    sent: int = 0
    province: str | None = None      # whose department (not a machine key)


@dataclass(frozen=True)
class FundRow:
    """A unit's capital from one source (reports/funds.py): planned, allocated, disbursed and
    contributed in the period, outstanding debt at its end — integer đồng — summed over the
    unit and the units below it (`rollup`: some of it comes from below)."""

    unit: str
    unit_path: str
    source: str
    planned: int
    allocated: int
    disbursed: int
    disbursed_share: float | None    # disbursed / allocated
    expected_share: float | None     # the share of the period gone: linear, as pace.expected
    contributed: int
    debt: int
    state: str   # done | on_track | behind | not_allocated | unplanned
    unit_id: int
    unit_kind: str
    depth: int
    rollup: bool
    label: str


@dataclass(frozen=True)
class FormRow:
    """One row of the yearly or half-yearly form (reports/forms.py): a commune, or the totals
    of a cluster, district or province (`total`), whose counts and amounts are the sums of the
    communes below it and whose `criteria_met` is their average. Money in integer đồng;
    `capital` is (source, planned, allocated, disbursed) for every source, in the fixed order."""

    unit: str
    unit_path: str
    unit_kind: str
    total: bool
    depth: int
    label: str
    criteria_set: str
    criteria_total: int
    criteria_met: float
    band: str | None
    communes: int
    bands: tuple[int, int, int, int]          # all, 15-18, 10-14, under 10
    recognized: int
    recognized_new: int
    recognition_level: str | None
    recognition_decision: str | None
    recognition_date: str | None
    villages_recognized: int
    capital: tuple[tuple[str, int, int, int], ...]
    contributed: int
    debt: int
    estimated: int | None = None              # annual: estimated to reach the standard by 31/12
    registered_next_year: int | None = None   # annual: registered for the following year
