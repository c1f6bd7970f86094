"""`ntmtrack demo`: build a demo register from the shipped examples and show what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import LangOption, lang_of, message, tr

DEMO_FILE = "ntmtrack-demo.db"


def demo_command(
    path: Annotated[Path, typer.Option("--path", help="Where to build the demo register.")] = Path(DEMO_FILE),
    lang: LangOption = None,
) -> None:
    """Build a demo register of Triệu Sơn district from examples/ and show it at its 2018 review.

    Rebuilds its own demo file; never overwrites any other file.
    Example: ntmtrack demo
    """
    from .. import demo
    from ..render import Format, write

    language = lang_of(lang)
    demo.build(path)
    message(tr(language, f"Demo register built at {path.resolve()}",
               f"Đã tạo sổ theo dõi mẫu tại {path.resolve()}"))
    for section in demo.show(path, language):
        title, rows, columns = section
        write(rows, columns, Format.table, language, title=title)
    message(tr(language,
               f"Try: ntmtrack status --db {path} --plan trieu-son-2018 --as-of 02/11/2018\n"
               f"     ntmtrack progress trieu-son-2018 --db {path} --as-of 02/11/2018",
               f"Thử: ntmtrack status --db {path} --plan trieu-son-2018 --as-of 02/11/2018\n"
               f"     ntmtrack progress trieu-son-2018 --db {path} --as-of 02/11/2018"))
