"""附件2: the printable table reads back with the contract's headers, totals and print setup."""

from __future__ import annotations

import datetime as dt

import openpyxl

from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.outputs.attachment2 import HEADERS, table_title, write_attachment2
from optimizer.reports.labels import area_label, compress_grids
from tests.helpers import write_folder


def test_grid_names_compress():
    """1、2、3、5网格 reads as 1—3、5网格."""
    assert compress_grids(["1网格", "2网格", "3网格", "5网格"]) == "1—3、5网格"
    assert compress_grids(["2网格", "1网格"]) == "1、2网格"


def test_area_label_names_village_and_grids(tiny):
    """A partial village lists its grids; a whole village is its name alone."""
    campaign = read_campaign(tiny)
    by_id = campaign.target_index()
    grids = {"高桥村": {"1网格", "2网格"}, "杨桥村": {"1网格"}}
    assert area_label([by_id["T1"], by_id["T2"]], grids) == "高桥村（1网格）"
    assert area_label([by_id["T4"]], grids) == "杨桥村"
    assert area_label([], grids) == "无可走访对象"


def test_title_does_not_repeat_dazoufang():
    """The title adds 大走访活动安排表 without doubling 大走访."""
    assert table_title("柴胡店镇联系服务群众大走访") == "柴胡店镇联系服务群众大走访活动安排表"
    assert table_title("某镇") == "某镇大走访活动安排表"


def test_workbook_reads_back(tmp_path):
    """Headers, one row per cadre, totals, ISO dates, 无可走访对象, A4 landscape with title rows."""
    cadres = "id,name,role,village,types,phone\nC1,刘一,网格员,高桥村,household;shop,13812345678\nC2,陈二,村两委,杨桥村,household,\nC3,周三,建设办,高桥村,site,\n"
    campaign = read_campaign(write_folder(tmp_path / "c", cadres=cadres))
    assignment = assign_areas(campaign)
    path = write_attachment2(
        tmp_path, campaign, assignment, {"C1": dt.date(2027, 3, 3), "C2": dt.date(2027, 3, 2)}
    )
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.cell(1, 1).value == "附件2"
    assert sheet.cell(2, 1).value == "测试镇大走访活动安排表"
    assert any(str(r).startswith("A2:") for r in sheet.merged_cells.ranges)
    assert [sheet.cell(3, j).value for j in range(1, 13)] == HEADERS
    rows = [[sheet.cell(i, j).value for j in range(1, 13)] for i in range(4, 7)]
    assert [r[1] for r in rows] == ["刘一", "陈二", "周三"]
    assert rows[0][11] == "2027-03-03" and rows[2][5] == "无可走访对象"
    assert rows[0][6] + rows[1][6] == 3 and rows[0][8] == 1  # 户数, 商铺数
    total = [sheet.cell(7, j).value for j in range(1, 13)]
    assert total[0] == "合计" and total[10] == 4
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows.replace("$", "") == "3:3"
    assert sheet.column_dimensions["F"].width >= 12 and sheet.cell(4, 2).font.name == "仿宋"
