"""Strict YAML reading: text → plain data whose every value knows its line and column.

The only module that imports PyYAML. Every scalar stays a string (no YAML 1.1 guessing:
`00010` is not 8, `no` is not False, `1:20` is not 80); the schema layers convert types.
Refused: tags that build objects, duplicate keys, expansion past a node budget (alias
bombs), nesting past a depth (libyaml segfaults on ~30,000 `[`), oversized files and scalars.
"""

from __future__ import annotations

from ..locale import N_, _
from ..model import Problem

MAX_BYTES = 8 * 1024 * 1024
MAX_SCALAR = 64 * 1024
MAX_DEPTH = 50
MAX_NODES = 500_000

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


# What PyYAML says most often about a hand-written file (e.context, e.problem), as msgids.
YAML_WORDS = [
    N_("while parsing a block mapping"), N_("while parsing a block collection"),
    N_("while parsing a flow sequence"), N_("while parsing a flow mapping"),
    N_("while parsing a flow node"), N_("while parsing a block node"),
    N_("while scanning a simple key"), N_("while scanning a plain scalar"),
    N_("while scanning a quoted scalar"), N_("while scanning a block scalar"),
    N_("while scanning an alias"), N_("while scanning an anchor"), N_("while scanning a tag"),
    N_("while scanning for the next token"),
    N_("expected <block end>, but found '<block mapping start>'"),
    N_("expected <block end>, but found '<scalar>'"), N_("expected <block end>, but found '-'"),
    N_("expected <block end>, but found '?'"), N_("expected <block end>, but found '<block sequence start>'"),
    N_("did not find expected key"), N_("did not find expected '-' indicator"),
    N_("did not find expected ',' or ']'"), N_("did not find expected ',' or '}'"),
    N_("did not find expected node content"), N_("could not find expected ':'"),
    N_("mapping values are not allowed here"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("found unexpected end of stream"), N_("found unknown escape character"),
    N_("found character that cannot start any token"),
    N_("found undefined alias"), N_("found duplicate anchor; first occurrence"),
    N_("expected a single document in the stream"), N_("but found another document"),
]


class YStr(str):
    """A scalar with its position (1-based line and column)."""

    line: int
    col: int
    quoted: bool


class YList(list):
    line: int
    col: int


class YMap(dict):
    """A mapping; `key_pos[key]` is where the key itself was written."""

    line: int
    col: int
    key_pos: dict


class YamlError(Exception):
    def __init__(self, problem_line: int | None, col: int | None, message: str):
        self.line, self.col, self.message = problem_line, col, message
        super().__init__(message)


def _pos(obj, mark):
    obj.line, obj.col = mark.line + 1, mark.column + 1
    return obj


def _precheck(text: str) -> None:
    """Refuse, before libyaml sees it, what would crash or exhaust the parser."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise YamlError(line, None, _("NUL byte in file"))
    depth = 0
    for number, raw in enumerate(text.split("\n"), 1):
        indent = len(raw) - len(raw.lstrip(" "))
        if indent > MAX_DEPTH * 8:
            raise YamlError(number, None, _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH))
        in_quote = None
        for ch in raw:
            if in_quote:
                if ch == in_quote:
                    in_quote = None
            elif ch in "\"'" and depth:
                in_quote = ch
            elif ch == "#" and not depth:
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(number, None, _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH))
            elif ch in "]}":
                depth = max(0, depth - 1)


def _loader_class():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers: dict = {}

    return yaml, StrictLoader


class _Several(Exception):
    def __init__(self, errors: list[YamlError]):
        self.errors = errors


def load(text: str, source: str = "<input>", positions: bool = True):
    """Parse `text`; return (data, problems). Data is None when the file cannot be read.

    With `positions` False the data is plain str, list and dict, without line and column:
    half the memory and time for a big file that parses (a national unit tree); a caller
    that finds a problem in it reads the file again with positions to say where."""
    try:
        return _load(text, positions), []
    except YamlError as e:
        return None, [Problem(source, e.line, e.col, e.message)]
    except _Several as several:
        return None, [Problem(source, e.line, e.col, e.message) for e in several.errors]


def _load(text: str, positions: bool = True):
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlError(None, None, _("file larger than {MAX_BYTES} MiB").format(MAX_BYTES=MAX_BYTES // (1024 * 1024)))
    _precheck(text)
    yaml, loader = _loader_class()
    import gc

    # Pausing the collector during the parse halves libyaml loading time on big plans.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        # PyYAML's own words: the common ones are msgids (YAML_WORDS); others stay as they are.
        message = " ".join(_(str(part)) for part in (e.context, e.problem) if part)
        if mark is None:
            raise YamlError(None, None, message) from None
        raise YamlError(mark.line + 1, mark.column + 1, message) from None
    except yaml.YAMLError as e:
        raise YamlError(None, None, str(e)) from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as e:
        raise YamlError(None, None, _("cannot parse: {error}").format(error=type(e).__name__)) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    if node is None:
        return None
    found: list[YamlError] = []
    data = _build(node, 0, _Budget(), found, plain=not positions)
    if found:
        raise _Several(found)
    return data


class _Budget:
    """Counts values built through aliases. A file's own nodes are bounded by its size; an
    alias bomb is not, because every alias re-expands its anchor's whole subtree."""

    def __init__(self):
        self.left = MAX_NODES
        self.seen: set[int] = set()


def _build(node, depth: int, budget: _Budget, found: list, aliased: bool = False, plain: bool = False):
    import yaml

    if id(node) in budget.seen:
        aliased = True
    else:
        budget.seen.add(id(node))
    if aliased:
        budget.left -= 1
        if budget.left < 0:
            raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1,
                            _("document expands past {MAX_NODES} values through aliases").format(MAX_NODES=MAX_NODES))
    if depth > MAX_DEPTH:
        raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1,
                        _("nesting deeper than {MAX_DEPTH} levels").format(MAX_DEPTH=MAX_DEPTH))
    if node.tag not in _PLAIN_TAGS:
        found.append(YamlError(node.start_mark.line + 1, node.start_mark.column + 1,
                               _("tag {tag!r} is not allowed: these files hold data only").format(tag=node.tag)))
        return None
    if isinstance(node, yaml.ScalarNode):
        if len(node.value) > MAX_SCALAR:
            raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1,
                            _("value longer than {MAX_SCALAR} characters").format(MAX_SCALAR=MAX_SCALAR))
        if plain:
            return node.value
        value = _pos(YStr(node.value), node.start_mark)
        value.quoted = bool(node.style) and node.style in ("'", '"', "|", ">")
        return value
    if isinstance(node, yaml.SequenceNode):
        out = [] if plain else _pos(YList(), node.start_mark)
        for item in node.value:
            out.append(_build(item, depth + 1, budget, found, aliased, plain))
        return out
    out = {} if plain else _pos(YMap(), node.start_mark)
    key_pos: dict = {}   # where each key was written (YMap keeps it; plain data only here)
    merged: dict = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and not key_node.style:
            sources = [value_node] if isinstance(value_node, yaml.MappingNode) else (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [])
            for src in sources:
                built = _build(src, depth + 1, budget, found, aliased, plain)
                if isinstance(built, dict):   # a YMap, or plain data (which keeps no positions)
                    for k, v in built.items():
                        merged.setdefault(k, (v, built.key_pos[k] if not plain else None))
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            found.append(YamlError(key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                   _("a key must be plain text")))
            continue
        key = _build(key_node, depth + 1, budget, found, aliased, plain)
        if key is None:
            continue  # a refused tag, already reported
        line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if key in out:
            first = key_pos[key][0]
            found.append(YamlError(line, col,
                                   _("duplicate key '{key}' (first at line {first})").format(key=key, first=first)))
            continue
        out[key] = _build(value_node, depth + 1, budget, found, aliased, plain)
        key_pos[key] = (line, col)
    for k, (v, pos) in merged.items():
        if k not in out:
            out[k] = v
            key_pos[k] = pos
    if not plain:
        out.key_pos = key_pos
    return out


def dump(data) -> str:
    """YAML text for data we produce (exports): Vietnamese kept readable, keys in order."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
