"""The 诉求 ledger end to end: record → ledger → updates → return visits by the same cadre → 销号."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest

from optimizer.domain.codes import TargetType
from optimizer.domain.errors import LedgerError
from optimizer.domain.ledger import (
    CLOSED,
    IN_PROGRESS,
    REGISTERED,
    RESOLVED,
    RETURNED,
    manual_move,
    return_visit_move,
)
from optimizer.outputs.lists import NO_PROBLEM_HEADERS, PLATFORM_COLUMNS, PROBLEM_HEADERS
from optimizer.outputs.routes import write_outcomes_csv
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.field import Field, simulate_day
from workers.commands import campaign as jobs_campaign
from workers.commands import daily, plan
from workers.commands import ledger as ledger_jobs
from workers.commands.followup import plan_followup


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (REGISTERED, IN_PROGRESS),
        (REGISTERED, RESOLVED),
        (IN_PROGRESS, RESOLVED),
        (RETURNED, CLOSED),
    ],
)
def test_legal_manual_moves(current, target):
    """Each move a coordinator may make is accepted."""
    assert manual_move(current, target) == target


@pytest.mark.parametrize(
    ("current", "target", "words"),
    [
        (RESOLVED, CLOSED, "未回访"),
        (REGISTERED, CLOSED, "未回访"),
        (IN_PROGRESS, REGISTERED, "不能"),
        (CLOSED, IN_PROGRESS, "不能"),
        (RESOLVED, RETURNED, "不能"),
        (REGISTERED, "完成", "未知"),
    ],
)
def test_illegal_manual_moves(current, target, words):
    """Closing without a return visit, going back, or an unknown state: a clear error."""
    with pytest.raises(LedgerError, match=words):
        manual_move(current, target)


def test_return_visit_moves():
    """A satisfied resident → 已回访; not satisfied → re-opened; only resolved ones are visited."""
    assert return_visit_move(RESOLVED, True) == RETURNED
    assert return_visit_move(RESOLVED, False) == IN_PROGRESS
    with pytest.raises(LedgerError):
        return_visit_move(IN_PROGRESS, True)


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A planned town whose first day brought many requests (in-process store)."""
    folder = write_sample(
        tmp_path_factory.mktemp("l") / "town", generate_sample("huangtun", 400, seed=2)
    )
    result = plan.plan_campaign(folder, workers=1, time_limit_s=0.05, maps=False)
    outcomes = simulate_day(
        result.campaign, result.plan, 1, Field(not_home=0.1, absent=0, requests=0.6), seed=4
    )
    daily.record(folder, write_outcomes_csv(folder / "day1.csv", outcomes))
    return folder


def test_requests_open_in_the_ledger(town):
    """Every request of day 1 is registered (登记) with its class, subject and a unit."""
    rows = ledger_jobs.ledger_rows(town)
    assert len(rows) >= 10 and {r.state for r in rows} == {REGISTERED}
    assert all(
        1 <= r.responsibility <= 3 and 1 <= r.subject <= 7 and r.answering_unit for r in rows
    )
    # nothing is resolved yet: no return-visit plan, nothing written
    assert plan_followup(town, dt.date(2027, 4, 1), 2, workers=1, maps=False) is None
    assert not list((town / "out").glob("回访-*"))


def test_illegal_update_changes_nothing(town):
    """Closing a registered request is refused and leaves it as it was, without a new event."""
    request = ledger_jobs.ledger_rows(town)[0]
    with pytest.raises(LedgerError):
        ledger_jobs.ledger_update(town, request.id, CLOSED, "tester", "想直接销号", None)
    after = next(r for r in ledger_jobs.ledger_rows(town) if r.id == request.id)
    assert after.state == REGISTERED
    _, store, _ = jobs_campaign.open_campaign(town)
    assert [e.to_state for e in store.request_events(request.id)] == [REGISTERED]


def write_return_visits(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["对象编号", "天", "结果", "走访人员编号", "满意"])
        writer.writerows(rows)
    return path


def test_full_cycle_with_return_visits_by_the_same_cadre(town, tmp_path):
    """办理 → 办结 → a return-visit plan (same cadres) → recorded visits → 已回访 → 销号; a
    resident not satisfied re-opens the request."""
    rows = ledger_jobs.ledger_rows(town)
    for r in rows:
        ledger_jobs.ledger_update(town, r.id, IN_PROGRESS, "镇综治中心", "转办", "镇综治中心")
        ledger_jobs.ledger_update(town, r.id, RESOLVED, "镇综治中心", "已解决", None)
    number, folder, plan = plan_followup(town, dt.date(2027, 4, 1), 3, workers=1, maps=False)
    again, _, _ = plan_followup(town, dt.date(2027, 4, 1), 3, workers=1, maps=False)
    assert again == number  # the same start and days re-plan, not pile up
    taker = {r.target_id: r.cadre_id for r in rows}
    planned = [
        (route.cadre_id, s.target_id, route.day) for route in plan.routes for s in route.stops
    ]
    assert number == 1 and {t for _, t, _ in planned} == set(taker)
    assert all(taker[t] == cadre for cadre, t, _ in planned)  # never another cadre
    assert (folder / "routes.csv").is_file()
    satisfied = [[t, day, "已走访", cadre, "是"] for cadre, t, day in planned[1:]]
    unhappy = [[planned[0][1], planned[0][2], "已走访", planned[0][0], "否"]]
    daily.record(town, write_return_visits(tmp_path / "returns.csv", satisfied + unhappy))
    states = {r.target_id: r.state for r in ledger_jobs.ledger_rows(town)}
    assert states[planned[0][1]] == IN_PROGRESS
    assert all(states[t] == RETURNED for _, t, _ in planned[1:])
    closing = next(r for r in ledger_jobs.ledger_rows(town) if r.state == RETURNED)
    assert (
        ledger_jobs.ledger_update(town, closing.id, CLOSED, "coordinator", "销号", None).state
        == CLOSED
    )
    _, store, _ = jobs_campaign.open_campaign(town)
    assert [e.to_state for e in store.request_events(closing.id)] == [
        REGISTERED,
        IN_PROGRESS,
        RESOLVED,
        RETURNED,
        CLOSED,
    ]
    # The re-opened request is resolved again; recording the old file again changes nothing.
    for r in ledger_jobs.ledger_rows(town, IN_PROGRESS):
        ledger_jobs.ledger_update(town, r.id, RESOLVED, "镇综治中心", "再次办结", None)
    before = {r.id: r.state for r in ledger_jobs.ledger_rows(town)}
    new, _ = daily.record(town, tmp_path / "returns.csv")
    assert new == 0 and {r.id: r.state for r in ledger_jobs.ledger_rows(town)} == before


def test_return_visit_by_another_cadre_is_rejected(town, tmp_path):
    """A return visit recorded for a cadre who did not take the request: exit-2 input error."""
    from optimizer.domain.errors import InvalidInputError

    ledger = ledger_jobs.ledger_rows(town)
    row = next(r for r in ledger if r.state in (REGISTERED, IN_PROGRESS, RESOLVED))
    if row.state == REGISTERED:
        ledger_jobs.ledger_update(town, row.id, IN_PROGRESS, "t", "", None)
    if row.state != RESOLVED:
        ledger_jobs.ledger_update(town, row.id, RESOLVED, "t", "", None)
    other = next(r.cadre_id for r in ledger if r.cadre_id != row.cadre_id)
    with pytest.raises(InvalidInputError, match="受理人员"):
        daily.record(
            town,
            write_return_visits(tmp_path / "bad.csv", [[row.target_id, 14, "已走访", other, "是"]]),
        )


def test_lists_and_platform_export(town):
    """附件5 and 附件6 read back with their headers; the platform file holds class 2 and 3 only."""
    paths = {p.name: p for p in ledger_jobs.ledger_export(town)}
    no_problem = openpyxl.load_workbook(paths["附件5_无问题群众清单.xlsx"]).worksheets[0]
    problems = openpyxl.load_workbook(paths["附件6_问题清单.xlsx"]).worksheets[0]
    assert [c.value for c in no_problem[2]] == NO_PROBLEM_HEADERS
    assert [c.value for c in problems[2]] == PROBLEM_HEADERS and problems.max_row >= 3
    with paths["市平台转办事项.csv"].open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == PLATFORM_COLUMNS
    assert all(r[6] in ("镇和市直部门联动", "市直部门单独解决") for r in rows[1:])
    platform = openpyxl.load_workbook(paths["市平台转办事项.xlsx"]).worksheets[0]
    assert [c.value for c in platform[1]] == PLATFORM_COLUMNS


def test_spot_checks_are_reproducible_and_masked(town, tmp_path):
    """The same seed samples the same visits; the sheet masks names; results are recorded."""
    count, path = ledger_jobs.sample_spotchecks(town, 0.1, 7)
    again, _ = ledger_jobs.sample_spotchecks(town, 0.1, 7)
    assert count == again > 0
    sheet = openpyxl.load_workbook(path).worksheets[0]
    _, store, campaign_id = jobs_campaign.open_campaign(town)
    targets = store.load_campaign(campaign_id).target_index()
    shown = {sheet.cell(i, 3).value: sheet.cell(i, 4).value for i in range(3, sheet.max_row + 1)}
    households = [t for t in shown if targets[t].type is TargetType.HOUSEHOLD]
    assert households and all(shown[t] != targets[t].name and "*" in shown[t] for t in households)
    target = sheet.cell(3, 3).value
    results = tmp_path / "results.csv"
    results.write_text(f"对象编号,核实结果,备注\n{target},属实,电话确认\n", encoding="utf-8")
    assert ledger_jobs.record_spotchecks(town, results) == 1


def test_weekly_report(town):
    """The week's xlsx has its sheets; the HTML page carries its SVG charts and figures."""
    xlsx, page = ledger_jobs.week_report(town, 1)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["概况", "人员进度", "诉求", "风险与抽查"]
    for sheet in book.worksheets:  # titled, and printing one page wide on A4
        assert sheet.cell(1, 1).value.startswith("第1周调度报告")
        assert sheet.page_setup.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToHeight == 0  # as many pages down as it needs
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") >= 3 and "诉求集中的区域" in text and "电话回访抽查" in text
    assert "各人员进度" in text and "办结率" in text and 'viewBox="0 0 360' in text
    assert json.loads(json.dumps(book.sheetnames))


def test_cli_ledger_commands(town):
    """Through the console: list as JSON, a refused update exits 2 and changes nothing, and
    export / report / spotcheck / followup write their files."""
    from tests.workers.cli.test_daily import run

    listed = run("ledger", str(town), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    row = next(r for r in json.loads(listed.stdout) if r["state"] != RETURNED)
    refused = run("ledger", str(town), "update", "--id", str(row["id"]), "--to", CLOSED)
    assert refused.returncode == 2 and "未回访" in refused.stderr
    again = {
        r["id"]: r["state"] for r in json.loads(run("ledger", str(town), "list", "--json").stdout)
    }
    assert again[row["id"]] == row["state"]
    for args in (
        ("ledger", str(town), "export"),
        ("report", str(town), "--week", "1"),
        ("spotcheck", str(town), "--share", "0.1", "--seed", "3"),
        ("followup", "plan", str(town), "--from", "2027-04-10", "--days", "2", "--no-maps"),
    ):
        done = run(*args)
        assert done.returncode == 0, (args, done.stderr)
    assert (town / "out" / "reports" / "周调度_第1周.html").is_file()
