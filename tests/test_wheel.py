"""The built wheel carries its data: installed into a fresh venv, used from another directory."""

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("ntmtrack-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    exe = env_dir / "bin" / "ntmtrack"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NTMTRACK_DB": str(elsewhere / "r.db")}
    subprocess.run([str(exe), "init"], cwd=elsewhere, env=env, check=True, capture_output=True)
    out = subprocess.run([str(exe), "criteria", "list", "--format", "json"], cwd=elsewhere,
                         env=env, check=True, capture_output=True, text=True).stdout
    assert len(json.loads(out)) == 10
    demo = subprocess.run([str(exe), "demo"], cwd=elsewhere, env=env, capture_output=True,
                          text=True)
    assert demo.returncode == 0, demo.stderr
    assert (elsewhere / "ntmtrack-demo.db").exists()
    # The compiled Vietnamese catalogue travels in the wheel (issue 15: help and errors in vi).
    import zipfile

    assert "ntmtrack/locale/vi/LC_MESSAGES/ntmtrack.mo" in zipfile.ZipFile(wheel).namelist()
    help_vi = subprocess.run([str(exe), "record", "met", "--help"], cwd=elsewhere,
                             env={**env, "LANG": "vi_VN.UTF-8"}, capture_output=True, text=True)
    assert "Cách dùng:" in help_vi.stdout and "Hiện hướng dẫn này rồi thoát." in help_vi.stdout
