"""The weekly dispatch report (周调度): an XLSX and a self-contained HTML page with SVG charts.

The data come in as a ``reports.weekly.WeekReport``. Charts are inline SVG (no script, no
network) drawn on a 360-unit-wide canvas that scales to the page: on a phone they fill the
width with readable text, on a desk they stop at 560 px. The workbook has four titled
sheets (概况, 人员进度, 诉求, 风险与抽查), each printing on A4 portrait, one page wide.
"""

from __future__ import annotations

import html
from pathlib import Path

from optimizer.outputs.files import workbook, write_text
from optimizer.outputs.weekly_book import OVERDUE_HEADERS, fill_report
from optimizer.reports.weekly import CADRE_HEADERS, WeekReport

SUBJECT_COLOURS = ("#00897b", "#3949ab", "#d81b60", "#fb8c00", "#43a047", "#8e24aa", "#757575")
CANVAS = 360  # SVG user units across; the page scales them
LEFT = 92  # room for the labels


def _svg(height: int) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {CANVAS} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img">'
    )


def _text(x: float, y: float, body: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{body}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str = "") -> str:
    tip = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">{tip}</rect>'
    )


def _legend(names, colours, y: float, per_row: int = 4) -> tuple[str, float]:
    """Legend swatches in rows that fit the canvas; returns (svg, the height used)."""
    step = (CANVAS - 8) / per_row
    parts = []
    for i, name in enumerate(names):
        x, row = 4 + (i % per_row) * step, y + (i // per_row) * 16
        parts.append(_rect(x, row, 9, 9, colours[i % len(colours)]))
        parts.append(_text(x + 12, row + 8, html.escape(name), ' font-size="10"'))
    return "".join(parts), 16 * ((len(names) + per_row - 1) // per_row)


def _bars(
    rows: list[tuple[str, list[float]]], series: list[str], colours, unit="", full: float = 0
) -> str:
    """Grouped horizontal bars: one row per label, one bar per series; ``full`` is the value
    of a full-width bar (a share: 100, so 35 % never looks nearly done), else the largest."""
    if not rows:
        return "<p>（无数据）</p>"
    top = full or max((max(values) for _, values in rows), default=0) or 1
    bar, gap = 9, 6
    y, parts = 6.0, []
    for label, values in rows:
        middle = y + bar * len(values) / 2 + 3
        parts.append(_text(LEFT - 4, middle, html.escape(label), ' text-anchor="end"'))
        for k, value in enumerate(values):
            w = (CANVAS - LEFT - 40) * value / top
            parts.append(_rect(LEFT, y + k * bar, w, bar - 1, colours[k % len(colours)]))
            at = (LEFT + w + 3, y + k * bar + bar - 2)
            parts.append(_text(*at, f"{value:g}{unit}", ' font-size="9"'))
        y += bar * len(values) + gap
    legend, used = _legend(series, colours, y + 2)
    return _svg(int(y + used + 8)) + "".join(parts) + legend + "</svg>"


def _stacked(rows: list[tuple[str, tuple[int, ...]]], names: tuple[str, ...]) -> str:
    """Stacked horizontal bars: classes by subject."""
    total = max((sum(v) for _, v in rows), default=0) or 1
    bar, parts = 14, []
    for i, (label, values) in enumerate(rows):
        y, x = 6 + i * (bar + 6), float(LEFT)
        parts.append(_text(LEFT - 4, y + 10, html.escape(label), ' text-anchor="end"'))
        for k, value in enumerate(values):
            w = (CANVAS - LEFT - 30) * value / total
            if value:
                parts.append(_rect(x, y, w, bar, SUBJECT_COLOURS[k], f"{names[k]} {value}"))
            x += w
        parts.append(_text(x + 3, y + 10, str(sum(values)), ' font-size="10"'))
    y = 10 + len(rows) * (bar + 6)
    legend, used = _legend(names, SUBJECT_COLOURS, y)
    return _svg(int(y + used + 6)) + "".join(parts) + legend + "</svg>"


def _table(headers, rows) -> str:
    if not rows:
        return "<p>（无）</p>"
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="wide">{table}</div>'


STYLE = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:16px;color:#222;
max-width:760px}h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin-top:22px;
border-bottom:1px solid #ccc}p.sub{color:#555;margin:0}
svg.chart{max-width:560px;display:block}svg.chart text{font-size:10px}
.wide{overflow-x:auto}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #bbb;padding:3px 6px;white-space:nowrap}th{background:#f2f2f2}
.kpis{display:flex;flex-wrap:wrap;gap:10px 22px}.kpi{font-size:13px}
.kpi b{font-size:22px;display:block}@media print{body{max-width:none}}"""


def _kpis(r: WeekReport) -> str:
    c = r.closing
    items = [
        (f"{r.coverage:.1%}", "走访覆盖率"),
        (str(r.targets), "走访对象"),
        (str(c.get("requests", 0)), "收集诉求"),
        (f"{c.get('done_rate', 0.0):.0%}", f"办结率（{c.get('done', 0)} 件）"),
        (f"{c.get('closed_rate', 0.0):.0%}", f"销号率（{c.get('closed', 0)} 件）"),
        (str(len(r.overdue)), "超期未办结"),
    ]
    body = "".join(f'<div class="kpi"><b>{v}</b>{html.escape(k)}</div>' for v, k in items)
    return f'<div class="kpis">{body}</div>'


def render_html(r: WeekReport) -> str:
    sc = r.spot_checks
    sections = [
        f"<h1>{html.escape(r.campaign)} 第{r.week}周调度报告</h1>",
        f'<p class="sub">第 {r.first_day}–{r.last_day} 天；截至 {r.report_date}'
        f"（第 {r.data_day} 天，已登记的最后一天）</p>",
        _kpis(r),
        "<h2>每日走访：计划与实际</h2>",
        _bars(
            [(d, [p, v]) for d, p, v in r.visits_by_day],
            ["计划", "实际走访"],
            ("#90a4ae", "#2e7d32"),
        ),
        "<h2>各人员进度</h2>",
        _table(CADRE_HEADERS, r.cadres),
        "<h2>各村/社区覆盖率</h2>",
        _bars(
            [(v, [round(c * 100, 1)]) for v, c, _ in r.coverage_by_village],
            ["覆盖率"],
            ("#1e88e5",),
            unit="%",
            full=100,
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
        _table(OVERDUE_HEADERS, r.overdue),
        "<h2>风险人员（期限内难以完成）</h2>",
        _table(["人员", "缺少分钟", "建议"], r.at_risk),
        "<h2>未报告结果的人员</h2>",
        _table(["日期", "人员"], r.silent),
        "<h2>电话回访抽查</h2>",
        f"<p>抽查 {sc.get('sampled', 0)} 户：属实 {sc.get('confirmed', 0)}，"
        f"不属实 {sc.get('not_confirmed', 0)}（已安排原人员复访），未接通 "
        f"{sc.get('no_answer', 0)}，待核实 {sc.get('pending', 0)}</p>",
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


def write_report(folder: Path, r: WeekReport) -> tuple[Path, Path]:
    """``周调度_第N周.xlsx`` and ``周调度_第N周.html`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path = write_text(folder / f"周调度_第{r.week}周.html", render_html(r))
    xlsx_path = folder / f"周调度_第{r.week}周.xlsx"
    with workbook(xlsx_path) as book:
        fill_report(book, r)
    return xlsx_path, html_path
