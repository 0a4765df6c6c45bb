"""A lean folium map whose campaign text lives in a data island, never in a template.

branca compiles the output of every folium element as a new Jinja template, so any campaign
text handed to folium (an address, a name, an id) would become template source and run. Here
folium only builds the frame — tiles, layer groups with our own names, calls into the static
``static/zoufang-map.js`` with constant arguments. Everything that comes from a campaign is
collected in ``LeanMap.island`` (HTML already escaped where it is shown as HTML) and written,
after rendering, as JSON into ``<script type="application/json" id="zf-data">``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, ClassVar

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from maps.assets import add_integrity, cdn_url, inline_assets
from maps.tiles import Tiles

SCRIPT = Path(__file__).with_name("static") / "zoufang-map.js"
PLACEHOLDER = "<!--zoufang-island-->"
# Arguments of a call into the library: constant names only (never campaign text).
CALL_NAME = re.compile(r"^[a-z][a-z0-9_:-]{0,40}$")

STYLE = """
<style>
.zf-stop{min-width:30px;height:30px;box-sizing:border-box;padding:0 6px;border-radius:15px;
 background:#c0392b;color:#fff;font:bold 15px/26px sans-serif;text-align:center;
 border:2px solid #fff;box-shadow:0 1px 4px #0008;white-space:nowrap;position:relative}
.zf-stop.evening,.zf-dot.evening{background:#1f4fb8}
.zf-stop.priority,.zf-dot.priority{background:#e67e00}
.zf-stop.mixed-priority{box-shadow:0 0 0 3px #e67e00,0 1px 4px #0008}
.zf-stop small{font-size:11px;font-weight:normal;margin-left:3px}
.zf-dot{display:inline-block;min-width:18px;height:18px;border-radius:9px;background:#c0392b;
 color:#fff;font:bold 11px/18px sans-serif;text-align:center;vertical-align:-3px;margin-right:4px}
.zf-pill{display:inline-block;padding:0 5px;height:18px;border-radius:9px;background:#c0392b;
 color:#fff;font:bold 11px/18px sans-serif;vertical-align:-3px;margin-right:4px}
.zf-key{margin-right:10px;white-space:nowrap;display:inline-block}
.zf-sheet{position:absolute;left:0;right:0;bottom:0;z-index:1000;background:#fff;
 box-shadow:0 -2px 8px #0005;font:14px/1.45 sans-serif;border-radius:10px 10px 0 0}
.zf-sheet .zf-head{padding:6px 10px;cursor:pointer;user-select:none}
.zf-sheet .zf-head b{font-size:15px}.zf-legend{font-size:12px;color:#333;margin-top:2px}
.zf-list{display:none;max-height:48vh;overflow-y:auto;border-top:1px solid #ddd}
.zf-sheet.open .zf-list{display:block}
.zf-row{padding:6px 10px;border-bottom:1px solid #eee}.zf-row.on{background:#fff6d5}
.zf-row small{color:#555}.zf-nav{float:right;margin-left:8px;padding:2px 8px;border-radius:4px;
 background:#1f4fb8;color:#fff!important;text-decoration:none;font-size:13px}
.zf-sheet-on .leaflet-bottom{bottom:var(--zf-sheet,64px)}
.zf-base{width:34px;height:34px;border-radius:6px;background:#27ae60;color:#fff;
 font:bold 14px/34px sans-serif;text-align:center;border:2px solid #fff;box-shadow:0 1px 4px #0008}
.zf-box{background:#fffffff0;padding:8px 10px;border-radius:6px;box-shadow:0 1px 5px #0006;
 font:14px/1.45 sans-serif;max-width:calc(100vw - 70px);box-sizing:border-box}
.zf-box .nw{white-space:nowrap}
.zf-box.folded>:not(:first-child){display:none}.zf-box.folded>:first-child::after{content:" ▸"}
.zf-box h3{margin:0 0 4px;font-size:16px}.zf-swatch{display:inline-block;width:12px;height:12px;
 border-radius:6px;margin-right:6px;vertical-align:-1px}
.zf-locate{width:44px;height:44px;font-size:22px;line-height:44px;text-align:center;cursor:pointer;
 background:#fff;border-radius:6px;box-shadow:0 1px 5px #0006;user-select:none}
.zf-label{display:inline-block;transform:translate(-50%,-50%);font:bold 13px/16px sans-serif;
 color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap}
.zf-area-label{display:inline-block;transform:translate(-50%,45%);background:#fffffff0;
 border:2px solid;border-radius:4px;padding:0 4px;font:12px/18px sans-serif;white-space:nowrap}
.zf-area-label.risk{background:#c62828;color:#fff;font-weight:bold;border-width:3px;
 box-shadow:0 0 0 2px #fff,0 1px 4px #0008}
.zf-box .zf-area-label{transform:none;margin:2px 6px 0 0}
/* overview labels move at once: their boxes are measured when a zoom ends, and Leaflet may
 end it before the 0.25 s slide has */
.leaflet-zoom-anim .leaflet-zoom-animated.zf-label-icon{transition:none}
</style>
"""


def h(text: object) -> str:
    """Text for an HTML context (element content or a quoted attribute)."""
    return html.escape(str(text), quote=True)


def island_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` that could
    close it, and no line separators that old JavaScript engines reject."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


class LeanMap(folium.Map):
    """folium.Map loading Leaflet alone (no jQuery, Bootstrap or icon fonts), with an island."""

    default_js: ClassVar[list] = [("leaflet", cdn_url("leaflet", "leaflet.js"))]
    default_css: ClassVar[list] = [("leaflet_css", cdn_url("leaflet", "leaflet.css"))]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.island: dict[str, Any] = {}

    def _repr_html_(self, **kwargs) -> str:
        """In a notebook: the page with its island, in a sandboxed frame."""
        return (
            f'<iframe srcdoc="{h(to_html(self))}" sandbox="allow-scripts" '
            'style="width:100%;height:480px;border:0"></iframe>'
        )

    def save(self, outfile, close_file: bool = True, **kwargs) -> None:
        """folium's ``save`` would write the page without its island."""
        Path(outfile).write_text(to_html(self), encoding="utf-8")


class Call(MacroElement):
    """``ZF.<function>(<parent's JS name>[, "<key>"])``: a static call into the library."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        ZF.{{ this.function }}({{ this._parent.get_name() }}
        {%- if this.key %}, {{ this.key|tojson }}{% endif %});
        {% endmacro %}"""
    )

    def __init__(self, function: str, key: str = ""):
        super().__init__()
        if not CALL_NAME.match(function) or (key and not CALL_NAME.match(key)):
            raise ValueError(f"not a constant call: {function!r} {key!r}")
        self._name = "Call"
        self.function, self.key = function, key


def new_map(
    tiles: Tiles, center: tuple[float, float], zoom: int = 15, canvas: bool = False
) -> LeanMap:
    m = LeanMap(location=list(center), zoom_start=zoom, tiles=None, prefer_canvas=canvas)
    for i, (url, label) in enumerate(tiles.layers):
        folium.TileLayer(
            url,
            attr=tiles.attribution,
            name=label,
            subdomains=tiles.subdomains or "abc",
            overlay=i > 0,
            control=len(tiles.layers) > 1,
            max_zoom=19,
        ).add_to(m)
    root = m.get_root()
    root.header.add_child(Element(STYLE))
    root.header.add_child(Element(PLACEHOLDER))
    m.island["gcj02"] = tiles.gcj02
    Call("init").add_to(m)
    return m


def add_box(
    m: LeanMap, key: str, body_html: str, position: str = "topright", fold: bool = False
) -> None:
    """A fixed box in a corner of the map; ``body_html`` must be escaped already. ``fold``:
    on a phone the box shows its first line only, and opens with a tap."""
    m.island.setdefault("boxes", {})[key] = {"position": position, "html": body_html, "fold": fold}
    Call("box", key).add_to(m)


def to_html(m: LeanMap, offline: bool = False, assets_dir: Path | None = None) -> str:
    """The map as one HTML page; ``offline`` inlines Leaflet from ``assets_dir`` (no network
    but tiles)."""
    page = m.get_root().render()
    if page.count(PLACEHOLDER) != 1:
        raise RuntimeError("the map's data island placeholder is missing or repeated")
    script = SCRIPT.read_text(encoding="utf-8").replace("</script", "<\\/script")
    island = (
        f'<script type="application/json" id="zf-data">{island_json(m.island)}</script>'
        f"<script>{script}</script>"
    )
    # The page is complete: inserting the island now keeps it out of every template.
    page = page.replace(PLACEHOLDER, island, 1)
    if not offline:
        return add_integrity(page)
    return inline_assets(page, assets_dir) if assets_dir else inline_assets(page)
