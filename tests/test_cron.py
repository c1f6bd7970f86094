"""Issue 15 item 5: every crontab line of the README runs as cron runs it — cron's `%` rule
applied, `/bin/sh -c`, HOME, PATH=/usr/bin:/bin and SHELL=/bin/sh only — and does what its
comment says. The README's paths are mapped into tmp_path (/srv/ntm) and to this
environment's ntmtrack (/opt/ntmtrack/.venv/bin/ntmtrack); `mail` is a stub that keeps what
it is sent."""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
INSTALLED = "/opt/ntmtrack/.venv/bin/ntmtrack"
EXE = Path(sys.executable).parent / "ntmtrack"

pytestmark = pytest.mark.skipif(not EXE.exists() or not Path("/bin/sh").exists(),
                                reason="needs the installed ntmtrack script and /bin/sh")


def crontab_lines() -> list[str]:
    blocks = re.findall(r"```cron\n(.*?)```", README, re.DOTALL)
    return [line for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def cron_command(line: str) -> tuple[str, str]:
    """(the command sh runs, its stdin) by cron's rule: five time fields, then the command;
    an unescaped % ends the command (the rest is stdin, its % becoming new lines), \\% is %."""
    command = line.split(None, 5)[5]
    parts, current, i = [], "", 0
    while i < len(command):
        if command[i] == "\\" and command[i + 1:i + 2] == "%":
            current += "%"
            i += 2
            continue
        if command[i] == "%":
            parts.append(current)
            current = ""
        else:
            current += command[i]
        i += 1
    parts.append(current)
    return parts[0], "\n".join(parts[1:])


def test_the_readme_has_the_three_cron_lines():
    lines = crontab_lines()
    assert len(lines) == 3
    for line in lines:
        command, stdin = cron_command(line)
        assert stdin == "", f"a bare % in: {line}"
        assert INSTALLED in command and " ntmtrack " not in f" {command.split(INSTALLED)[0]} "
    assert sum("NTMTRACK_LANG=vi" in line for line in lines) == 2   # the two a person reads


@pytest.fixture
def srv(tmp_path):
    """/srv/ntm: a register with one commune behind a plan in force whatever today is (its
    deadline is in 9998, nothing is met yet: any expected progress makes it behind)."""
    srv = tmp_path / "srv" / "ntm"
    (srv / "backups").mkdir(parents=True)
    env = {**os.environ, "NTMTRACK_DB": str(srv / "huyen.db"), "NTMTRACK_LANG": "en"}
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "plan: dai-han\ntitle: Về đích\ncriteria_set: qd1980-2016\nstart: 2000-01-01\nend: 9998-12-31\n"
        "units:\n  - name: Thanh Hóa\n    kind: province\n    children:\n"
        "      - name: Triệu Sơn\n        kind: district\n        children:\n"
        "          - {name: Dân Lý, kind: commune}\n"
        "targets:\n  - {unit: Dân Lý, criteria: all, by: 9998-12-31}\n", encoding="utf-8")
    for args in (["init"], ["plan", "import", str(plan)]):
        subprocess.run([str(EXE), *args], env=env, check=True, capture_output=True)
    stub = tmp_path / "bin" / "mail"
    stub.parent.mkdir()
    stub.write_text(f'#!/bin/sh\n{{ echo "ARGS: $*"; cat; }} >> "{tmp_path}/mailbox"\n')
    stub.chmod(0o755)
    return tmp_path


def run_line(line: str, root: Path, **override):
    command, stdin = cron_command(line)
    command = (command.replace(INSTALLED, str(EXE)).replace("/srv/ntm", str(root / "srv" / "ntm"))
               .replace("mail -s", f"{root}/bin/mail -s"))
    for old, new in override.items():
        command = command.replace(old, new)
    env = {"HOME": str(root), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}
    return subprocess.run(["/bin/sh", "-c", command], input=stdin, env=env, capture_output=True, check=False,
                          text=True, timeout=120)


def test_weekly_summary_line(srv):
    line = next(x for x in crontab_lines() if " summary " in x)
    done = run_line(line, srv)
    assert done.returncode == 0, done.stderr
    written = list((srv / "srv" / "ntm" / "reports").glob("*-W*.md"))
    assert len(written) == 1 and re.fullmatch(r"\d{4}-W\d{2}\.md", written[0].name)
    assert written[0].read_text(encoding="utf-8").startswith("# Tóm tắt tuần NTM")


def test_laggards_line_mails_the_list_only_when_there_are_laggards(srv):
    line = next(x for x in crontab_lines() if " laggards " in x)
    done = run_line(line, srv)
    assert done.returncode == 0, done.stderr
    mail = (srv / "mailbox").read_text(encoding="utf-8")
    assert "ARGS: -s NTM: danh sách chậm tiến độ vp-ntm@example.vn" in mail
    assert "NTM: 1 đơn vị chậm tiến độ" in mail and "- Dân Lý: tiêu chí 1-19: chậm" in mail
    assert all(len(x) <= 80 for x in mail.splitlines())


def test_laggards_line_alerts_when_ntmtrack_fails(srv):
    line = next(x for x in crontab_lines() if " laggards " in x)
    done = run_line(line, srv, **{"huyen.db": "missing.db"})
    assert done.returncode == 0, done.stderr
    mail = (srv / "mailbox").read_text(encoding="utf-8")
    assert "ARGS: -s NTM: ntmtrack lỗi (mã 1)" in mail and "lỗi:" in mail  # NTMTRACK_LANG=vi: the error too
    assert "danh sách" not in mail


def test_laggards_line_mails_nothing_without_laggards(srv):
    line = next(x for x in crontab_lines() if " laggards " in x)
    # The same line on a day before the plan starts: nobody lags, exit 0, no mail.
    done = run_line(line, srv, **{"--fail-on-any": "--fail-on-any --as-of 1999-12-31"})
    assert done.returncode == 0, done.stderr
    assert not (srv / "mailbox").exists()


def test_backup_line(srv):
    line = next(x for x in crontab_lines() if " backup " in x)
    done = run_line(line, srv)
    assert done.returncode == 0, done.stderr
    copies = list((srv / "srv" / "ntm" / "backups").glob("huyen-*.db"))
    assert len(copies) == 1 and re.fullmatch(r"huyen-\d{4}-\d{2}-\d{2}\.db", copies[0].name)
    assert sqlite3.connect(copies[0]).execute("SELECT count(*) FROM unit").fetchone()[0] == 3
    assert "register ok" in done.stderr
