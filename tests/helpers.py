"""Helpers for tests: tiny hand-checkable campaign folders, real-service guards."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("ZOUFANG_REQUIRE_SERVICES") == "1"

#: Debian's Chromium, which every browser test drives (no browser download), and its flags.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
)

TOML = textwrap.dedent(
    """\
    name = "测试镇大走访"
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
    [policy]
    max_attempts = 3
    priority_days = 2
    """
)

TARGETS = textwrap.dedent(
    """\
    id,type,name,village,grid,lat,lon,phone,window,priority
    T1,household,张三明,高桥村,1网格,35.0000,117.2000,13812345678,,1
    T2,household,李四,高桥村,1网格,35.0010,117.2010,,evening,
    T3,shop,王记超市,高桥村,2网格,35.0020,117.2000,,,
    T4,household,赵六,杨桥村,1网格,35.0100,117.2100,,,
    """
)

CADRES = textwrap.dedent(
    """\
    id,name,role,base_lat,base_lon,village,grid,types,minutes_per_day,off_days
    C1,刘一,网格员,,,高桥村,1网格,household,240,
    C2,陈二,村两委,35.0100,117.2100,杨桥村,,household;shop,180,3
    C3,周三,镇领导,35.0050,117.2050,,,household;shop,120,
    """
)


def write_folder(
    path: Path, targets: str = TARGETS, cadres: str = CADRES, toml: str = TOML
) -> Path:
    """A campaign folder from literal file texts (UTF-8)."""
    path.mkdir(parents=True, exist_ok=True)
    if toml is not None:
        (path / "campaign.toml").write_text(toml, encoding="utf-8")
    if targets is not None:
        (path / "targets.csv").write_text(targets, encoding="utf-8")
    if cadres is not None:
        (path / "cadres.csv").write_text(cadres, encoding="utf-8")
    return path


def road_problem(path: Path, spacing_deg: float, minutes_per_day: int):
    """One cadre's one-day route problem: eight households ``spacing_deg`` apart along a road
    north of 35° N (T0…T7), the cadre of 高桥村 with ``minutes_per_day``."""
    from optimizer.inputs import read_campaign
    from optimizer.route.problem import build_problem
    from optimizer.travel import travel_model

    rows = "".join(f"T{i},高桥村,{35 + i * spacing_deg:.4f},117.2\n" for i in range(8))
    campaign = read_campaign(
        write_folder(
            path,
            targets="id,village,lat,lon\n" + rows,
            cadres=f"id,name,village,minutes_per_day\nC1,甲,高桥村,{minutes_per_day}\n",
            toml=TOML.replace("days = 5", "days = 1"),
        )
    )
    model = travel_model(campaign.settings.travel)
    return build_problem(campaign.cadres[0], list(campaign.targets), campaign.settings, model)


def service_or_skip(name: str, reason: str) -> None:
    """A missing real service skips locally and fails in CI (ZOUFANG_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required in CI but unavailable: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


def zoufang(capsys, *args: object) -> tuple[int, str, str]:
    """The real command line, in this process: (exit code, stdout, stderr)."""
    from workers.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_rows(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A CSV as an office saves it (UTF-8 with BOM)."""
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path
