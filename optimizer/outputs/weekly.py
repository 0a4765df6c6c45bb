"""The weekly dispatch report (周调度): an XLSX and a self-contained HTML page with SVG charts.

The data come in as a ``reports.weekly.WeekReport``; charts are drawn here as inline SVG (no
script, no network), so the page opens anywhere and prints.
"""

from __future__ import annotations

import html
from pathlib import Path

from optimizer.outputs.files import sheet_name, workbook, write_cells, write_text
from optimizer.outputs.xlsx import Formats, column_widths
from optimizer.reports.weekly import WeekReport

SUBJECT_COLOURS = ("#00897b", "#3949ab", "#d81b60", "#fb8c00", "#43a047", "#8e24aa", "#757575")


def _svg(width: int, height: int) -> str:
    """A fixed-size SVG: readable when printed; a phone scrolls it sideways."""
    return f'<svg class="chart" width="{width}" height="{height}" role="img">'


def _text(x: float, y: float, body: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{body}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str = "") -> str:
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">{tip}</rect>'
    )


def _legend(names, colours, left: float, y: float, step: int) -> str:
    return "".join(
        _rect(left + i * step, y, 10, 10, colours[i % len(colours)])
        + _text(left + i * step + 14, y + 9, html.escape(name), ' font-size="12"')
        for i, name in enumerate(names)
    )


def _bars(
    rows: list[tuple[str, list[float]]], series: list[str], colours, width=720, unit=""
) -> str:
    """Grouped horizontal bars as SVG: one row per label, one bar per series."""
    if not rows:
        return "<p>（无数据）</p>"
    top = max((max(values) for _, values in rows), default=0) or 1
    bar, gap, left = 12, 8, 150
    height = len(rows) * (bar * len(series) + gap) + 30
    parts = [_svg(width, height)]
    y = 10
    for label, values in rows:
        middle = y + bar * len(series) / 2 + 4
        parts.append(_text(left - 6, middle, html.escape(label), ' text-anchor="end"'))
        for k, value in enumerate(values):
            w = (width - left - 80) * value / top
            parts.append(_rect(left, y + k * bar, w, bar - 2, colours[k % len(colours)]))
            at = (left + w + 4, y + k * bar + bar - 3)
            parts.append(_text(*at, f"{value:g}{unit}", ' font-size="11"'))
        y += bar * len(series) + gap
    return "".join(parts) + _legend(series, colours, left, y + 4, 120) + "</svg>"


def _stacked(rows: list[tuple[str, tuple[int, ...]]], names: tuple[str, ...], width=720) -> str:
    """Stacked horizontal bars as SVG: classes by subject."""
    total = max((sum(v) for _, v in rows), default=0) or 1
    left, bar = 150, 22
    parts = [_svg(width, len(rows) * (bar + 10) + 40)]
    for i, (label, values) in enumerate(rows):
        y, x = 10 + i * (bar + 10), left
        parts.append(_text(left - 6, y + 15, html.escape(label), ' text-anchor="end"'))
        for k, value in enumerate(values):
            w = (width - left - 60) * value / total
            if value:
                parts.append(_rect(x, y, w, bar, SUBJECT_COLOURS[k], f"{names[k]} {value}"))
            x += w
        parts.append(_text(x + 4, y + 15, str(sum(values))))
    y = 20 + len(rows) * (bar + 10)
    return "".join(parts) + _legend(names, SUBJECT_COLOURS, left, y, 80) + "</svg>"


def _table(headers: list[str], rows) -> str:
    if not rows:
        return "<p>（无）</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #bbb;padding:3px 8px}
th{background:#f2f2f2}.kpi{display:inline-block;margin-right:28px;font-size:15px}
.kpi b{font-size:24px;display:block}svg.chart text{font-size:12px}"""


def render_html(r: WeekReport) -> str:
    sc = r.spot_checks
    sections = [
        f"<h1>{html.escape(r.campaign)} 第{r.week}周调度报告</h1>",
        f"<p>第 {r.first_day}–{r.last_day} 天，截至 {r.report_date}</p>",
        f'<div class="kpi"><b>{r.coverage:.1%}</b>走访覆盖率</div>'
        f'<div class="kpi"><b>{r.targets}</b>走访对象</div>'
        f'<div class="kpi"><b>{sum(sum(v) for _, v in r.requests_by_class)}</b>收集诉求</div>'
        f'<div class="kpi"><b>{len(r.overdue)}</b>超期未办结</div>',
        "<h2>每日走访：计划与实际</h2>",
        _bars(
            [(d, [p, v]) for d, p, v in r.visits_by_day],
            ["计划", "实际走访"],
            ("#90a4ae", "#2e7d32"),
        ),
        "<h2>各村/社区覆盖率</h2>",
        _bars(
            [(v, [round(c * 100, 1)]) for v, c, _ in r.coverage_by_village],
            ["覆盖率"],
            ("#1e88e5",),
            unit="%",
        ),
        "<h2>诉求分类（大类 × 小类）</h2>",
        _stacked(list(r.requests_by_class), r.subjects),
        "<h2>诉求集中的区域</h2>",
        _table(["村/社区·网格", "诉求数", "最多的类别"], r.hot_places),
        "<h2>诉求集中的群体</h2>",
        _table(
            ["群体", "诉求数", "每百户（家）"], [(g, n, f"{p:.1f}") for g, n, p in r.hot_groups]
        ),
        "<h2>超期未办结事项</h2>",
        _table(["编号", "村/社区", "类别", "诉求内容", "责任单位", "办结期限", "状态"], r.overdue),
        "<h2>风险人员（期限内难以完成）</h2>",
        _table(["人员", "缺少分钟", "建议"], r.at_risk),
        "<h2>电话回访抽查</h2>",
        f"<p>抽查 {sc.get('sampled', 0)} 户，属实 {sc.get('confirmed', 0)}，"
        f"不属实 {sc.get('not_confirmed', 0)}，待核实 {sc.get('pending', 0)}</p>",
    ]
    head = (
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(r.campaign)} 第{r.week}周</title><style>{STYLE}</style>"
    )
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head>{head}</head>'
        f"<body>{''.join(sections)}</body></html>"
    )


def _sheet(book, f, name: str, headers: list[str], rows) -> None:
    sheet = book.add_worksheet(sheet_name(name))
    rows = [list(row) for row in rows]
    for j, width in enumerate(column_widths(headers, rows, limits={3: 40})):
        sheet.set_column(j, j, width)
    write_cells(sheet, 0, headers, f.header)
    for i, row in enumerate(rows, start=1):
        write_cells(sheet, i, row, f.text)


def write_report(folder: Path, r: WeekReport) -> tuple[Path, Path]:
    """``周调度_第N周.xlsx`` and ``周调度_第N周.html`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path = write_text(folder / f"周调度_第{r.week}周.html", render_html(r))
    xlsx_path = folder / f"周调度_第{r.week}周.xlsx"
    with workbook(xlsx_path) as book:
        _fill_report(book, r)
    return xlsx_path, html_path


def _fill_report(book, r: WeekReport) -> None:
    f = Formats(book)
    overview = [
        ("活动", r.campaign),
        ("周次", r.week),
        ("天数", f"{r.first_day}–{r.last_day}"),
        ("截至", r.report_date),
        ("覆盖率", f"{r.coverage:.1%}"),
        ("走访对象", r.targets),
    ]
    _sheet(book, f, "概况", ["项目", "数值"], overview)
    _sheet(book, f, "每日走访", ["日期", "计划", "实际走访"], r.visits_by_day)
    _sheet(
        book,
        f,
        "各村覆盖率",
        ["村/社区", "覆盖率", "对象数"],
        [(v, f"{c:.1%}", n) for v, c, n in r.coverage_by_village],
    )
    _sheet(book, f, "诉求分类", ["大类", *r.subjects], [(k, *v) for k, v in r.requests_by_class])
    _sheet(
        book,
        f,
        "超期事项",
        ["编号", "村/社区", "类别", "诉求内容", "责任单位", "办结期限", "状态"],
        r.overdue,
    )
    _sheet(book, f, "风险人员", ["人员", "缺少分钟", "建议"], r.at_risk)
    _sheet(book, f, "诉求集中区域", ["村/社区·网格", "诉求数", "最多的类别"], r.hot_places)
    _sheet(book, f, "诉求集中群体", ["群体", "诉求数", "每百户（家）"], r.hot_groups)
    _sheet(book, f, "电话抽查", ["项目", "数量"], list(r.spot_checks.items()))
