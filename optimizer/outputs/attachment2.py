"""附件2 大走访活动安排表: one row per cadre, printable on A4 landscape.

The contract's twelve columns keep their order (DESIGN §4); 走访对象 and 备注 are added after
them. 计划完成日期 is a date cell shown as 2027年3月6日 (a script reads a date).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from optimizer.domain.codes import TargetType
from optimizer.domain.model import Assignment, Campaign
from optimizer.outputs.files import workbook, write_cell, write_cells
from optimizer.outputs.xlsx import (
    BODY_FONT,
    Formats,
    column_widths,
    row_height,
    setup_a4_landscape,
)
from optimizer.reports.labels import AreaNamer

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
    "走访对象",  # (added) the kinds of target
    "备注",  # (added) priority and evening households, what cannot be scheduled
]
HEADER_ROW = 3  # 附件2, the title and the 填报单位/日期 line come first
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
OBJECT_ZH = {
    TargetType.HOUSEHOLD: "居民户",
    TargetType.ENTERPRISE: "企业",
    TargetType.SHOP: "沿街商铺",
    TargetType.SCHOOL: "学校",
    TargetType.HOSPITAL: "医院、卫生室",
    TargetType.MARKET: "市场",
    TargetType.INSTITUTION: "机关单位",
    TargetType.SITE: "建筑工地",
}
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


def _objects(mine) -> str:
    """走访对象: the kinds of target, in the notice's order."""
    kinds = {t.type for t in mine}
    return "、".join(OBJECT_ZH[k] for k in TargetType if k in kinds) or "—"


def _remarks(mine, evening_start: int | None, extra: str) -> str:
    """备注: what the visiting day must allow for (priority and evening households)."""
    notes = []
    priority = sum(1 for t in mine if t.priority)
    evening = sum(
        1
        for t in mine
        if evening_start is not None and t.window and t.window.start_min >= evening_start
    )
    if priority:
        notes.append(f"重点对象 {priority} 个")
    if evening:
        notes.append(f"晚间走访 {evening} 户")
    if extra:
        notes.append(extra)
    return "；".join(notes)


def attachment2_rows(
    campaign: Campaign,
    assignment: Assignment,
    finish: dict[str, dt.date | None],
    remarks: dict[str, str] | None = None,
) -> list[list[object]]:
    """The table's data rows, in the order of the cadres file (dates as ``date`` values)."""
    targets = campaign.target_index()
    namer = AreaNamer(campaign, assignment)
    areas = assignment.area_of_cadre()
    evening = campaign.settings.window("evening")
    remarks = remarks or {}
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
                namer.label(cadre.id),
                kinds[TargetType.HOUSEHOLD],
                kinds[TargetType.ENTERPRISE],
                kinds[TargetType.SHOP],
                sum(kinds[k] for k in OTHER),
                len(mine),
                done if done else ("—" if not mine else ""),
                _objects(mine),
                _remarks(mine, evening.start_min if evening else None, remarks.get(cadre.id, "")),
            ]
        )
    return rows


def write_attachment2(
    folder: Path,
    campaign: Campaign,
    assignment: Assignment,
    finish: dict[str, dt.date | None],
    *,
    remarks: dict[str, str] | None = None,
    filled: dt.date | None = None,
) -> Path:
    """Write 附件2 as a government-style table: 附件 label (黑体 12 pt), title (宋体 18 pt),
    填报单位 and 填报日期, borders, 仿宋, totals, A4 landscape. ``filled``: the 填报日期
    (default today)."""
    path = Path(folder) / FILENAME
    rows = attachment2_rows(campaign, assignment, finish, remarks)
    title = table_title(campaign.settings.name)
    office = campaign.settings.town_name
    with workbook(path) as book:
        _fill(book, title, office, filled or dt.date.today(), rows)
    return path


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _fill(book, title: str, office: str, filled: dt.date, rows: list[list[object]]) -> None:
    sheet = book.add_worksheet("大走访活动安排表")
    f = Formats(book)
    day = book.add_format(
        {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "border": 1}
        | {"align": "center", "num_format": DATE_FORMAT}
    )
    line = book.add_format({"font_name": BODY_FONT, "font_size": 12, "valign": "vcenter"})
    shown = [[chinese_date(v) if isinstance(v, dt.date) else v for v in r] for r in rows]
    widths = column_widths(HEADERS, shown, limits={5: 44, 13: 24})
    widths[11] = max(widths[11], 15)
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    last = len(HEADERS) - 1
    sheet.write_string(0, 0, "附件2", f.tag)
    sheet.merge_range(1, 0, 1, last, title, f.title)
    sheet.set_row(1, 40)
    sheet.merge_range(2, 0, 2, 6, f"填报单位（盖章）：{office}", line)
    sheet.merge_range(2, 7, 2, last, f"填报日期：{chinese_date(filled)}", line)
    sheet.set_row(2, 24)
    write_cells(sheet, HEADER_ROW, HEADERS, f.header)
    sheet.set_row(HEADER_ROW, 30)
    numbers = {6, 7, 8, 9, 10}
    for i, (row, text) in enumerate(zip(rows, shown, strict=True), start=HEADER_ROW + 1):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), day)
                continue
            fmt = f.number if j in numbers else (f.text if j in (5, 12, 13) else f.centre)
            write_cell(sheet, i, j, value, fmt)
        sheet.set_row(i, max(24.0, row_height(text, widths)))
    total = HEADER_ROW + 1 + len(rows)
    sheet.merge_range(total, 0, total, 5, "合计", f.total)
    for j in (6, 7, 8, 9, 10):
        sheet.write_number(total, j, sum(r[j] for r in rows), f.number)
    for j in (11, 12, 13):
        sheet.write_blank(total, j, None, f.centre)
    setup_a4_landscape(sheet, header_row=HEADER_ROW, title=title)
