"""Lists of criterion numbers as people write them: `17`, `c17`, `tc17`, `1-5`, `1,2,3`,
`1 2 3` and any mix (`1-5, 8 tc10`) — the one reader for every place criteria are taken
(`record met|unmet`, plan files). Standard library only; the caller checks the numbers
against the criteria set."""

from __future__ import annotations

import re

from ..locale import _

_TOKEN = re.compile(r"^(?:tieu chi|tc|c|criterion)?\s*(\d{1,3})(?:\s*[-–]\s*(?:tc|c)?\s*(\d{1,3}))?$")


def _fold(text: str) -> str:
    from .names import fold

    return fold(text).replace(".", " ").strip()


def parse_criteria(values) -> list[int] | str:
    """Sorted distinct criterion numbers, or why `values` (a string, or a list of strings and
    numbers) is not a list of them."""
    items = values if isinstance(values, (list, tuple)) else [values]
    numbers: list[int] = []
    for item in items:
        if isinstance(item, bool):
            return _("'{item}' is not a criterion number").format(item=item)
        if isinstance(item, int):
            if item < 1:
                return _("'{item}' is not a criterion number").format(item=item)
            numbers.append(item)
            continue
        text = _fold(str(item))
        # A range keeps its dash; commas, semicolons and spaces separate numbers.
        text = re.sub(r"\s*[-–]\s*", "-", text)
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
        if not parts:
            return "no criterion numbers given"
        joined = []
        for part in parts:
            # "tc 17" was split in two: a prefix alone belongs to the number after it.
            if joined and joined[-1] in ("tc", "c", "tieu", "tieuchi", "criterion"):
                joined[-1] = joined[-1] + part
            else:
                joined.append(part)
        for part in joined:
            match = _TOKEN.match(part.replace("tieuchi", "tc"))
            if not match:
                return (f"'{item}' is not a list of criterion numbers (write 17, 1-5, 1,2,3 or "
                        "1 2 3)")
            first = int(match.group(1))
            last = int(match.group(2)) if match.group(2) else first
            if first < 1 or last < first:
                return _("'{part}' is not a range of criterion numbers (the first is the smaller)").format(part=part)
            numbers.extend(range(first, last + 1))
    return sorted(set(numbers))
