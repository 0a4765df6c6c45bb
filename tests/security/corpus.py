"""The payload corpus, and a small valid town that carries it in every free-text field.

Each payload is what an attacker (or a careless clerk) would type: template syntax with and
without quotes, HTML/attribute/JavaScript-context script, backticks, spreadsheet formulas,
path parts, device names, direction marks, rich markup, 10 kB strings. A payload that runs
leaves a trace the tests look for: a marker folder (Jinja), a dialog (the browser).

Fields whose documented character set refuses payloads (ids, control characters anywhere)
get them in ``refused_*`` helpers instead: those must be exit 2 naming row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
from pathlib import Path

#: Jinja without quotes (it survives ``tojson``): makes ``zfmarker`` in the working folder.
JINJA_BARE = "{{lipsum.__globals__.os.mkdir(dict(zfmarker=1)|first)}}"
#: Jinja with quotes, and a statement block.
JINJA_QUOTED = "{{ lipsum.__globals__['os'].mkdir('zfmarker2') }}"
JINJA_BLOCK = (
    "{% for x in range(2) %}{{ cycler.__init__.__globals__.os.mkdir('zfm3') }}{% endfor %}"
)
COMMENT = "{# 注释没有结束"
HTML = "<script>alert('html')</script><img src=x onerror=alert('img')>"
ATTRIBUTE = "\" onmouseover=\"alert('attr')\" x=\"' onfocus='alert(1)'"
JS_STRING = "';alert('js');//\"+alert(\"js2\")+\"</script><script>alert('close')</script>"
BACKTICK = "`${alert('tpl')}`"
FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(1,1)", '=HYPERLINK("http://x.invalid","点")')
CMD_FORMULA = "=cmd|' /C calc'!A0"
PATHS = (
    "..",
    ".",
    "../../etc/passwd",
    "/tmp/zf-abs",
    "a\\b\\..\\c",
    "C:\\Windows",
    "CON",
    "NUL.txt",
)
RTL = "\u202e反向文字\u202c\u200f"
MARKUP = "[/][bold red]红[/bold red][link=file:///etc/passwd]链[/link]"
LONG = "长" * 10_240  # 10 k characters (30 kB of UTF-8)

#: Short payloads, for fields that must stay short (names of villages, grids, people).
SHORT = (
    JINJA_BARE,
    JINJA_QUOTED,
    COMMENT,
    HTML,
    ATTRIBUTE,
    JS_STRING,
    BACKTICK,
    *FORMULAS,
    CMD_FORMULA,
    *PATHS,
    RTL,
    MARKUP,
)
ALL = (*SHORT, JINJA_BLOCK, LONG)
#: Control characters: refused in any text cell (PostgreSQL refuses NUL; ESC drives a terminal).
CONTROLS = ("a\x00b", "a\x1b[31m红\x1b[0m", "a\x07b", "a\x7fb", "a\x9bb")

#: Personal data that must stay where the contract allows it.
HOUSEHOLD_NAME = "张三明"  # masked everywhere: 张*明
TARGET_PHONE = "13812345678"  # only in the spot-check sheet
REQUEST_PHONE = "13912345678"  # typed into a request: masked in every output
ID_CARD = "370402199001011234"  # typed into a request: masked in every output
MARKERS = ("zfmarker", "zfmarker2", "zfm3")

V1 = f"高桥{JINJA_BARE}村"
V2 = f"=1+2杨桥村{HTML}"
GRIDS = (f"1网格{COMMENT}", f"-2网格{BACKTICK}", f"+3网格{RTL}", f"@4网格{MARKUP}")

TOML = textwrap.dedent(
    """\
    name = '测试{jinja}{{# <img src=x onerror=alert(6)> [/] :*?/\\ & `$` 镇大走访'
    town = '@SUM(1,1){jinja}<img src=x onerror=alert(8)>[/]镇'
    start_date = 2027-03-01
    days = 5
    day_start = "08:30"
    day_end = "20:30"
    [travel]
    speed_kmh = 12.0
    detour = 1.3
    [windows]
    day = "08:30-17:30"
    evening = "18:00-20:30"
    "{{{{7*7}}}}<b>窗</b>" = "09:00-16:00"
    [policy]
    max_attempts = 3
    priority_days = 2
    """
).format(jinja=JINJA_BARE)
START = dt.date(2027, 3, 1)

TARGET_HEADER = [
    "id", "type", "name", "village", "grid", "lat", "lon", "address", "phone", "window",
    "priority",
]  # fmt: skip
CADRE_HEADER = [
    "id", "name", "role", "unit", "phone", "base_lat", "base_lon", "village", "grid", "types",
    "minutes_per_day",
]  # fmt: skip


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def target_rows() -> list[list[object]]:
    """Eighteen targets in two villages and four grids, a payload in every text field."""
    rows = []
    kinds = ("household", "shop", "enterprise")
    for i, payload in enumerate(ALL):
        village = V1 if i % 2 == 0 else V2
        grid = GRIDS[i % 2] if village == V1 else GRIDS[2 + i % 2]
        kind = kinds[i % 3]
        name = HOUSEHOLD_NAME if i == 0 else f"{payload[:60]}户{i}"
        window = "{{7*7}}<b>窗</b>" if i == 3 else ""
        rows.append(
            [
                f"T{i + 1:02d}",
                kind,
                name,
                village,
                grid,
                f"{35.0 + 0.0007 * i:.4f}",
                f"{117.2 + 0.0006 * (i % 5):.4f}",
                f"{payload}号 {ALL[(i + 5) % len(ALL)][:40]}",
                TARGET_PHONE if i == 0 else (CMD_FORMULA if i == 1 else f"1370000{i:04d}"),
                window,
                "1" if i % 7 == 0 else "",
            ]
        )
    return rows


def cadre_rows() -> list[list[object]]:
    """Four cadres; two ids are legal but risky as file names (a Windows device, dots)."""
    return [
        ["C1", f"刘{JINJA_QUOTED}", f"网格员{MARKUP}", f"{LONG}", "13600000001", "", "", V1,
         GRIDS[0], "household;shop;enterprise", 300],
        ["C2", f"陈{HTML}二", f"村两委{ATTRIBUTE}", f"={JS_STRING}", "=1+1", "", "", V2, "",
         "household;shop;enterprise", 300],
        ["c..3", f"周{BACKTICK}三", CMD_FORMULA, f"{RTL}{JINJA_BLOCK}", "+8613600000003", "35.004",
         "117.201", "", "", "household;shop;enterprise", 300],
        ["CON", "@SUM(1,1)吴", f"镇领导{COMMENT}", "../../etc", "13600000004", "35.006", "117.202",
         "", "", "household;shop;enterprise", 300],
    ]  # fmt: skip


def payload_town(folder: Path) -> Path:
    """A valid campaign folder whose free text is the corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.toml").write_text(TOML, encoding="utf-8")
    _write_csv(folder / "targets.csv", TARGET_HEADER, target_rows())
    _write_csv(folder / "cadres.csv", CADRE_HEADER, cadre_rows())
    return folder


OUTCOME_HEADER = ["target_id", "day", "status", "time", "cadre_id", "category", "request"]


def day_outcomes(path: Path, routes: list[dict], day: int) -> Path:
    """The day's planned stops: most visited with a request that carries a payload, a phone
    number and an ID-card number; every fourth not home."""
    rows = []
    for i, r in enumerate(x for x in routes if int(x["day"]) == day):
        if i % 4 == 3:
            rows.append([r["target_id"], day, "未遇", r["arrive"], "", "", ""])
            continue
        payload = ALL[i % len(ALL)]
        request = f"{payload} 请回电{REQUEST_PHONE}，身份证{ID_CARD}"
        category = ("2-1", "3-2", "1-7")[i % 3]
        rows.append([r["target_id"], day, "已走访", r["arrive"], r["cadre_id"], category, request])
    return _write_csv(path, OUTCOME_HEADER, rows)
