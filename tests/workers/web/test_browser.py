"""The field app in a real phone-sized browser: Debian's Chromium driven by Playwright.

A real server (uvicorn, in a thread) over a planned sample town whose first day is today.
The cadre opens the link, records outcomes, loses the network, records more, reloads, comes
back; the store then holds each outcome once. The board shows it; the scheduled re-plan makes
a new version, which the page announces. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from maps import fetch_assets
from optimizer.sample import generate_sample, write_sample
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, service_or_skip
from tests.workers.web.conftest import PASSWORD
from workers.commands import plan
from workers.commands.campaign import open_campaign
from workers.store import schema
from workers.store.field import field_attempts
from workers.web import create_app, links, schedule
from workers.web.config import CHINA, WebConfig, china_now

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A planned 300-target town served on a loopback port, links for every cadre."""
    import os

    import uvicorn

    if os.environ.get("ZOUFANG_DB"):
        pytest.skip("runs on the embedded store")
    folder = tmp_path_factory.mktemp("field") / "town"
    write_sample(folder, generate_sample("huangtun", 300, seed=8, start=china_now().date()))
    with (folder / "campaign.toml").open("a", encoding="utf-8") as f:
        f.write('\n[schedule]\nreplan_at = "21:30"\n[maps]\ntiles = "amap"\n')
    plan.plan_campaign(folder, time_limit_s=0.05, workers=2, maps=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    links.issue_links(folder, base)
    links.set_coordinator(folder, "王主任", PASSWORD)
    app = create_app(WebConfig(folder, schedule=True))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started
    yield app, folder, base
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        service_or_skip("chromium", "Debian's chromium is not installed (apt-get install chromium)")
    fetch_assets()
    import os

    from playwright.sync_api import sync_playwright

    # setOffline does not reach a service worker's own fetches (microsoft/playwright#2311);
    # with its network events on, routing can cut them off too (see ``Offline``).
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    try:
        playwright = sync_playwright().start()
    finally:  # read when the driver starts: other tests' browsers are left as they were
        os.environ.pop("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS")
    try:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=list(CHROMIUM_ARGS),
        )
        yield launched
        launched.close()
    finally:
        playwright.stop()


class Offline:
    """No network for the pages and for the service worker either."""

    def __init__(self, context):
        self.context, self.cut = context, 0

    def _abort(self, route):
        if route.request.service_worker is not None:
            self.cut += 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def __enter__(self):
        self.context.set_offline(True)
        self.context.route("**/*", self._abort)
        return self

    def __exit__(self, *exc):
        self.context.unroute("**/*", self._abort)
        self.context.set_offline(False)


def busiest_cadre(app) -> tuple[str, list[str]]:
    field = app.state.field
    plan = field.store.plan(field.campaign_id, 1)
    route = max((r for r in plan.routes if r.day == 1), key=lambda r: len(r.stops))
    assert len(route.stops) >= 5
    return route.cadre_id, [s.target_id for s in route.stops]


def link_of(folder: Path, cadre_id: str) -> str:
    from tests.workers.web.conftest import read_links

    return read_links(folder)[cadre_id]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def outbox(page) -> str:
    return page.inner_text("#outbox-count")


def record(page, target: str, status: str, confirm: bool = False) -> None:
    stop = page.locator(f'li.stop[data-target="{target}"]')
    stop.locator(f'button[data-status="{status}"]').click()
    if status == "visited":
        stop.locator("button[data-finish]").click()
    elif confirm:
        stop.locator(f'button[data-status="{status}"]').click()
    expect(stop.locator("[data-state]")).not_to_have_text("")


def kept_page(page, timeout_s: float = 15) -> None:
    """Wait until the page has kept itself for a reload without signal (Cache API)."""
    count = "async () => (await (await caches.open('zoufang-shell-v1')).keys()).length"
    deadline = time.monotonic() + timeout_s
    while page.evaluate(count) < 3:  # the page and its two scripts
        assert time.monotonic() < deadline, "the page did not keep itself"
        time.sleep(0.2)


def stored(folder: Path, targets: list[str]) -> dict:
    _, store, campaign_id = open_campaign(folder)
    o = schema.outcomes.c
    with store.engine.connect() as db:
        rows = db.execute(
            select(o.target_id, o.status, func.count())
            .where((o.campaign_id == campaign_id) & o.target_id.in_(targets))
            .group_by(o.target_id, o.status)
        ).all()
        attempts = db.execute(
            select(func.count()).where(field_attempts.c.campaign_id == campaign_id)
        ).scalar_one()
    store.engine.dispose()
    return {"outcomes": {(t, s): n for t, s, n in rows}, "attempts": attempts}


def test_cadre_day_offline_and_back(browser, server):
    """Open the link, see the stops, record visited / not-home / a 诉求, go offline, record
    two more, reload, come back online: the store holds each outcome once."""
    app, folder, _ = server
    cadre_id, targets = busiest_cadre(app)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))  # leave anyway
    page.goto(link_of(folder, cadre_id))
    page.wait_for_selector("li.stop")
    assert page.locator("#stops > li.stop").count() == len(targets)
    first = page.locator("#stops > li.stop").first
    assert first.get_attribute("data-target") == targets[0] and "uri.amap.com" in first.inner_html()
    shot(page, "cadre-page.png")

    record(page, targets[0], "visited")
    record(page, targets[1], "not_home")
    stop = page.locator(f'li.stop[data-target="{targets[2]}"]')
    stop.locator('button[data-status="visited"]').click()
    stop.locator("button[data-request]").click()
    page.locator('#classes input[value="1"]').check()
    page.locator('#subjects input[value="1"]').check()
    page.fill("#request-text", "村口路灯不亮<b>")
    shot(page, "cadre-request-form.png")
    page.click("#request-save")
    expect(page.locator("#outbox-count")).to_have_text("0")
    expect(page.locator(f'li.stop[data-target="{targets[2]}"]')).to_have_class(re.compile("done"))

    kept_page(page)
    with Offline(context) as offline:
        record(page, targets[3], "refused", confirm=True)
        record(page, targets[4], "visited")
        assert outbox(page) == "2"
        page.reload()
        assert dialogs == ["beforeunload"]  # unsent outcomes: the page asked first
        page.wait_for_selector("li.stop")
        expect(page.locator("#outbox-count")).to_have_text("2")
        assert page.inner_text("#net") == "离线"
        # The page came from what the phone kept: the worker's network was cut off.
        assert offline.cut >= 1
        assert page.evaluate("() => performance.getEntriesByType('navigation')[0].workerStart") > 0
        shot(page, "cadre-offline.png")
    expect(page.locator("#outbox-count")).to_have_text("0", timeout=15000)
    shot(page, "cadre-synced.png")
    page.click("#sync-now")  # a resend of nothing, and again of everything, is a no-op
    expect(page.locator("#sync-state")).to_contain_text("已同步")
    held = stored(folder, targets[:5])
    assert held["outcomes"] == {
        (targets[0], "visited"): 1,
        (targets[1], "not_home"): 1,
        (targets[2], "visited"): 1,
        (targets[3], "refused"): 1,
        (targets[4], "visited"): 1,
    }
    assert held["attempts"] == 5
    _, store, campaign_id = open_campaign(folder)
    (request,) = store.requests(campaign_id)
    assert request.text == "村口路灯不亮<b>" and request.cadre_id == cadre_id
    assert errors == []
    context.close()


def test_board_shows_progress_and_the_scheduled_replan_is_announced(browser, server):
    """The board shows the cadre's progress; the scheduled job re-plans (version 2) and the
    open cadre page announces the new version."""
    app, folder, base = server
    cadre_id, targets = busiest_cadre(app)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = phone.new_page()
    page.goto(link_of(folder, cadre_id))
    page.wait_for_selector("li.stop")
    if not stored(folder, targets[:1])["outcomes"]:
        record(page, targets[0], "visited")
        expect(page.locator("#outbox-count")).to_have_text("0")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.route(
        "https://**/*", lambda r: r.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
    )
    board = desk.new_page()
    board.goto(f"{base}/board")
    board.fill('input[name="name"]', "王主任")
    board.fill('input[name="password"]', PASSWORD)
    board.click('button[type="submit"]')
    row = board.locator(f'#by-cadre tr[data-cadre="{cadre_id}"]')
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert int(cells[2]) >= 1  # done
    assert int(board.locator('tr[data-status="visited"] td').nth(1).inner_text()) >= 1
    board.frame_locator("iframe.overview").locator(".leaflet-container").wait_for(timeout=20000)
    shot(board, "board.png")
    board.screenshot(path=str(ARTIFACTS / "board-full.png"), full_page=True)

    scheduler = app.state.scheduler
    scheduler.modify_job(schedule.JOB_ID, next_run_time=dt.datetime.now(CHINA))
    field = app.state.field
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        r["state"] == "done" for r in field.store.runs(field.campaign_id)
    ):
        time.sleep(0.5)
    assert field.current_version() == 2
    page.click("#sync-now")
    page.wait_for_selector("#banner:not([hidden])")
    assert "第 2 版" in page.inner_text("#banner")
    shot(page, "cadre-new-version.png")
    expect(board.locator("#live")).to_contain_text("第 2 版", timeout=20000)
    phone.close()
    desk.close()


def test_page_is_legible_at_360_px(browser, server):
    """Nothing wider than a 360-px phone: no sideways scrolling, buttons at least 40 px high."""
    app, folder, _ = server
    cadre_id, _ = busiest_cadre(app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(link_of(folder, cadre_id))
    page.wait_for_selector("li.stop")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    heights = page.eval_on_selector_all(
        "#stops li.stop button, #stops li.stop a.btn",
        "bs => bs.map(b => b.getBoundingClientRect().height).filter(h => h > 0)",
    )
    assert len(heights) >= 10 and min(heights) >= 40
    shot(page, "cadre-360.png")
    context.close()


def test_day_map_draws_every_stop(browser, server):
    """The map, loaded on demand, numbers every stop (tiles answered locally; the service
    worker is blocked here so that Playwright's routing sees the tile requests)."""
    app, folder, _ = server
    cadre_id, targets = busiest_cadre(app)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="block")
    context.route(
        "https://**/*", lambda r: r.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(link_of(folder, cadre_id))
    page.click("#show-map")
    page.wait_for_selector(".zf-stop")
    assert page.locator(".zf-stop").count() == len(targets)
    page.locator("#map-box").scroll_into_view_if_needed()
    shot(page, "cadre-map.png")
    assert errors == []
    context.close()


def test_work_ahead_when_the_day_is_done(browser, server):
    """Every stop of day 1 recorded: the page offers day 2, whose page says that what is
    recorded there counts as today; the outcome is stored on day 1 and the night's re-plan
    takes the target out of day 2."""
    import uuid

    from workers.tasks import steps

    app, folder, _ = server
    field = app.state.field
    busiest, _ = busiest_cadre(app)
    later = field.store.version_for_day(field.campaign_id, 2)
    tomorrow = {
        r.cadre_id: [s.target_id for s in r.stops]
        for r in field.store.plan(field.campaign_id, later).routes
        if r.day == 2 and r.stops
    }
    cadre_id, today = min(
        (
            (r.cadre_id, [s.target_id for s in r.stops])
            for r in field.store.plan(field.campaign_id, 1).routes
            if r.day == 1 and r.stops and r.cadre_id != busiest and r.cadre_id in tomorrow
        ),
        key=lambda x: len(x[1]),
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(link_of(folder, cadre_id))
    page.wait_for_selector("li.stop")
    assert page.locator("#ahead").is_hidden()
    for target in today:
        record(page, target, "visited")
    expect(page.locator("#ahead")).to_be_visible()
    expect(page.locator("#outbox-count")).to_have_text("0")
    shot(page, "cadre-work-ahead.png")
    page.locator("#ahead a").click()
    page.wait_for_selector("li.stop")
    expect(page.locator("#ahead-note")).to_contain_text("结果记为今天的走访")
    shot(page, "cadre-work-ahead-next-day.png")
    early = tomorrow[cadre_id][0]
    record(page, early, "visited")
    expect(page.locator("#outbox-count")).to_have_text("0")
    days = {o.day for o in field.store.outcomes(field.campaign_id, [early])}
    assert days == {1}
    job = steps.begin(field.store, field.campaign_id, 1, owner=uuid.uuid4().hex)
    try:
        steps.run_local(field.store, job, 0.05, 1)
    finally:
        field.store.release_lock(field.campaign_id, job.owner)
    planned = {
        s.target_id
        for r in field.store.plan(field.campaign_id, job.version).routes
        if r.cadre_id == cadre_id
        for s in r.stops
    }
    assert early not in planned and planned  # gone from the later days, the rest still there
    context.close()
