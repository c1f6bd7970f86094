"""Issue 15, "at the secretary's desk": the small things that read wrong (item 7)."""

import json

from conftest import EXAMPLES

from ntmtrack.output.formats import counted
from ntmtrack.output.labels import reason_text
from ntmtrack.output.summary import as_text


def test_counted_is_singular_for_one():
    assert counted(1, "day", "days") == "1 day"
    assert counted(3, "day", "days") == "3 days"
    assert counted(1, "ngày", "ngày", "vi") == "1 ngày"


def test_one_day_overdue_reads_right_in_both_languages():
    row = {"target": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10), "reason": "overdue", "days_left": -1,
           "actual": 7, "goal": 10, "expected": 10, "period_start": None, "period_end": None}
    assert reason_text(row, "en") == "criteria 1-10: 1 day overdue, 7 of 10"
    assert reason_text(row, "vi") == "tiêu chí 1-10: quá hạn 1 ngày, đạt 7/10"
    assert "2 days overdue" in reason_text({**row, "days_left": -2}, "en")


def test_summary_shows_a_dash_for_no_earlier_value():
    data = {"since": "2022-09-17", "as_of": "2022-09-24", "newly_met": [], "newly_lost": [],
            "indicator_gains": [{"unit": "Dân Lý", "unit_path": "A/Dân Lý", "indicator": "bhyt",
                                 "from": None, "to": 84.0, "change": 84.0},
                                {"unit": "Thọ Thế", "unit_path": "A/Thọ Thế", "indicator": "bhyt",
                                 "from": 80.0, "to": 84.0, "change": 4.0}],
            "recognitions": [], "laggard_count": 0, "laggards": [], "due_soon": [
                {"unit": "Dân Lý", "unit_path": "A/Dân Lý", "plan": "p", "target": list(range(1, 11)),
                 "deadline": "2022-10-01"}],
            "missed_reports": [], "reported_on_time_share": None, "dossier_steps": [],
            "departments_waiting": [], "waiting_days": 15}
    text = as_text(data, "vi")
    assert "Dân Lý bhyt: — → 84" in text and "Thọ Thế bhyt: 80 → 84" in text
    assert "tiêu chí 1-10" in text and "1,2,3" not in text


def test_summary_json_from_is_null_without_earlier_value(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    ready("record", "set", "Dân Lý", "ho-so-tieu-chi", "12", "--date", "01/11/2018")
    data = json.loads(ready("summary", "--as-of", "02/11/2018", "--format", "json").stdout)
    gain = next(g for g in data["indicator_gains"] if g["unit"] == "Dân Lý")
    assert gain["from"] is None and gain["to"] == 12


def test_did_you_mean_shows_the_name_not_the_alias(ready):
    ready("units", "add", "Phúc Thành", "--kind", "commune", "--parent", "Cụm 1",
          "--alias", "Phuc Thanh Cu")
    result = ready("record", "met", "Phuc Thanh Cux", "1", code=1)
    assert "did you mean: Phúc Thành?" in result.stderr
    assert "Phúc Thành, Phuc Thanh Cu" not in result.stderr and "?: Phuc" not in result.stderr


def test_did_you_mean_shows_paths_when_names_repeat(ready):
    ready("units", "add", "Xóm Mới", "--kind", "village", "--parent", "Dân Lý")
    ready("units", "add", "Xóm Mới", "--kind", "village", "--parent", "Thọ Thế")
    result = ready("history", "Xom Moix", code=1)
    # each as what names it alone, pasted back
    assert "Dân Lý/Xóm Mới" in result.stderr and "Thọ Thế/Xóm Mới" in result.stderr
    ready("history", "Dân Lý/Xóm Mới")


def test_backup_into_a_missing_directory_says_so(ready, tmp_path):
    result = ready("db", "backup", tmp_path / "nope" / "copy.db", code=1)
    assert "the directory" in result.stderr and "does not exist" in result.stderr
    assert "unable to open" not in result.stderr
    assert not (tmp_path / "nope").exists()


def test_progress_under_a_unit_shows_no_ancestor(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    rows = json.loads(ready("progress", "trieu-son-vu-dong-2022", "--under", "Triệu Sơn",
                            "--as-of", "20/09/2022", "-f", "json").stdout)
    shown = {r["unit_path"] for r in rows}
    assert "Thanh Hóa/Triệu Sơn" in shown and "Thanh Hóa" not in shown
    assert all(p.startswith("Thanh Hóa/Triệu Sơn") for p in shown)


def test_laggards_footer_counts_in_the_singular(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    result = ready("laggards", "--plan", "trieu-son-2018", "--under", "Dân Lực", "--as-of", "02/11/2018")
    assert "1 unit behind" in result.stdout


def test_demo_hint_names_the_executable_as_invoked(run, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", [".venv/bin/ntmtrack", "demo"])
    err = run("demo", "--path", tmp_path / "demo.db").stderr
    assert "Try: .venv/bin/ntmtrack status --db" in err and "\n     .venv/bin/ntmtrack progress" in err


def test_laggards_text_is_a_mail_body(ready):
    ready("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    text = ready("laggards", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "-f", "text").stdout
    lines = text.splitlines()
    assert lines[0] == "NTM: 8 units behind as of 2018-11-02"
    assert all(len(x) <= 80 for x in lines)
    assert "ho-so-tieu-chi" not in text and "Hồ sơ tiêu chí hoàn thiện: behind, 0 against 17.4" in text
    entries = [x for x in lines if x.startswith("- ")]
    assert len(entries) == 8 and entries[0].startswith("- Dân Lực: ")
    vi = ready("laggards", "--plan", "trieu-son-2018", "--as-of", "02/11/2018", "-f", "text", "--lang", "vi").stdout
    assert vi.startswith("NTM: 8 đơn vị chậm tiến độ đến ngày 02/11/2018") and "17,4" in vi


def test_plan_messages_say_how_to_write_it(ready, tmp_path):
    head = "plan: p\ntitle: T\nstart: 2022-01-01\nend: 2022-12-31\nmetrics:\n"
    cases = {
        "tab.yaml": (head + "\t- code: bhyt\n", "6:1: a tab is used for indentation; YAML indents with spaces"),
        "pct.yaml": (head + "  - code: bhyt\n    name: B\n    measure: %\n", 'quote it: measure: "%"'),
        "comma.yaml": (head + '  - code: bhyt\n    name: B\n    measure: "%"\n    targets: {Dân Lý: 88,5}\n',
                       'quote it ("88,5") or write 88.5'),
    }
    for name, (text, expected) in cases.items():
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        err = ready("plan", "validate", f, code=1).stderr
        assert expected in err and "cannot start any token" not in err, err
