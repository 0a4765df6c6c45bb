"""Seeded sample towns from the real village lists of 柴胡店镇 and 黄屯街道.

Names and codes of villages are real; positions, households, grids and people are synthetic.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from optimizer.domain.codes import TargetType
from optimizer.domain.defaults import SERVICE_MINUTES as DEFAULT_SERVICE_MINUTES
from optimizer.domain.model import Settings, Target, Window
from optimizer.sample.folder import write_table
from optimizer.sample.geography import (
    TownSpec,
    Village,
    build_households,
    place_villages,
    share_households,
    to_latlon,
)
from optimizer.sample.names import NameMaker
from optimizer.sample.places import place_others, type_counts
from optimizer.sample.staff import make_cadres

VILLAGES_DIR = Path(__file__).resolve().parents[2] / "data" / "villages"
SYNTHETIC_NOTE = "位置为合成数据（村名与区划代码真实，坐标、户数、网格与人员均为模拟）"

TOWNS = {
    "chaihudian": TownSpec(
        key="chaihudian",
        title="柴胡店镇",
        villages_csv="chaihudian_villages.csv",
        centre=(34.9830, 117.2380),
        radius_m=4470.0,
        seat="柴胡店村",
        urban=("柴胡店村",),
        campaign="柴胡店镇联系服务群众大走访",
        sectors=False,
    ),
    "huangtun": TownSpec(
        key="huangtun",
        title="黄屯街道",
        villages_csv="huangtun_villages.csv",
        centre=(35.4020, 116.6930),
        radius_m=3600.0,
        seat="黄屯新村",
        urban=("黄屯新村", "华能新村", "华东村"),
        campaign="黄屯街道优化服务百日大走访",
        sectors=True,
        park=(2600.0, -900.0),
    ),
}
EVENING_SHARE = 0.15
PRIORITY_SHARE = 0.03
HOUSEHOLDS_PER_GRID = 75
HOUSEHOLDS_PER_VILLAGE = 300  # small samples use the seat and its nearest villages only


@dataclass(frozen=True, slots=True)
class SampleTown:
    spec: TownSpec
    toml: str
    targets: list[dict[str, str]]
    cadres: list[dict[str, str]]


def campaign_toml(spec: TownSpec, start: dt.date, days: int) -> str:
    service = "\n".join(f"{k.value} = {v}" for k, v in DEFAULT_SERVICE_MINUTES.items())
    return f"""# {SYNTHETIC_NOTE}
name = "{spec.campaign}"
town = "{spec.title}"
start_date = {start.isoformat()}
days = {days}
day_start = "08:30"
day_end = "20:30"

[travel]
speed_kmh = 12.0
detour = 1.3

[service_minutes]
{service}

[windows]
day = "08:30-17:30"
evening = "18:00-20:30"

[policy]
max_attempts = 3
priority_days = 3
retry_slack = 0.15
not_home_rate = 0.2

[ledger]
close_date = {(start + dt.timedelta(days=90)).isoformat()}
"""


def _nearest_to_seat(villages: list[Village], count: int) -> list[Village]:
    """The seat (placed first, at the centre) and the ``count - 1`` villages nearest to it."""
    return sorted(villages, key=lambda v: v.x**2 + v.y**2)[:count]


def _village_names(spec: TownSpec) -> list[tuple[str, str]]:
    with (VILLAGES_DIR / spec.villages_csv).open(encoding="utf-8") as f:
        return [(row["code"], row["short_name"]) for row in csv.DictReader(f)]


def _household_rows(spec, villages, rng, names) -> list[dict[str, str]]:
    rows = []
    for v in villages:
        build_households(v, HOUSEHOLDS_PER_GRID, rng)
        if not v.points:
            continue
        xy = np.array([(p[0], p[1]) for p in v.points])
        lat, lon = to_latlon(spec, xy[:, 0], xy[:, 1])
        evening = rng.random(len(xy)) < EVENING_SHARE
        priority = rng.random(len(xy)) < PRIORITY_SHARE
        for i, (_, _, grid, address) in enumerate(v.points):
            rows.append(
                {
                    "type": "household",
                    "name": names.person(),
                    "village": v.name,
                    "grid": grid,
                    "lat": f"{lat[i]:.6f}",
                    "lon": f"{lon[i]:.6f}",
                    "address": address,
                    "phone": names.phone(),
                    "window": "evening" if evening[i] else "",
                    "priority": "1" if priority[i] else "",
                }
            )
    return rows


def _other_rows(spec, villages, total, rng, names, households) -> list[dict[str, str]]:
    """Shops, enterprises, …: village and grid of the nearest household."""

    xy = np.array([(p[0], p[1]) for v in villages for p in v.points])
    owners = [(v.name, p[2]) for v in villages for p in v.points]
    tree = cKDTree(xy)
    rows = []
    for kind, x, y, name in place_others(spec, villages, total, rng, names):
        _, nearest = tree.query((x, y))
        village, grid = owners[int(nearest)]
        lat, lon = to_latlon(spec, x, y)
        window = "day" if kind in (TargetType.ENTERPRISE, TargetType.INSTITUTION) else ""
        rows.append(
            {
                "type": kind.value,
                "name": name,
                "village": village,
                "grid": grid,
                "lat": f"{float(lat):.6f}",
                "lon": f"{float(lon):.6f}",
                "address": f"{village}{name}",
                "phone": names.phone(),
                "window": window,
            }
        )
    return rows


def _as_targets(rows, settings: Settings) -> list[Target]:
    named = dict(settings.windows)
    return [
        Target(
            id=r["id"],
            type=TargetType(r["type"]),
            village=r["village"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            service_minutes=settings.service_for(TargetType(r["type"])),
            grid=r["grid"],
            window=named.get(r.get("window", "")),
        )
        for r in rows
    ]


def generate_sample(
    town: str, targets: int, seed: int, start: dt.date | None = None, days: int = 10
) -> SampleTown:
    """A synthetic campaign of about ``targets`` targets for ``town`` (chaihudian|huangtun)."""
    spec = TOWNS[town]
    rng = np.random.default_rng(seed)
    names = NameMaker(rng)
    start = start or dt.date(2027, 3, 1)
    villages = place_villages(spec, _village_names(spec), rng)
    others = sum(type_counts(spec, targets).values())
    villages = _nearest_to_seat(
        villages, max(3, math.ceil((targets - others) / HOUSEHOLDS_PER_VILLAGE))
    )
    share_households(villages, max(len(villages), targets - others), spec, rng)
    rows = _household_rows(spec, villages, rng, names)
    rows += _other_rows(spec, villages, targets, rng, names, rows)
    for i, row in enumerate(rows, start=1):
        row["id"] = f"T{i:06d}"
    settings = Settings(spec.campaign, start, days, Window(8 * 60 + 30, 20 * 60 + 30))
    seat = next(v for v in villages if v.name == spec.seat)
    seat_latlon = tuple(float(c) for c in to_latlon(spec, seat.x, seat.y))
    park = None
    if spec.park:
        park = tuple(float(c) for c in to_latlon(spec, *spec.park))
    cadres = make_cadres(
        spec, villages, _as_targets(rows, settings), settings, rng, names, seat_latlon, park
    )
    return SampleTown(spec, campaign_toml(spec, start, days), rows, cadres)


def write_sample(folder: str | Path, sample: SampleTown, *, fmt: str = "csv", encoding="utf-8-sig"):
    """Write a sample town as a campaign folder (Chinese headers, as a township office would)."""

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "campaign.toml").write_text(sample.toml, encoding="utf-8")
    write_table(folder / f"targets.{fmt}", "targets", sample.targets, encoding=encoding)
    write_table(folder / f"cadres.{fmt}", "cadres", sample.cadres, encoding=encoding)
    (folder / "README.txt").write_text(
        f"{sample.spec.campaign}（样例）\n{SYNTHETIC_NOTE}。\n"
        "Sample town: real village names and codes; all positions, households, grids and "
        "people are synthetic.\n",
        encoding="utf-8",
    )
    return folder
