"""日路线 workbook: one printable sheet per campaign day, every cadre's stops in order."""

from __future__ import annotations

from pathlib import Path

from optimizer.domain.model import Campaign, Plan, hhmm
from optimizer.domain.privacy import display_address, display_name
from optimizer.outputs.files import workbook, write_cell
from optimizer.outputs.xlsx import Formats, column_widths, setup_a4_landscape

FILENAME = "日路线.xlsx"
HEADERS = [
    "走访人员",
    "序号",
    "对象编号",
    "名称",
    "类型",
    "地址",
    "可走访时段",
    "计划到达",
    "计划离开",
    "路程(分)",
]
NUMBER_COLUMNS = (1, 9)  # 序号, 路程
ADDRESS_COLUMN = 5


def day_route_rows(campaign: Campaign, plan: Plan) -> dict[int, list[list[object]]]:
    """Rows per day: cadre, order, target, masked name, type, address, window, times."""
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    by_day: dict[int, list[list[object]]] = {}
    for route in sorted(plan.routes, key=lambda r: (r.day, r.cadre_id)):
        cadre = cadres[route.cadre_id]
        for seq, stop in enumerate(route.stops, start=1):
            t = targets[stop.target_id]
            window = str(t.window) if t.window else "不限"
            by_day.setdefault(route.day, []).append(
                [
                    f"{cadre.name}（{cadre.id}）",
                    seq,
                    t.id,
                    display_name(t),
                    t.type.zh,
                    display_address(t),
                    window,
                    hhmm(stop.arrive_min),
                    hhmm(stop.depart_min),
                    stop.travel_min,
                ]
            )
    return by_day


def write_day_routes(folder: Path, campaign: Campaign, plan: Plan) -> Path:
    """Write 日路线.xlsx (names masked; no phone numbers)."""
    path = Path(folder) / FILENAME
    with workbook(path) as book:
        _fill(book, campaign, plan)
    return path


def _fill(book, campaign: Campaign, plan: Plan) -> None:
    f = Formats(book)
    rows_by_day = day_route_rows(campaign, plan)
    for day in sorted(rows_by_day):
        rows = rows_by_day[day]
        date = campaign.settings.date_of(day)
        title = f"{campaign.settings.name} 第{day}天（{date.isoformat()}）走访路线"
        sheet = book.add_worksheet(f"第{day}天 {date.month}月{date.day}日")
        widths = column_widths(HEADERS, rows, limits={ADDRESS_COLUMN: 30})
        for j, width in enumerate(widths):
            sheet.set_column(j, j, width)
        sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "", f.title)
        write_cell(sheet, 0, 0, title, f.title)
        for j, head in enumerate(HEADERS):
            sheet.write_string(1, j, head, f.header)
        # Typed writes (``write_cell``): the generic ``write`` tests every string against URL
        # and formula patterns, which costs more than the rest of this workbook.
        styles = [
            f.number if j in NUMBER_COLUMNS else f.text if j == ADDRESS_COLUMN else f.centre
            for j in range(len(HEADERS))
        ]
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row):
                write_cell(sheet, i, j, value, styles[j])
        setup_a4_landscape(sheet, header_row=1, title=title)
    if not rows_by_day:
        book.add_worksheet("无路线").write_string(0, 0, "没有安排路线")
