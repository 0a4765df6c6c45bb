"""The cadre's side: the link, the day's page, and the API the page (or any client) uses.

``GET /api/me/route?day=N`` — the day's stops as told; ``POST /api/me/outcomes`` — a JSON list
of rows ``{attempt_id, target_id, day, status, time, category, request}`` (``satisfied`` for a
return visit; ``lat``/``lon``/``accuracy`` when the phone offered a location) → one result per
row: ``accepted``, ``duplicate`` or ``rejected`` with the reason (served in front of the
router, by ``workers.web.sync_endpoint``).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse

from optimizer.domain.codes import RESPONSIBILITY_ZH, SUBJECT_ZH
from workers.web.auth import CADRE_COOKIE, cadre_of, cookie_options, read_token, unauthorized
from workers.web.config import CADRE_SESSION, default_day
from workers.web.pages import STATIC, page

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
