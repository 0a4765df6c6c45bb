"""``zoufang sample`` and ``zoufang validate`` through the real console script."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import write_folder

ZOUFANG = [sys.executable, "-m", "workers"]


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*ZOUFANG, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_help_lists_commands():
    """``zoufang --help`` explains itself in Chinese and English."""
    result = run("--help")
    assert result.returncode == 0
    assert "大走访" in result.stdout and "validate" in result.stdout


def test_sample_then_validate(tmp_path):
    """A sample folder is written and validates with a summary (exit 0)."""
    folder = tmp_path / "town"
    made = run("sample", str(folder), "--town", "huangtun", "--targets", "300", "--seed", "4")
    assert made.returncode == 0, made.stderr
    assert "合成" in made.stdout
    checked = run("validate", str(folder))
    assert checked.returncode == 0, checked.stderr
    assert "负荷" in checked.stdout and "输入无误" in checked.stdout


def test_validate_bad_input_exits_2_with_every_problem(tmp_path):
    """Bad input: exit 2, the report names file, row and column of each problem, no traceback."""
    targets = "id,village,lat,lon\nT1,高桥村,117.2,35.0\nT1,高桥村,35.0,117.2\n"
    folder = write_folder(tmp_path, targets=targets, cadres="id,name,village\nC1,刘一,高桥村\n")
    result = run("validate", str(folder))
    assert result.returncode == 2
    assert "targets.csv 第2行 列「lat」" in result.stderr
    assert "targets.csv 第3行 列「id」" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "cadres.csv",
        "campaign.toml",
        "targets.csv",
    ]
