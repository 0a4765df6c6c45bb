"""The coordinators' side: login (rate-limited), the live board, ledger moves, re-plan.

Every POST needs the login session and its CSRF token; the login form has its own
(double-submit cookie). Ledger moves are ``zoufang ledger update``'s: the same rules, and the
coordinator's name in the audit.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from optimizer.domain.errors import LedgerError
from optimizer.inputs.limits import CONTROL
from workers.web import figures
from workers.web.auth import (
    COORDINATOR_COOKIE,
    LOGIN_COOKIE,
    check_password,
    cookie_options,
    coordinator_of,
    require_csrf,
    same_secret,
)
from workers.web.config import (
    COORDINATOR_SESSION,
    LOGIN_MAX_PER_CLIENT,
    LOGIN_MAX_PER_NAME,
    LOGIN_WINDOW,
)
from workers.web.pages import page

router = APIRouter()
MAP_CSP = (  # the overview is maps' own page: its inline scripts, tiles from the map servers
    "default-src 'none'; script-src 'unsafe-inline' 'self' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; img-src data: https:; "
    "frame-ancestors 'self'"
)


def _coordinator(request: Request):
    session = coordinator_of(request)
    if session is None:
        raise HTTPException(303, headers={"location": "/login"})
    return session


def _login_page(request: Request, message: str = "", status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(
        "login.html",
        status,
        csrf=token,
        message=message,
        campaign=request.app.state.field.settings.name,
    )
    response.set_cookie(LOGIN_COOKIE, token, **cookie_options(request, 3600))
    return response


@router.get("/login")
def login_form(request: Request):
    return _login_page(request)


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    if not same_secret(str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE)):
        raise HTTPException(403, "缺少或错误的 CSRF 令牌，请刷新登录页")
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    client = request.client.host if request.client else "?"
    if len(name) > 100 or CONTROL.search(name):  # no such login; PostgreSQL refuses NUL
        return _login_page(request, "用户名或密码错误", 401)

    def work():
        field = request.app.state.field
        by_name, by_client = field.store.login_failures(
            field.campaign_id, name, client, LOGIN_WINDOW
        )
        if by_name >= LOGIN_MAX_PER_NAME or by_client >= LOGIN_MAX_PER_CLIENT:
            return None
        ok = check_password(password, field.store.coordinator_hash(field.campaign_id, name))
        if not ok:
            field.store.note_login_failure(field.campaign_id, name, client)
            return False
        field.store.clear_login_failures(field.campaign_id, name)
        return field.store.open_session(
            field.campaign_id, "coordinator", name, COORDINATOR_SESSION
        )[0]

    result = await run_in_threadpool(work)
    if result is None:
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        return _login_page(request, f"登录失败次数过多，请 {minutes} 分钟后再试", 429)
    if result is False:
        return _login_page(request, "用户名或密码错误", 401)
    response = RedirectResponse("/board", status_code=303)
    response.set_cookie(
        COORDINATOR_COOKIE,
        result,
        **cookie_options(request, int(COORDINATOR_SESSION.total_seconds())),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request):
    session = _coordinator(request)
    form = await request.form()
    require_csrf(request, session, str(form.get("csrf", "")))
    request.app.state.field.store.close_session(request.cookies[COORDINATOR_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COORDINATOR_COOKIE, path="/")
    return response


@router.get("/board")
def board(request: Request):
    session = _coordinator(request)
    field = request.app.state.field
    state = figures.board_state(field, request.app.state.replan)
    return page(
        "board.html",
        s=state,
        csrf=session.csrf,
        coordinator=session.subject,
        v=request.app.state.static_version,
        moves=figures.MOVES,
    )


@router.get("/board/live")
def live(request: Request, key: str = ""):
    """The board's changing part, or 204 when nothing changed since ``key``."""
    session = _coordinator(request)
    field = request.app.state.field
    state = figures.board_state(field, request.app.state.replan)
    if key and key == state["key"]:
        return Response(status_code=204)
    return page("live.html", s=state, csrf=session.csrf, moves=figures.MOVES)


@router.get("/board/map")
def overview_map(request: Request):
    _coordinator(request)
    html = figures.overview_html(request.app.state.field, request.app.state.replan)
    return HTMLResponse(
        html, headers={"content-security-policy": MAP_CSP, "cache-control": "private, no-store"}
    )


@router.post("/board/ledger/{request_id}")
async def ledger_move(request: Request, request_id: int):
    session = _coordinator(request)
    form = await request.form()
    require_csrf(request, session, str(form.get("csrf", "")))
    field = request.app.state.field
    to, note = str(form.get("to", "")), str(form.get("note", "")).strip()[:500]
    unit = str(form.get("unit", "")).strip()[:200] or None
    # The rules of a text cell, as on the command line: PostgreSQL refuses NUL, and ESC would
    # reach the terminal of whoever lists the ledger.
    for label, text in (("办理说明", note), ("责任单位", unit or "")):
        if CONTROL.search(text):
            message = f"{label}含有控制字符，请删去后重试"
            return page("message.html", 400, title="未更改", message=message, back="/board#ledger")

    def work():
        return field.store.update_request(
            field.campaign_id, request_id, to, session.subject, note or "看板操作", unit
        )

    try:
        await run_in_threadpool(work)
    except LedgerError as e:
        return page("message.html", 400, title="未更改", message=str(e), back="/board#ledger")
    return RedirectResponse("/board#ledger", status_code=303)


@router.post("/board/replan")
async def start_replan(request: Request):
    session = _coordinator(request)
    form = await request.form()
    require_csrf(request, session, str(form.get("csrf", "")))
    request.app.state.replan.start(f"看板：{session.subject}")
    return RedirectResponse("/board", status_code=303)
