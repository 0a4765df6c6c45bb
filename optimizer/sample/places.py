"""Non-household targets of a sample town: shops, enterprises, schools, clinics, markets, …"""

from __future__ import annotations

import math

import numpy as np

from optimizer.domain.codes import TargetType
from optimizer.sample.geography import TownSpec, Village
from optimizer.sample.names import NameMaker

# Share of all targets by type (the rest are households); 黄屯 has an industrial park.
SHARES = {
    TargetType.SHOP: 0.065,
    TargetType.ENTERPRISE: 0.03,
    TargetType.INSTITUTION: 0.012,
    TargetType.SCHOOL: 0.005,
    TargetType.HOSPITAL: 0.006,
    TargetType.MARKET: 0.003,
    TargetType.SITE: 0.006,
}
PARK_SHARES = {TargetType.ENTERPRISE: 0.05, TargetType.SITE: 0.01}


def type_counts(spec: TownSpec, total: int) -> dict[TargetType, int]:
    """How many of each non-household type; at least one of each in all but the tiniest towns."""
    shares = {**SHARES, **(PARK_SHARES if spec.park else {})}
    counts = {kind: round(share * total) for kind, share in shares.items()}
    if total >= 100:
        counts = {kind: max(1, n) for kind, n in counts.items()}
    return counts


def _near_village(v: Village, rng, spread: float) -> tuple[float, float]:
    a, r = 2 * math.pi * rng.random(), spread * math.sqrt(rng.random())
    return v.x + r * math.cos(a), v.y + r * math.sin(a)


def _on_street(v: Village, rng) -> tuple[float, float]:
    x, y, _, _ = v.points[rng.integers(len(v.points))] if v.points else (v.x, v.y, "", "")
    return x + rng.normal(0, 6), y + rng.normal(0, 6)


def _host(villages: list[Village], rng, power: float, seat: str, seat_bias: float) -> Village:
    weights = np.array([max(1, v.households) ** power for v in villages], dtype=float)
    weights *= [seat_bias if v.name == seat else 1.0 for v in villages]
    return villages[rng.choice(len(villages), p=weights / weights.sum())]


def place_others(spec: TownSpec, villages: list[Village], total: int, rng, names: NameMaker):
    """Yield ``(type, x, y, name)`` for every non-household target."""
    seat = next(v for v in villages if v.name == spec.seat)
    town = spec.title
    for kind, n in type_counts(spec, total).items():
        for k in range(n):
            if kind is TargetType.SHOP:
                v = _host(villages, rng, 1.2, spec.seat, 3.0)
                x, y = _on_street(v, rng)
                yield kind, x, y, names.shop(v.name)
            elif kind is TargetType.ENTERPRISE and spec.park and rng.random() < 0.7:
                px, py = spec.park
                x, y = px + rng.uniform(-700, 700), py + rng.uniform(-450, 450)
                yield kind, x, y, names.enterprise(town.removesuffix("街道").removesuffix("镇"))
            elif kind is TargetType.ENTERPRISE or kind is TargetType.SITE:
                v = _host(villages, rng, 0.5, spec.seat, 1.0)
                x, y = _near_village(v, rng, 700)
                make = names.enterprise if kind is TargetType.ENTERPRISE else names.site
                yield kind, x, y, make(v.name)
            elif kind is TargetType.INSTITUTION:
                v = seat if rng.random() < 0.6 else _host(villages, rng, 1.0, spec.seat, 1.0)
                x, y = _near_village(v, rng, 150)
                yield kind, x, y, names.institution(town) if v is seat else f"{v.name}村民委员会"
            else:
                v = seat if k == 0 else _host(villages, rng, 0.8, spec.seat, 1.0)
                x, y = _near_village(v, rng, 120)
                label = {TargetType.SCHOOL: "小学", TargetType.HOSPITAL: "卫生室"}.get(kind, "集市")
                if v is seat and kind is TargetType.HOSPITAL:
                    label = "卫生院"
                yield kind, x, y, f"{v.name.removesuffix('村')}{label}"
