"""Issue 15 item 6: human tables fit 80 columns without splitting a date, a number or a header
word (columns go by priority; the trend keeps the most recent periods); a pipe closed early
ends the command silently with exit 0."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from ntmtrack.output.render import Column, fit_columns

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_fit_columns_drops_the_lowest_priority_first():
    columns = [Column("unit", priority=100), Column("a", priority=10), Column("b", priority=50)]
    cells = [["Dân Lý", "x" * 30, "y" * 30]]
    assert fit_columns(cells, columns, "en", 80) == [0, 1, 2]
    assert fit_columns(cells, columns, "en", 50) == [0, 2]
    assert fit_columns(cells, columns, "en", 10) == [0]


@pytest.fixture
def review(ready, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    ready("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    return ready


@pytest.mark.parametrize("args", [
    ("status", "--plan", "trieu-son-2018", "--as-of", "2018-11-02"),
    ("status", "--trend", "--plan", "trieu-son-2018", "--as-of", "2018-11-02"),
    ("progress", "trieu-son-vu-dong-2022", "--as-of", "2022-10-20"),
    ("laggards", "--as-of", "2022-10-20"),
    ("criteria", "stats", "--plan", "trieu-son-2018", "--as-of", "2018-11-02"),
    ("history", "Dân Lý"),
])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_tables_fit_80_columns(review, args, lang):
    out = review(*args, "--lang", lang).stdout
    lines = out.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines), out
    for line in lines:
        # A date is whole or absent: never a piece of one at a line's end or start.
        assert not re.search(r"\d{2}/\d{1,3}$|\d{4}-\d{1,2}$", line.rstrip()), line
    if lang == "en" and args[0] == "status" and "--trend" not in args:
        assert "recognition" not in out        # the first column to go
        assert "2018-12-31" in out and "state" in out.splitlines()[1]


def test_trend_keeps_the_most_recent_periods(review):
    out = review("status", "--trend", "--plan", "trieu-son-2018", "--as-of", "2018-11-02").stdout
    header = next(line for line in out.splitlines() if line.startswith("unit"))
    periods = re.findall(r"\d{2}/\d{4}", header)
    assert periods and periods[-1] == "11/2018" and len(periods) < 12


EXE = Path(sys.executable).parent / "ntmtrack"


@pytest.mark.skipif(not EXE.exists(), reason="needs the installed ntmtrack script")
@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl", "markdown", "text"])
def test_a_pipe_closed_early_ends_silently(tmp_path, fmt):
    db = tmp_path / "r.db"
    env = {**os.environ, "NTMTRACK_DB": str(db), "NTMTRACK_LANG": "en"}
    subprocess.run([str(EXE), "init"], env=env, check=True, capture_output=True)
    subprocess.run([str(EXE), "units", "import", str(EXAMPLES / "trieu-son-units.yaml")], env=env,
                   check=True, capture_output=True)
    subprocess.run([str(EXE), "plan", "import", str(EXAMPLES / "trieu-son-vu-dong-2022.yaml")],
                   env=env, check=True, capture_output=True)
    rows = "".join(f"2022-10-01,Thọ Vực,dien-tich-vu-dong,+1,r{i}\n" for i in range(4000))
    (tmp_path / "f.csv").write_text("date,unit,measure,value,note\n" + rows, encoding="utf-8")
    subprocess.run([str(EXE), "record", "import", str(tmp_path / "f.csv")], env=env, check=True,
                   capture_output=True)
    script = f'set -o pipefail; "{EXE}" history "Thọ Vực" -f {fmt} | head -1 > /dev/null'
    piped = subprocess.run(["/bin/bash", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert piped.returncode == 0, piped.stderr
    assert "Traceback" not in piped.stderr and "Broken pipe" not in piped.stderr
