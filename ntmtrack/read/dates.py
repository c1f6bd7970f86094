"""Dates as people write them: ISO 2022-04-15 or Vietnamese 15/04/2022. Standard library only."""

from __future__ import annotations

import datetime as dt
import functools
import re

from ..model import NtmError

# The days ntmtrack keeps: wide enough for any programme (NTM began in 2010), narrow enough
# that a year before, a week before or a month after any of them is still a date.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def try_parse(text: str) -> dt.date | str:
    """The date, or the reason `text` is not one."""
    return _try_parse(str(text).strip())


@functools.lru_cache(maxsize=1 << 12)  # a file repeats its few report dates
def _try_parse(text: str) -> dt.date | str:
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _VN.match(text)
        if not match:
            return f"'{text}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
        day, month, year = (int(g) for g in match.groups())
    try:
        day = dt.date(year, month, day)
    except ValueError:
        return f"'{text}' is not a real date"
    if not FIRST_DAY <= day <= LAST_DAY:
        return (f"'{text}' is outside the dates ntmtrack keeps "
                f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")
    return day


def parse_date(text: str) -> dt.date:
    result = try_parse(text)
    if isinstance(result, str):
        raise NtmError(result)
    return result


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def today() -> dt.date:
    return dt.date.today()
