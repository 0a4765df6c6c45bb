"""Map rendering: 250 cadre-day maps on 2 cores, their size, and the 15,000-target overview in
a real browser.

A 15,000-target sample town is planned; then day maps for enough cadres to make at least 250
cadre-days are rendered with 2 worker processes (online mode: Leaflet from the CDN, so the size
is the map's own), and the overview is rendered offline and opened from file:// in Debian's
Chromium (tiles answered locally), timing until its layer control is on screen.

Run: ``python benchmarks/maps.py [--targets 15000]``
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from maps import fetch_assets, get_tiles
from maps.assets import DEFAULT_DIR
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample
from workers.commands.maps import render_maps, render_overview_file
from workers.commands.plan import plan_campaign
from workers.store import Store

BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


def open_in_chromium(path: Path) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(
            "http*://**/*",
            lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
        )
        started = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-control-layers")
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--targets", type=int, default=15_000)
    args = parser.parse_args()
    fetch_assets()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_sample(Path(tmp) / "town", generate_sample("huangtun", args.targets, 1))
        plan_campaign(folder, maps=False, workers=2)
        store = Store.for_campaign(folder)
        campaign = read_campaign(folder)
        campaign_id = store.find_campaign(campaign)
        plan = store.plan(campaign_id, 1)
        cadres, days = [], 0
        for cp in plan.cadre_plans:
            if days >= 250:
                break
            cadres.append(cp.cadre_id)
            days += sum(1 for r in cp.routes if r.stops)
        out = Path(tmp) / "out"
        started = time.perf_counter()
        count = render_maps(store, campaign_id, 1, out, cadres, offline=False, workers=2)
        seconds = time.perf_counter() - started
        sizes = [p.stat().st_size for p in (out / "maps").glob("C*/day-*.html")]
        print(
            f"{len(campaign.targets)} targets; {count} cadre-day maps of {len(cadres)} cadres "
            f"(+ overview) in {seconds:.1f} s on 2 processes (target ≤ 10 s for 250)"
        )
        print(
            f"day map size: median {statistics.median(sizes) / 1024:.0f} KB, "
            f"max {max(sizes) / 1024:.0f} KB (target ≤ 100 KB, assets not inlined)"
        )
        started = time.perf_counter()
        overview = render_overview_file(
            store, campaign_id, 1, out, get_tiles("amap"), offline=True, assets=DEFAULT_DIR
        )
        built = time.perf_counter() - started
        opened = open_in_chromium(overview)
        print(
            f"overview of {len(campaign.targets)} targets: built in {built:.1f} s, "
            f"{overview.stat().st_size / 1e6:.1f} MB offline; opened in Chromium in {opened:.2f} s "
            f"(target ≤ 3 s)"
        )


if __name__ == "__main__":
    main()
