"""Dates as people write them: ISO 2022-04-15, or day first as Vietnamese offices write them:
15/04/2022, 15-04-2022, 15.04.2022. A file exported month first (04/15/2022) is read with
`order="mdy"`; read day first, a date that only makes sense month first says so.
Standard library only."""

from __future__ import annotations

import datetime as dt
import functools
import re

from ..locale import _, active
from ..model import NtmError

# The days ntmtrack keeps: wide enough for any programme (NTM began in 2010), narrow enough
# that a year before, a week before or a month after any of them is still a date.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")


def try_parse(text: str, order: str = "dmy") -> dt.date | str:
    """The date, or the reason `text` is not one. `order`: "dmy" (day first, the default
    everywhere) or "mdy" (month first, for files exported that way)."""
    return _try_parse(str(text).strip(), order, active())


@functools.lru_cache(maxsize=1 << 12)  # a file repeats its few report dates (`lang`: of the message)
def _try_parse(text: str, order: str = "dmy", lang: str = "en") -> dt.date | str:
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _VN.match(text)
        if not match:
            return _("'{text}' is not a date (use DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD)").format(text=text)
        first, _unused, second, year = match.groups()
        day, month, year = int(first), int(second), int(year)
        if order == "mdy":
            day, month = month, day
    try:
        day = dt.date(year, month, day)
    except ValueError:
        if not _ISO.match(text) and order == "dmy" and month > 12 >= day:
            try:
                dt.date(year, day, month)
            except ValueError:
                pass
            else:
                return (_("'{text}' is not a real date day first (DD/MM/YYYY), only month first; dates are read day first (a file written month first: record import --date-order mdy)").format(text=text))
        return _("'{text}' is not a real date").format(text=text)
    if not FIRST_DAY <= day <= LAST_DAY:
        return (_("'{text}' is outside the dates ntmtrack keeps ({isoformat} to {isoformat2})").format(text=text, isoformat=FIRST_DAY.isoformat(), isoformat2=LAST_DAY.isoformat()))
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
