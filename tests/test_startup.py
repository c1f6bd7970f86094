"""Start-up: a command imports its own module and what it needs, nothing else; the list of
commands that `ntmtrack --help` shows without importing them stays the commands' own help.

Run as whole processes (a fresh interpreter is what a person starts), never timed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from ntmtrack.cli import COMMANDS, app

GROUP_MODULES = sorted({f"ntmtrack.cli.{module}" for _name, module, _attribute, _help in COMMANDS})
# Libraries a command's help or one verdict never needs (Rich draws tables, Babel formats
# numbers, the others read or write files; Pydantic is Typer's checker of values).
HEAVY = ["rich", "babel", "openpyxl", "xlsxwriter", "jinja2", "yaml", "sqlite_utils", "pydantic"]

_PROBE = """
import json, sys
sys.argv = ["ntmtrack", *json.loads(sys.argv[1])]
from ntmtrack.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def _modules(args: list[str], env: dict | None = None) -> tuple[str, set[str]]:
    """What `ntmtrack ARGS` printed, and every module it had imported when it finished."""
    environment = {**os.environ, "NTMTRACK_LANG": "en", "COLUMNS": "100", **(env or {})}
    environment.pop("NTMTRACK_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], env=environment,
                          capture_output=True, text=True, timeout=120, check=True)
    listed = done.stderr.rsplit("MODULES ", 1)[1]
    return done.stdout, set(json.loads(listed))


def _loaded(modules: set[str], names: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_a_commands_help_imports_that_command_only():
    shown, modules = _modules(["record", "met", "--help"])
    assert "Record that a commune meets criteria from a date." in shown
    assert "ntmtrack.cli.record" in modules
    others = [m for m in GROUP_MODULES if m != "ntmtrack.cli.record"]
    assert _loaded(modules, others) == []
    assert _loaded(modules, HEAVY) == []


def test_the_whole_help_imports_no_command_and_lists_them_all():
    shown, modules = _modules(["--help"])
    assert _loaded(modules, GROUP_MODULES) == []
    assert _loaded(modules, HEAVY) == []
    for name, _module, _attribute, _help in COMMANDS:
        assert f"\n  {name} " in shown, name


def test_help_in_vietnamese_imports_no_more(tmp_path):
    shown, modules = _modules(["status", "--help"], {"NTMTRACK_LANG": "vi"})
    assert "Cách dùng:" in shown
    assert _loaded(modules, [m for m in GROUP_MODULES if m != "ntmtrack.cli.report"]) == []
    assert _loaded(modules, HEAVY) == []


def test_one_verdict_needs_neither_rich_babel_nor_pydantic(tmp_path):
    db = tmp_path / "r.db"
    env = {"NTMTRACK_DB": str(db)}
    run = CliRunner()
    for args in (["init"], ["units", "add", "Thanh Hóa", "--kind", "province"],
                 ["units", "add", "Dân Lý", "--kind", "xã", "--parent", "Thanh Hóa"]):
        assert run.invoke(app, args, env={**env, "NTMTRACK_LANG": "en"}).exit_code == 0, args
    _shown, modules = _modules(["record", "met", "Dân Lý", "1-3", "--date", "2020-01-01"], env)
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, [m for m in GROUP_MODULES if m != "ntmtrack.cli.record"]) == []
    history = run.invoke(app, ["history", "Dân Lý", "-f", "csv"], env={**env, "NTMTRACK_LANG": "en"})
    assert history.stdout.count("qd1980-2016:") == 3, "the three verdicts were recorded"


def test_the_weekly_summary_needs_no_pydantic(ready):
    # Its --waiting-days has bounds; its default is inside them, and checked without Typer's
    # Pydantic checker (70 ms of a district's 0.2 s summary).
    shown, modules = _modules(["summary", "--under", "Triệu Sơn", "-f", "json"],
                              {"NTMTRACK_DB": str(ready.db)})
    assert json.loads(shown)["as_of"]
    assert _loaded(modules, ["pydantic"]) == []


# -- the list of commands, kept with the commands --------------------------------------------

def _built(name: str, module: str, attribute: str):
    import importlib

    target = getattr(importlib.import_module(f"ntmtrack.cli.{module}"), attribute)
    holder = typer.Typer()
    holder.callback()(lambda: None)   # a group, whatever it holds
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_command(holder).commands[name]


@pytest.mark.parametrize("name, module, attribute, text", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_the_listed_help_is_the_commands_own(name, module, attribute, text):
    command = _built(name, module, attribute)
    assert command.help == text, f"COMMANDS[{name!r}]: copy the command's help here"
    assert not command.hidden and not command.deprecated and command.short_help is None


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_list_of_commands_reads_as_if_every_command_were_built(lang):
    """`ntmtrack --help` shows each command's first sentence without importing it: the very
    text it shows once every command is built (the tree Typer would make)."""
    from ntmtrack.cli._i18n import translate_tree
    from ntmtrack.locale import use

    def shown(build_all: bool) -> str:
        root = typer.main.get_command(app)
        previous = use(lang)
        try:
            translate_tree(root)
            if build_all:
                for name in list(root.commands):
                    root.commands[name]
            ctx = root.context_class(root, info_name="ntmtrack", terminal_width=100)
            return root.get_help(ctx)
        finally:
            use(previous)

    lazy = shown(build_all=False)
    assert lazy == shown(build_all=True)
    assert lazy.count("\n  ") > len(COMMANDS)


def test_usage_errors_still_suggest_a_command():
    result = CliRunner().invoke(app, ["stauts"], env={"NTMTRACK_LANG": "en"})
    assert result.exit_code == 2
    assert "No such command 'stauts'. Did you mean 'status'?" in result.stderr
    result = CliRunner().invoke(app, ["record", "mett"], env={"NTMTRACK_LANG": "en"})
    assert "Did you mean 'met', 'unmet'?" in result.stderr


# -- values checked without Pydantic are the values Typer gives ---------------------------

def _samples(param) -> list:
    from enum import Enum

    annotation = param.type_descriptor.annotation
    if annotation is str:
        return ["Dân Lý", "", "--x", "1.5"]
    if annotation == list[str]:
        return [("1", "2-3"), ["c17"], ()]
    if annotation is Path:
        return ["register.db", str(Path.cwd()), "-", "a/b/c.xlsx"]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        members = list(annotation)
        return [members[0], members[-1].value, members[-1].value.upper(), "nonesuch"]
    if annotation in (int, float):
        info = param.type_descriptor.parameter_info
        bounds = [b for b in (info.min, info.max) if b is not None]
        # A bounded number: its default, its bounds, and values just outside them.
        edges = [annotation(b + d) for b in bounds for d in (-1, 0, 1)]
        return ([param.default] if param.default is not None else []) + edges
    return []


def _every_param():
    root = typer.main.get_command(app)

    def walk(command):
        yield from command.params
        for sub in (getattr(command, "commands", None) or {}).values():
            yield from walk(sub)

    for name in list(root.commands):
        yield from walk(root.commands[name])


def test_values_checked_without_pydantic_are_typers():
    from typer._coercion import build_runtime_param

    from ntmtrack.cli._params import _Coercion

    root = typer.main.get_command(app)
    checked = 0
    for param in _every_param():
        if not hasattr(param, "type_descriptor"):
            continue
        ctx = typer.Context(root)
        for value in _samples(param):
            try:
                expected = build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
            except Exception as e:  # noqa: BLE001 - the same refusal is expected
                with pytest.raises(type(e)) as raised:
                    _Coercion().coerce(value, param, ctx)
                assert str(raised.value) == str(e)
                continue
            got = _Coercion().coerce(value, param, ctx)
            assert got == expected and type(got) is type(expected), (param.name, value)
            checked += 1
    assert checked > 300


# -- numbers written without Babel are Babel's ---------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.integers(min_value=-10**22, max_value=10**22),
                 st.floats(allow_nan=True, allow_infinity=True),
                 st.floats(min_value=-1e9, max_value=1e9).map(lambda x: round(x, 1))))
def test_vietnamese_numbers_without_babel_are_babels(value):
    from babel.numbers import format_decimal

    from ntmtrack.output.formats import _vi_plain

    plain = _vi_plain(value)
    if plain is not None:
        assert plain == format_decimal(value, locale="vi", decimal_quantization=False)
    else:
        assert isinstance(value, float) and "e" in repr(value) or value != value or abs(value) == float("inf")


# -- one verdict reads its own unit's plan targets ------------------------------------------

def test_the_set_of_a_few_units_is_the_one_read_from_every_target(ready):
    """SetRule.covering reads the targets of the units asked about for its first questions,
    then all: either way the same sets (a unit in Triệu Sơn's plan, a unit in none)."""
    import sqlite3
    from datetime import date

    from ntmtrack.register.criteria import _FEW_ASKS, SetRule

    ready("plan", "import", Path(__file__).resolve().parent.parent / "examples" / "trieu-son-2018.yaml")
    conn = sqlite3.connect(ready.db)
    unit_ids = [r[0] for r in conn.execute("SELECT id FROM unit ORDER BY id")]
    planned = {r[0] for r in conn.execute("SELECT unit_id FROM plan_target WHERE kind = 'criteria'")}
    assert planned and set(unit_ids) - planned
    for day in (date(2018, 6, 1), date(2030, 1, 1)):
        everything = SetRule(conn)
        for _ in range(_FEW_ASKS + 1):
            everything.covering([unit_ids[0]], day)   # past the few: every target read
        assert everything._spans is not None
        for unit_id in unit_ids:
            assert SetRule(conn).covering([unit_id], day) == everything.covering([unit_id], day)
        assert SetRule(conn).covering(unit_ids, day) == everything.covering(unit_ids, day)
    assert SetRule(conn).covering(sorted(planned)[:3], date(2018, 6, 1)) != []
    conn.close()
