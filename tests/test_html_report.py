"""`report html` in a real browser: headless Chromium renders it without console errors, takes
a screenshot, and the numbers in its DOM are the ones `status --format json` gives."""

import json
import os
import re
import shutil
import subprocess

import pytest
from conftest import EXAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture
def review(run, tmp_path):
    run("init")
    run("units", "import", EXAMPLES / "trieu-son-units.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-2018.yaml")
    run("plan", "import", EXAMPLES / "trieu-son-vu-dong-2022.yaml")
    run("record", "import", EXAMPLES / "bao-cao-giao-ban-2018.csv")
    for commune, criteria, day in [("Dân Lý", range(1, 20), "2018-10-15"), ("Tân Ninh", range(1, 20), "2018-10-15"),
                                   ("Thọ Thế", range(1, 18), "2018-09-15"), ("Minh Châu", range(1, 11), "2018-08-15")]:
        run("record", "met", commune, *map(str, criteria), "--date", day)
    run("record", "set", "Dân Lý", "thu-hoach-lua-mua", "60", "--date", "2018-10-31")
    return run


def _chromium(*args, tmp_path):
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", f"--user-data-dir={profile}", "--enable-logging=stderr",
         "--v=0", *args], capture_output=True, text=True, timeout=120)


def test_html_report_is_self_contained_and_escapes_names(review, tmp_path):
    review("units", "add", "<img src=x onerror=alert(1)> Xã Mới", "--kind", "commune", "--parent", "Triệu Sơn")
    out = tmp_path / "bao-cao.html"
    review("report", "html", out, "--under", "Triệu Sơn", "--as-of", "02/11/2018", "--lang", "vi")
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html  # no script at all, names escaped
    assert "&lt;img src=x onerror=alert(1)&gt; Xã Mới" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from a network
    assert "@media print" in html and "size: A4" in html
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "ngày 02 tháng 11 năm 2018" in html
    assert html.count("<svg") >= 3
    english = review("report", "html", "-", "--under", "Triệu Sơn", "--as-of", "02/11/2018",
                     "--lang", "en").stdout
    assert "Bottleneck criteria" in english and "Units falling behind" in english


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="no Chromium here (.ci/run installs Debian's chromium)")
def test_html_report_renders_in_chromium_with_the_status_numbers(review, tmp_path):
    assert CHROMIUM, "CI must have Chromium: .ci/run installs it"
    out = tmp_path / "bao-cao.html"
    review("report", "html", out, "--under", "Triệu Sơn", "--as-of", "02/11/2018", "--lang", "vi")
    shot = tmp_path / "shot.png"
    result = _chromium(f"--screenshot={shot}", "--window-size=1240,1754", out.as_uri(), tmp_path=tmp_path)
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    dom = _chromium("--dump-dom", out.as_uri(), tmp_path=tmp_path)
    assert "CONSOLE" not in dom.stderr, [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    status = json.loads(review("status", "--under", "Triệu Sơn", "--as-of", "02/11/2018", "-f", "json").stdout)
    shown = dict(re.findall(r'class="num criteria-met" data-unit="([^"]+)"[^>]*? data-value="([^"]+)"', dom.stdout))
    assert shown and shown == {r["unit"]: str(r["criteria_met"]) for r in status}
    meeting_all = sum(1 for r in status if r["criteria_met"] == r["criteria_total"])
    assert re.search(rf'id="meeting-all">{meeting_all}<', dom.stdout)
    average = sum(r["criteria_met"] for r in status) / len(status)
    value = re.search(r'id="average-criteria" data-value="([^"]+)"', dom.stdout).group(1)
    assert float(value) == pytest.approx(average, abs=0.01)
    assert dom.stdout.count("<svg") >= 3 and 'class="laggard"' in dom.stdout
