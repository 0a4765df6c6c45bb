"""Read ``campaign.toml`` into ``Settings``, collecting every problem."""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import tomllib
from pathlib import Path
from typing import Any

from optimizer.domain.defaults import DAY_END_MIN, DAY_START_MIN, MAX_SERVICE_MIN
from optimizer.domain.defaults import SERVICE_MINUTES as DEFAULT_SERVICE_MINUTES
from optimizer.domain.errors import InputProblem
from optimizer.domain.model import MapOptions, Policy, Settings, TravelSettings, Window
from optimizer.inputs.cells import CellError, parse_date, parse_time, parse_type, parse_window
from optimizer.inputs.limits import CONTROL, MAX_TOML_BYTES, size_problem

FILE = "campaign.toml"
#: The campaign's name is stored in a column of this many characters (``workers/store``).
NAME_CHARS = 200
#: A key of 32 or more dotted parts (``x.x.x… = 1``, ``[y.y.y…]``): tomllib takes time
#: quadratic in the parts (12,000 of them in 50 kB: 2 s a read), and no setting nests so.
#: Possessive, and starting only where a part can start: linear in the file's length.
_DEEP_KEY = re.compile(
    r"""(?<![A-Za-z0-9_-])(?:(?:[A-Za-z0-9_-]++|"[^"\n]*+"|'[^'\n]*+')[ \t]*+\.[ \t]*+){31}"""
)
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 40, 40


class _Reader:
    """Pulls typed values out of the parsed TOML, noting a problem for each bad one."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[InputProblem] = []

    def problem(self, key: str, message: str, expected: str = "") -> None:
        self.problems.append(InputProblem(FILE, None, key, message, expected))

    def table(self, key: str) -> dict:
        """``[key]`` as a table; a value of another kind (``travel = 5``) is a problem."""
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.problem(key, f"[{key}] 应为表，而不是「{_shown(value)}」", f"[{key}] 下的键值")
            return {}
        return value

    def text(self, table: dict, key: str, default: str | None = None) -> str | None:
        """A string value; another kind, or control characters, are problems."""
        value = table.get(key.split(".")[-1], default)
        if value is None or value is default:
            return value
        if not isinstance(value, str):
            self.problem(key, f"「{_shown(value)}」不是文字", f'{key} = "…"')
            return default
        if CONTROL.search(value):
            self.problem(key, "含有控制字符", "不含控制字符的文字")
            return default
        return value

    def number(self, table: dict, key: str, default, kind=float, low=None, high=None):
        value = table.get(key.split(".")[-1], default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
            or (kind is int and (isinstance(value, float) and not value.is_integer()))
        ):
            what = "整数" if kind is int else "有限的数"
            self.problem(key, f"「{_shown(value)}」不是{what}", f"{key} = 数字")
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{low if low is not None else '-∞'} 到 {high if high is not None else '∞'}"
            self.problem(key, f"{value} 超出范围", bounds)
            return default
        return kind(value)

    def time(self, key: str, default: int) -> int:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, dt.time):  # TOML's own local time, 08:30:00
            value = value.strftime("%H:%M")
        if not isinstance(value, str):
            self.problem(key, f"「{_shown(value)}」不是时间", f'{key} = "08:30"')
            return default
        try:
            return parse_time(value)
        except CellError as e:
            self.problem(key, e.message, e.expected)
            return default


def _shown(value: object) -> str:
    """A value as quoted in a message: short, one line, however deeply it nests."""
    text = value if isinstance(value, str) else _REPR.repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _roads(r: _Reader, table: dict, folder: Path) -> str | None:
    """The road graph's path: a file inside the campaign folder (links resolved), or None."""
    roads = r.text(table, "travel.roads")
    if roads is None:
        return None
    expected = "活动文件夹内的 .graphml 或 .osm 文件（相对路径）"
    path = Path(roads)
    try:
        inside = not path.is_absolute() and (folder / path).resolve().is_relative_to(
            folder.resolve()
        )
        exists = inside and (folder / path).is_file()
    except (OSError, ValueError):
        inside = exists = False
    if not inside:
        r.problem("travel.roads", f"道路文件「{_shown(roads)}」不在活动文件夹内", expected)
        return None
    if not exists:
        r.problem("travel.roads", f"道路文件「{_shown(roads)}」不存在", expected)
        return None
    return roads


def _travel(r: _Reader, folder: Path) -> TravelSettings:
    table = r.table("travel")
    speed = r.number(table, "travel.speed_kmh", 12.0, low=0.5, high=120)
    detour = r.number(table, "travel.detour", 1.3, low=1.0, high=5.0)
    return TravelSettings(speed, detour, _roads(r, table, folder))


def _service(r: _Reader) -> tuple:
    minutes = dict(DEFAULT_SERVICE_MINUTES)
    for key, value in r.table("service_minutes").items():
        try:
            kind = parse_type(key)
        except CellError as e:
            r.problem(f"service_minutes.{key}", e.message, e.expected)
            continue
        minutes[kind] = r.number(
            {key: value}, f"service_minutes.{key}", minutes[kind], int, 0, MAX_SERVICE_MIN
        )
    return tuple(minutes.items())


def _windows(r: _Reader) -> tuple:
    windows = dict(Settings.__dataclass_fields__["windows"].default)
    for name, text in r.table("windows").items():
        if CONTROL.search(name):  # a window's name is printed in messages and sheets
            r.problem(f"windows.{_shown(name)!r}", "时段名称含有控制字符", "不含控制字符的名称")
            continue
        if not isinstance(text, str):
            r.problem(f"windows.{name}", f"「{_shown(text)}」不是时段", '"08:30-17:30"')
            continue
        try:
            windows[name] = parse_window(text)
        except CellError as e:
            r.problem(f"windows.{name}", e.message, e.expected)
    return tuple(windows.items())


def _policy(r: _Reader) -> Policy:
    table = r.table("policy")
    return Policy(
        max_attempts=r.number(table, "policy.max_attempts", 3, int, 1, 20),
        priority_days=r.number(table, "policy.priority_days", 3, int, 0, 365),
        retry_slack=r.number(table, "policy.retry_slack", 0.15, float, 0.0, 0.9),
        not_home_rate=r.number(table, "policy.not_home_rate", 0.2, float, 0.0, 0.9),
    )


def _maps(r: _Reader) -> MapOptions:
    table = r.table("maps")
    tiles = table.get("tiles", "amap")
    if tiles not in ("amap", "tianditu", "osm"):
        r.problem("maps.tiles", f"未知的底图「{_shown(tiles)}」", "amap、tianditu 或 osm")
        tiles = "amap"
    offline = table.get("offline", True)
    if not isinstance(offline, bool):
        r.problem("maps.offline", f"「{_shown(offline)}」不是 true/false", "true 或 false")
        offline = True
    return MapOptions(tiles, offline)


def _schedule(r: _Reader) -> int | None:
    """``[schedule] replan_at = "21:30"`` (Asia/Shanghai): when ``zoufang serve`` re-plans."""
    table = r.data.get("schedule", {})
    if not isinstance(table, dict):
        r.problem("schedule", "[schedule] 应为一个表", '[schedule] replan_at = "21:30"')
        return None
    value = table.get("replan_at")
    if value is None:
        return None
    try:
        minute = parse_time(str(value))
    except CellError as e:
        r.problem("schedule.replan_at", e.message, e.expected)
        return None
    if minute >= 24 * 60:
        r.problem("schedule.replan_at", f"「{value}」不是一天中的时刻", "00:00 至 23:59")
        return None
    return minute


def _date(r: _Reader, table: dict, key: str, required: bool):
    value = table.get(key.split(".")[-1])
    if value is None:
        if required:
            r.problem(key, f"缺少 {key}", f"{key} = 2027-03-01")
        return None
    if not isinstance(value, str | dt.date):
        r.problem(key, f"「{_shown(value)}」不是日期", f"{key} = 2027-03-01")
        return None
    try:
        return parse_date(value)
    except CellError as e:
        r.problem(key, e.message, e.expected)
        return None


def _load(path: Path) -> tuple[dict | None, list[InputProblem]]:
    """The parsed TOML, or why it cannot be used (missing, too big, malformed, too deep)."""
    try:
        too_big = size_problem(path.stat().st_size, MAX_TOML_BYTES)
        if too_big:
            return None, [InputProblem(FILE, None, None, too_big, "几十行的设置文件")]
        text = path.read_text(encoding="utf-8-sig")
        if _DEEP_KEY.search(text):
            return None, [InputProblem(FILE, None, None, "TOML 嵌套过深", "普通的键值与表")]
        return tomllib.loads(text), []
    except FileNotFoundError:
        expected = "活动文件夹里的 campaign.toml"
        return None, [InputProblem(FILE, None, None, "找不到 campaign.toml", expected)]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        return None, [InputProblem(FILE, None, None, f"TOML 格式错误: {e}")]
    except RecursionError:  # a thousand nested arrays: the parser recurses
        return None, [InputProblem(FILE, None, None, "TOML 嵌套过深", "普通的键值与表")]
    except OSError as e:
        return None, [InputProblem(FILE, None, None, f"无法读取 campaign.toml: {e.strerror}")]


def _name(r: _Reader) -> str:
    before = len(r.problems)
    name = (r.text(r.data, "name", "") or "").strip()
    if len(r.problems) > before:
        return name
    if not name:
        r.problem("name", "缺少活动名称", 'name = "某某镇大走访"')
    elif len(name) > NAME_CHARS:
        msg = f"活动名称有 {len(name)} 个字符，超过上限 {NAME_CHARS}"
        r.problem("name", msg, f"不超过 {NAME_CHARS} 个字符")
    return name


def _town(r: _Reader) -> str:
    """``town`` (所属镇街, printed on 附件2 and the city-platform list): text like the name."""
    town = (r.text(r.data, "town", "") or "").strip()
    if len(town) > NAME_CHARS:
        msg = f"镇街名称有 {len(town)} 个字符，超过上限 {NAME_CHARS}"
        r.problem("town", msg, f"不超过 {NAME_CHARS} 个字符")
    return town


def read_settings(folder: Path) -> tuple[Settings | None, list[InputProblem]]:
    """Parse ``folder/campaign.toml``; ``None`` with problems when it cannot be used."""
    data, problems = _load(folder / FILE)
    if data is None:
        return None, problems
    r = _Reader(data)
    name = _name(r)
    start = _date(r, data, "start_date", required=True)
    days = r.number(data, "days", 10, int, 1, 366) if "days" in data else None
    if days is None:
        r.problem("days", "缺少活动天数", "days = 10")
    day_start, day_end = r.time("day_start", DAY_START_MIN), r.time("day_end", DAY_END_MIN)
    day_window = Window(DAY_START_MIN, DAY_END_MIN)
    if day_start >= day_end:
        r.problem("day_end", "day_end 不晚于 day_start", "day_start 早于 day_end")
    else:
        day_window = Window(day_start, day_end)
    settings = Settings(
        name=name,
        start_date=start,
        days=days or 10,
        day_window=day_window,
        travel=_travel(r, folder),
        service_minutes=_service(r),
        windows=_windows(r),
        policy=_policy(r),
        close_date=_date(r, r.table("ledger"), "ledger.close_date", required=False),
        maps=_maps(r),
        replan_at_min=_schedule(r),
        town=_town(r),
    )
    if r.problems:
        return None, r.problems
    return settings, []
