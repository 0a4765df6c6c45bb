"""Server-rendered pages: the templates (autoescaped), our stylesheet, and how a page is sent."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

STATIC = Path(__file__).with_name("static")

TEMPLATES = Environment(
    loader=PackageLoader("workers.web", "templates"),
    autoescape=True,  # every page; campaign text only ever arrives as a variable
    trim_blocks=True,
    lstrip_blocks=True,
)
# ``|tojson`` escapes < > & ' for a <script> element; Chinese stays as it is (smaller pages).
TEMPLATES.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}


def static_version() -> str:
    """Changes when any static file does: pages ask for ``?v=…`` so phones re-fetch then."""
    h = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


# Inlined in every page: on a slow network a separate stylesheet costs a round trip before
# anything shows (the pages are small, and the sheet is 5 KB).
CSS = Markup((STATIC / "field.css").read_text(encoding="utf-8"))  # our own file, not campaign text


def page(name: str, status_code: int = 200, **context) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(css=CSS, **context)
    return HTMLResponse(html, status_code, headers={"cache-control": "private, no-store"})
