"""A lean folium map (Leaflet only), boxes for titles and legends, and a "where am I" button."""

from __future__ import annotations

from typing import ClassVar

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from maps.assets import cdn_url, inline_assets
from maps.tiles import Tiles

STYLE = """
<style>
.zf-stop{width:30px;height:30px;border-radius:15px;background:#c0392b;color:#fff;
 font:bold 15px/30px sans-serif;text-align:center;border:2px solid #fff;box-shadow:0 1px 4px #0008}
.zf-stop.evening{background:#2c3e90}.zf-stop.priority{background:#d35400}
.zf-base{width:34px;height:34px;border-radius:6px;background:#27ae60;color:#fff;
 font:bold 14px/34px sans-serif;text-align:center;border:2px solid #fff;box-shadow:0 1px 4px #0008}
.zf-box{background:#fffffff0;padding:8px 10px;border-radius:6px;box-shadow:0 1px 5px #0006;
 font:14px/1.45 sans-serif;max-width:78vw}
.zf-box h3{margin:0 0 4px;font-size:16px}.zf-swatch{display:inline-block;width:12px;height:12px;
 border-radius:6px;margin-right:6px;vertical-align:-1px}
.zf-locate{width:44px;height:44px;font-size:22px;line-height:44px;text-align:center;cursor:pointer;
 background:#fff;border-radius:6px;box-shadow:0 1px 5px #0006;user-select:none}
.zf-label{font:bold 13px sans-serif;color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff;
 white-space:nowrap}
</style>
"""


class LeanMap(folium.Map):
    """folium.Map loading Leaflet alone (no jQuery, Bootstrap or icon fonts)."""

    default_js: ClassVar[list] = [("leaflet", cdn_url("leaflet", "leaflet.js"))]
    default_css: ClassVar[list] = [("leaflet_css", cdn_url("leaflet", "leaflet.css"))]


def new_map(
    tiles: Tiles, center: tuple[float, float], zoom: int = 15, canvas: bool = False
) -> LeanMap:
    m = LeanMap(
        location=list(center), zoom_start=zoom, tiles=None, prefer_canvas=canvas, control_scale=True
    )
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
    m.get_root().header.add_child(Element(STYLE))
    return m


class Box(MacroElement):
    """A fixed box of HTML in a corner of the map (title, legend, progress)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function(){var c = L.control({position: {{ this.position|tojson }}});
        c.onAdd = function(){var d = L.DomUtil.create('div','zf-box');
        d.innerHTML = {{ this.html|tojson }};
        L.DomEvent.disableClickPropagation(d); return d;};
        c.addTo({{ this._parent.get_name() }});})();
        {% endmacro %}"""
    )

    def __init__(self, html: str, position: str = "topright"):
        super().__init__()
        self._name = "Box"
        self.html, self.position = html, position


class LocateButton(MacroElement):
    """ "Where am I": the phone's position (GPS is WGS-84; shifted to GCJ-02 on AMap tiles)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function(){var map = {{ this._parent.get_name() }}, mark = null;
        function gcj(lat, lon){ if (!{{ 'true' if this.gcj02 else 'false' }}) return [lat, lon];
          var a=6378245.0, ee=0.00669342162296594323, x=lon-105.0, y=lat-35.0, P=Math.PI;
          var dLat=-100+2*x+3*y+0.2*y*y+0.1*x*y+0.2*Math.sqrt(Math.abs(x))
            +(20*Math.sin(6*x*P)+20*Math.sin(2*x*P))*2/3+(20*Math.sin(y*P)+40*Math.sin(y/3*P))*2/3
            +(160*Math.sin(y/12*P)+320*Math.sin(y*P/30))*2/3;
          var dLon=300+x+2*y+0.1*x*x+0.1*x*y+0.1*Math.sqrt(Math.abs(x))
            +(20*Math.sin(6*x*P)+20*Math.sin(2*x*P))*2/3+(20*Math.sin(x*P)+40*Math.sin(x/3*P))*2/3
            +(150*Math.sin(x/12*P)+300*Math.sin(x/30*P))*2/3;
          var r=lat/180*P, m=1-ee*Math.sin(r)*Math.sin(r), s=Math.sqrt(m);
          return [lat+dLat*180/((a*(1-ee))/(m*s)*P), lon+dLon*180/(a/s*Math.cos(r)*P)]; }
        var c = L.control({position: 'bottomright'});
        c.onAdd = function(){var d = L.DomUtil.create('div','zf-locate');
          d.title='我的位置'; d.innerHTML='◎';
          L.DomEvent.on(d, 'click', function(e){ L.DomEvent.stop(e);
            map.locate({enableHighAccuracy: true, timeout: 15000}); }); return d;};
        c.addTo(map);
        map.on('locationfound', function(e){ var p = gcj(e.latlng.lat, e.latlng.lng);
          if (mark) { map.removeLayer(mark); }
          mark = L.circleMarker(p, {radius: 9, color: '#fff', weight: 3, fillColor: '#1e88e5',
            fillOpacity: 1}).addTo(map);
          map.setView(p, Math.max(map.getZoom(), 16)); });
        map.on('locationerror', function(e){ alert('无法获取位置：' + e.message); });})();
        {% endmacro %}"""
    )

    def __init__(self, gcj02: bool):
        super().__init__()
        self._name = "LocateButton"
        self.gcj02 = gcj02


class Popup(MacroElement):
    """A popup of plain HTML bound to its parent marker (folium's needs jQuery)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }},
            {maxWidth: {{ this.width }}});
        {% endmacro %}"""
    )

    def __init__(self, html: str, width: int = 280):
        super().__init__()
        self._name = "Popup"
        self.html, self.width = html, width


def to_html(m: folium.Map, offline: bool = False) -> str:
    """The map as one HTML page; ``offline`` inlines Leaflet (no network but tiles)."""
    html = m.get_root().render()
    return inline_assets(html) if offline else html
