"""Checking command-line values without importing Pydantic, where that gives the same value.

Typer (≥ 0.29) checks every parameter through a Pydantic TypeAdapter, built before it even
looks at the value, and importing Pydantic costs more than a whole `ntmtrack --help` (about
70 ms of the 140 ms a trivial Typer command takes). The values ntmtrack's commands mostly take
— absent options, text, lists of text, a choice, a path — are checked here by Typer's own
functions, as Typer would check them; anything else (numbers, a value refused) goes to Typer's
checker, so the values and the messages are Typer's in every case.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import get_args, get_origin

_TYPERS = object()   # "not checked here: Typer's own checker decides"


class _Coercion:
    """Stands for Typer's runtime checker of one parameter (`param._runtime_param`)."""

    __slots__ = ("real",)

    def __init__(self):
        self.real = None

    def coerce(self, value, param, ctx):
        if value is None:   # absent: what Typer's RuntimeParam.coerce answers
            return () if (param.multiple or param.nargs == -1) else None
        checked = _plain(value, param, ctx)
        if checked is not _TYPERS:
            return checked
        if self.real is None:
            from typer._coercion import build_runtime_param

            self.real = build_runtime_param(param.type_descriptor)
        return self.real.coerce(value, param=param, ctx=ctx)


def _plain(value, param, ctx):
    """`value` checked as Typer's adapter would (same result), or _TYPERS."""
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if info.parser is not None or descriptor.file_annotation is not None:
        return _TYPERS
    if annotation is str:
        return value if type(value) is str else _TYPERS
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        if isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
            return list(value)
        return _TYPERS
    if annotation in (int, float) and type(value) is annotation:
        # A default (`--threshold` 0.8, `--waiting-days` 15): Typer's adapter returns it as it
        # is when inside its bounds; outside them (or clamped) Typer's checker decides.
        inside = (info.min is None or value >= info.min) and (info.max is None or value <= info.max)
        return value if inside else _TYPERS
    if isinstance(annotation, type) and issubclass(annotation, Enum) and (
            type(value) is str or isinstance(value, annotation)):
        from typer._param_types import coerce_cli_choice

        try:
            return coerce_cli_choice(value, choices=list(annotation),
                                     case_sensitive=info.case_sensitive, ctx=ctx)
        except ValueError:   # refused: Typer's checker writes the message
            return _TYPERS
    if annotation is Path and info.path_type is None and type(value) is str and value:
        from typer._param_types import coerce_cli_path

        # Typer turns the text into a Path through Pydantic, then runs these same checks.
        return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    return _TYPERS


def checks_without_pydantic(command) -> None:
    """Every parameter of `command`, and of the commands built under it, checked by
    `_Coercion` (where Typer has its lazily built checker; another Typer is left alone)."""
    # --help is made on first use; made now (Click keeps it) so that it is covered too.
    made_help = command.get_help_option(type(command).context_class(command))
    for param in [*command.params, *([made_help] if made_help else [])]:
        if getattr(param, "_runtime_param", False) is None and hasattr(param, "type_descriptor"):
            param._runtime_param = _Coercion()
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        for sub in subcommands.values():
            checks_without_pydantic(sub)
