"""The import rules of STYLE.md, held by walking the package with ast.

Layers point one way: cli → output → reports → register → read → model; everything above
`model` may use `store`, which itself uses only `model` (and `read.names` for sort keys).
Every layer may use `locale` (the gettext catalogue), which imports nothing from ntmtrack.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ntmtrack"
# Each layer and what it may import from inside the package.
LAYERS = ["model", "read", "register", "reports", "output", "cli"]
ALLOWED = {
    "model": set(),
    "store": {"model", "read", "store"},
    "read": {"model", "read"},
    "register": {"model", "read", "register", "store"},
    "reports": {"model", "read", "register", "reports", "store"},
    "output": {"model", "read", "register", "reports", "output", "store"},
    "cli": {"model", "read", "register", "reports", "output", "store", "cli", "__init__"},
    "__init__": set(),
    "__main__": {"cli"},
    "locale": set(),   # messages in the reader's language (gettext): every layer may use it
}
for _allowed in ALLOWED.values():
    _allowed.add("__init__")  # the package face: __version__
    _allowed.add("locale")


def _layer(relative: str) -> str:
    return relative.split("/")[0].removesuffix(".py")


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(third-party top-level modules, ntmtrack layers) that a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if path.name != "__init__.py":
        package = package[:-1]
    outside, inside = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")
                if top[0] == "ntmtrack":
                    inside.add(top[1] if len(top) > 1 else "__init__")
                else:
                    outside.add(top[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "ntmtrack":
                    outside.add(parts[0])
                    continue
            else:
                parts = list(package[:len(package) - node.level + 1]) + (node.module.split(".") if node.module else [])
            if len(parts) > 1:
                inside.add(parts[1])
            else:  # `from .. import x`: x names the layer
                inside.update(a.name if a.name != "__version__" else "__init__" for a in node.names)
    return outside, inside


def _modules():
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        yield name, *_imports(path)


def test_the_tree_has_the_documented_layers():
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith(("_", "."))}
    assert {"cli", "model.py", "read", "register", "reports", "output", "store"} <= top
    assert not [p for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py", "model.py")]


def test_imports_point_one_way():
    for name, _, inside in _modules():
        layer = _layer(name)
        assert inside <= ALLOWED[layer], f"{name} imports {sorted(inside - ALLOWED[layer])}"


def test_typer_only_in_cli_and_click_nowhere():
    for name, imported, _ in _modules():
        assert "click" not in imported, name
        if not name.startswith("cli/"):
            assert "typer" not in imported, name


def test_rich_only_in_cli_and_output():
    for name, imported, _ in _modules():
        if not name.startswith(("cli/", "output/")):
            assert "rich" not in imported, name


def test_office_formats_only_in_output_and_read():
    for name, imported, _ in _modules():
        if not name.startswith(("output/", "read/")):
            assert not {"openpyxl", "xlsxwriter", "jinja2", "pygal"} & imported, name


def test_sqlite_utils_only_in_store():
    for name, imported, _ in _modules():
        if not name.startswith("store/"):
            assert "sqlite_utils" not in imported, name


def test_yaml_only_in_read():
    for name, imported, _ in _modules():
        if not name.startswith("read/"):
            assert "yaml" not in imported, name


def test_sql_only_in_store():
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith("store/"):
            continue
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text, name


def test_released_migrations_import_nothing_from_live_code():
    # A migration's SQL is frozen: it may not change because live code changed.
    _, inside = _imports(PACKAGE / "store" / "migrations.py")
    assert inside <= {"model"}, inside


def test_help_path_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = ("import sys; from ntmtrack.cli import app; "
            "print(','.join(m for m in ('sqlite_utils','yaml','rich.table','openpyxl','babel')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
