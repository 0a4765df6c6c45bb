"""A campaign as JSON in the store, so that workers on any machine can load it by id."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from optimizer.domain.codes import TargetType
from optimizer.domain.model import (
    Cadre,
    Campaign,
    MapOptions,
    Policy,
    Settings,
    Target,
    TravelSettings,
    Window,
)


def _window(w: Window | None):
    return None if w is None else [w.start_min, w.end_min]


def _unwindow(value) -> Window | None:
    return None if value is None else Window(*value)


def dump_campaign(campaign: Campaign) -> str:
    s = campaign.settings
    data = {
        "settings": {
            "name": s.name,
            "start_date": s.start_date.isoformat(),
            "days": s.days,
            "day_window": _window(s.day_window),
            "travel": [s.travel.speed_kmh, s.travel.detour, s.travel.roads],
            "service_minutes": [[k.value, v] for k, v in s.service_minutes],
            "windows": [[name, _window(w)] for name, w in s.windows],
            "policy": [
                s.policy.max_attempts,
                s.policy.priority_days,
                s.policy.retry_slack,
                s.policy.not_home_rate,
            ],
            "close_date": s.close_date.isoformat() if s.close_date else None,
            "maps": [s.maps.tiles, s.maps.offline],
            "town": s.town,
        },
        "targets": [
            [
                t.id,
                t.type.value,
                t.village,
                t.lat,
                t.lon,
                t.service_minutes,
                t.name,
                t.grid,
                t.address,
                t.phone,
                _window(t.window),
                t.priority,
            ]
            for t in campaign.targets
        ],
        "cadres": [
            [
                c.id,
                c.name,
                c.base_lat,
                c.base_lon,
                _window(c.window),
                c.role,
                c.unit,
                c.phone,
                c.village,
                c.grid,
                sorted(k.value for k in c.types),
                c.minutes_per_day,
                list(c.off_days),
            ]
            for c in campaign.cadres
        ],
        "folder": campaign.folder,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def snapshot_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_campaign_json(text: str) -> Campaign:
    data = json.loads(text)
    s = data["settings"]
    settings = Settings(
        name=s["name"],
        start_date=dt.date.fromisoformat(s["start_date"]),
        days=s["days"],
        day_window=_unwindow(s["day_window"]),
        travel=TravelSettings(*s["travel"]),
        service_minutes=tuple((TargetType(k), v) for k, v in s["service_minutes"]),
        windows=tuple((name, _unwindow(w)) for name, w in s["windows"]),
        policy=Policy(*s["policy"]),  # older snapshots lack not_home_rate: its default
        close_date=dt.date.fromisoformat(s["close_date"]) if s["close_date"] else None,
        maps=MapOptions(*s.get("maps", ["amap", True])),
        town=s.get("town", ""),
    )
    targets = tuple(
        Target(
            id=r[0],
            type=TargetType(r[1]),
            village=r[2],
            lat=r[3],
            lon=r[4],
            service_minutes=r[5],
            name=r[6],
            grid=r[7],
            address=r[8],
            phone=r[9],
            window=_unwindow(r[10]),
            priority=r[11],
        )
        for r in data["targets"]
    )
    cadres = tuple(
        Cadre(
            id=r[0],
            name=r[1],
            base_lat=r[2],
            base_lon=r[3],
            window=_unwindow(r[4]),
            role=r[5],
            unit=r[6],
            phone=r[7],
            village=r[8],
            grid=r[9],
            types=frozenset(TargetType(k) for k in r[10]),
            minutes_per_day=r[11],
            off_days=tuple(r[12]),
        )
        for r in data["cadres"]
    )
    return Campaign(settings, targets, cadres, data.get("folder", ""))
