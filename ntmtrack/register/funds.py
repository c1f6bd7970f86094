"""Recording money: a funds observation from a command or a file row, checked.

Amounts are read by the one number parser (read/numbers.read_money) into integer đồng. A
source is one of the fixed list (model.FUND_SOURCES), a kind one of model.FUND_KINDS; `debt`
is the outstanding construction debt on the day (a level), the others amounts that add up.
Knows nothing of the CLI.
"""

from __future__ import annotations

import unicodedata

from ..locale import _
from ..model import FUND_KINDS, FUND_SOURCES, NtmError
from ..read import fields
from ..read.names import fold
from ..read.numbers import Unreadable, money_scale, read_money

# Codes as people type them: with spaces or underscores, with diacritics.
_SOURCE_TEXT = {fold(code.replace("-", " ")): code for code in FUND_SOURCES}
_KIND_TEXT = {fold(code.replace("_", " ")): code for code in FUND_KINDS}


def source_code(text: str) -> str:
    """`trung-uong`, `trung uong`, `Trung ương` → trung-uong; anything else is refused."""
    code = _SOURCE_TEXT.get(fold(str(text).replace("-", " ").replace("_", " ")))
    if code is None:
        raise NtmError(_("unknown source '{text}': use one of {FUND_SOURCES}").format(text=text, FUND_SOURCES=', '.join(FUND_SOURCES)))
    return code


def kind_code(text: str) -> str:
    code = _KIND_TEXT.get(fold(str(text).replace("-", " ").replace("_", " ")))
    if code is None:
        raise NtmError(_("unknown kind '{text}': use one of {FUND_KINDS}").format(text=text, FUND_KINDS=', '.join(FUND_KINDS)))
    return code


def parse_measure(measure: str) -> tuple[str, str] | None:
    """`funds:KIND:SOURCE` (a `record import` measure) → (kind, source); None when the measure
    is not money; NtmError when it is but names an unknown kind or source."""
    text = str(measure).strip()
    if not fold(text).startswith("funds:"):
        return None
    parts = text.split(":")
    if len(parts) != 3:
        raise NtmError(_("'{text}': a money measure is funds:KIND:SOURCE (e.g. funds:disbursed:trung-uong)").format(text=text))
    return kind_code(parts[1]), source_code(parts[2])


def amount(value, decimal_mark: str | None = None) -> int:
    """Integer đồng from what was written (`1,5 tỷ`, `1.500.000.000`) or a spreadsheet's number;
    refused: not money, a fraction of a đồng, a negative amount, a sign (corrections are voids)."""
    if isinstance(value, bool):
        raise NtmError(_("'{value}' is not an amount of money").format(value=value))
    if isinstance(value, int):
        dong = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise NtmError(_("'{value}' is not a whole number of đồng").format(value=value))
        dong = int(value)
    else:
        found = read_money(str(value), decimal_mark)
        if isinstance(found, Unreadable):
            raise NtmError(found.message())
        if found.plus:
            raise NtmError(_("'{strip}': write the amount without a sign").format(strip=str(value).strip()))
        dong = found.dong
    if dong < 0:
        raise NtmError(_("'{value}' is negative; a wrong amount is voided (ntmtrack record void ID)").format(value=value))
    return dong


def row(unit, dong: int, kind: str, source: str, on: str, project: str | None) -> dict:
    """The observation a funds fact becomes (Recorder.finish adds who, where and when)."""
    if project is not None:
        message = fields.problem(project.strip(" "), "project")   # before strip(): NEL is whitespace to it
        if message:
            raise NtmError(message)
        project = unicodedata.normalize("NFC", project.strip()) or None
    return {"unit_id": unit.id, "kind": "funds", "amount": int(dong), "fund_kind": kind,
            "fund_source": source, "project": project, "date": on}


def indicator_value(definition: dict | str | None, value, decimal_mark: str | None
                    ) -> tuple[float, bool] | None:
    """A value of a money indicator (`measure: đồng`, `triệu đồng` or `tỷ đồng`) as (integer
    đồng — exact as a float below 2**53 —, whether it had a '+'); None when the indicator is
    not money. A bare number counts in the measure's unit (`1,5` of `tỷ đồng` is 1,5 tỷ); a
    unit word in the value says its own (`250 triệu`)."""
    if not isinstance(definition, dict):
        return None
    scale = money_scale(definition.get("measure"))
    if scale is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(value) if isinstance(value, float) else str(value)
    found = read_money(str(value), decimal_mark, scale)
    if isinstance(found, Unreadable):
        raise NtmError(f"{definition['code']}: {found.message()}")
    return float(found.dong), found.plus
