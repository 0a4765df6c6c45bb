"""The ledger's lists: 附件5 无问题群众清单, 附件6 问题清单, and the city-platform export.

Grouped by village (以总支为单位) and, for problems, by responsibility class and subject.
Names are masked; no phone numbers: free text (诉求内容, addresses) shows any phone or ID-card
number in it masked (``privacy.mask_free_text``). The platform export carries class 2 and 3
items only (the ones a city department answers for), in the columns of ``PLATFORM_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH
from optimizer.domain.ledger import Request, responsibility_zh, subject_zh
from optimizer.domain.model import Campaign
from optimizer.domain.privacy import display_address, display_name, mask_free_text
from optimizer.outputs.files import sheet_name, workbook, write_cell, write_cells, write_csv
from optimizer.outputs.xlsx import Formats, column_widths, row_height, setup_a4_landscape

NO_PROBLEM_FILE = "附件5_无问题群众清单.xlsx"
PROBLEM_FILE = "附件6_问题清单.xlsx"
PLATFORM_FILE = "市平台转办事项"

NO_PROBLEM_HEADERS = [
    "序号",
    "村/社区",
    "网格",
    "对象编号",
    "户主/名称",
    "类型",
    "地址",
    "走访日期",
    "走访人员",
]
PROBLEM_HEADERS = [
    "序号",
    "村/社区",
    "网格",
    "对象编号",
    "户主/名称",
    "地址",
    "问题大类",
    "问题小类",
    "诉求内容",
    "责任单位",
    "办结期限",
    "当前状态",
    "办理情况",
    "走访人员",
]
#: City-platform import layout (e呼善应 and similar): one row per class 2/3 request.
PLATFORM_COLUMNS = [
    "事项编号",  # zoufang request id
    "登记日期",  # date of the visit that raised it (ISO)
    "所属镇街",  # the town: campaign.toml ``town``, else the name's leading 镇/街道/乡
    "村/社区",
    "网格",
    "对象编号",
    "诉求大类",  # 1 镇村解决 / 2 镇和市直部门联动 / 3 市直部门单独解决
    "诉求小类",  # 居住环境 … 其他
    "诉求内容",
    "建议责任单位",
    "办结期限",  # ISO date
    "当前状态",  # 登记 / 办理中 / 已办结 / 已回访 / 已销号
    "走访人员编号",
    "办理情况",  # (added) the notes of every move, oldest first
]


def no_problem_rows(
    campaign: Campaign, visited: dict[str, tuple[int, str]], with_requests: set[str]
):
    """Visited targets that raised nothing, by village then grid.

    ``visited`` maps a target to the (day, cadre) of its visit.
    """
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    chosen = sorted(
        (targets[t] for t in visited if t not in with_requests),
        key=lambda t: (t.village, t.grid, t.id),
    )
    return [
        [
            i,
            t.village,
            t.grid,
            t.id,
            display_name(t),
            t.type.zh,
            display_address(t),
            campaign.settings.date_of(visited[t.id][0]).isoformat(),
            cadres[visited[t.id][1]].name,
        ]
        for i, t in enumerate(chosen, start=1)
    ]


def problem_rows(campaign: Campaign, requests: Iterable[Request]):
    """Requests by village, then class and subject."""
    targets = campaign.target_index()
    cadres = campaign.cadre_index()
    ordered = sorted(
        requests,
        key=lambda r: (targets[r.target_id].village, r.responsibility, r.subject, r.id),
    )
    rows = []
    for i, r in enumerate(ordered, start=1):
        t = targets[r.target_id]
        rows.append(
            [
                i,
                t.village,
                t.grid,
                t.id,
                display_name(t),
                display_address(t),
                responsibility_zh(r.responsibility),
                subject_zh(r.subject),
                mask_free_text(r.text),
                mask_free_text(r.answering_unit),
                r.due.isoformat(),
                r.state,
                r.notes,
                cadres[r.cadre_id].name if r.cadre_id in cadres else r.cadre_id,
            ]
        )
    return rows


def platform_rows(campaign: Campaign, requests: Iterable[Request]):
    targets = campaign.target_index()
    town = campaign.settings.town_name
    return [
        [
            f"ZF-{r.id:06d}",
            campaign.settings.date_of(r.day).isoformat(),
            town,
            targets[r.target_id].village,
            targets[r.target_id].grid,
            r.target_id,
            RESPONSIBILITY_ZH[r.responsibility],
            SUBJECT_ZH[r.subject],
            mask_free_text(r.text),
            mask_free_text(r.answering_unit),
            r.due.isoformat(),
            r.state,
            r.cadre_id,
            r.notes,
        ]
        for r in requests
        if r.responsibility in (2, 3)
    ]


def write_list(
    path: Path,
    title: str,
    headers: list[str],
    rows: list[list],
    wide: dict[int, int],
    *,
    title_row: bool = True,
    private: bool = False,
) -> Path:
    """A printable list in the style of 附件2: title, borders, 仿宋, A4 landscape. Without
    ``title_row`` the header is the first row (for machine import); ``private``: readable by
    its owner only (0600)."""
    with workbook(path, private=private) as book:
        _fill_list(book, title, headers, rows, wide, title_row)
    return path


def _fill_list(book, title: str, headers, rows, wide, title_row: bool) -> None:
    sheet = book.add_worksheet(sheet_name(title))
    f = Formats(book)
    widths = column_widths(headers, rows, limits=wide)
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    top = 1 if title_row else 0
    if title_row:
        sheet.merge_range(0, 0, 0, len(headers) - 1, "", f.title)
        write_cell(sheet, 0, 0, title, f.title)
        sheet.set_row(0, 32)
    write_cells(sheet, top, headers, f.header)
    for i, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            write_cell(sheet, i, j, value, f.number if isinstance(value, int) else f.text)
        sheet.set_row(i, row_height(row, widths))
    if not rows and title_row:
        sheet.merge_range(top + 1, 0, top + 1, len(headers) - 1, "", f.centre)
        sheet.write_string(top + 1, 0, "（无）", f.centre)
    setup_a4_landscape(sheet, header_row=top, title=title)


def write_platform(folder: Path, rows: list[list]) -> tuple[Path, Path]:
    """The platform export as UTF-8 CSV (with BOM, for Excel) and XLSX."""
    csv_path = write_csv(
        Path(folder) / f"{PLATFORM_FILE}.csv", PLATFORM_COLUMNS, rows, encoding="utf-8-sig"
    )
    xlsx_path = write_list(
        Path(folder) / f"{PLATFORM_FILE}.xlsx",
        "市平台转办事项",
        PLATFORM_COLUMNS,
        rows,
        {8: 36},
        title_row=False,
    )
    return csv_path, xlsx_path
