"""附件2 大走访活动安排表: one row per cadre, printable on A4 landscape."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Assignment, Campaign
from optimizer.outputs.files import workbook, write_cell, write_cells
from optimizer.outputs.xlsx import Formats, column_widths, row_height, setup_a4_landscape
from optimizer.reports.labels import area_label

FILENAME = "附件2_大走访活动安排表.xlsx"
HEADERS = [
    "序号",
    "走访人员",
    "职务",
    "单位",
    "联系电话",
    "走访区域",
    "户数",
    "企业数",
    "商铺数",
    "其他",
    "合计",
    "计划完成日期",
]
OTHER = {
    TargetType.SCHOOL,
    TargetType.HOSPITAL,
    TargetType.MARKET,
    TargetType.INSTITUTION,
    TargetType.SITE,
}


def table_title(campaign_name: str) -> str:
    """The campaign name + 大走访活动安排表, without saying 大走访 twice."""
    if campaign_name.endswith("大走访"):
        return f"{campaign_name}活动安排表"
    if campaign_name.endswith("大走访活动"):
        return f"{campaign_name}安排表"
    return f"{campaign_name}大走访活动安排表"


def attachment2_rows(
    campaign: Campaign, assignment: Assignment, finish: dict[str, dt.date | None]
) -> list[list[object]]:
    """The table's data rows, in the order of the cadres file."""
    targets = campaign.target_index()
    town_grids: dict[str, set[str]] = {}
    for t in campaign.targets:
        town_grids.setdefault(t.village, set()).add(t.grid)
    areas = assignment.area_of_cadre()
    rows = []
    for n, cadre in enumerate(campaign.cadres, start=1):
        mine = [targets[tid] for tid in areas[cadre.id].target_ids] if cadre.id in areas else []
        kinds = Counter(t.type for t in mine)
        done = finish.get(cadre.id)
        rows.append(
            [
                n,
                cadre.name,
                cadre.role,
                cadre.unit,
                cadre.phone,
                area_label(mine, town_grids),
                kinds[TargetType.HOUSEHOLD],
                kinds[TargetType.ENTERPRISE],
                kinds[TargetType.SHOP],
                sum(kinds[k] for k in OTHER),
                len(mine),
                done.isoformat() if done else ("—" if not mine else ""),
            ]
        )
    return rows


def write_attachment2(
    folder: Path, campaign: Campaign, assignment: Assignment, finish: dict[str, dt.date | None]
) -> Path:
    """Write 附件2 as a government-style table: title, borders, 仿宋, totals, A4 landscape."""
    path = Path(folder) / FILENAME
    rows = attachment2_rows(campaign, assignment, finish)
    title = table_title(campaign.settings.name)
    with workbook(path) as book:
        _fill(book, title, rows)
    return path


def _fill(book, title: str, rows: list[list[object]]) -> None:
    sheet = book.add_worksheet("大走访活动安排表")
    f = Formats(book)
    widths = column_widths(HEADERS, rows, limits={5: 44})
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    sheet.write_string(0, 0, "附件2", f.tag)
    sheet.merge_range(1, 0, 1, len(HEADERS) - 1, "", f.title)
    sheet.write_string(1, 0, title, f.title)
    sheet.set_row(1, 36)
    write_cells(sheet, 2, HEADERS, f.header)
    sheet.set_row(2, 30)
    numbers = {6, 7, 8, 9, 10}
    for i, row in enumerate(rows, start=3):
        for j, value in enumerate(row):
            fmt = f.number if j in numbers else (f.text if j == 5 else f.centre)
            write_cell(sheet, i, j, value, fmt)
        sheet.set_row(i, row_height(row, widths))
    last = 3 + len(rows)
    sheet.merge_range(last, 0, last, 5, "", f.total)
    sheet.write_string(last, 0, "合计", f.total)
    for j in (6, 7, 8, 9, 10):
        sheet.write_number(last, j, sum(r[j] for r in rows), f.number)
    sheet.write_blank(last, 11, None, f.centre)
    setup_a4_landscape(sheet, header_row=2, title=title)
