"""The daily loop through the real command line, in-process (no servers)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from optimizer.sample import generate_sample, write_sample

ZOUFANG = [sys.executable, "-m", "workers"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("ZOUFANG_BROKER", "ZOUFANG_DB")}
    return subprocess.run(
        [*ZOUFANG, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**environment, **(env or {})},
    )


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("d") / "town", generate_sample("huangtun", 300, seed=8)
    )
    result = run("plan", str(folder), "--time-limit", "0.05", "--no-maps")
    assert result.returncode == 0, result.stderr
    return folder


def routes(folder):
    with (folder / "out" / "routes.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_outcomes(
    path, rows, header=("对象编号", "天", "结果", "时间", "走访人员编号", "诉求分类", "诉求内容")
):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_record_twice_adds_nothing_the_second_time(planned, tmp_path):
    """Chinese headers and statuses; the same file again is '0 new'; requests are parsed."""
    day1 = [r for r in routes(planned) if r["day"] == "1"][:4]
    rows = [
        [r["target_id"], 1, "已走访", r["arrive"], r["cadre_id"], "镇村解决-居住环境", "路灯不亮"]
        for r in day1
    ]
    path = write_outcomes(tmp_path / "d1.csv", rows)
    first = run("record", str(planned), str(path))
    assert first.returncode == 0 and "已登记 4 条新结果" in first.stdout
    second = run("record", str(planned), str(path))
    assert second.returncode == 0 and "已登记 0 条新结果" in second.stdout


def test_record_rejects_wrong_cadre_and_stores_nothing(planned, tmp_path):
    """A cadre who is not the target's own rejects the whole file (exit 2, nothing stored)."""
    day1 = [r for r in routes(planned) if r["day"] == "1"]
    other = next(r["cadre_id"] for r in routes(planned) if r["cadre_id"] != day1[5]["cadre_id"])
    rows = [
        [day1[4]["target_id"], 1, "visited", "", day1[4]["cadre_id"], "", ""],
        [day1[5]["target_id"], 1, "visited", "", other, "", ""],
    ]
    result = run("record", str(planned), str(write_outcomes(tmp_path / "bad.csv", rows)))
    assert result.returncode == 2 and "不是对象" in result.stderr and "第3行" in result.stderr
    again = run("record", str(planned), str(write_outcomes(tmp_path / "ok.csv", rows[:1])))
    assert "已登记 1 条新结果" in again.stdout  # the good row was not stored by the rejected file


def test_record_rejects_day_zero_and_unknown_status(planned, tmp_path):
    """Day 0 and an unknown status are input errors naming their rows."""
    target = routes(planned)[0]["target_id"]
    rows = [[target, 0, "visited", "", "", "", ""], [target, 1, "出差", "", "", "", ""]]
    result = run("record", str(planned), str(write_outcomes(tmp_path / "bad.csv", rows)))
    assert result.returncode == 2
    assert (
        "第2行" in result.stderr and "第3行" in result.stderr and "未知的走访结果" in result.stderr
    )


def test_replan_status_and_history(planned, tmp_path):
    """After a day's outcomes, replan writes a new version and keeps the old one in history."""
    day1 = [r for r in routes(planned) if r["day"] == "1"]
    # The tests above recorded the first five as visited: a second file saying something else
    # about them would be refused (a change needs --replace), so this one leaves them out.
    rows = [
        [r["target_id"], 1, "未遇" if i % 3 == 0 else "已走访", r["arrive"], "", "", ""]
        for i, r in enumerate(day1)
        if i >= 5
    ]
    assert (
        run("record", str(planned), str(write_outcomes(tmp_path / "day1.csv", rows))).returncode
        == 0
    )
    result = run("replan", str(planned), "--no-maps", "--workers", "2")
    assert result.returncode == 0, result.stderr
    new = routes(planned)
    assert {r["plan_version"] for r in new} == {"2"} and all(int(r["day"]) > 1 for r in new)
    assert (planned / "out" / "history" / "routes-v001.csv").is_file()
    missed = {r["target_id"] for i, r in enumerate(day1) if i % 3 == 0 and i >= 5}
    assert missed and missed <= {r["target_id"] for r in new}
    status = run("status", str(planned), "--json")
    report = json.loads(status.stdout)
    assert report["plan_version"] == 2 and 0 < report["coverage"] < 1
    assert sum(v.get("not_home", 0) for v in report["by_cadre"].values()) == len(missed)


def test_plan_again_is_refused_without_reassign(planned):
    """No silent re-assignment: plan on a published campaign needs --reassign with a reason."""
    result = run("plan", str(planned), "--no-maps")
    assert result.returncode != 0 and "--reassign" in result.stderr


def test_override_moves_one_target_with_an_audit_trail(planned):
    """The one way a target changes cadre; the next re-plan honours it."""
    rows = routes(planned)
    target = rows[-1]["target_id"]
    same_village = rows[0]["cadre_id"]
    result = run(
        "override",
        str(planned),
        "--target",
        target,
        "--to",
        same_village,
        "--reason",
        "原包干人员住院",
    )
    if result.returncode != 0:  # the other cadre may not be allowed to visit it (type/village)
        assert "不允许" in result.stderr
        return
    assert run("replan", str(planned), "--no-maps").returncode == 0
    moved = [r for r in routes(planned) if r["target_id"] == target]
    assert not moved or moved[0]["cadre_id"] == same_village


def test_simulate_with_work_ahead_keeps_the_pairing(planned):
    """``zoufang simulate --work-ahead``: the whole window on a scratch store, 0 pairing
    changes, the campaign's own store untouched."""
    before = routes(planned)
    result = run("simulate", str(planned), "--work-ahead", "--seed", "2", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "提前走访" in result.stdout and "分片改动 0 次" in result.stdout
    assert routes(planned) == before
