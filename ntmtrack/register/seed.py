"""Official administrative divisions from the `vietnam-provinces` package (GPL-3.0, an
optional extra: `pip install 'ntmtrack[seed]'`), imported only by `units seed`.

On Python 3.11 pip stops at the 2025.10 edition: the 34 provinces and 3,321 communes and wards
since 1 July 2025, without districts or the merge mapping. Each seeded code records the
edition it came from, since the same number can name different units before and after 2025.
"""

from __future__ import annotations

from ..locale import _
from ..model import NtmError
from ..read.names import fold
from ..read.unit_files import Node

_PREFIXES = {"thanh pho ": "province", "tinh ": "province", "phuong ": "ward", "xa ": "commune",
             "dac khu ": "commune"}


def _split(name: str) -> tuple[str, str | None]:
    folded = fold(name)
    for prefix, kind in _PREFIXES.items():
        if folded.startswith(prefix):
            return name[len(prefix):].strip(), kind
    return name, None


def nodes(province_filter: str | None = None) -> tuple[list[Node], str]:
    try:
        import vietnam_provinces as vp
    except ImportError:
        raise NtmError(_("units seed needs the optional package: pip install 'ntmtrack[seed]' (vietnam-provinces, GPL-3.0)")) from None
    from importlib.metadata import version

    edition = f"vietnam-provinces {version('vietnam-provinces')}"
    provinces = {}
    for p in vp.Province.iter_all():
        name, _unused = _split(p.name)
        if province_filter and fold(province_filter) not in (fold(name), fold(p.name)):
            continue
        provinces[int(p.code)] = Node(name, "province", f"{int(p.code):02d}", [p.name], [],
                                      edition=edition)
    if province_filter and not provinces:
        raise NtmError(_("no province '{province_filter}' in {edition}").format(province_filter=province_filter, edition=edition))
    for w in vp.Ward.iter_all():
        parent = provinces.get(int(w.province_code))
        if parent is None:
            continue
        name, kind = _split(w.name)
        parent.children.append(Node(name, kind or "commune", f"{int(w.code):05d}", [w.name], [],
                                    edition=edition))
    return list(provinces.values()), edition
