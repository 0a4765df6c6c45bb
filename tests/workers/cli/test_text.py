"""What the command line says: Chinese and whole, English only with --lang en; usage errors in
Chinese; help never cut; the campaign folder first everywhere; sample never overwrites a
campaign; the same inputs plan to the same routes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from optimizer.sample import generate_sample, write_sample
from tests.helpers import zoufang

ENGLISH = re.compile(r"\b(refused|error|timing|outputs?|new|Missing|Usage|Try|Invalid)\b")


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory):
    return write_sample(tmp_path_factory.mktemp("s") / "town", generate_sample("huangtun", 250, 3))


@pytest.fixture
def planned(sample_folder, tmp_path, capsys):
    folder = shutil.copytree(sample_folder, tmp_path / "town")
    code, _, err = zoufang(capsys, "plan", folder, "--time-limit", "0.05", "--no-maps")
    assert code == 0, err
    return folder


def test_messages_are_chinese_and_whole(planned, capsys):
    """Results, refusals and usage errors carry no English and no line broken inside them."""
    for args in (
        ("status", planned),
        ("replan", planned, "--no-maps", "--workers", "1"),
        ("record", planned, planned / "missing.csv"),
        ("report", planned, "--week", "x"),
        ("ledger", planned, "lst"),
        ("status", planned, "--nope"),
        ("bogus",),
    ):
        _, out, err = zoufang(capsys, *args)
        text = out + err
        assert not ENGLISH.search(text), (args, text)
        assert "未能排入 0 \n" not in text
    _, _, err = zoufang(capsys, "report", planned, "--week", "x")
    assert "错误：--week 的值无效：应为整数" in err and "用法：zoufang report" in err
    _, _, err = zoufang(capsys, "ledger", planned, "lst")
    assert "可选：list、update、export" in err


def test_english_only_when_asked(planned, capsys):
    """--lang en: the command line's own words in English; the default has none."""
    code, out, _ = zoufang(capsys, "--lang", "en", "status", planned)
    assert code == 0 and "plan version 1" in out
    code, out, _ = zoufang(capsys, "status", planned)
    assert code == 0 and "第 1 版计划" in out and "plan version" not in out


def test_help_is_never_cut_at_80_columns():
    """Typer's help at 80 columns: every command's line whole (no "…"), panels in Chinese."""
    result = subprocess.run(
        [sys.executable, "-m", "workers", "--help"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
        timeout=60,
    )
    assert result.returncode == 0
    assert "…" not in result.stdout and "命令" in result.stdout and "用法：" in result.stdout
    assert "显示本帮助并退出" in result.stdout


def test_the_campaign_comes_first_in_followup_too(planned, capsys):
    """`followup CAMPAIGN plan` like `ledger CAMPAIGN list` (the old order still works)."""
    for args in (("followup", planned, "plan"), ("followup", "plan", planned)):
        code, out, err = zoufang(capsys, *args, "--from", "2027-03-20", "--no-maps")
        assert code == 0, err
        assert "没有待回访的诉求" in out


def test_sample_never_overwrites_a_campaign(planned, sample_folder, tmp_path, capsys):
    """Into a campaign folder: refused, nothing touched; --force only for an unplanned one."""
    before = (planned / "targets.csv").read_bytes()
    code, _, err = zoufang(capsys, "sample", planned, "--targets", "60")
    assert code == 1 and "已有活动文件" in err and (planned / "targets.csv").read_bytes() == before
    code, _, err = zoufang(capsys, "sample", planned, "--targets", "60", "--force")
    assert (
        code == 1 and "已经发布了计划" in err and (planned / "targets.csv").read_bytes() == before
    )
    fresh = shutil.copytree(sample_folder, tmp_path / "unplanned")
    code, out, err = zoufang(capsys, "sample", fresh, "--targets", "60", "--force")
    assert code == 0 and "60 个走访对象" in out, err


def test_the_same_inputs_plan_the_same_routes(sample_folder, tmp_path, capsys):
    """Two plans of the same folder (two copies, two stores) write the same routes.csv."""
    results = []
    for name in ("a", "b"):
        folder = shutil.copytree(sample_folder, tmp_path / name)
        code, _, err = zoufang(capsys, "plan", folder, "--no-maps", "--workers", "2", "--seed", "4")
        assert code == 0, err
        results.append((folder / "out" / "routes.csv").read_bytes())
    assert results[0] == results[1]
