"""Every command has help text and appears in the README; the quick start is two commands."""

import re
from pathlib import Path

from typer.main import get_command

from ntmtrack.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        path = prefix + (name,)
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path, command


def test_every_command_has_help_and_is_in_the_readme():
    commands = list(_commands(get_command(app)))
    assert len(commands) >= 30
    for path, command in commands:
        assert command.help and command.help.strip(), path
        assert f"ntmtrack {' '.join(path)}" in README, path


def test_quick_start_is_exactly_two_commands():
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    assert "ntmtrack demo" in lines[0] and "pytest" in lines[1]
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "pytest" in ci and "'.[test]'" in ci
