"""Turn sheet rows into targets and cadres, one problem per bad cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optimizer.domain.codes import TargetType
from optimizer.domain.defaults import MAX_MINUTES_PER_DAY, MAX_SERVICE_MIN, MINUTES_PER_DAY
from optimizer.domain.errors import InputProblem
from optimizer.domain.model import Cadre, Settings, Target, Window
from optimizer.inputs.cells import (
    CellError,
    parse_bool,
    parse_days,
    parse_float,
    parse_id,
    parse_int,
    parse_type,
    parse_types,
    parse_window,
)
from optimizer.inputs.sheets import Sheet

# Where WGS-84 points of China lie; used to spot swapped or mistyped coordinates.
CHINA_LAT = (3.0, 54.0)
CHINA_LON = (73.0, 136.0)


class RowReader:
    """Reads the cells of one row, turning ``CellError`` into a problem with row and column."""

    def __init__(self, sheet: Sheet, row: int, values: dict[str, str]):
        self.sheet, self.row, self.values = sheet, row, values
        self.problems: list[InputProblem] = []

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def header(self, name: str) -> str:
        return self.sheet.headers.get(name, name)

    def problem(self, name: str | None, message: str, expected: str = "") -> None:
        column = self.header(name) if name else None
        self.problems.append(InputProblem(self.sheet.file, self.row, column, message, expected))

    def get(self, name: str, parse: Callable[[str], Any], default: Any = None) -> Any:
        text = self.text(name)
        if not text:
            return default
        try:
            return parse(text)
        except CellError as e:
            self.problem(name, e.message, e.expected)
            return default

    def required(self, name: str, what: str) -> str:
        text = self.text(name)
        if not text and name in self.sheet.headers:
            self.problem(name, f"{what}为空", f"非空的{what}")
        return text

    def ident(self, name: str = "id") -> str:
        """A required id that keeps to the id character set (``cells.ID_PATTERN``)."""
        text = self.required(name, "编号")
        if not text:
            return text
        try:
            return parse_id(text)
        except CellError as e:
            self.problem(name, e.message, e.expected)
            return ""

    def point(self, lat_name: str, lon_name: str) -> tuple[float, float] | None:
        """A WGS-84 point in China; swapped or out-of-range values are problems."""
        before = len(self.problems)
        lat, lon = self.get(lat_name, parse_float), self.get(lon_name, parse_float)
        if lat is None or lon is None:
            if (lat is None) != (lon is None) and len(self.problems) == before:
                missing = lon_name if lat is not None else lat_name
                self.problem(missing, "经纬度只填了一个", "纬度和经度都填写")
            return None
        if CHINA_LAT[0] <= lon <= CHINA_LAT[1] and CHINA_LON[0] <= lat <= CHINA_LON[1]:
            self.problem(lat_name, f"纬度 {lat}、经度 {lon} 似乎填反了", "纬度约 35，经度约 117")
        elif not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.problem(lat_name, f"经纬度 ({lat}, {lon}) 超出范围", "纬度 −90–90，经度 −180–180")
        elif not (CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]):
            self.problem(lat_name, f"经纬度 ({lat}, {lon}) 不在中国境内", "中国境内的 WGS-84 坐标")
        else:
            return lat, lon
        return None


def read_target(r: RowReader, settings: Settings) -> Target | None:
    """One target row, or None when the row has problems."""
    ident = r.ident()
    village = r.required("village", "村/社区")
    kind = r.get("type", parse_type, TargetType.HOUSEHOLD)
    point = r.point("lat", "lon")
    if point is None and not r.problems:
        r.problem("lat", "缺少经纬度", "纬度和经度")
    service = r.get(
        "service_min",
        lambda s: parse_int(
            s, minimum=0, maximum=MAX_SERVICE_MIN, what=f"0 到 {MAX_SERVICE_MIN} 的整数分钟"
        ),
    )
    named = dict(settings.windows)
    window = r.get("window", lambda s: parse_window(s, named))
    priority = r.get("priority", parse_bool, False)
    if r.problems or point is None:
        return None
    return Target(
        id=ident,
        type=kind,
        village=village,
        lat=point[0],
        lon=point[1],
        service_minutes=settings.service_for(kind) if service is None else service,
        name=r.text("name"),
        grid=r.text("grid"),
        address=r.text("address"),
        phone=r.text("phone"),
        window=window,
        priority=bool(priority),
    )


class TownIndex:
    """Villages and grids that targets name, and their centroids (cadres' default bases)."""

    def __init__(self, targets: list[Target], places: list[tuple[str, str]] = ()):
        """``places``: (village, grid) of every row, also of rows that had problems."""
        sums: dict[str, list[float]] = {}
        self.grids: dict[str, set[str]] = {}
        for t in targets:
            s = sums.setdefault(t.village, [0.0, 0.0, 0])
            s[0], s[1], s[2] = s[0] + t.lat, s[1] + t.lon, s[2] + 1
        for village, grid in [*((t.village, t.grid) for t in targets), *places]:
            self.grids.setdefault(village, set())
            if grid:
                self.grids[village].add(grid)
        self.centroids = {v: (s[0] / s[2], s[1] / s[2]) for v, s in sums.items()}
        self.villages_of_grid: dict[str, list[str]] = {}
        self.empty_grids: list[str] = []  # cadres' grids without targets (warnings)
        for village, grids in sorted(self.grids.items()):
            for grid in grids:
                self.villages_of_grid.setdefault(grid, []).append(village)


def _cadre_place(r: RowReader, town: TownIndex) -> tuple[str, str]:
    """The cadre's village and grid, checked against what the targets name."""
    village, grid = r.text("village"), r.text("grid")
    if village and village not in town.grids:
        r.problem(
            "village", f"所包村「{village}」在走访对象表中没有对象", "走访对象表中出现的村/社区名"
        )
        return village, grid
    if grid and village and grid not in town.grids[village]:
        # A grid with no targets yet is valid (附件2: 无可走访对象): a warning, not an error.
        town.empty_grids.append(
            f"{r.header('grid')} 第{r.row}行: 网格「{grid}」在「{village}」中暂无对象"
        )
    elif grid and not village:
        villages = town.villages_of_grid.get(grid, [])
        if not villages:
            r.problem(
                "grid", f"负责网格「{grid}」在走访对象表中没有对象", "走访对象表中出现的网格名"
            )
        elif len(villages) > 1:
            names = "、".join(villages)
            r.problem("grid", f"网格「{grid}」在 {names} 都有，无法确定", "同时填写所包村")
        else:
            village = villages[0]
    return village, grid


def read_cadre(r: RowReader, settings: Settings | None, town: TownIndex) -> Cadre | None:
    """One cadre row, or None when the row has problems."""
    ident, name = r.ident(), r.required("name", "姓名")
    village, grid = _cadre_place(r, town)
    has_base = bool(r.text("base_lat") or r.text("base_lon"))
    base = r.point("base_lat", "base_lon") if has_base else None
    if not has_base and not village:
        r.problem("base_lat", "既没有出发点经纬度，也没有所包村", "出发点经纬度，或所包村")
    types = r.get("types", parse_types, frozenset({TargetType.HOUSEHOLD}))
    minutes = r.get(
        "minutes_per_day",
        lambda s: parse_int(
            s, minimum=1, maximum=MAX_MINUTES_PER_DAY, what=f"1 到 {MAX_MINUTES_PER_DAY} 的整数分钟"
        ),
        MINUTES_PER_DAY,
    )
    day_window = settings.day_window if settings else Window(8 * 60 + 30, 20 * 60 + 30)
    window = r.get("window", lambda s: parse_window(s, dict(settings.windows) if settings else {}))
    days = settings.days if settings else 366
    off_days = r.get("off_days", lambda s: parse_days(s, days), ())
    if r.problems:
        return None
    if base is None:
        if village not in town.centroids:  # its targets all had problems, already reported
            return None
        base = town.centroids[village]
    return Cadre(
        id=ident,
        name=name,
        base_lat=base[0],
        base_lon=base[1],
        window=window or day_window,
        role=r.text("role"),
        unit=r.text("unit"),
        phone=r.text("phone"),
        village=village,
        grid=grid,
        types=types or frozenset({TargetType.HOUSEHOLD}),
        minutes_per_day=minutes,
        off_days=off_days,
    )
