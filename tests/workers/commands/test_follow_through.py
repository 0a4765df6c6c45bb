"""The ledger followed through: a request without a class is filed as 待分类 and classified;
办理说明 reach 附件6 and the platform export (with the town as 所属镇街); phone checks accept
未接通, and 不属实 reopens the visit, which the next re-plan gives back to the same cadre."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from optimizer.domain.errors import LedgerError
from optimizer.domain.ledger import IN_PROGRESS, REGISTERED, UNCLASSIFIED
from optimizer.outputs.lists import PLATFORM_COLUMNS, PROBLEM_HEADERS
from optimizer.sample import generate_sample, write_sample
from tests.helpers import write_rows
from workers.commands import campaign as jobs_campaign
from workers.commands import daily, plan
from workers.commands import ledger as ledger_jobs


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A planned town with day 1 recorded: one request classified, one text only."""
    folder = write_sample(
        tmp_path_factory.mktemp("f") / "town", generate_sample("huangtun", 300, seed=5)
    )
    result = plan.plan_campaign(folder, workers=1, time_limit_s=0.05, maps=False)
    day1 = sorted((r for r in result.plan.routes if r.day == 1), key=lambda r: r.cadre_id)
    stops = [s for r in day1 for s in r.stops]
    rows = [[s.target_id, 1, "已走访", "", ""] for s in stops]
    rows[0][3:] = ["2-1", "路灯不亮"]
    rows[1][4] = "门前积水"  # 诉求内容 without 诉求分类
    path = write_rows(folder / "d1.csv", ["对象编号", "天", "结果", "诉求分类", "诉求内容"], rows)
    daily.record(folder, path)
    return folder


def test_a_request_without_a_class_is_filed_as_unclassified(town):
    """It is in the ledger as 待分类; handling it is refused until it is classified."""
    rows = {r.text: r for r in ledger_jobs.ledger_rows(town)}
    pending = rows["门前积水"]
    assert (pending.responsibility, pending.subject) == (UNCLASSIFIED, UNCLASSIFIED)
    assert pending.state == REGISTERED and not pending.classified
    paths = ledger_jobs.ledger_export(town)  # 附件6 lists it, as 待分类, with its text
    problems = openpyxl.load_workbook(next(p for p in paths if "附件6" in p.name)).worksheets[0]
    headers = [c.value for c in problems[2]]
    listed = [r for r in problems.iter_rows(min_row=3, values_only=True) if r[0] is not None]
    row = next(r for r in listed if r[headers.index("诉求内容")] == "门前积水")
    assert (row[headers.index("问题大类")], row[headers.index("问题小类")]) == ("待分类", "待分类")
    with pytest.raises(LedgerError, match="尚未分类"):
        ledger_jobs.ledger_update(town, pending.id, IN_PROGRESS, "协调员", "", None)
    done = ledger_jobs.ledger_update(
        town, pending.id, IN_PROGRESS, "协调员", "已转城管", "城管中队", "镇和市直部门联动-居住环境"
    )
    assert done.state == IN_PROGRESS and (done.responsibility, done.subject) == (2, 1)
    again = next(r for r in ledger_jobs.ledger_rows(town) if r.id == pending.id)
    assert "分类：待分类·待分类 → 镇和市直部门联动·居住环境" in again.notes
    assert "办理中：已转城管" in again.notes


def test_notes_reach_the_lists_and_the_town_the_platform(town):
    """附件6 has 办理情况 with the notes; the platform export says 黄屯街道 (its 所属镇街)."""
    first = next(r for r in ledger_jobs.ledger_rows(town) if r.text == "路灯不亮")
    ledger_jobs.ledger_update(town, first.id, IN_PROGRESS, "协调员", "已派电工查看", None)
    paths = ledger_jobs.ledger_export(town)
    problems = openpyxl.load_workbook(next(p for p in paths if "附件6" in p.name)).worksheets[0]
    headers = [c.value for c in problems[2]]
    assert headers == PROBLEM_HEADERS and "办理情况" in headers
    notes = [
        row[headers.index("办理情况")] for row in problems.iter_rows(min_row=3, values_only=True)
    ]
    assert any("已派电工查看" in (n or "") for n in notes)
    platform = next(p for p in paths if p.suffix == ".csv")
    with platform.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == PLATFORM_COLUMNS
    assert {r["所属镇街"] for r in rows} == {"黄屯街道"}
    assert any("已派电工查看" in r["办理情况"] for r in rows)


def test_spot_checks_accept_no_answer_and_reopen_a_false_visit(town, tmp_path):
    """未接通 is a result (the check stays to do); 不属实 makes the target pending again, and the
    next re-plan routes it for its own cadre."""
    count, _ = ledger_jobs.sample_spotchecks(town, 0.2, 3)
    _, store, campaign_id = jobs_campaign.open_campaign(town)
    checks = store.spotchecks(campaign_id)
    assert count == len(checks) >= 2
    false, unanswered = checks[0], checks[1]
    results = write_rows(
        tmp_path / "checks.csv",
        ["对象编号", "核实结果", "备注"],
        [[false.target_id, "不属实", "户主说没人来过"], [unanswered.target_id, "未接通", ""]],
    )
    assert ledger_jobs.record_spotchecks(town, results, "抽查员") == 2
    found = {c.target_id: c.result for c in store.spotchecks(campaign_id)}
    assert found[false.target_id] == "not_confirmed" and found[unanswered.target_id] == "no_answer"
    assert store.reopened(campaign_id)[0][0] == false.target_id
    visited = {o.target_id for o in store.outcomes(campaign_id) if o.status.value == "visited"}
    assert false.target_id not in visited and unanswered.target_id in visited
    summary = daily.replan(town, workers=1, maps=False)
    version = summary["plan_version"]
    planned = {
        s.target_id: r.cadre_id for r in store.plan(campaign_id, version).routes for s in r.stops
    }
    assert planned[false.target_id] == false.cadre_id == store.owners(campaign_id)[false.target_id]
    bad = write_rows(tmp_path / "bad.csv", ["对象编号", "核实结果"], [[false.target_id, "也许"]])
    with pytest.raises(Exception, match="属实/不属实/未接通"):
        ledger_jobs.record_spotchecks(town, bad)


def test_return_visit_maps_only_for_days_with_stops(town):
    """A return-visit plan over three days writes a map for each cadre-day with stops and no
    other; its day sheet is titled 回访 and names the request."""
    import datetime as dt

    from workers.commands.followup import plan_followup

    for r in ledger_jobs.ledger_rows(town):
        if r.classified and r.state == IN_PROGRESS:
            ledger_jobs.ledger_update(town, r.id, "已办结", "协调员", "已处理完毕", None)
    planned = plan_followup(town, dt.date(2027, 3, 25), 3, workers=1)
    assert planned is not None
    _, folder, plan = planned
    with_stops = {(r.cadre_id, r.day) for r in plan.routes if r.stops}
    maps = sorted(folder.glob("maps/*/day-*.html"))
    assert len(maps) == len(with_stops) >= 1
    assert any(not r.stops for r in plan.routes)  # empty days exist, and got no map
    sheet = openpyxl.load_workbook(folder / "日路线.xlsx").worksheets[0]
    assert "回访路线单" in sheet.cell(1, 1).value and sheet.cell(4, 6).value.startswith("#")
