"""The night's clock end to end through the command line: a mistyped day and a return visit
can no longer wipe the plan; a held re-plan and a roll-back leave the store as it was."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from optimizer.inputs.settings import read_settings
from optimizer.sample import generate_sample, write_sample
from tests.helpers import write_rows, zoufang
from workers.store import Store

HEADER = ["对象编号", "天", "结果", "时间", "诉求分类", "诉求内容"]
FAST = ("--no-maps", "--workers", "1")


@pytest.fixture
def town(tmp_path, capsys):
    folder = write_sample(tmp_path / "town", generate_sample("huangtun", 300, seed=8))
    code, _, err = zoufang(capsys, "plan", folder, "--time-limit", "0.05", *FAST)
    assert code == 0, err
    return folder


def routes(folder) -> list[dict]:
    with (folder / "out" / "routes.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def day_file(folder, path, day: int, *, typo_row: int | None = None, request: bool = False):
    """Every stop of ``day`` visited as planned; row ``typo_row`` (0-based) says day 8."""
    planned = [r for r in routes(folder) if r["day"] == str(day)]
    rows = [
        [
            r["target_id"],
            8 if i == typo_row else day,
            "已走访",
            r["arrive"],
            "1-1" if request and i == 0 else "",
            "路灯不亮" if request and i == 0 else "",
        ]
        for i, r in enumerate(planned)
    ]
    return write_rows(path, HEADER, rows), planned


def store_of(folder) -> tuple[Store, int]:
    settings, _ = read_settings(folder)
    store = Store.for_campaign(folder)
    return store, store.find_campaign_key(settings)


def test_a_mistyped_day_is_refused_held_and_rolled_back(town, tmp_path, capsys):
    """Day 2 with one row typed as day 8: refused with its row, nothing stored; `replan --day 8`
    is held (the store keeps v2 current); after --force, `plan --restore` gives back the earlier
    routes.csv byte for byte."""
    day1, _ = day_file(town, tmp_path / "d1.csv", 1)
    assert zoufang(capsys, "record", town, day1)[0] == 0
    assert zoufang(capsys, "replan", town, *FAST)[0] == 0
    v2 = (town / "out" / "routes.csv").read_bytes()
    store, cid = store_of(town)
    before = len(store.outcomes(cid))

    typo, _ = day_file(town, tmp_path / "d2-typo.csv", 2, typo_row=5)
    code, _, err = zoufang(capsys, "record", town, typo)
    assert code == 2
    assert "第7行" in err and "列「天」" in err and "第 8 天还没有到" in err
    assert len(store.outcomes(cid)) == before and store.last_night(cid) == 1
    assert store.current_version(cid) == (2, 1)

    fixed, planned2 = day_file(town, tmp_path / "d2.csv", 2)
    code, out, _ = zoufang(capsys, "record", town, fixed)
    assert code == 0 and f"已登记 {len(planned2)} 条新结果" in out and store.last_night(cid) == 2

    code, _, err = zoufang(capsys, "replan", town, "--day", "8", *FAST)
    assert code == 1 and "未发布" in err and "--force" in err
    assert store.current_version(cid) == (2, 1)  # held, not published
    assert (town / "out" / "routes.csv").read_bytes() == v2  # nothing written

    code, out, err = zoufang(capsys, "replan", town, *FAST)  # tonight is day 2, as recorded
    assert code == 0, err
    v4 = (town / "out" / "routes.csv").read_bytes()
    new = routes(town)
    assert new and {r["plan_version"] for r in new} == {"4"}
    assert all(int(r["day"]) > 2 for r in new)
    summary = json.loads((town / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["after_day"] == 2 and not summary["at_risk"]

    assert zoufang(capsys, "replan", town, "--day", "8", "--force", *FAST)[0] == 0
    assert {int(r["day"]) for r in routes(town)} <= {9, 10}
    code, out, err = zoufang(capsys, "plan", town, "--restore", "v004", "--no-maps")
    assert code == 0, err
    assert "已回退到第 4 版" in out and "v005" in out
    assert (town / "out" / "routes.csv").read_bytes() == v4
    assert (town / "out" / "history" / "routes-v005.csv").is_file()
    assert store.current_version(cid) == (4, 2)
    assert [r.to_version for r in store.restores(cid)] == [4]


def test_a_return_visit_keeps_the_campaign_clock(town, tmp_path, capsys):
    """The README's order — follow-up plan, record the return visit on day 20, replan — keeps
    tonight at day 1: routes stay, nobody is at risk; a campaign visit for day 13 is refused;
    `replan --from-version 2` and `plan --restore v002` give back the earlier routes.csv."""
    day1, planned1 = day_file(town, tmp_path / "d1.csv", 1, request=True)
    assert zoufang(capsys, "record", town, day1)[0] == 0
    assert zoufang(capsys, "replan", town, *FAST)[0] == 0
    v2 = (town / "out" / "routes.csv").read_bytes()
    code, _, err = zoufang(capsys, "ledger", town, "update", "--id", 1, "--to", "已办结")
    assert code == 0, err
    start = dt.date(2027, 3, 20)  # day 20 of a 10-day campaign starting on 1 March
    code, out, err = zoufang(capsys, "followup", town, "plan", "--from", start, *FAST)
    assert code == 0 and "第 1 次回访安排：1 处" in out, err

    taken = planned1[0]["target_id"]
    late = write_rows(tmp_path / "late.csv", HEADER[:3], [[taken, 13, "已走访"]])
    code, _, err = zoufang(capsys, "record", town, late)
    assert code == 2 and "第 13 天不在活动期" in err

    back = write_rows(
        tmp_path / "returns.csv", [*HEADER[:3], "满意"], [[taken, 20, "已走访", "是"]]
    )
    code, out, err = zoufang(capsys, "record", town, back)
    assert code == 0 and "已登记 1 条新结果" in out, err
    store, cid = store_of(town)
    assert store.last_night(cid) == 1

    code, out, err = zoufang(capsys, "replan", town, *FAST)
    assert code == 0, err
    assert "第 3 版计划（第 1 天之后）" in out and "风险人员 0 名" in out
    after = routes(town)
    assert len(after) == sum(1 for r in csv.DictReader(v2.decode().splitlines()))
    assert all(int(r["day"]) > 1 for r in after)
    ledger = json.loads(zoufang(capsys, "ledger", town, "list", "--json")[1])
    assert [r["state"] for r in ledger] == ["已回访"]

    code, out, err = zoufang(capsys, "replan", town, "--from-version", 2, *FAST)
    assert code == 0, err
    assert "第 4 版计划（第 1 天之后）" in out
    assert zoufang(capsys, "plan", town, "--restore", "2", "--no-maps")[0] == 0
    assert (town / "out" / "routes.csv").read_bytes() == v2


def test_status_names_the_cadres_who_reported_nothing(town, tmp_path, capsys):
    """Day 1 recorded without one cadre's rows: `status` (and its JSON) names that cadre,
    masked, for day 1."""
    path, planned = day_file(town, tmp_path / "d1.csv", 1)
    quiet = planned[-1]["cadre_id"]
    rows = [r for r in planned if r["cadre_id"] != quiet]
    write_rows(path, HEADER[:3], [[r["target_id"], 1, "已走访"] for r in rows])
    assert zoufang(capsys, "record", town, path)[0] == 0
    report = json.loads(zoufang(capsys, "status", town, "--json")[1])
    assert [n["day"] for n in report["silent"]] == [1]
    named = report["silent"][0]["cadres"]
    assert [c["cadre_id"] for c in named] == [quiet] and "*" in named[0]["name"]
    assert report["by_cadre"][quiet]["silent_days"] == [1]
    code, out, _ = zoufang(capsys, "status", town)
    assert (
        code == 0 and f"第 1 天（2027-03-01）未报告任何结果：{named[0]['name']}（{quiet}）" in out
    )
