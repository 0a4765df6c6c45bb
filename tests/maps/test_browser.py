"""Offline maps in a real browser: Debian's Chromium driven by Playwright (no browser download).

Leaflet is inlined (offline mode); tile requests are answered locally with a blank tile, so the
page needs no network at all. Screenshots are kept under ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from maps import get_tiles, render_day_map, render_overview, to_html
from optimizer.assign.solve import assign_areas
from optimizer.domain.codes import SUBJECT_ZH
from optimizer.inputs import read_campaign
from optimizer.outputs.weekly import render_html
from optimizer.replan import plan_routes
from optimizer.reports.weekly import WeekReport
from optimizer.sample import generate_sample, write_sample

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


def open_page(browser, path: Path, phone: bool = False):
    """The page with tiles served locally and every console error collected (``phone``: a
    390 × 844 screen)."""
    size = {"width": 390, "height": 844} if phone else {"width": 420, "height": 800}
    page = browser.new_page(viewport=size)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "http*://**/*",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )
    started = time.perf_counter()
    page.goto(path.as_uri(), wait_until="load")
    return page, errors, started


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("b") / "t", generate_sample("huangtun", 2000, seed=4)
    )
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=1)
    plan = plan_routes(campaign, assignment, time_limit_s=0.05, workers=2)
    return campaign, assignment, plan, folder


def test_offline_day_map_in_chromium(browser, planned):
    """From file:// at phone size: one marker per place, the route line, the stop list (one row
    per stop, a navigation link each) that opens with a tap, plain-text attribution, no
    console errors."""
    campaign, _, plan, folder = planned
    route = max(plan.routes, key=lambda r: len(r.stops))
    m = render_day_map(campaign, route, tiles=get_tiles("amap"), version=2)
    path = folder / "day.html"
    path.write_text(to_html(m, offline=True), encoding="utf-8")
    page, errors, _ = open_page(browser, path, phone=True)
    page.wait_for_selector(".zf-stop")
    assert page.locator(".zf-stop").count() == len(m.island["route"]["groups"])
    assert page.locator("path.zf-route").count() == 1
    assert page.locator(".zf-locate").count() == 1
    assert page.locator(".zf-row").count() == len(route.stops)
    links = page.eval_on_selector_all("a.zf-nav", "as => as.map(a => a.href)")
    assert len(links) == len(route.stops)
    assert all(h.startswith("https://uri.amap.com/navigation?") for h in links)
    attribution = page.inner_text(".leaflet-control-attribution")
    assert (
        attribution.startswith("Leaflet") and page.locator(".leaflet-attribution-flag").count() == 0
    )
    assert not page.locator(".zf-list").is_visible()
    page.click(".zf-head")
    assert page.locator(".zf-list").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "day-map.png"))
    assert errors == []
    page.close()


def test_gcj02_in_javascript_matches_python(browser, planned):
    """The phone's "where am I" shift (JavaScript) equals ``maps.coords`` on 500 points."""
    import numpy as np

    from maps.coords import wgs84_to_gcj02

    campaign, _, plan, folder = planned
    path = folder / "gcj.html"
    path.write_text(to_html(render_day_map(campaign, plan.routes[0]), offline=True), "utf-8")
    page, errors, _ = open_page(browser, path)
    rng = np.random.default_rng(3)
    lat = np.concatenate([rng.uniform(18, 54, 490), [51.5, 35.0, 0.5, 60, 20, 30, 40, 45, 25, 33]])
    lon = np.concatenate(
        [rng.uniform(74, 135, 490), [-0.1, 117.0, 100, 100, 0, 140, 72, 73, 136, 120]]
    )
    shifted = page.evaluate(
        "pts => pts.map(p => ZF.gcj02(p[0], p[1]))", np.column_stack([lat, lon]).tolist()
    )
    want_lat, want_lon = wgs84_to_gcj02(lat, lon)
    got = np.array(shifted)
    assert np.abs(got[:, 0] - want_lat).max() < 1e-9
    assert np.abs(got[:, 1] - want_lon).max() < 1e-9
    assert errors == []
    page.close()


def test_offline_overview_in_chromium(browser, planned):
    """The overview opens offline with its layers and legend, quickly, with no console errors."""
    campaign, assignment, _, folder = planned
    ids = [t.id for t in campaign.targets]
    states = {
        t: ("visited" if i % 3 == 0 else "not_home" if i % 7 == 0 else "pending")
        for i, t in enumerate(ids)
    }
    m = render_overview(
        campaign,
        assignment,
        states=states,
        requests=[(ids[0], 2), (ids[5], 2)],
        tiles=get_tiles("amap"),
    )
    path = folder / "overview.html"
    path.write_text(to_html(m, offline=True), encoding="utf-8")
    page, errors, started = open_page(browser, path)
    page.wait_for_selector(".leaflet-control-layers")
    loaded = time.perf_counter() - started
    assert page.locator(".zf-box").count() == 2 and page.locator("canvas").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "overview.png"))
    assert errors == [] and loaded < 3.0
    page.close()


def test_weekly_report_page_in_chromium(browser, tmp_path):
    """The 周调度 page at phone width: its charts fit the screen with visible bars, the
    per-cadre table scrolls inside its box, offline, with no errors."""
    report = WeekReport(
        campaign="测试大走访",
        week=1,
        first_day=1,
        last_day=7,
        data_day=2,
        report_date="2027年3月2日",
        coverage=0.5,
        targets=4,
        visits_by_day=(("3月1日", 2, 1), ("3月2日", 2, 1)),
        coverage_by_village=(("黄屯新村", 0.5, 4),),
        cadres=(("刘*明（C1）", 4, 2, "50%", 2, 1, 2, 0),),
        requests_by_class=(("镇村解决", (1, 0, 0, 0, 0, 0, 1)),),
        subjects=tuple(SUBJECT_ZH.values()),
        closing={"requests": 2, "done": 1, "closed": 0, "done_rate": 0.5, "closed_rate": 0.0},
        hot_places=(("黄屯新村·1", 2, "居住环境"),),
        spot_checks={"sampled": 1, "confirmed": 1, "not_confirmed": 0, "pending": 0},
    )
    path = tmp_path / "week.html"
    path.write_text(render_html(report), encoding="utf-8")
    page, errors, _ = open_page(browser, path, phone=True)
    assert page.locator("svg.chart").count() == 3
    # 2 days × 2 series + 1 village + 2 non-zero subjects, plus 2 + 1 + 7 legend swatches
    assert page.locator("svg.chart rect").count() == 4 + 1 + 2 + 10
    widths = page.eval_on_selector_all("svg.chart rect", "rs => rs.map(r => r.getBBox().width)")
    assert all(w > 0 for w in widths)
    boxes = page.eval_on_selector_all(
        "svg.chart", "ss => ss.map(s => s.getBoundingClientRect().right)"
    )
    assert max(boxes) <= 390
    body = page.inner_text("body")
    assert "诉求集中的区域" in body and "截至 2027年3月2日" in body and "办结率" in body
    page.screenshot(path=str(ARTIFACTS / "week-report.png"), full_page=True)
    assert errors == []
    page.close()
