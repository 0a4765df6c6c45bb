"""日路线: a sheet per cadre, a printed page per day, columns to write in; 回访 sheets say which
request to report back on."""

from __future__ import annotations

import openpyxl

from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.outputs.day_routes import DAY_LAYOUT, RETURN_LAYOUT, ReturnItem, write_day_routes
from optimizer.replan import plan_routes
from optimizer.sample import generate_sample, write_sample


def _header_rows(sheet, first: str):
    return [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == first]


def test_a_sheet_per_cadre_and_a_page_per_day(tmp_path):
    """Sheets named by cadre; each day a block with its title, 重点 marked, empty columns for
    the result, the request and the signature, and a page break before the next day."""
    folder = write_sample(tmp_path / "t", generate_sample("huangtun", 300, seed=6))
    campaign = read_campaign(folder)
    plan = plan_routes(campaign, assign_areas(campaign, seed=1), time_limit_s=0.05, workers=1)
    path = write_day_routes(tmp_path, campaign, plan)
    book = openpyxl.load_workbook(path)
    cadres = {r.cadre_id for r in plan.routes if r.stops}
    assert len(book.sheetnames) == len(cadres)
    assert all(name.split(" ")[0] in cadres for name in book.sheetnames)
    targets = campaign.target_index()
    for sheet in book.worksheets:
        cadre_id = sheet.title.split(" ")[0]
        days = [r for r in plan.routes if r.cadre_id == cadre_id and r.stops]
        heads = _header_rows(sheet, "序号")
        assert len(heads) == len(days)
        assert [c.value for c in sheet[heads[0]]][: len(DAY_LAYOUT.headers)] == list(
            DAY_LAYOUT.headers
        )
        assert len(sheet.row_breaks.brk) == len(days) - 1
        assert "走访路线单" in sheet.cell(heads[0] - 2, 1).value
        assert "计划第 1 版" in sheet.cell(heads[0] - 1, 1).value
        for day, head in zip(sorted(days, key=lambda r: r.day), heads, strict=True):
            for k, stop in enumerate(day.stops, start=1):
                row = [c.value for c in sheet[head + k]]
                assert row[2] == stop.target_id
                assert (row[6] == "重点") == targets[stop.target_id].priority
                assert row[8] is None and row[9] is None and row[10] is None  # to write in
            assert "提前走访" in sheet.cell(head + len(day.stops) + 1, 1).value  # work ahead
            assert "签字" in sheet.cell(head + len(day.stops) + 2, 1).value
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


def test_return_visit_sheet_says_which_request(tmp_path):
    """Titled 回访路线单; each stop with its request's number, text and what was done."""
    folder = write_sample(tmp_path / "t", generate_sample("huangtun", 200, seed=6))
    campaign = read_campaign(folder)
    plan = plan_routes(campaign, assign_areas(campaign, seed=1), time_limit_s=0.05, workers=1)
    route = next(r for r in plan.routes if r.stops)
    one = type(plan)(1, (type(plan.cadre_plans[0])(route.cadre_id, (route,)),))
    first = route.stops[0].target_id
    returns = {first: [ReturnItem(12, "路灯不亮", "办理中：已派电工；已办结：已修复")]}
    sheet = openpyxl.load_workbook(write_day_routes(tmp_path, campaign, one, returns=returns))
    sheet = sheet.worksheets[0]
    head = _header_rows(sheet, "序号")[0]
    assert (
        "回访路线单" in sheet.cell(head - 2, 1).value
        and "（回访）" in sheet.cell(head - 1, 1).value
    )
    assert [c.value for c in sheet[head]][: len(RETURN_LAYOUT.headers)] == list(
        RETURN_LAYOUT.headers
    )
    row = [c.value for c in sheet[head + 1]]
    assert row[2] == first and row[5] == "#12" and row[6] == "路灯不亮" and "已修复" in row[7]
