"""The import rules of STYLE.md, held by walking the package with ast."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ntmtrack"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _modules():
    for path in PACKAGE.rglob("*.py"):
        yield path.relative_to(PACKAGE).as_posix(), _imports(path)


def test_typer_only_in_cli_and_click_nowhere():
    for name, imported in _modules():
        assert "click" not in imported, name
        if not name.startswith("cli/"):
            assert "typer" not in imported, name


def test_rich_only_in_cli_and_render():
    for name, imported in _modules():
        if not (name.startswith("cli/") or name == "render.py"):
            assert "rich" not in imported, name


def test_sqlite_utils_only_in_store_and_migrations():
    for name, imported in _modules():
        if not (name.startswith("store/") or name == "migrations.py"):
            assert "sqlite_utils" not in imported, name


def test_yaml_only_in_yamldoc():
    for name, imported in _modules():
        if name != "yamldoc.py":
            assert "yaml" not in imported, name


def test_sql_only_in_store_and_migrations():
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith("store/") or name in ("migrations.py",):
            continue
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text, name


def test_help_path_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = ("import sys; from ntmtrack.cli import app; "
            "print(','.join(m for m in ('sqlite_utils','yaml','rich.table','openpyxl','babel')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
