"""Vietnamese throughout (issue 15, item 1): the gettext catalogue is complete and in step with
the sources, and with a Vietnamese locale every `--help` and every error of the hostile-input
corpus reads without an English sentence; English otherwise."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from ntmtrack.cli import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ntmtrack"
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "ntmtrack.po"
MO = PO.with_suffix(".mo")
# As the README's `pybabel extract` line says them (babel.cfg holds the methods).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "tr": (2,), "ntr": (2, 3), "trp": ((2, "c"), 3)}
VI = {"LANG": "vi_VN.UTF-8", "NTMTRACK_LANG": None, "LC_ALL": None, "LC_MESSAGES": None,
      "COLUMNS": "100"}

# Common English words; three in a row (with two of these among them) make an English sentence.
ENGLISH = set("""
the of and to a an is are be been for with this that these those in on at by from or not no it
its as than then show message exit option options command commands error usage missing argument
invalid value values file files must should cannot can only one each every has have was were will
would there which what when where who unknown expected found line column number date name please
use try help did you mean default required already nothing written such given here into but more
""".split())


def english_sentences(text: str) -> list[str]:
    """Runs of at least three plain-ASCII words, two of them common English words, once code
    is set aside: quoted text, `ntmtrack …` command lines, options, paths, codes, placeholders."""
    text = re.sub(r"ntmtrack [^\n]*", " ", text)
    text = re.sub(r"`[^`]*`|'[^'\n]*'|\"[^\"\n]*\"|«[^»]*»|<[^>\s]*>|\{[^}\s]*\}", " ", text)
    words = [w for w in re.split(r"[\s,;:()\[\]!?]+", text) if w]
    found, run = [], []
    for word in words + ["—"]:
        plain = word.rstrip(".")
        if re.fullmatch(r"[A-Za-z]+", plain) and not word.startswith("-"):
            run.append(plain.lower())
            continue
        if len(run) >= 3 and len({w for w in run if w in ENGLISH}) >= 2:
            found.append(" ".join(run))
        run = []
    return found


def test_the_detector_finds_english_and_passes_vietnamese():
    assert english_sentences("Show this message and exit.")
    assert english_sentences("error: no plan 'x'; known plans: none")
    assert not english_sentences("Lỗi: không tìm thấy kế hoạch 'x'; các kế hoạch đã có: không có")
    assert not english_sentences("Ví dụ: ntmtrack record met \"Dân Lý\" 1-3 17 --date 12/10/2018")


# -- (a) the catalogue ------------------------------------------------------------------------

def _catalogue():
    with PO.open("rb") as stream:
        return read_po(stream)


def _key(message_id, context=None):
    return (context, message_id if isinstance(message_id, str) else message_id[0])


def test_every_message_has_a_vietnamese_translation():
    catalogue = _catalogue()
    missing = [m.id for m in catalogue if m.id and (
        m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))]
    assert not missing, f"{len(missing)} message(s) without Vietnamese: {missing[:10]}"
    assert len([m for m in catalogue if m.id]) > 400


def test_translations_keep_the_placeholders():
    placeholder = re.compile(r"\{(\w*)(?:![rs])?(?::[^}]*)?\}")
    for m in _catalogue():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(placeholder.findall(ids[-1])) | set(placeholder.findall(ids[0]))
        for string in strings:
            assert set(placeholder.findall(string)) <= wanted, (m.id, string)


def test_the_catalogue_is_in_step_with_the_sources():
    """`pybabel extract` would find nothing new (and nothing the sources no longer say): run the
    README's extract/update/compile when this fails."""
    method_map = [("cli/**.py", "ntmtrack.locale.extract.extract_cli"), ("**.py", "python")]
    extracted = set()
    for _, _, message, _, context in extract_from_dir(str(PACKAGE), method_map, keywords=KEYWORDS):
        extracted.add(_key(message, context))
    in_po = {_key(m.id, m.context) for m in _catalogue() if m.id}
    assert not extracted - in_po, f"not in the catalogue: {sorted(extracted - in_po, key=str)[:10]}"
    assert not in_po - extracted, f"no longer in the sources: {sorted(in_po - extracted, key=str)[:10]}"


def test_the_compiled_catalogue_is_the_po():
    with MO.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    for m in _catalogue():
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            assert compiled.ngettext(*m.id, 2) == m.string[0], m.id
        elif m.context:
            assert compiled.pgettext(m.context, m.id) == m.string, m.id
        else:
            assert compiled.gettext(m.id) == m.string, m.id


# -- (b) every --help -------------------------------------------------------------------------

def _command_paths():
    import typer.main

    def walk(command, path):
        yield path
        for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_every_help_is_vietnamese_under_a_vietnamese_locale():
    runner = CliRunner()
    paths = _command_paths()
    assert len(paths) > 50
    english = {}
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env=VI)
        assert result.exit_code == 0, (path, result.output)
        assert "Cách dùng:" in result.stdout and "Usage:" not in result.stdout, path
        if found := english_sentences(result.stdout):
            english[" ".join(path) or "ntmtrack"] = found
    assert not english, english


def test_help_is_english_otherwise():
    runner = CliRunner()
    result = runner.invoke(app, ["record", "met", "--help"],
                           env={**VI, "LANG": "C.UTF-8"})
    assert "Usage:" in result.stdout and "Show this message and exit." in result.stdout
    result = runner.invoke(app, ["record", "met", "--help"], env={**VI, "LC_ALL": "en_US.UTF-8"})
    assert "Usage:" in result.stdout, "LC_ALL comes before LANG"
    result = runner.invoke(app, ["record", "met", "--help", "--lang", "vi"],
                           env={**VI, "LANG": "C.UTF-8"})
    assert "Cách dùng:" in result.stdout, "--lang is read before Click parses"
    result = runner.invoke(app, ["record", "met", "--help"],
                           env={**VI, "LANG": "C.UTF-8", "NTMTRACK_LANG": "vi"})
    assert "Cách dùng:" in result.stdout


@pytest.mark.parametrize("args", [
    ["record", "met"], ["status", "--threshold", "abc"], ["status", "-f", "bogus"], ["stauts"],
    ["--bogus"], ["units", "add", "X", "--kind"], ["status", "extra"],
])
def test_clicks_own_errors_are_vietnamese(args):
    result = CliRunner().invoke(app, args, env=VI)
    assert result.exit_code == 2, result.output
    assert "Lỗi:" in result.stderr and "Error:" not in result.stderr, result.stderr
    assert not english_sentences(result.stderr), result.stderr

# -- (c) the hostile-input corpus -------------------------------------------------------------

import test_bad_inputs  # noqa: E402  (its corpus and its register template)
from test_bad_inputs import BAD, COMMANDS, EXPECTED  # noqa: E402

template = test_bad_inputs.template  # the module-scoped fixture, shared


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_in_vietnamese(template, tmp_path, name):  # noqa: F811
    db = tmp_path / "r.db"
    shutil.copy(template, db)
    spec = EXPECTED[name]
    path = BAD / name
    if spec.get("generated"):
        path = tmp_path / name
        path.write_text("plan: " + "x" * (20 * 1024 * 1024) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*COMMANDS[spec["command"]], str(path), "--db", str(db)],
                                env=VI)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() and "Traceback" not in result.stderr
    assert not english_sentences(result.stderr), result.stderr
