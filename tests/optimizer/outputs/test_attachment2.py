"""附件2: the printable table reads back with the contract's headers, totals and print setup."""

from __future__ import annotations

import datetime as dt

import openpyxl

from optimizer.assign.solve import assign_areas
from optimizer.domain.model import Area, Assignment
from optimizer.inputs import read_campaign
from optimizer.outputs.attachment2 import HEADERS, table_title, write_attachment2
from optimizer.reports.labels import AreaNamer, compress_grids
from tests.helpers import write_folder

#: DESIGN §4: the contract's columns of 附件2, in order.
CONTRACT_COLUMNS = [
    *("序号", "走访人员", "职务", "单位", "联系电话", "走访区域"),
    *("户数", "企业数", "商铺数", "其他", "合计", "计划完成日期"),
]


def test_grid_names_compress():
    """1、2、3、5网格 reads as 1—3、5网格."""
    assert compress_grids(["1网格", "2网格", "3网格", "5网格"]) == "1—3、5网格"
    assert compress_grids(["2网格", "1网格"]) == "1、2网格"


def test_area_label_names_village_and_grids(tiny):
    """A partial village lists its grids; a whole village says 全村; other kinds are counted."""
    campaign = read_campaign(tiny)
    areas = Assignment(
        (Area("A1", "C1", ("T1", "T2")), Area("A2", "C2", ("T4", "T3")), Area("A3", "C3", ()))
    )
    namer = AreaNamer(campaign, areas)
    assert namer.label("C1") == "高桥村（1网格）"
    assert namer.label("C2") == "杨桥村（全村）；高桥村（2网格的商铺 1 家）"
    assert namer.label("C3") == "无可走访对象"


def test_a_shared_grid_says_which_part(tmp_path):
    """Two cadres in one grid: each label says its buildings, or its streets and numbers."""
    targets = (
        "id,village,grid,lat,lon,address\n"
        + "".join(f"B{i},高桥村,6网格,35.0,117.2,{i}号楼1单元10{i}室\n" for i in range(1, 5))
        + "".join(f"S{i},高桥村,7网格,35.0,117.2,高桥村5街{10 + i}号\n" for i in range(1, 5))
    )
    cadres = "id,name,village\nC1,刘一,高桥村\nC2,陈二,高桥村\n"
    campaign = read_campaign(write_folder(tmp_path / "c", targets=targets, cadres=cadres))
    areas = Assignment(
        (
            Area("A1", "C1", ("B1", "B2", "S1", "S2")),
            Area("A2", "C2", ("B3", "B4", "S3", "S4")),
        )
    )
    namer = AreaNamer(campaign, areas)
    assert namer.label("C1") == "高桥村（6网格1、2号楼，7网格5街11—12号）"
    assert namer.label("C2") == "高桥村（6网格3、4号楼，7网格5街13—14号）"


def test_title_does_not_repeat_dazoufang():
    """The title adds 大走访活动安排表 without doubling 大走访."""
    assert table_title("柴胡店镇联系服务群众大走访") == "柴胡店镇联系服务群众大走访活动安排表"
    assert table_title("某镇") == "某镇大走访活动安排表"


def test_workbook_reads_back(tmp_path):
    """Headers, one row per cadre, totals, date cells shown as 2027年3月3日, 无可走访对象,
    the 填报单位/日期 line, official font sizes, A4 landscape with the header repeated."""
    cadres = "id,name,role,village,types,phone\nC1,刘一,网格员,高桥村,household;shop,13812345678\nC2,陈二,村两委,杨桥村,household,\nC3,周三,建设办,高桥村,site,\n"
    campaign = read_campaign(write_folder(tmp_path / "c", cadres=cadres))
    assignment = assign_areas(campaign)
    path = write_attachment2(
        tmp_path,
        campaign,
        assignment,
        {"C1": dt.date(2027, 3, 3), "C2": dt.date(2027, 3, 2)},
        remarks={"C2": "期限内排不下 1 个"},
        filled=dt.date(2027, 2, 27),
    )
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.cell(1, 1).value == "附件2" and sheet.cell(1, 1).font.sz == 12
    assert sheet.cell(2, 1).value == "测试镇大走访活动安排表" and sheet.cell(2, 1).font.sz == 18
    assert any(str(r).startswith("A2:") for r in sheet.merged_cells.ranges)
    assert sheet.cell(3, 1).value == "填报单位（盖章）：测试镇"
    assert sheet.cell(3, 8).value == "填报日期：2027年2月27日"
    width = len(HEADERS)
    assert [sheet.cell(4, j).value for j in range(1, width + 1)] == HEADERS
    assert HEADERS[:12] == CONTRACT_COLUMNS and HEADERS[12:] == ["走访对象", "备注"]
    rows = [[sheet.cell(i, j).value for j in range(1, width + 1)] for i in range(5, 8)]
    assert [r[1] for r in rows] == ["刘一", "陈二", "周三"]
    assert rows[0][11] == dt.datetime(2027, 3, 3) and rows[2][5] == "无可走访对象"
    assert sheet.cell(5, 12).number_format == 'yyyy"年"m"月"d"日"'
    assert rows[0][6] + rows[1][6] == 3 and rows[0][8] == 1  # 户数, 商铺数
    assert rows[0][12] == "居民户、沿街商铺" and "期限内排不下 1 个" in rows[1][13]
    assert "重点对象 1 个" in rows[0][13]
    total = [sheet.cell(8, j).value for j in range(1, width + 1)]
    assert total[0] == "合计" and total[10] == 4
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.print_title_rows.replace("$", "") == "4:4"
    assert sheet.column_dimensions["F"].width >= 12 and sheet.cell(5, 2).font.name == "仿宋"
