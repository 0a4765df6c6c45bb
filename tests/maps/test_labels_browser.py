"""The overview's labels in a real browser: none covers another or a map control."""

from __future__ import annotations

import pytest

from maps import get_tiles, render_overview, to_html
from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample
from tests.maps.test_browser import ARTIFACTS, BLANK_TILE, open_page

pytestmark = pytest.mark.browser


def _town(folder, targets: int, seed: int):
    campaign = read_campaign(write_sample(folder, generate_sample("huangtun", targets, seed)))
    return campaign, assign_areas(campaign, seed=1), folder


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """The browser tests' town (test_browser.py): 2,000 targets."""
    return _town(tmp_path_factory.mktemp("l") / "t", 2000, 4)


@pytest.fixture(scope="module")
def desk_town(tmp_path_factory):
    """benchmarks/printouts.py's town: 1,500 targets, a label by the desk legend's edge."""
    return _town(tmp_path_factory.mktemp("d") / "t", 1500, 3)


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


def _labels_apart(page, where) -> list[dict]:
    """The labels shown, after checking that none meets another or a map control and that
    each hidden one meets a shown one or a control (the page keeps 2 px between labels)."""
    drawn = page.evaluate(LABEL_BOXES)
    labels, controls = drawn["labels"], drawn["controls"]
    shown = [lab for lab in labels if lab["shown"]]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not _meet(a["box"], b["box"]), (where, a["text"], b["text"])
        assert not any(_meet(a["box"], c) for c in controls), (where, a["text"])
    near = [lab["box"] for lab in shown] + controls
    for lab in labels:
        if not lab["shown"]:
            assert any(_meet(lab["box"], b, 2.0) for b in near), (where, lab["text"])
    assert len(labels) > len(shown) > 0, where
    return shown


def _overview_page(browser, town, name: str, phone: bool, requests=None):
    campaign, assignment, folder = town
    risky = [a.cadre_id for a in assignment.areas if a.target_ids][:2]
    at_risk = [{"cadre_id": c, "missing_minutes": 60, "remedy": ""} for c in risky]
    m = render_overview(
        campaign, assignment, tiles=get_tiles("amap"), at_risk=at_risk, requests=requests
    )
    path = folder / name
    path.write_text(to_html(m, offline=True), encoding="utf-8")
    if phone:
        page, errors, _ = open_page(browser, path, phone=True)
    else:  # the coordinators' desk, as benchmarks/printouts.py shows it
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("http*://**/*", lambda r: r.fulfill(status=200, body=BLANK_TILE))
        page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-marker-pane .zf-area-label", state="attached")
    page.wait_for_timeout(800)  # the opening fit is animated: measured once labels stop
    return page, errors


def test_overview_labels_never_overlap_on_a_phone(browser, town):
    """At 390 × 844, at three zooms, with the legend opened, the grid names switched on and
    after a pan, no two visible label boxes (village, grid and cadre names, as drawn)
    intersect, nor a label and a map control (legend, progress box); a hidden label is hidden
    only because it meets a shown one or a control; an at-risk cadre and a village are among
    those shown (unless under a box)."""
    page, errors = _overview_page(browser, town, "overview-labels.html", phone=True)
    name = page.evaluate("() => Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))")
    start = page.evaluate(f"() => window.{name}.getZoom()")

    def move(z: int, pan: int) -> None:
        page.evaluate(
            """([name, z, pan]) => new Promise((done) => {
                 const map = window[name];
                 if (map.getZoom() === z && !pan) return done();
                 // animated, as a tap on +/- is; measured once the labels have stopped
                 map.once("moveend", () => setTimeout(done, 500));
                 if (pan) map.panBy([0, pan]);
                 else map.setZoom(z);
               })""",
            [name, z, pan],
        )

    before = 0
    steps = ((start, 0), (start + 2, 0), (start + 2, 0), (start - 1, 0), (start + 1, 0))
    for step, (z, pan) in enumerate((*steps, (start + 1, 250))):
        if step == 2:  # no move: the legend opened with a tap covers other labels
            page.click(".zf-box.folded")
        if step == 4:  # the grid names too
            page.hover(".leaflet-control-layers")
            page.locator(".leaflet-control-layers label", has_text="网格名称").click()
        move(z, pan)  # the last step pans the labels up, under the progress box
        shown = _labels_apart(page, (step, z))
        # both at-risk labels may lie under the opened legend or, panned, the progress box
        assert step in (2, 5) or any(lab["risk"] for lab in shown), step
        assert any("村" in lab["text"] or "社区" in lab["text"] for lab in shown), step
        labels = page.evaluate(LABEL_BOXES)["labels"]
        if step == 4:
            assert len(labels) > before  # grid names are drawn, and decluttered
        before = len(labels)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"overview-labels-{step}-z{z}.png"))
    assert errors == []
    page.close()


def test_overview_labels_clear_of_the_desk_legend(browser, desk_town):
    """At 1280 × 860 with requests (the tall legend open beside the areas), as the page
    opens: no label under the legend or another label."""
    campaign = desk_town[0]
    requests = [(t.id, i % 7 + 1) for i, t in enumerate(campaign.targets[::40])]
    page, errors = _overview_page(browser, desk_town, "overview-desk.html", False, requests)
    _labels_apart(page, "desk")
    page.screenshot(path=str(ARTIFACTS / "overview-labels-desk.png"))
    assert errors == []
    page.close()
