"""Babel's extraction for the command line (babel.cfg names it): the marked messages, as
Babel's own Python extractor finds them, and the help Typer takes from the docstrings of the
command functions (`@app.command`, `@app.callback`, `*_command`), cleaned as Typer cleans them.

Used by `pybabel extract` and by the test that keeps the catalogue in step with the sources.
"""

from __future__ import annotations

import ast
import io

from babel.messages.extract import extract_python


def _is_command(node: ast.FunctionDef) -> bool:
    if node.name.endswith("_command"):
        return True
    for decorator in node.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ("command", "callback"):
            return True
    return False


def extract_cli(fileobj, keywords, comment_tags, options):
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and _is_command(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, None, doc, ["help of a command (its docstring)"]
