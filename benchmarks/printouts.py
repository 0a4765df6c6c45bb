"""What a township office prints and what a cadre's phone shows, made to be looked at.

A sample town goes through a few days of the campaign with the real commands (plan, record a
simulated day with requests, re-plan, resolve requests, a return-visit plan, the weekly
report); then:

- 附件2, 日路线 (a day and a 回访), and the weekly report's workbook are printed to PDF by
  LibreOffice (headless) and their first pages rendered to PNG (poppler's ``pdftoppm``);
- a day map (the route with the most stops at one building), the overview and the weekly
  report's page are opened in Debian's Chromium at phone size (390 × 844): the day map
  as it opens, with its stop list open, and with a building's popup open.

Everything goes to ``test-artifacts/printouts/``. Tiles are answered with a plain grey tile
(no network); Leaflet is inlined (offline maps, the default).

Run: ``python benchmarks/printouts.py [--targets 1500] [--town huangtun]``
Needs: ``libreoffice-calc`` and ``poppler-utils`` (apt), Debian's ``chromium`` and Playwright.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.outputs.routes import write_outcomes_csv
from optimizer.sample import generate_sample, write_sample
from optimizer.sample.field import Field, simulate_day
from workers.commands import daily, plan
from workers.commands import ledger as ledger_jobs
from workers.commands.campaign import open_campaign
from workers.commands.followup import plan_followup

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-artifacts" / "printouts"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def grey_tile() -> bytes:
    """A 256 × 256 light-grey PNG, so that maps read as they would on a plain base map."""
    row = b"\x00" + b"\xe8\xe8\xe8" * 256
    raw = zlib.compress(row * 256)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def campaign_days(folder: Path) -> dict:
    """Plan, two simulated days recorded and re-planned, requests resolved, return visits,
    the week's report; returns where the outputs are."""
    result = plan.plan_campaign(folder, workers=2)
    field = Field(not_home=0.15, absent=0.0, requests=0.15)
    for day in (1, 2):
        _, store, cid = open_campaign(folder)
        version, _ = store.current_version(cid)
        outcomes = simulate_day(result.campaign, store.plan(cid, version), day, field, seed=day)
        daily.record(folder, write_outcomes_csv(folder / f"day{day}.csv", outcomes))
        daily.replan(folder, workers=2)
    requests = ledger_jobs.ledger_rows(folder)
    for r in requests[:6]:
        if r.classified:
            ledger_jobs.ledger_update(folder, r.id, "办理中", "协调员", "已转责任单位", None)
            ledger_jobs.ledger_update(folder, r.id, "已办结", "协调员", "已办理完毕并告知", None)
    start = result.campaign.settings.end_date + dt.timedelta(days=10)
    followup = plan_followup(folder, start, 2, workers=2)
    xlsx, page = ledger_jobs.week_report(folder, 1)
    ledger_jobs.ledger_export(folder)
    return {
        "out": folder / "out",
        "followup": followup[1] if followup else None,
        "week": (xlsx, page),
    }


def to_pdf(xlsx: Path, into: Path, profile: Path) -> Path:
    """LibreOffice headless, with its own profile (other sessions may run it too)."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(into),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return into / (xlsx.stem + ".pdf")


def pages(pdf: Path, prefix: str, last: int = 3, dpi: int = 90) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(last), str(pdf), prefix],
        check=True,
        timeout=120,
    )
    return sorted(Path(prefix).parent.glob(Path(prefix).name + "*.png"))


def busiest_map(out: Path, campaign) -> Path:
    """The day map that shows the most: several places, one of them a building of several
    stops, a priority stop and an evening household if any route has them."""
    _, store, cid = open_campaign(Path(campaign.folder))
    version, _ = store.current_version(cid)
    targets = campaign.target_index()
    evening = campaign.settings.window("evening")

    def telling(route) -> tuple:
        stops = [targets[s.target_id] for s in route.stops]
        at = Counter((t.lat, t.lon) for t in stops)
        return (
            len(at) >= 3,
            max(at.values(), default=0) >= 3,
            any(t.priority for t in stops),
            any(t.window == evening for t in stops),
            len(at),
        )

    route = max(store.plan(cid, version).routes, key=telling)
    from optimizer.outputs.files import file_slug

    return out / "maps" / file_slug(route.cadre_id) / f"day-{route.day:02d}.html"


def screenshots(day_map: Path, overview: Path, week_page: Path, into: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    tile = grey_tile()
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )

        def page_for(path: Path, size=PHONE):
            page = browser.new_page(viewport=size, device_scale_factor=2)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route(
                "http*://**/*",
                lambda route: route.fulfill(status=200, content_type="image/png", body=tile),
            )
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(600)
            return page, errors

        page, errors = page_for(day_map)
        shots.append(into / "day-map-phone.png")
        page.screenshot(path=str(shots[-1]))
        page.click(".zf-head")
        page.wait_for_timeout(400)
        shots.append(into / "day-map-phone-list.png")
        page.screenshot(path=str(shots[-1]))
        page.click(".zf-head")
        page.wait_for_timeout(300)
        widest = page.eval_on_selector_all(".zf-stop", "ms => ms.map(m => m.textContent.length)")
        page.locator(".zf-stop").nth(widest.index(max(widest))).click()
        page.wait_for_timeout(400)
        shots.append(into / "day-map-phone-popup.png")
        page.screenshot(path=str(shots[-1]))
        assert not errors, errors
        page, errors = page_for(overview)
        shots.append(into / "overview-phone.png")
        page.screenshot(path=str(shots[-1]))
        page, errors = page_for(overview, {"width": 1280, "height": 860})
        shots.append(into / "overview-desk.png")
        page.screenshot(path=str(shots[-1]))
        page, errors = page_for(week_page)
        shots.append(into / "week-report-phone.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--targets", type=int, default=1500)
    parser.add_argument("--town", default="huangtun")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_sample(
            Path(tmp) / "town", generate_sample(args.town, args.targets, args.seed)
        )
        made = campaign_days(folder)
        out = made["out"]
        profile = Path(tmp) / "lo-profile"
        printed = {
            "附件2": out / "附件2_大走访活动安排表.xlsx",
            "日路线": out / "日路线.xlsx",
            "周调度": made["week"][0],
        }
        if made["followup"]:
            printed["回访日路线"] = made["followup"] / "日路线.xlsx"
        for name, xlsx in printed.items():
            target = OUT / name
            target.mkdir()
            pdf = to_pdf(xlsx, target, profile)
            shutil.copy(xlsx, target / xlsx.name)
            pngs = pages(pdf, str(target / "page"), last=4)
            print(f"{name}: {pdf.relative_to(ROOT)} ({len(pngs)} pages rendered)")
        _, store, cid = open_campaign(folder)
        campaign = store.load_campaign(cid)
        for path in screenshots(
            busiest_map(out, campaign), out / "maps" / "overview.html", made["week"][1], OUT
        ):
            print(f"screenshot: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
