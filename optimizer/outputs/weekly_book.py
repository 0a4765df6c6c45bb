"""The weekly report's workbook: four titled sheets that print on A4 portrait, one page wide.

Each sheet opens with the report's title and 截至 line, then sections (a heading and its
table with borders), so a printed page says what it is without the screen around it.
"""

from __future__ import annotations

from optimizer.outputs.files import header_text, sheet_name, write_cell
from optimizer.outputs.xlsx import (
    BODY_FONT,
    TITLE_FONT,
    Formats,
    column_widths,
    display_width,
    row_height,
)
from optimizer.reports.weekly import CADRE_HEADERS, WeekReport

OVERDUE_HEADERS = ["编号", "村/社区", "类别", "诉求内容", "责任单位", "办结期限", "状态"]
MAX_WIDTH = 34  # widest column: the request text wraps beyond it
BORDERED = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "border": 1}


class _Sheet:
    """Writes a titled sheet section by section, rows going down."""

    def __init__(self, book, f: Formats, name: str, r: WeekReport, columns: int):
        self.sheet = book.add_worksheet(sheet_name(name))
        self.f, self.row, self.columns = f, 0, columns
        self.widths = [8] * columns
        self.heading = book.add_format({"font_name": TITLE_FONT, "font_size": 13, "bold": True})
        self.sub = book.add_format({"font_name": BODY_FONT, "font_size": 11})
        self.right = book.add_format({**BORDERED, "align": "right"})
        title = f"第{r.week}周调度报告 · {name}"
        self.sheet.merge_range(0, 0, 0, columns - 1, title, f.title)
        self.sheet.set_row(0, 34)
        subtitle = (
            f"{r.campaign}　第 {r.first_day}–{r.last_day} 天；截至 {r.report_date}"
            f"（第 {r.data_day} 天）"
        )
        self.sheet.merge_range(1, 0, 1, columns - 1, subtitle, self.sub)
        self.row = 3
        # The title (18 pt) and the subtitle must fit the merged width.
        self.least = max(display_width(title) * 1.7, display_width(subtitle) * 1.05)
        self.title = f"{r.campaign} {title}"

    def section(self, heading: str, headers: list[str], rows) -> None:
        rows = [list(row) for row in rows]
        self.sheet.write_string(self.row, 0, heading, self.heading)
        self.row += 1
        widths = column_widths(headers, rows, limits=dict.fromkeys(range(len(headers)), MAX_WIDTH))
        self.widths = [max(a, b) for a, b in zip(self.widths, [*widths, 8, 8, 8], strict=False)]
        for j, head in enumerate(headers):
            self.sheet.write_string(self.row, j, head, self.f.header)
        self.row += 1
        if not rows:
            self.sheet.write_string(self.row, 0, "（无）", self.f.text)
            self.row += 1
        for values in rows:
            for j, value in enumerate(values):
                fmt = self.f.number if isinstance(value, int | float) else self.f.text
                if isinstance(value, str) and value.endswith("%"):
                    fmt = self.right
                write_cell(self.sheet, self.row, j, value, fmt)
            self.sheet.set_row(self.row, row_height(values, self.widths[: len(values)]))
            self.row += 1
        self.row += 1

    def finish(self) -> None:
        widths = self.widths[: self.columns]
        widths[-1] += max(0, int(self.least - sum(widths)) + 1)
        for j, width in enumerate(widths):
            self.sheet.set_column(j, j, width)
        self.sheet.set_paper(9)
        self.sheet.set_portrait()
        self.sheet.fit_to_pages(1, 0)
        self.sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        self.sheet.center_horizontally()
        self.sheet.set_footer(f'&C&"{BODY_FONT}"{header_text(self.title)}  第 &P 页 共 &N 页')


def fill_report(book, r: WeekReport) -> None:
    f = Formats(book)
    c, sc = r.closing, r.spot_checks
    overview = _Sheet(book, f, "概况", r, 4)
    overview.section(
        "主要指标",
        ["项目", "数值"],
        [
            ("走访覆盖率", f"{r.coverage:.1%}"),
            ("走访对象", r.targets),
            ("收集诉求（件）", c.get("requests", 0)),
            ("办结率", f"{c.get('done_rate', 0.0):.0%}（{c.get('done', 0)} 件）"),
            ("销号率", f"{c.get('closed_rate', 0.0):.0%}（{c.get('closed', 0)} 件）"),
            ("超期未办结（件）", len(r.overdue)),
        ],
    )
    overview.section("每日走访", ["日期", "计划", "实际走访"], r.visits_by_day)
    overview.section(
        "各村/社区覆盖率",
        ["村/社区", "覆盖率", "对象数"],
        [(v, f"{cov:.1%}", n) for v, cov, n in r.coverage_by_village],
    )
    overview.finish()
    people = _Sheet(book, f, "人员进度", r, len(CADRE_HEADERS))
    people.section("各人员进度", list(CADRE_HEADERS), r.cadres)
    people.finish()
    asks = _Sheet(book, f, "诉求", r, 8)
    by_class = [(k, *v) for k, v in r.requests_by_class]
    asks.section("诉求分类（大类 × 小类）", ["大类", *r.subjects], by_class)
    asks.section("诉求集中的区域", ["村/社区·网格", "诉求数", "最多的类别"], r.hot_places)
    asks.section("诉求集中的群体", ["群体", "诉求数", "每百户（家）"], r.hot_groups)
    asks.section("超期未办结事项", OVERDUE_HEADERS, r.overdue)
    asks.finish()
    risks = _Sheet(book, f, "风险与抽查", r, 3)
    risks.section("风险人员（期限内难以完成）", ["人员", "缺少分钟", "建议"], r.at_risk)
    risks.section("未报告结果的人员", ["日期", "人员"], r.silent)
    risks.section(
        "电话回访抽查",
        ["项目", "户数"],
        [
            ("抽查", sc.get("sampled", 0)),
            ("属实", sc.get("confirmed", 0)),
            ("不属实（原人员复访）", sc.get("not_confirmed", 0)),
            ("未接通", sc.get("no_answer", 0)),
            ("待核实", sc.get("pending", 0)),
        ],
    )
    risks.finish()
