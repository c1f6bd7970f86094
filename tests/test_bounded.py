"""Bounded memory (issue 18, rule 5): `history`, `export xlsx` and the report outputs stream
their rows — a unit with a million observations is never held in memory.

The fast tests hold the streaming itself (how far a writer reads ahead of what it has written)
and the bytes of small outputs; the slow test builds a register with 1M observations of one
commune and measures whole processes with /usr/bin/time -v.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile

import pytest
from conftest import EXAMPLES

from ntmtrack.output import render
from ntmtrack.output.render import Column, Format, write

MARK = "§"
COLUMNS = [Column("id", "id", "id", "int"), Column("name", "name", "tên"),
           Column("share", "share", "tỷ lệ", "pct"), Column("mark", "mark", "mark")]


class Sink(io.StringIO):
    """An output that counts the rows written so far (each row carries one MARK)."""

    def __init__(self, tty: bool = False):
        super().__init__()
        self.rows = 0
        self.tty = tty

    def write(self, text):
        self.rows += text.count(MARK)
        return super().write(text)

    def isatty(self):
        return self.tty


def _rows(n: int, sink: Sink, ahead: int):
    """n rows; fails if the writer pulls a row while more than `ahead` are still unwritten."""
    for i in range(n):
        assert i - sink.rows <= ahead, (i, sink.rows)
        yield {"id": i, "name": f"Xã {i}" + "x" * (i % 7), "share": i / n, "mark": MARK}


@pytest.mark.parametrize("fmt,ahead", [(Format.csv, 1), (Format.tsv, 1), (Format.jsonl, 1),
                                       (Format.markdown, 1), (Format.json, 2000),
                                       (Format.table, 60)])
def test_every_format_streams_its_rows(fmt, ahead, monkeypatch, capsys):
    monkeypatch.setattr(render, "TABLE_ROWS", 50)
    sink = Sink()
    write(_rows(20_000, sink, ahead), COLUMNS, fmt, "en", out=sink)
    assert sink.rows == 20_000


def test_json_is_the_same_bytes_as_one_dump():
    for n in (0, 1, 1999, 2000, 4500):
        data = [{"id": i, "name": f"Thọ {i}", "share": [i, {"a": None}, []], "mark": MARK} for i in range(n)]
        for tty in (False, True):
            sink = Sink(tty)
            write(iter(data), COLUMNS, Format.json, "en", out=sink)
            indent = 2 if tty or n < 2000 else None
            assert sink.getvalue() == json.dumps(data, ensure_ascii=False, indent=indent) + "\n", (n, tty)


def test_a_long_table_is_plain_aligned_text_said_on_stderr(monkeypatch, capsys):
    monkeypatch.setattr(render, "TABLE_ROWS", 10)
    rows = [{"id": i, "name": "Dân Lý" if i < 15 else "Thọ Vực, xã miền núi", "share": 0.5, "mark": ""}
            for i in range(1, 26)]
    out = io.StringIO()
    write(rows, COLUMNS, Format.table, "vi", out=out, title="Triệu Sơn", footer=["25 dòng"],
          styles=lambda r: "red")
    lines = out.getvalue().splitlines()
    assert "văn bản căn cột" in capsys.readouterr().err
    assert lines[0] == "Triệu Sơn" and lines[-1] == "25 dòng"
    headers = [n for n, line in enumerate(lines) if line.split()[:2] == ["id", "tên"]]
    # the header again only above the piece that widened a column (rows 11-20: the long name)
    assert headers == [1, 13]
    body = [line for line in lines if re.match(r"\s*\d+  ", line)]
    assert [int(line.split()[0]) for line in body] == list(range(1, 26))
    assert all(line.index("50%") == body[-1].index("50%") for line in body[10:])   # aligned
    assert lines[2] == " 1  Dân Lý    50%"                                         # numbers right
    assert not any(line.endswith(" ") for line in lines)


def test_a_short_table_is_still_one_rich_table(capsys):
    out = io.StringIO()
    write([{"id": 1, "name": "Dân Lý", "share": 0.25, "mark": ""}], COLUMNS, Format.table, "en",
          out=out, title="T", styles=lambda r: None)
    assert [line.rstrip() for line in out.getvalue().splitlines()[1:]] == [
        "id  name    share  mark", " 1  Dân Lý    25%"]
    assert capsys.readouterr().err == ""


@pytest.fixture
def small(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    ready("record", "met", "Dân Lý", "1", "2", "--date", "2022-10-01", "--by", "Lan", "--set", "qd318-2022")
    ready("record", "set", "Dân Lý", "dien-tich-vu-dong", "12,5", "--date", "2022-10-02", "--by", "Lan",
          "--note", "=1+1")
    ready("record", "void", "2", "--by", "Lan")
    return ready


def test_history_table_of_a_normal_unit_looks_as_before(small):
    # One Rich table, as before streaming: the same bytes, padding included.
    from ntmtrack.read.dates import today

    out = small("history", "Dân Lý", "--lang", "vi").stdout
    assert out.splitlines() == [
        " " * 34 + "Thanh Hóa/Triệu Sơn/Cụm 4/Dân Lý" + " " * 35,
        "id  ngày        đơn vị  chỉ tiêu                 loại  giá trị  ghi chú  người ghi  nguồn      đã hủy",
        " 1  01/10/2022  Dân Lý  tiêu chí 1 (qd318-2022)  đạt   đạt               Lan        dòng lệnh        ",
        " 2  01/10/2022  Dân Lý  tiêu chí 2 (qd318-2022)  đạt   đạt               Lan        dòng lệnh  có    ",
        " 3  02/10/2022  Dân Lý  dien-tich-vu-dong        mức   12,5     =1+1     Lan        dòng lệnh        ",
        f" 4  {today():%d/%m/%Y}  Dân Lý  số liệu 2                hủy                     Lan        dòng lệnh        ",
    ]


def test_history_streams_the_same_rows_in_every_format(small):
    rows = json.loads(small("history", "Dân Lý", "-f", "json").stdout)
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    assert rows[1]["voided"] and rows[1]["voided_by"] == 4
    lines = small("history", "Dân Lý", "-f", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows
    csv_text = small("history", "Dân Lý", "-f", "csv").stdout
    assert csv_text.count("\n") == 5
    assert [r["id"] for r in json.loads(small("history", "Dân Lý", "-f", "json", "--measure", "2").stdout)] == [2, 4]
    below = json.loads(small("history", "Cụm 4", "--below", "-f", "json").stdout)
    assert [r["id"] for r in below] == [1, 2, 3, 4] and below[0]["unit_path"].endswith("Cụm 4/Dân Lý")


def test_workbook_cells_survive_the_streaming_writer(small, db, tmp_path):
    from datetime import datetime

    from openpyxl import load_workbook

    # a note an older register could hold: a control character (the door refuses it now)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO observation (unit_id, kind, date, note, by, source, recorded_at, criteria_set,"
                     " decision, level) SELECT unit_id, 'recognized', '2022-10-03', 'a\x01b', 'Lan', 'old',"
                     " recorded_at, 'qd318-2022', '=SUM(A1)', 'ntm' FROM observation WHERE id = 1")
    conn.close()
    out = tmp_path / "b.xlsx"
    small("export", "xlsx", out, "--as-of", "2022-10-05")
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]
    with zipfile.ZipFile(out) as z:
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    book = load_workbook(out)
    for ws in book:
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:"), ws.title
        assert ws["A1"].font.b and ws["A2"].font.b
    observed = [[c for c in row] for row in book["Observations"].iter_rows(min_row=3)]
    assert len(observed) == 4
    assert book["Observations"].auto_filter.ref == "A2:J6"   # … note, by, source, voided, path
    assert isinstance(observed[0][0].value, datetime) and observed[0][0].number_format == "DD/MM/YYYY"
    assert observed[2][5].value == "=1+1" and observed[2][5].data_type == "s"
    assert observed[2][4].value == 12.5
    assert observed[3][4].value == "=SUM(A1)" and observed[3][4].data_type == "s"
    assert observed[3][5].value == "a\\x01b"
    assert book["Criteria"]["E3"].number_format == "0.0%"
    progress = book["trieu-son-vu-dong-2022"]
    indents = {progress.cell(row=r, column=2).alignment.indent for r in range(3, progress.max_row + 1)}
    assert indents >= {0, 1}


def test_a_failed_workbook_leaves_nothing_behind(small, tmp_path, monkeypatch):
    from ntmtrack.output import workbook

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(workbook.laggard_rules, "laggards", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    result = small("export", "xlsx", folder / "b.xlsx", code=None)
    assert result.exit_code != 0
    assert os.listdir(folder) == []


# -- 1M observations of one commune, measured as whole processes --------------------------

MILLION = 1_000_000
LIMIT_KB = 200 * 1024


def _measure(args, env, stdout=subprocess.DEVNULL):
    """(peak RSS in kB, seconds, stderr) of `python -m ntmtrack ARGS` under /usr/bin/time -v."""
    start = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "ntmtrack", *args],
                            stdout=stdout, stderr=subprocess.PIPE, text=True, env=env)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr[-2000:]
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    print(f"{' '.join(args[:4])}: {peak / 1024:.0f} MB, {elapsed:.1f} s")
    return peak, elapsed, result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/usr/bin/time"), reason="needs GNU time (/usr/bin/time -v)")
def test_a_million_observations_of_one_unit_in_bounded_memory(tmp_path):
    db = tmp_path / "m.db"
    env = {"NTMTRACK_DB": str(db), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "NTMTRACK_LANG": "en", "COLUMNS": "200", "HOME": str(tmp_path)}

    def ntm(*args):
        result = subprocess.run([sys.executable, "-m", "ntmtrack", *map(str, args)], env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    ntm("init")
    ntm("units", "import", EXAMPLES / "trieu-son-units.yaml")
    ntm("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    # A week of a million reports from one commune, through the real import: criteria
    # verdicts and indicator increases, one transaction.
    source = tmp_path / "m.csv"
    with open(source, "w", encoding="utf-8") as f:
        f.write("date,unit,measure,value,note\n")
        for i in range(MILLION):
            day = f"2022-10-0{1 + i * 7 // MILLION}"
            if i % 4 < 2:
                f.write(f"{day},Thọ Vực,{1 + i % 19},{'met' if i % 4 == 0 else 'unmet'},ghi chú {i}\n")
            else:
                f.write(f"{day},Thọ Vực,dien-tich-vu-dong,+1,ghi chú {i}\n")
    assert f"{MILLION} added" in ntm("record", "import", source).stderr
    source.unlink()
    ntm("record", "void", "3", "--note", "nhập nhầm")
    assert ntm("db", "check").returncode == 0
    rows = MILLION + 1

    out = tmp_path / "h.csv"
    with open(out, "w") as f:
        peak, full, _ = _measure(["history", "Thọ Vực", "-f", "csv"], env, f)
    assert peak < LIMIT_KB, peak
    with open(out, encoding="utf-8") as f:
        assert sum(1 for _ in f) == rows + 1
    out.unlink()
    # Time linear in rows: a seventh of the rows (the last day) takes about a seventh of the time.
    _, one_day, _ = _measure(["history", "Thọ Vực", "-f", "csv", "--since", "2022-10-07"], env)
    assert full < 12 * one_day + 5, (full, one_day)

    with open(out, "w") as f:
        peak, _, err = _measure(["history", "Thọ Vực"], env, f)
    assert peak < LIMIT_KB, peak
    assert "plain aligned text" in err
    with open(out, encoding="utf-8") as f:
        assert sum(1 for line in f if re.match(r"\s*[\d,]+  \d{4}-\d\d-\d\d  ", line)) == rows
    out.unlink()

    for fmt in ("json", "jsonl"):
        peak, _, _ = _measure(["history", "Thọ Vực", "-f", fmt], env)
        assert peak < LIMIT_KB, (fmt, peak)

    book = tmp_path / "week.xlsx"
    peak, _, _ = _measure(["export", "xlsx", str(book), "--as-of", "2022-10-07"], env)
    assert peak < LIMIT_KB, peak
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]
    with zipfile.ZipFile(book) as z:
        sheet = max((n for n in z.namelist() if n.startswith("xl/worksheets/sheet")),
                    key=lambda n: z.getinfo(n).file_size)
        count, tail = 0, b""
        with z.open(sheet) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                count += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]   # a tag split between two reads is counted once
    assert count == MILLION + 2   # the title, the header and the week (the void is dated today)
    book.unlink()

    for args in (["status", "--as-of", "2022-10-07"], ["status", "--trend", "--as-of", "2022-10-07"],
                 ["progress", "trieu-son-vu-dong-2022", "--as-of", "2022-10-03"],
                 ["laggards", "--as-of", "2022-10-03"], ["summary", "--as-of", "2022-10-07"],
                 ["criteria", "stats", "--as-of", "2022-10-07"],
                 ["report", "html", str(tmp_path / "r.html"), "--as-of", "2022-10-07"]):
        peak, _, _ = _measure(args, env)
        assert peak < LIMIT_KB, (args, peak)
    shutil.rmtree(tmp_path, ignore_errors=True)
