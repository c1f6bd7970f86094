"""Bands of criteria met: how the monitoring reports count communes (Thông tư 05/2022, as
amended by 07/2024; provinces' half-yearly and yearly reports): all criteria, 15-18, 10-14,
under 10 — for a 19-criteria set. A set of another size is cut at the same shares of its
criteria (15/19 and 10/19 of them, rounded up): for 20 criteria, 16-19 / 11-15 / under 11;
for 10 criteria, 8-9 / 6-7 / under 6. Pure arithmetic; used by the forms and `status --bands`.
"""

from __future__ import annotations

import math

from ..locale import _

BANDS = ("all", "15-18", "10-14", "under-10")   # codes, best first (labels: output/labels.BANDS)
_SHARES = (15 / 19, 10 / 19)


def cuts(total: int) -> tuple[int, int]:
    """The lowest counts of the second and third bands for a set of `total` criteria:
    (15, 10) for 19."""
    # A small epsilon: 15/19 × 19 must give 15, not 15.000000000000002 rounded up to 16.
    return tuple(math.ceil(share * total - 1e-9) for share in _SHARES)


def band(met: int, total: int) -> str:
    """all | 15-18 | 10-14 | under-10 (the codes name the 19-criteria bands; other sizes keep
    the shares, see the module's docstring)."""
    if total <= 0:
        raise ValueError(_("a criteria set has at least one criterion"))
    if met >= total:
        return "all"
    high, middle = cuts(total)
    if met >= high:
        return "15-18"
    if met >= middle:
        return "10-14"
    return "under-10"
