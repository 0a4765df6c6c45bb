"""日路线 workbook: a sheet per cadre, a printed page per day — the cadre's day sheet.

Each day is a block that starts on a new page: the title, who and when (plan version), the
stops in visiting order with 重点 marked, and empty columns to write the result, the request
and the resident's signature in; the cadre signs at the foot. A return-visit plan (回访) is
the same sheet titled 回访, saying for each stop which request to report back on and what
was done about it, with a column for 满意/不满意.

Household names are masked; no phone numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from optimizer.domain.model import Campaign, DayRoute, Plan, hhmm
from optimizer.domain.privacy import display_address, display_name, mask_free_text
from optimizer.outputs.fast_sheet import FastSheet
from optimizer.outputs.files import header_text, sheet_name, workbook
from optimizer.outputs.xlsx import BODY_FONT, Formats, display_width

FILENAME = "日路线.xlsx"
STATUS_HINT = (
    "结果填：已走访 / 未遇 / 拒访 / 已搬离 / 信息有误。"
    "当天走完仍有时间的，可接着走访下一天表中的对象（提前走访），结果旁注明实际走访日期"
)


@dataclass(frozen=True, slots=True)
class ReturnItem:
    """One request to report back on at a return visit."""

    request_id: int
    text: str
    notes: str  # 办理情况


@dataclass(frozen=True, slots=True)
class Layout:
    headers: tuple[str, ...]
    widths: tuple[int, ...]
    title: str
    hint: str


DAY_LAYOUT = Layout(
    (
        *("序号", "计划到达", "对象编号", "户主/名称", "类型", "地址", "重点", "可走访时段"),
        *("走访结果\n（填写）", "诉求分类及内容\n（填写）", "群众签字"),
    ),
    (5, 7, 10, 9, 5, 18, 5, 10, 12, 22, 10),
    "走访路线单",
    STATUS_HINT,
)
RETURN_LAYOUT = Layout(
    (
        *("序号", "计划到达", "对象编号", "户主/名称", "地址", "诉求编号", "反馈的诉求"),
        *("办理情况", "是否满意\n（填写）", "群众签字"),
    ),
    (5, 7, 10, 9, 18, 8, 22, 24, 10, 10),
    "回访路线单",
    "回访时向群众反馈办理情况；“是否满意”填 是 或 否",
)


def _day_rows(campaign: Campaign, route: DayRoute) -> list[list[object]]:
    targets = campaign.target_index()
    rows = []
    for seq, stop in enumerate(route.stops, start=1):
        t = targets[stop.target_id]
        window = str(t.window) if t.window else "不限"
        rows.append(
            [
                seq,
                hhmm(stop.arrive_min),
                t.id,
                display_name(t),
                t.type.zh,
                display_address(t),
                "重点" if t.priority else "",
                window,
                "",
                "",
                "",
            ]
        )
    return rows


def _return_rows(campaign, route: DayRoute, returns: Mapping[str, list[ReturnItem]]):
    targets = campaign.target_index()
    rows = []
    for seq, stop in enumerate(route.stops, start=1):
        t = targets[stop.target_id]
        items = returns.get(t.id, [])
        rows.append(
            [
                seq,
                hhmm(stop.arrive_min),
                t.id,
                display_name(t),
                display_address(t),
                "、".join(f"#{i.request_id}" for i in items),
                mask_free_text("；".join(i.text for i in items)),
                mask_free_text("；".join(i.notes for i in items if i.notes)) or "（无说明）",
                "",
                "",
            ]
        )
    return rows


def write_day_routes(
    folder: Path,
    campaign: Campaign,
    plan: Plan,
    *,
    returns: Mapping[str, list[ReturnItem]] | None = None,
) -> Path:
    """Write 日路线.xlsx: a sheet per cadre, a page per day (``returns``: a return-visit
    plan's requests by target, which makes it a 回访 sheet)."""
    path = Path(folder) / FILENAME
    with workbook(path, strings_to_urls=False) as book:  # shared strings: faster
        _fill(book, campaign, plan, returns)
    return path


def _fill(book, campaign: Campaign, plan: Plan, returns) -> None:
    f = _Formats(book)
    layout = RETURN_LAYOUT if returns is not None else DAY_LAYOUT
    by_cadre: dict[str, list[DayRoute]] = {}
    for route in sorted(plan.routes, key=lambda r: (r.cadre_id, r.day)):
        if route.stops:
            by_cadre.setdefault(route.cadre_id, []).append(route)
    cadres = campaign.cadre_index()
    used: set[str] = set()
    for cadre_id, routes in by_cadre.items():
        cadre = cadres[cadre_id]
        sheet = book.add_worksheet(sheet_name(f"{cadre.id} {cadre.name}", used), FastSheet)
        for j, width in enumerate(layout.widths):
            sheet.set_column(j, j, width)
        breaks, row = [], 0
        for route in routes:
            if row:
                breaks.append(row)
            rows = (
                _return_rows(campaign, route, returns)
                if returns is not None
                else _day_rows(campaign, route)
            )
            row = _block(sheet, f, campaign, plan, cadre, route, rows, layout, row)
        sheet.set_h_pagebreaks(breaks)
        _print_setup(sheet, f"{campaign.settings.name} {layout.title}", layout.widths)
    if not by_cadre:
        book.add_worksheet("无路线").write_string(0, 0, "没有安排路线")


def _block(sheet, f, campaign, plan, cadre, route, rows, layout: Layout, top: int) -> int:
    """One day: title, who and when, the table, the signature line; returns the next row."""
    last = len(layout.headers) - 1
    date = campaign.settings.date_of(route.day)
    heading = "回访" if layout is RETURN_LAYOUT else f"第{route.day}天"
    sheet.merge_row(top, 0, last, f"{campaign.settings.name} {layout.title}", f.title)
    sheet.set_row(top, 30)
    who = (
        f"走访人员：{cadre.name}（{cadre.id}）{cadre.role}    "
        f"日期：{date.year}年{date.month}月{date.day}日（{heading}）    "
        f"共 {len(rows)} 处，{hhmm(route.start_min)} 出发，约 {hhmm(route.end_min)} 返回"
        + (f"    计划第 {plan.version} 版" if layout is DAY_LAYOUT else "")
    )
    sheet.merge_row(top + 1, 0, last, who, f.line)
    sheet.put_row(top + 2, layout.headers, (f.header,) * len(layout.headers))
    sheet.set_row(top + 2, 30)
    cells = f.cells(len(layout.headers))
    for i, values in enumerate(rows, start=top + 3):
        sheet.put_row(i, values, cells)
        sheet.set_row(i, _height(values, layout.widths))
    foot = top + 3 + len(rows)
    sheet.merge_row(foot, 0, last, layout.hint, f.note)
    sheet.set_row(foot, _hint_height(layout))
    sheet.merge_row(foot + 1, 0, last, "走访人员签字：______________    日期：______", f.line)
    sheet.set_row(foot + 1, 28)
    return foot + 2


@functools.cache
def _hint_height(layout: Layout) -> int:
    """A merged cell does not grow with its text: room for each line the hint wraps to (the
    same for every day of a layout, so measured once)."""
    return 14 * -(-display_width(layout.hint) // sum(layout.widths))


def _height(values: list[object], widths: tuple[int, ...]) -> float:
    """Room to write by hand: two lines at least, more where a cell wraps."""
    lines = 1
    for v, w in zip(values, widths, strict=True):
        room = max(1, w - 1)
        # A text of n characters is at most 2n wide: a short one fits in a line, unmeasured.
        if v != "" and 2 * len(text := str(v)) > room:
            lines = max(lines, -(-display_width(text) // room))
    return max(30.0, 15.0 * lines + 4)


class _Formats(Formats):
    def __init__(self, book):
        super().__init__(book)
        self.line = book.add_format({"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"})

    def cells(self, columns: int) -> tuple:
        """Each column's format in a stop's row: 序号, 计划到达 and 重点 centred."""
        return tuple(self.centre if j in (0, 1, 6) else self.text for j in range(columns))


MM_PER_CHAR = 2.75  # a column width unit as LibreOffice prints it (measured on its PDFs)
PRINTABLE_MM = 270  # A4 landscape less the margins


def _print_setup(sheet, title: str, widths: tuple[int, ...]) -> None:
    """A4 landscape, scaled so that the columns fit the width; the page breaks are the days
    (a "fit to page" setting would make spreadsheets ignore them, so a fixed scale it is)."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.set_print_scale(min(100, int(100 * PRINTABLE_MM / (MM_PER_CHAR * sum(widths)))))
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer(f'&C&"{BODY_FONT}"{header_text(title)}  第 &P 页 共 &N 页')
