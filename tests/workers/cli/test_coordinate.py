"""Coordinator tools end to end: an at-risk cadre's proposal applied by one audited command,
and day maps of days no longer planned removed (only the files we wrote)."""

from __future__ import annotations

import json

from tests.helpers import TOML, write_folder, zoufang
from workers.commands.campaign import open_campaign

TARGETS = "id,village,lat,lon\n" + "".join(
    f"T{i},高桥村,35.{i:03d}0,117.2{i % 5}00\n" for i in range(1, 13)
)
CADRES = (
    "id,name,village,minutes_per_day\nC1,刘一明,高桥村,40\nC2,陈二,高桥村,240\nC3,周三,高桥村,240\n"
)


def test_a_proposal_shown_is_applied_by_one_command(tmp_path, capsys):
    """All targets piled on C1 (40 minutes a day) leave it at risk; `rebalance` names which
    targets go to whom and how many minutes; `--apply KEY` makes each an audited override;
    after the re-plan nobody is at risk. A stale key is refused."""
    folder = write_folder(tmp_path / "c", targets=TARGETS, cadres=CADRES, toml=TOML)
    assert zoufang(capsys, "plan", folder, "--no-maps", "--workers", "1")[0] == 0
    _, store, cid = open_campaign(folder)
    for target, cadre in store.owners(cid).items():
        if cadre != "C1":
            assert (
                zoufang(
                    capsys,
                    "override",
                    folder,
                    "--target",
                    target,
                    "--to",
                    "C1",
                    "--reason",
                    "测试：集中",
                )[0]
                == 0
            )
    code, out, err = zoufang(capsys, "replan", folder, "--no-maps", "--workers", "1")
    assert code == 0 and "风险 C1" in out and "zoufang rebalance" in out, err
    # Twelve targets on 40 minutes a day leave C1 no retry slack: said, masked, with a remedy.
    assert "余量不足 C1 刘*明：没有余量" in out and "刘一明" not in out
    # 预计完成 is honest: C1 cannot finish (how many no day holds), not its last planned day.
    report = json.loads(zoufang(capsys, "status", folder, "--json")[1])
    late = report["by_cadre"]["C1"]["finish"]
    assert late["state"] == "late" and late["unscheduled"] >= 1
    code, out, _ = zoufang(capsys, "status", folder)
    assert code == 0 and f"完不成（{late['unscheduled']} 个排不下）" in out
    code, out, _ = zoufang(capsys, "rebalance", folder, "--json")
    proposal = json.loads(out)
    assert proposal["moves"] and {m["from"] for m in proposal["moves"]} == {"C1"}
    assert {m["to"] for m in proposal["moves"]} <= {"C2", "C3"}
    assert all(m["minutes"] >= 15 for m in proposal["moves"])
    code, out, _ = zoufang(capsys, "rebalance", folder)
    assert f"调整方案 {proposal['key']}" in out and "刘*明（C1）→" in out and "分钟" in out
    code, _, err = zoufang(capsys, "rebalance", folder, "--apply", "00000000")
    assert code == 1 and "方案已变化" in err
    code, out, err = zoufang(
        capsys, "rebalance", folder, "--apply", proposal["key"], "--reason", "刘一明时间不够"
    )
    assert code == 0 and f"调整 {len(proposal['moves'])} 个对象" in out, err
    audit = [o for o in store.overrides(cid) if proposal["key"] in o.reason]
    assert len(audit) == len(proposal["moves"]) and all("刘一明时间不够" in o.reason for o in audit)
    code, out, _ = zoufang(capsys, "replan", folder, "--no-maps", "--workers", "1")
    assert code == 0 and "风险人员 0 名" in out


def test_old_day_maps_go_ours_only(tmp_path, capsys):
    """After a night, maps of days no longer planned are gone for every cadre, re-planned or
    not; a file we did not write stays."""
    folder = write_folder(tmp_path / "c", targets=TARGETS, cadres=CADRES, toml=TOML)
    assert zoufang(capsys, "plan", folder, "--workers", "1")[0] == 0
    maps = folder / "out" / "maps"
    before = sorted(p.relative_to(maps) for p in maps.glob("*/day-*.html"))
    assert before and any(p.name == "day-01.html" for p in before)
    keep = maps / before[0].parent / "notes.txt"
    keep.write_text("协调员的笔记", encoding="utf-8")
    _, store, cid = open_campaign(folder)
    day1 = [r for r in store.plan(cid, 1).routes if r.day == 1]
    rows = "".join(f"{s.target_id},1,已走访\n" for r in day1 for s in r.stops)
    (tmp_path / "d1.csv").write_text("对象编号,天,结果\n" + rows, encoding="utf-8")
    assert zoufang(capsys, "record", folder, tmp_path / "d1.csv")[0] == 0
    assert zoufang(capsys, "replan", folder, "--workers", "1")[0] == 0
    assert not list(maps.glob("*/day-01.html")) and keep.is_file()
