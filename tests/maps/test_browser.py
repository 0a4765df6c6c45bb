"""Offline maps in a real browser: Debian's Chromium driven by Playwright (no browser download).

Leaflet is inlined (offline mode); tile requests are answered locally with a blank tile, so the
page needs no network at all. Screenshots are kept under ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import shutil
import time
from pathlib import Path

import pytest

from maps import fetch_assets, get_tiles, render_day_map, render_overview, to_html
from optimizer.assign.solve import assign_areas
from optimizer.domain.codes import SUBJECT_ZH
from optimizer.inputs import read_campaign
from optimizer.outputs.weekly import render_html
from optimizer.replan import plan_routes
from optimizer.reports.weekly import WeekReport
from optimizer.sample import generate_sample, write_sample
from tests.helpers import service_or_skip

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        service_or_skip("chromium", "Debian's chromium is not installed (apt-get install chromium)")
    fetch_assets()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


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


LABEL_BOXES = """() => {
  const visible = (el) => {
    const icon = el.closest(".leaflet-marker-icon");
    return getComputedStyle(el).visibility === "visible" &&
      Number(getComputedStyle(icon).opacity) > 0;
  };
  const all = [...document.querySelectorAll(
    ".leaflet-marker-pane .zf-label, .leaflet-marker-pane .zf-area-label")];
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  return {
    labels: all.map((el) => ({text: el.textContent, risk: el.classList.contains("risk"),
                              shown: visible(el), box: box(el)})),
    controls: [...document.querySelectorAll(".leaflet-control")].map(box),
  };
}"""


def _meet(a, b, pad: float = 0.0) -> bool:
    """Boxes ``[left, top, right, bottom]`` intersect (or come within ``pad``)."""
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def test_overview_labels_never_overlap_on_a_phone(browser, planned):
    """At 390 × 844, at three zooms, with the legend opened, the grid names switched on and
    after a pan, no two visible label boxes (village, grid and cadre names, as drawn)
    intersect, nor a label and a map control (legend, progress box); a hidden label is hidden
    only because it meets a shown one or a control; an at-risk cadre and a village are among
    those shown (unless under a box)."""
    campaign, assignment, _, folder = planned
    risky = [a.cadre_id for a in assignment.areas if a.target_ids][:2]
    at_risk = [{"cadre_id": c, "missing_minutes": 60, "remedy": ""} for c in risky]
    m = render_overview(campaign, assignment, tiles=get_tiles("amap"), at_risk=at_risk)
    path = folder / "overview-labels.html"
    path.write_text(to_html(m, offline=True), encoding="utf-8")
    page, errors, _ = open_page(browser, path, phone=True)
    page.wait_for_selector(".leaflet-marker-pane .zf-area-label", state="attached")
    name = page.evaluate("() => Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))")
    start = page.evaluate(f"() => window.{name}.getZoom()")

    def move(z: int, pan: int) -> None:
        page.evaluate(
            """([name, z, pan]) => new Promise((done) => {
                 const map = window[name];
                 if (map.getZoom() === z && !pan) return done();
                 map.once("moveend", () => setTimeout(done, 50));
                 if (pan) map.panBy([0, pan], {animate: false});
                 else map.setZoom(z, {animate: false});
               })""",
            [name, z, pan],
        )

    checked, before = 0, 0
    steps = ((start, 0), (start + 2, 0), (start + 2, 0), (start - 1, 0), (start + 1, 0))
    for step, (z, pan) in enumerate((*steps, (start + 1, 250))):
        if step == 2:  # no move: the legend opened with a tap covers other labels
            page.click(".zf-box.folded")
        if step == 4:  # the grid names too
            page.hover(".leaflet-control-layers")
            page.locator(".leaflet-control-layers label", has_text="网格名称").click()
        move(z, pan)  # the last step pans the labels up, under the progress box
        drawn = page.evaluate(LABEL_BOXES)
        labels, controls = drawn["labels"], drawn["controls"]
        shown = [lab for lab in labels if lab["shown"]]
        for i, a in enumerate(shown):
            for b in shown[i + 1 :]:
                assert not _meet(a["box"], b["box"]), (z, a["text"], b["text"])
            assert not any(_meet(a["box"], c) for c in controls), (z, a["text"])
        for lab in labels:
            if not lab["shown"]:
                # the page keeps 2 px between labels
                near = [s["box"] for s in shown] + controls
                assert any(_meet(lab["box"], b, 2.0) for b in near), (z, lab["text"])
        # both at-risk labels may lie under the opened legend or, panned, the progress box
        assert step in (2, 5) or any(lab["risk"] for lab in shown), step
        assert sum("村" in lab["text"] or "社区" in lab["text"] for lab in shown) >= 1
        if step == 4:
            assert len(labels) > before  # grid names are drawn, and decluttered
        checked, before = checked + len(shown), len(labels)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"overview-labels-{step}-z{z}.png"))
    assert checked > 0 and errors == []
    page.close()
