"""The FastAPI application: pages, API, static files, security headers, the scheduler."""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from maps.assets import LOCK, cdn_url
from workers.store import Store
from workers.tasks.config import current
from workers.web import board, cadre, schedule
from workers.web.config import WebConfig
from workers.web.intake import Intake
from workers.web.pages import STATIC, page, static_version
from workers.web.service import FieldService
from workers.web.sync_endpoint import PATH, SyncEndpoint

log = logging.getLogger("zoufang.web")


def _leaflet() -> tuple[Path | None, str]:
    """The local Leaflet folder (``zoufang assets``) if present, and the script's address."""
    pkg = next(p for p in json.loads(LOCK.read_text("utf-8"))["packages"] if p["name"] == "leaflet")
    folder = current().assets_dir / f"leaflet-{pkg['version']}" / "dist"
    if (folder / "leaflet.js").is_file():
        return folder, "/vendor/leaflet/"
    return None, cdn_url("leaflet", "")


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
]


class FieldApp(FastAPI):
    """The application; a phone's sync (``POST /api/me/outcomes``) goes straight to its
    plain ASGI endpoint, before FastAPI's middleware and router (``sync_endpoint``)."""

    sync: SyncEndpoint

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "POST":
            return await self.sync(scope, receive, send)
        return await super().__call__(scope, receive, send)


class SecurityHeaders:
    """Headers on every response (a route may set its own Content-Security-Policy)."""

    def __init__(self, app, csp: str):
        self.app = app
        self.headers = SECURITY_HEADERS
        self.csp = csp.encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def start(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in self.headers if h[0] not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", self.csp))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return await self.app(scope, receive, start)


def create_app(config: WebConfig, store: Store | None = None) -> FieldApp:
    """The field app of ``config.campaign_dir`` (its store from ``ZOUFANG_DB`` or the
    campaign folder, as the command line does)."""

    field = FieldService(config, store)
    leaflet_dir, leaflet_url = _leaflet()
    scripts = "'self'" + ("" if leaflet_dir else " https://cdn.jsdelivr.net")
    csp = (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline' "
        f"{'' if leaflet_dir else 'https://cdn.jsdelivr.net'}; img-src 'self' data: https:; "
        "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
        "form-action 'self'; object-src 'none'"
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runner = schedule.start(app) if config.schedule else None
        yield
        if runner is not None:
            runner.shutdown(wait=False)

    app = FieldApp(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.field = field
    app.state.static_version = static_version()
    app.state.leaflet_url = leaflet_url
    app.state.replan = schedule.ReplanRunner(field)
    app.state.intake = Intake(field)
    # The answers to syncs go uncompressed (they never pass here): small JSON, and
    # compressing 300 of them at once costs the server more than it saves the phones.
    app.add_middleware(GZipMiddleware, minimum_size=800, compresslevel=6)
    app.sync = SyncEndpoint(app, [*SECURITY_HEADERS, (b"content-security-policy", csp.encode())])
    app.add_middleware(SecurityHeaders, csp=csp)
    app.mount("/m/static", StaticFiles(directory=STATIC), name="static")
    if leaflet_dir:
        app.mount("/vendor/leaflet", StaticFiles(directory=leaflet_dir), name="leaflet")
    app.include_router(cadre.router)
    app.include_router(board.router)

    @app.exception_handler(HTTPException)
    async def errors(request: Request, exc: HTTPException):
        if exc.status_code == 303:
            return RedirectResponse(exc.headers["location"], status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return page("message.html", exc.status_code, title="无法打开", message=exc.detail)

    return app
