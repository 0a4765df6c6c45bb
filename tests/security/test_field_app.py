"""The field app's endpoints get the same corpus: nothing runs, nothing leaks, nothing breaks.

A town whose every free-text field is a payload, planned with its first day today (China), is
served by the real app. A cadre's phone sends each payload as a request text and in every
other field of an outcome row; the API answers each row (never a server error), stores what
is valid verbatim and refuses the rest. The cadre page and the coordinator's board then show
the payloads escaped, and in a real browser no dialog fires on either page; no Jinja marker
appears anywhere.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from optimizer.domain.ledger import IN_PROGRESS, REGISTERED, RESOLVED
from optimizer.inputs.limits import CONTROL
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, service_or_skip
from tests.security import corpus
from tests.security.checks import FORMULA_PREFIXES, csv_cells
from tests.workers.web.conftest import (
    PASSWORD,
    board_client,
    csrf_of,
    login,
    path_of,
    read_links,
)
from workers.commands import plan
from workers.commands.campaign import open_campaign
from workers.web import create_app, links
from workers.web.config import WebConfig, china_now

# What a payload looks like when it was not escaped for its context (HTML, attribute, script).
RAW = ("<script>alert(", "<img src=x", '" onmouseover="alert', "';alert('js')")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The corpus town planned for today, links issued, a coordinator, and the app."""
    folder = corpus.payload_town(tmp_path_factory.mktemp("fieldcorpus") / "town")
    toml = (folder / "campaign.toml").read_text(encoding="utf-8")
    today = china_now().date().isoformat()
    (folder / "campaign.toml").write_text(
        re.sub(r"start_date = \S+", f"start_date = {today}", toml), encoding="utf-8"
    )
    plan.plan_campaign(folder, time_limit_s=0.05, workers=1, maps=False)
    links.issue_links(folder, "http://testserver")
    links.set_coordinator(folder, "王主任", PASSWORD)
    return folder, create_app(WebConfig(folder, schedule=False))


def test_the_access_files_hold_names_inert(served):
    """The links sheet (masked names beside each link) keeps a name that starts with a
    formula prefix inert; the QR page escapes the campaign's name."""
    folder, _ = served
    access = folder / "out" / "access"
    cells = csv_cells(access / links.CSV_NAME)
    assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert "'@********吴" in cells  # the cadre named @SUM(1,1)吴, masked
    page = (access / links.PAGE_NAME).read_text(encoding="utf-8")
    assert not [raw for raw in RAW if raw in page] and "<img src=x" not in page
    links.issue_links(folder, "http://testserver", ["C1"])  # rows read back, written again
    assert "'@********吴" in csv_cells(access / links.CSV_NAME)


def cadre_with_stops(app, folder: Path) -> tuple[TestClient, str, list[dict]]:
    for cadre_id, url in read_links(folder).items():
        client = TestClient(app)
        assert client.get(path_of(url), follow_redirects=False).status_code == 303
        stops = client.get("/api/me/route?day=1").json()["stops"]
        if len(stops) >= 3:
            return client, cadre_id, stops
    raise AssertionError("no cadre has three stops on day 1")


def test_payloads_through_the_api_and_pages(served):
    """Each payload as a request text is stored verbatim or refused with a reason (the
    10 k one is too long); payloads in the other fields are refused; pages escape all."""
    folder, app = served
    client, _, stops = cadre_with_stops(app, folder)
    payloads = [p for p in corpus.ALL if p != corpus.COMMENT] + [corpus.COMMENT]
    rows = [
        {
            "attempt_id": f"corpus-{i:03d}",
            "target_id": stops[i % len(stops)]["target_id"],
            "day": 1,
            "status": "visited",
            "time": "10:00",
            "category": "1-1",
            "request": p,
        }
        for i, p in enumerate(payloads)
    ]
    other = stops[0]["target_id"]
    for i, p in enumerate(corpus.SHORT):  # the same payloads in every other field
        for field in ("target_id", "status", "time", "category", "day"):
            rows.append(
                {
                    "attempt_id": f"field-{field}-{i:03d}",
                    "target_id": other,
                    "day": 1,
                    "status": "not_home",
                    "time": "11:00",
                    field: p,
                }
            )
    answer = client.post("/api/me/outcomes", json=rows)
    assert answer.status_code == 200
    results = {r["attempt_id"]: r for r in answer.json()}
    assert len(results) == len(rows)
    for row in rows[: len(payloads)]:
        result = results[row["attempt_id"]]
        if len(row["request"]) > 2000:
            assert result["result"] == "rejected" and result["reason"]
        else:
            assert result["result"] in ("accepted", "duplicate"), result
    for row in rows[len(payloads) :]:
        assert results[row["attempt_id"]]["result"] == "rejected"
    _, store, campaign_id = open_campaign(folder)
    texts = {r.text for r in store.requests(campaign_id)}
    assert corpus.HTML in texts and corpus.JINJA_BARE in texts and corpus.BACKTICK in texts
    cadre_page = client.get("/m").text
    board = board_client(app).get("/board").text
    for page in (cadre_page, board):
        shown = [
            (raw, page[max(0, page.find(raw) - 200) : page.find(raw) + 60])
            for raw in RAW
            if raw in page
        ]
        assert not shown
    assert "&lt;script&gt;" in board
    assert not list(folder.parent.rglob("zfmarker*")) and not Path("zfmarker").exists()


def test_control_characters_through_the_api_are_refused(served):
    """NUL, ESC, BEL, DEL and C1 controls in a request text or any other field of a phone's
    row: rejected with the field's name (as ``record`` refuses its cell), nothing stored."""
    folder, app = served
    client, _, stops = cadre_with_stops(app, folder)
    rows = [
        {"attempt_id": f"control-{field}-{i:03d}", "target_id": stops[1]["target_id"], "day": 1,
         "status": "visited", "time": f"12:{i:02d}", "category": "1-1", "request": "正常",
         field: f"{value}" if field != "request" else f"诉求{value}"}
        for i, value in enumerate(corpus.CONTROLS)
        for field in ("request", "category", "status", "satisfied")
    ]  # fmt: skip
    answer = client.post("/api/me/outcomes", json=rows)
    assert answer.status_code == 200
    results = answer.json()
    assert [r["result"] for r in results] == ["rejected"] * len(rows)
    assert all("控制字符" in r["reason"] for r in results), results[:3]
    assert {r["reason"].split("：")[0] for r in results} == {"诉求内容", "诉求分类", "结果", "满意"}
    _, store, campaign_id = open_campaign(folder)
    assert not [r.text for r in store.requests(campaign_id) if CONTROL.search(r.text)]


def _chunks(payloads, chars: int) -> list[str]:
    """The payloads joined into texts of at most ``chars`` characters (the form's limit)."""
    chunks = [""]
    for p in payloads:
        if chunks[-1] and len(chunks[-1]) + len(p) > chars:
            chunks.append("")
        chunks[-1] += p
    return chunks


def test_payloads_in_a_coordinators_ledger_move(served):
    """The board's ledger form takes the corpus as notes and units: stored verbatim, shown
    escaped; a control character in either is refused (400) and the request is unchanged."""
    folder, app = served
    _, store, campaign_id = open_campaign(folder)
    if not [r for r in store.requests(campaign_id) if r.state == REGISTERED]:
        test_payloads_through_the_api_and_pages(served)  # the requests to move
    board = board_client(app)
    csrf = csrf_of(board.get("/board").text)
    fresh = [r.id for r in store.requests(campaign_id) if r.state == REGISTERED]
    notes, units = _chunks(corpus.SHORT, 480), _chunks(corpus.SHORT, 190)
    moves = [(to, n) for n in range(max(len(notes), len(units))) for to in (IN_PROGRESS, RESOLVED)]
    assert len(fresh) >= len(moves) // 2 + 1
    untouched = fresh.pop()
    for control in corpus.CONTROLS:
        for field in ("note", "unit"):
            form = {"csrf": csrf, "to": IN_PROGRESS, "note": "正常", field: control}
            answer = board.post(f"/board/ledger/{untouched}", data=form)
            assert answer.status_code == 400 and "控制字符" in answer.text, (field, control)
    moved = {}
    for k, (to, n) in enumerate(moves):
        request_id = fresh[k // 2]
        note, unit = notes[n % len(notes)], units[n % len(units)]
        form = {"csrf": csrf, "to": to, "note": note, "unit": unit}
        answer = board.post(f"/board/ledger/{request_id}", data=form, follow_redirects=False)
        assert answer.status_code == 303, (to, note[:80], answer.text[-300:])
        moved.setdefault(request_id, []).append((to, note.strip(), unit.strip()))
    stored = {r.id: r for r in store.requests(campaign_id)}
    assert stored[untouched].state == REGISTERED and not stored[untouched].notes
    for request_id, steps in moved.items():
        assert stored[request_id].state == steps[-1][0]
        assert stored[request_id].unit == steps[-1][2]
        assert all(note in stored[request_id].notes for _, note, _ in steps)
    page = board.get("/board").text
    assert not [raw for raw in RAW if raw in page]
    assert not list(folder.parent.rglob("zfmarker*")) and not Path("zfmarker").exists()


@pytest.mark.browser
def test_no_dialog_fires_on_the_cadre_page_or_the_board(served, tmp_path):
    """Chromium opens the cadre page, the board, its overview map and the QR-code page over
    the stored payloads: no dialog."""
    if shutil.which("chromium") is None and not Path(CHROMIUM).exists():
        service_or_skip("chromium", "Debian's chromium is not installed")
    import threading
    import time

    import uvicorn
    from playwright.sync_api import sync_playwright

    from tests.workers.web.test_browser import free_port

    folder, app = served
    test_payloads_through_the_api_and_pages(served)  # the payloads are stored
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    dialogs: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=list(CHROMIUM_ARGS),
            )
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.route(  # tiles and CDNs: nothing leaves the machine
                re.compile(r"^https?://(?!127\.0\.0\.1).*"), lambda route: route.abort()
            )
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.set_content("<script>alert('control')</script>")  # the check can fail
            assert dialogs == ["control"]
            dialogs.clear()
            url = read_links(folder)[next(iter(read_links(folder)))]
            page.goto(url.replace("http://testserver", base), wait_until="networkidle")
            page.mouse.move(10, 10)
            page.goto(f"{base}/login")
            page.fill("input[name=name]", "王主任")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for element in page.locator("td, li, a").all()[:200]:
                element.hover(timeout=2000)
            page.goto(f"{base}/board/map", wait_until="networkidle")
            page.goto((folder / "out" / "access" / links.PAGE_NAME).as_uri())
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert dialogs == []


@pytest.mark.services
def test_the_corpus_as_a_login_name_on_postgresql(tmp_path, monkeypatch, pg_url):
    """Every payload and control character as a coordinator's login name, on PostgreSQL
    (which refuses NUL in text): a plain 401 (or the login limit's 429), never a server
    error."""
    from tests.workers.conftest import fresh_database

    fresh_database(pg_url)
    monkeypatch.setenv("ZOUFANG_DB", pg_url)
    folder = corpus.payload_town(tmp_path / "town")
    toml = (folder / "campaign.toml").read_text(encoding="utf-8")
    today = china_now().date().isoformat()
    (folder / "campaign.toml").write_text(
        re.sub(r"start_date = \S+", f"start_date = {today}", toml), encoding="utf-8"
    )
    plan.plan_campaign(folder, time_limit_s=0.05, workers=1, maps=False)
    links.set_coordinator(folder, "王主任", PASSWORD)
    app = create_app(WebConfig(folder, schedule=False))
    client = TestClient(app, raise_server_exceptions=False)
    assert login(client, "王主任", PASSWORD).status_code == 303
    for name in corpus.CONTROLS:
        assert login(client, name, PASSWORD).status_code == 401, repr(name)
    for name in corpus.ALL:  # the guesses of one client soon meet the login limit
        assert login(client, name, PASSWORD).status_code in (401, 429), repr(name[:40])
    app.state.field.store.engine.dispose()
