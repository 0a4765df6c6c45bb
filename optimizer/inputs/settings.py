"""Read ``campaign.toml`` into ``Settings``, collecting every problem."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from optimizer.domain.defaults import SERVICE_MINUTES as DEFAULT_SERVICE_MINUTES
from optimizer.domain.errors import InputProblem
from optimizer.domain.model import MapOptions, Policy, Settings, TravelSettings, Window
from optimizer.inputs.cells import CellError, parse_date, parse_time, parse_type, parse_window

FILE = "campaign.toml"


class _Reader:
    """Pulls typed values out of the parsed TOML, noting a problem for each bad one."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[InputProblem] = []

    def problem(self, key: str, message: str, expected: str = "") -> None:
        self.problems.append(InputProblem(FILE, None, key, message, expected))

    def number(self, table: dict, key: str, default, kind=float, low=None, high=None):
        value = table.get(key.split(".")[-1], default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind is int and (isinstance(value, float) and not value.is_integer()))
        ):
            self.problem(key, f"「{value}」不是{'整数' if kind is int else '数'}", f"{key} = 数字")
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
        try:
            return parse_time(str(value))
        except CellError as e:
            self.problem(key, e.message, e.expected)
            return default


def _travel(r: _Reader, folder: Path) -> TravelSettings:
    table = r.data.get("travel", {})
    speed = r.number(table, "travel.speed_kmh", 12.0, low=0.5, high=120)
    detour = r.number(table, "travel.detour", 1.3, low=1.0, high=5.0)
    roads = table.get("roads")
    if roads is not None and not (folder / str(roads)).is_file():
        r.problem(
            "travel.roads", f"道路文件「{roads}」不存在", "相对活动文件夹的 .graphml 或 .osm 路径"
        )
        roads = None
    return TravelSettings(speed, detour, str(roads) if roads else None)


def _service(r: _Reader) -> tuple:
    minutes = dict(DEFAULT_SERVICE_MINUTES)
    for key, value in r.data.get("service_minutes", {}).items():
        try:
            kind = parse_type(key)
        except CellError as e:
            r.problem(f"service_minutes.{key}", e.message, e.expected)
            continue
        minutes[kind] = r.number({key: value}, f"service_minutes.{key}", minutes[kind], int, 0, 600)
    return tuple(minutes.items())


def _windows(r: _Reader) -> tuple:
    windows = dict(Settings.__dataclass_fields__["windows"].default)
    for name, text in r.data.get("windows", {}).items():
        try:
            windows[name] = parse_window(str(text))
        except CellError as e:
            r.problem(f"windows.{name}", e.message, e.expected)
    return tuple(windows.items())


def _policy(r: _Reader) -> Policy:
    table = r.data.get("policy", {})
    return Policy(
        max_attempts=r.number(table, "policy.max_attempts", 3, int, 1, 20),
        priority_days=r.number(table, "policy.priority_days", 3, int, 0, 365),
        retry_slack=r.number(table, "policy.retry_slack", 0.15, float, 0.0, 0.9),
    )


def _maps(r: _Reader) -> MapOptions:
    table = r.data.get("maps", {})
    tiles = str(table.get("tiles", "amap"))
    if tiles not in ("amap", "tianditu", "osm"):
        r.problem("maps.tiles", f"未知的底图「{tiles}」", "amap、tianditu 或 osm")
        tiles = "amap"
    offline = table.get("offline", True)
    if not isinstance(offline, bool):
        r.problem("maps.offline", f"「{offline}」不是 true/false", "true 或 false")
        offline = True
    return MapOptions(tiles, offline)


def _date(r: _Reader, table: dict, key: str, required: bool):
    value = table.get(key.split(".")[-1])
    if value is None:
        if required:
            r.problem(key, f"缺少 {key}", f"{key} = 2027-03-01")
        return None
    try:
        return parse_date(value)
    except CellError as e:
        r.problem(key, e.message, e.expected)
        return None


def read_settings(folder: Path) -> tuple[Settings | None, list[InputProblem]]:
    """Parse ``folder/campaign.toml``; ``None`` with problems when it cannot be used."""
    path = folder / FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return None, [
            InputProblem(FILE, None, None, "找不到 campaign.toml", "活动文件夹里的 campaign.toml")
        ]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        return None, [InputProblem(FILE, None, None, f"TOML 格式错误: {e}")]
    r = _Reader(data)
    name = str(data.get("name", "")).strip()
    if not name:
        r.problem("name", "缺少活动名称", 'name = "某某镇大走访"')
    start = _date(r, data, "start_date", required=True)
    days = r.number(data, "days", 10, int, 1, 366) if "days" in data else None
    if days is None:
        r.problem("days", "缺少活动天数", "days = 10")
    day_start, day_end = r.time("day_start", 8 * 60 + 30), r.time("day_end", 20 * 60 + 30)
    if day_start >= day_end:
        r.problem("day_end", "day_end 不晚于 day_start", "day_start 早于 day_end")
    settings = Settings(
        name=name,
        start_date=start,
        days=days or 10,
        day_window=Window(day_start, max(day_end, day_start + 1)),
        travel=_travel(r, folder),
        service_minutes=_service(r),
        windows=_windows(r),
        policy=_policy(r),
        close_date=_date(r, data.get("ledger", {}), "ledger.close_date", required=False),
        maps=_maps(r),
        town=str(data.get("town", "")).strip(),
    )
    if r.problems:
        return None, r.problems
    return settings, []
