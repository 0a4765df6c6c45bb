"""The board's and the links' defences: CSRF, escaping, login rate limit, phone numbers."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from optimizer.domain.ledger import IN_PROGRESS, REGISTERED
from tests.workers.web.conftest import board_client, cadre_client, csrf_of, login
from workers.commands.campaign import open_campaign

PAYLOAD = '<script>alert("zf")</script><img src=x onerror=alert(1)>{{7*7}}'


def _request_from_c2(app, town, text: str) -> int:
    phone = cadre_client(app, town, "C2")
    target = phone.get("/api/me/route?day=1").json()["stops"][0]["target_id"]
    row = {"attempt_id": "attempt-s001", "target_id": target, "day": 1, "status": "visited",
           "time": "10:00", "category": "2-2", "request": text}  # fmt: skip
    assert phone.post("/api/me/outcomes", json=[row]).json()[0]["result"] == "accepted"
    _, store, campaign_id = open_campaign(town)
    return store.requests(campaign_id)[0].id


def test_board_escapes_request_text(app, town):
    """HTML/JS (and Jinja) in a request text is shown as text on the board, never run."""
    _request_from_c2(app, town, PAYLOAD)
    board = board_client(app).get("/board").text
    assert "&lt;script&gt;alert(&#34;zf&#34;)&lt;/script&gt;" in board
    assert "<img src=x" not in board and "<script>alert" not in board
    assert "{{7*7}}" in board and ">49<" not in board


def test_board_posts_need_csrf(app, town):
    """A ledger move or a re-plan without the session's CSRF token is 403 and changes nothing;
    with it, the move is made and audited under the coordinator's name."""
    request_id = _request_from_c2(app, town, "路面破损")
    board = board_client(app)
    form = {"to": IN_PROGRESS, "note": "转办", "unit": "区住建局"}
    assert board.post(f"/board/ledger/{request_id}", data=form).status_code == 403
    wrong = {**form, "csrf": "x" * 32}
    assert board.post(f"/board/ledger/{request_id}", data=wrong).status_code == 403
    assert board.post("/board/replan", data={}).status_code == 403
    _, store, campaign_id = open_campaign(town)
    assert store.requests(campaign_id)[0].state == REGISTERED
    csrf = csrf_of(board.get("/board").text)
    evil = board.post(
        f"/board/ledger/{request_id}",
        data={**form, "csrf": csrf},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert evil.status_code == 403
    done = board.post(
        f"/board/ledger/{request_id}", data={**form, "csrf": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert store.requests(campaign_id)[0].state == IN_PROGRESS
    assert store.request_events(request_id)[-1].actor == "王主任"
    illegal = board.post(f"/board/ledger/{request_id}", data={"to": "已销号", "csrf": csrf})
    assert illegal.status_code == 400 and "未回访不能销号" in illegal.text


def test_login_brute_force_is_rate_limited(app, town):
    """Five wrong passwords for a name, then even the right one is refused (429) for a while;
    other names are still limited per client address after twenty failures."""
    client = TestClient(app)
    for _ in range(5):
        assert login(client, "王主任", "wrong-password").status_code == 401
    assert login(client, "王主任", "correct horse 9").status_code == 429
    for i in range(15):
        assert login(client, f"guess{i}", "wrong-password").status_code == 401
    assert login(client, "someone", "wrong-password").status_code == 429
    assert client.get("/board", follow_redirects=False).status_code == 303


def test_login_needs_its_csrf_cookie(app, town):
    client = TestClient(app)
    response = client.post("/login", data={"name": "王主任", "password": "correct horse 9"})
    assert response.status_code == 403


def test_phone_numbers_only_on_the_own_cadres_page(app, town):
    """T1's phone is on C1's page only: not on C2's or C3's pages or APIs, nor on the board."""
    phone = "13812345678"
    own = cadre_client(app, town, "C1")
    assert phone in own.get("/m/?day=1").text and phone in own.get("/api/me/route?day=1").text
    for other in ("C2", "C3"):
        client = cadre_client(app, town, other)
        for day in range(1, 6):
            assert phone not in client.get(f"/m/?day={day}").text
            assert phone not in client.get(f"/api/me/route?day={day}").text
    board = board_client(app)
    assert phone not in board.get("/board").text
    assert phone not in board.get("/board/map").text
    assert not re.search(r"1[3-9]\d{9}", board.get("/board").text)


def test_cookies_are_httponly_lax_and_pages_not_cached(app, town):
    from tests.workers.web.conftest import path_of, read_links

    response = TestClient(app).get(path_of(read_links(town)["C1"]), follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert (
        "HttpOnly" in cookie
        and "SameSite=lax" in cookie
        and "/c/" not in response.headers["location"]
    )
    page = cadre_client(app, town, "C1").get("/m/")
    assert page.headers["cache-control"] == "private, no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]
