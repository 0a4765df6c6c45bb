"""The cadre's side: the link, the day's page, and the API the page (or any client) uses.

``GET /api/me/route?day=N`` — the day's stops as told; ``POST /api/me/outcomes`` — a JSON list
of rows ``{attempt_id, target_id, day, status, time, category, request}`` (``satisfied`` for a
return visit; ``lat``/``lon``/``accuracy`` when the phone offered a location) → one result per
row: ``accepted``, ``duplicate`` or ``rejected`` with the reason.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse

from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH
from optimizer.domain.errors import ZoufangError
from workers.web.auth import CADRE_COOKIE, cadre_of, cookie_options, read_token, unauthorized
from workers.web.config import CADRE_SESSION, MAX_ROWS, default_day
from workers.web.pages import STATIC, page
from workers.web.service import Sync

router = APIRouter()
NO_STORE = {"cache-control": "private, no-store"}


def _day(request: Request, day: int | None) -> int:
    field = request.app.state.field
    if day is None:
        return default_day(field.settings, field.config.now().date())
    if not 1 <= day <= field.settings.days:
        raise HTTPException(400, f"第 {day} 天不在活动期 1–{field.settings.days} 天内")
    return day


@router.get("/c/{token}")
def open_link(request: Request, token: str):
    """The personal link: a session cookie for the phone, then the day's page."""
    field = request.app.state.field
    secret = read_token(field.key, field.campaign_id, token)
    found = field.store.token_cadre(field.campaign_id, secret) if secret else None
    if found is None:
        raise unauthorized()
    cadre_id, token_hash = found
    session_id, _ = field.store.open_session(
        field.campaign_id, "cadre", cadre_id, CADRE_SESSION, token_hash
    )
    response = RedirectResponse("/m/", status_code=303)
    response.set_cookie(
        CADRE_COOKIE, session_id, **cookie_options(request, int(CADRE_SESSION.total_seconds()))
    )
    return response


@router.get("/m/")
def day_page(request: Request, day: int | None = None):
    cadre_id = cadre_of(request)
    field = request.app.state.field
    route = field.day_route(cadre_id, _day(request, day))
    tiles = field.tiles
    setup = {
        "tiles": {
            "url": tiles.layers[0][0],
            "subdomains": tiles.subdomains,
            "attribution": tiles.attribution,
            "gcj02": tiles.gcj02,
        },
        "leaflet": request.app.state.leaflet_url,
        "classes": RESPONSIBILITY_ZH,
        "subjects": SUBJECT_ZH,
    }
    return page(
        "cadre.html",
        route=route,
        campaign=field.settings.name,
        data={"route": route, "setup": setup},
        v=request.app.state.static_version,
    )


@router.get("/m/sw.js")
def service_worker():
    """Keeps the page and its files on the phone; nothing depends on it (the outbox is the
    page's own, in IndexedDB)."""
    return FileResponse(
        STATIC / "sw.js", media_type="text/javascript", headers={"cache-control": "no-cache"}
    )


@router.get("/api/me/route")
def route_api(request: Request, day: int | None = None):
    cadre_id = cadre_of(request)
    field = request.app.state.field
    return JSONResponse(field.day_route(cadre_id, _day(request, day)), headers=NO_STORE)


@router.get("/api/me/version")
def version_api(request: Request, day: int | None = None):
    """Cheap to poll: the version the day's stops come from, and the newest version."""
    cadre_of(request)
    field = request.app.state.field
    day = _day(request, day)
    return JSONResponse(
        {
            "day": day,
            "plan_version": field.store.version_for_day(field.campaign_id, day),
            "current_version": field.current_version(),
        },
        headers=NO_STORE,
    )


async def outcomes_api(request: Request):
    """Store a phone's outcomes. A JSON body is required (a cross-site form cannot send
    one), the rows are a list; headers ``X-Zoufang-Device`` and ``X-Zoufang-Backlog`` say
    which phone and how many outcomes it still holds (for the board).

    A plain Starlette route (``workers.web.app`` adds it): the hottest path of the server
    skips FastAPI's parameter machinery, which it does not use."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise HTTPException(415, "需要 application/json")
    body = await request.body()
    if len(body) > 2_000_000:
        raise HTTPException(413, "一次同步的数据过大")
    try:
        rows = json.loads(body)
    except ValueError:
        raise HTTPException(400, "不是有效的 JSON") from None
    if not isinstance(rows, list):
        raise HTTPException(400, "应为结果行的列表")
    if len(rows) > MAX_ROWS:
        raise HTTPException(400, f"一次最多同步 {MAX_ROWS} 条")
    try:
        backlog = int(request.headers.get("x-zoufang-backlog", len(rows)))
    except ValueError:
        backlog = len(rows)
    secret, session_id = _credential(request)
    sync = Sync(
        secret=secret,
        session_id=session_id,
        device_id=request.headers.get("x-zoufang-device", "")[:64] or "api",
        rows=rows,
        backlog=backlog,
        agent=request.headers.get("user-agent", ""),
    )
    try:
        results = await request.app.state.intake.submit(sync)
    except ZoufangError as e:
        raise HTTPException(400, str(e)) from None
    except RuntimeError as e:
        raise HTTPException(503, str(e)) from None
    if results is None:
        raise unauthorized()
    return JSONResponse([r.as_json() for r in results], headers=NO_STORE)


def _credential(request: Request) -> tuple[str | None, str | None]:
    """(link secret, session id) as sent; a token that fails its signature is 401 here,
    without asking the store."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        field = request.app.state.field
        secret = read_token(field.key, field.campaign_id, header[7:].strip())
        if secret is None:
            raise unauthorized()
        return secret, None
    session_id = request.cookies.get(CADRE_COOKIE)
    if not session_id or len(session_id) > 100:
        raise unauthorized()
    return None, session_id
