/* zoufang maps: draws a page's data island on a Leaflet map.
 *
 * Campaign text (names, addresses, ids, village and grid names) never passes through a
 * template: the page carries it as JSON in <script type="application/json" id="zf-data">,
 * already HTML-escaped where it is shown as HTML, and this file, which is static, draws it.
 * ES5 only: the browsers inside 企业微信/钉钉 and old Android webviews run it.
 */
(function () {
  "use strict";
  var ZF = (window.ZF = {});
  var island = null;

  ZF.data = function () {
    if (island === null) {
      var el = document.getElementById("zf-data");
      island = el ? JSON.parse(el.textContent) : {};
    }
    return island;
  };

  function part(key) {
    var value = ZF.data()[key];
    return value === undefined ? null : value;
  }

  /* WGS-84 -> GCJ-02, the same published approximation as maps/coords.py (a test holds
   * the two together); outside China a point is returned unchanged. */
  var KRASOVSKY_A = 6378245.0;
  var KRASOVSKY_EE = 0.00669342162296594323;

  function offsetLat(x, y) {
    var pi = Math.PI;
    var v = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    v += ((20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0) / 3.0;
    v += ((20.0 * Math.sin(y * pi) + 40.0 * Math.sin((y / 3.0) * pi)) * 2.0) / 3.0;
    v += ((160.0 * Math.sin((y / 12.0) * pi) + 320.0 * Math.sin((y * pi) / 30.0)) * 2.0) / 3.0;
    return v;
  }

  function offsetLon(x, y) {
    var pi = Math.PI;
    var v = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    v += ((20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi)) * 2.0) / 3.0;
    v += ((20.0 * Math.sin(x * pi) + 40.0 * Math.sin((x / 3.0) * pi)) * 2.0) / 3.0;
    v += ((150.0 * Math.sin((x / 12.0) * pi) + 300.0 * Math.sin((x / 30.0) * pi)) * 2.0) / 3.0;
    return v;
  }

  ZF.inChina = function (lat, lon) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  };

  ZF.gcj02 = function (lat, lon) {
    if (!ZF.inChina(lat, lon)) return [lat, lon];
    var x = lon - 105.0;
    var y = lat - 35.0;
    var rad = (lat / 180.0) * Math.PI;
    var magic = 1.0 - KRASOVSKY_EE * Math.sin(rad) * Math.sin(rad);
    var sqrtMagic = Math.sqrt(magic);
    var dLat =
      (offsetLat(x, y) * 180.0) / (((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtMagic)) * Math.PI);
    var dLon = (offsetLon(x, y) * 180.0) / ((KRASOVSKY_A / sqrtMagic) * Math.cos(rad) * Math.PI);
    return [lat + dLat, lon + dLon];
  };

  /* Every map: plain-text attribution prefix (Leaflet's default shows a flag). */
  ZF.init = function (map) {
    if (map.attributionControl) map.attributionControl.setPrefix("Leaflet");
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  };

  ZF.box = function (map, key) {
    var spec = part("boxes")[key];
    var control = L.control({ position: spec.position });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "zf-box " + (spec.cls || ""));
      div.innerHTML = spec.html; /* escaped by the page's writer */
      if (spec.fold && window.innerWidth < 600) {
        /* a phone keeps the map: the box opens with a tap */
        L.DomUtil.addClass(div, "folded");
        L.DomEvent.on(div, "click", function () {
          if (L.DomUtil.hasClass(div, "folded")) L.DomUtil.removeClass(div, "folded");
          else L.DomUtil.addClass(div, "folded");
          declutterLabels(); /* the opened box covers other labels than the folded one */
        });
      }
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
  };

  function markerIcon(html, size, anchor, cls, popupAnchor) {
    return L.divIcon({
      html: html,
      iconSize: size,
      iconAnchor: anchor,
      className: cls,
      popupAnchor: popupAnchor || [0, -anchor[1]],
    });
  }

  /* A day map's route: the line, the base, and one marker per place — a stop, or the
   * stops of one building, labelled with their numbers (popups pre-escaped). */
  var stopMarkers = {};

  function iconWidth(g) {
    return Math.max(30, 14 + 9 * String(g.label).length + (g.stops.length > 1 ? 30 : 0));
  }

  function groupIcon(g, shift) {
    var label = String(g.label);
    var many = g.stops.length > 1;
    var cls = "zf-stop " + g.kind;
    if (g.mixed && hasPriority(g)) cls += " mixed-priority";
    var html = '<div class="' + cls + '">' + label + (many ? "<small>" + g.stops.length + "处</small>" : "") + "</div>";
    var width = iconWidth(g);
    /* the popup opens above the marker where it is drawn, moved or not */
    var drawn = 15 - (shift || 0);
    return markerIcon(html, [width, 30], [width / 2, drawn], "zf-stop-icon", [0, -drawn]);
  }

  /* Markers of nearby places must not hide each other: at each zoom, a marker that would
   * overlap one already placed is moved down (or up) by a marker's height until it is free. */
  function declutter(map, placed) {
    var home = map.latLngToLayerPoint(part("route").base);
    var boxes = [{ x: home.x, y: home.y, w: 36 }]; /* the base stays where it is */
    for (var i = 0; i < placed.length; i++) {
      var g = placed[i].group;
      var p = map.latLngToLayerPoint([g.lat, g.lon]);
      var w = iconWidth(g);
      var shift = 0;
      for (var tries = 0; tries < 12; tries++) {
        var y = p.y + shift;
        var clash = false;
        for (var k = 0; k < boxes.length; k++) {
          var b = boxes[k];
          if (Math.abs(b.x - p.x) < (b.w + w) / 2 + 2 && Math.abs(b.y - y) < 32) {
            clash = true;
            break;
          }
        }
        if (!clash) break;
        shift = tries % 2 === 0 ? Math.abs(shift) + 32 : -Math.abs(shift);
      }
      boxes.push({ x: p.x, y: p.y + shift, w: w });
      if (shift !== placed[i].shift) {
        placed[i].shift = shift;
        placed[i].marker.setIcon(groupIcon(g, shift));
      }
    }
  }

  function hasPriority(g) {
    var stops = part("route").stops;
    for (var i = 0; i < g.stops.length; i++) {
      if (stops[g.stops[i] - 1].kind === "priority") return true;
    }
    return false;
  }

  ZF.route = function (layer) {
    var route = part("route");
    var placed = [];
    L.polyline(route.line, { color: "#c0392b", weight: 4, opacity: 0.8, className: "zf-route" }).addTo(layer);
    L.marker(route.base, {
      icon: markerIcon('<div class="zf-base">出发</div>', [34, 34], [17, 17], "zf-base-icon"),
    })
      .bindTooltip("出发点 / 返回点")
      .addTo(layer);
    for (var i = 0; i < route.groups.length; i++) {
      var g = route.groups[i];
      var marker = L.marker([g.lat, g.lon], {
        icon: groupIcon(g, 0),
        zIndexOffset: g.kind === "priority" || hasPriority(g) ? 1000 : 0,
      })
        .bindPopup(g.popup, {
          maxWidth: 300,
          maxHeight: 300,
          /* clear of the title box above and the stop list below */
          autoPanPaddingTopLeft: L.point(12, 150),
          autoPanPaddingBottomRight: L.point(12, 120),
        })
        .addTo(layer);
      for (var j = 0; j < g.stops.length; j++) stopMarkers[g.stops[j]] = marker;
      /* priority places are placed first: they keep their spot, others move */
      placed.push({ group: g, marker: marker, shift: 0 });
    }
    placed.sort(function (a, b) {
      return (b.group.kind === "priority") - (a.group.kind === "priority") || a.group.stops[0] - b.group.stops[0];
    });
    function hook(map) {
      declutter(map, placed);
      map.on("zoomend", function () {
        declutter(map, placed);
      });
    }
    if (layer._map) hook(layer._map);
    else layer.on("add", function () { hook(layer._map); });
  };

  /* The stop list: a sheet at the bottom (legend always shown), opened with a tap; a row
   * shows its stop on the map, its link opens AMap's navigation. */
  ZF.stoplist = function (map) {
    var route = part("route");
    var container = map.getContainer();
    var sheet = L.DomUtil.create("div", "zf-sheet", container);
    var head = L.DomUtil.create("div", "zf-head", sheet);
    head.innerHTML = "<b></b>" + route.legend; /* escaped by the writer */
    head.firstChild.textContent = "▲ " + route.list_title;
    var list = L.DomUtil.create("div", "zf-list", sheet);
    L.DomEvent.disableClickPropagation(sheet);
    L.DomEvent.disableScrollPropagation(sheet);
    var rows = {};
    for (var i = 0; i < route.stops.length; i++) {
      var s = route.stops[i];
      var row = L.DomUtil.create("div", "zf-row", list);
      var nav = document.createElement("a");
      nav.className = "zf-nav";
      nav.textContent = "导航";
      nav.href = s.nav; /* built by the writer: https://uri.amap.com/navigation?… */
      nav.target = "_blank";
      nav.rel = "noopener";
      row.appendChild(nav);
      var text = document.createElement("span");
      text.innerHTML =
        '<span class="zf-dot ' + s.kind + '">' + s.n + "</span><b>" + s.time + "</b> " + s.name +
        " <small>" + s.id + " " + s.type + "</small>" +
        (s.address ? "<br><small>" + s.address + "</small>" : "") +
        (s.note ? "<br><small>" + s.note + "</small>" : "");
      row.appendChild(text);
      rows[s.n] = row;
      (function (stop) {
        L.DomEvent.on(text, "click", function () {
          var marker = stopMarkers[stop.n];
          map.setView([stop.lat, stop.lon], Math.max(map.getZoom(), 17));
          if (marker) marker.openPopup();
          for (var n in rows) L.DomUtil.removeClass(rows[n], "on");
          L.DomUtil.addClass(rows[stop.n], "on");
        });
      })(s);
    }
    /* The route fits between the title and the sheet, whatever the sheet's height. */
    function place() {
      container.style.setProperty("--zf-sheet", sheet.offsetHeight + 8 + "px");
      var title = container.querySelector(".zf-box");
      if (route.line.length > 1) {
        map.fitBounds(L.latLngBounds(route.line), {
          paddingTopLeft: [24, (title ? title.offsetHeight : 0) + 24],
          paddingBottomRight: [24, sheet.offsetHeight + 24],
          maxZoom: 18,
        });
      }
    }
    L.DomEvent.on(head, "click", function () {
      if (L.DomUtil.hasClass(sheet, "open")) L.DomUtil.removeClass(sheet, "open");
      else L.DomUtil.addClass(sheet, "open");
      head.firstChild.textContent = (L.DomUtil.hasClass(sheet, "open") ? "▼ " : "▲ ") + route.list_title;
      place();
    });
    L.DomUtil.addClass(container, "zf-sheet-on");
    place();
  };

  /* Overview labels (cadres, villages, grids) must never cover one another: at each zoom or
   * pan and whenever a label layer is switched, labels are taken by rank (at-risk cadres,
   * villages, other cadres, grids; bigger first) and one whose drawn box meets a box already
   * kept (or a map control) is hidden. The boxes are measured in the page, so what is
   * checked is what is seen. */
  var RANK = { risk: 0, village: 1, cadre: 2, grid: 3 };
  var mapLabels = [];
  var labelMap = null;

  function meets(a, b) {
    var pad = 2;
    return a.left < b.right + pad && b.left < a.right + pad && a.top < b.bottom + pad && b.top < a.bottom + pad;
  }

  function declutterLabels() {
    var shown = [];
    var kept = [];
    for (var i = 0; i < mapLabels.length; i++) {
      var el = mapLabels[i].marker.getElement();
      if (el && el.firstChild) shown.push({ el: el, box: el.firstChild.getBoundingClientRect() });
    }
    /* a label half under the legend or the progress box reads as another name: the boxes
     * count as kept labels (read every box first, then write: one layout) */
    if (labelMap) {
      var controls = labelMap.getContainer().querySelectorAll(".leaflet-control");
      for (var c = 0; c < controls.length; c++) kept.push(controls[c].getBoundingClientRect());
    }
    for (var j = 0; j < shown.length; j++) {
      var free = true;
      for (var k = 0; k < kept.length && free; k++) free = !meets(shown[j].box, kept[k]);
      if (free) kept.push(shown[j].box);
      shown[j].free = free;
    }
    for (var n = 0; n < shown.length; n++) shown[n].el.style.visibility = shown[n].free ? "" : "hidden";
  }

  function addLabel(layer, at, html, rank, size) {
    var marker = L.marker(at, {
      icon: L.divIcon({ html: html, iconSize: null, className: "zf-label-icon" }),
      interactive: false,
      zIndexOffset: rank === RANK.risk ? 1000 : 0,
    }).addTo(layer);
    mapLabels.push({ marker: marker, rank: rank, size: size, order: mapLabels.length });
  }

  /* Labels are sorted once per layer, and checked again whenever the layer is switched on or
   * off and after every zoom or pan. */
  function watchLabels(layer) {
    mapLabels.sort(function (x, y) {
      return x.rank - y.rank || y.size - x.size || x.order - y.order;
    });
    function hook() {
      if (layer._map && !labelMap) {
        labelMap = layer._map;
        labelMap.on("moveend", declutterLabels); /* after a zoom; a pan moves labels under boxes */
      }
      declutterLabels();
    }
    layer.on("add remove", hook);
    if (layer._map) hook();
  }

  /* Overview: each area as its targets' dots in the area's colour, and its cadre's label
   * (bordered in that colour; filled red, marked ⚠, when at risk) at the area's middle target. */
  ZF.areas = function (layer) {
    var areas = part("areas");
    for (var i = 0; i < areas.length; i++) {
      var a = areas[i];
      var style = { radius: 6, weight: 1, color: "#fff", fill: true, fillColor: a.colour, fillOpacity: 0.85 };
      for (var k = 0; k < a.at.length; k++) {
        L.circleMarker(a.at[k], style).bindTooltip(a.tip).addTo(layer);
      }
      var cls = "zf-area-label" + (a.risk ? " risk" : "");
      var html = '<div class="' + cls + '" style="border-color:' + a.colour + '">' + a.label + "</div>";
      addLabel(layer, a.label_at, html, a.risk ? RANK.risk : RANK.cadre, a.at.length);
    }
    watchLabels(layer);
  };

  /* Overview: targets of one status as small dots on the canvas. */
  ZF.points = function (layer, key) {
    var group = part("points")[key];
    var style = { radius: 3, weight: 0, fill: true, fillColor: group.colour, fillOpacity: 0.85 };
    for (var i = 0; i < group.at.length; i++) {
      L.circleMarker(group.at[i], style).addTo(layer);
    }
  };

  /* Overview: village or grid names, centred on their targets. */
  ZF.labels = function (layer, key) {
    var labels = part("labels")[key];
    var rank = key === "villages" ? RANK.village : RANK.grid;
    for (var i = 0; i < labels.length; i++) {
      var l = labels[i];
      addLabel(layer, l.at, '<div class="zf-label">' + l.html + "</div>", rank, l.n || 0);
    }
    watchLabels(layer);
  };

  /* Overview: requests per grid, a circle sized by count, with its popup. */
  ZF.requests = function (layer) {
    var circles = part("requests");
    for (var i = 0; i < circles.length; i++) {
      var c = circles[i];
      L.circleMarker(c.at, { radius: c.radius, color: c.colour, weight: 2, fill: true, fillOpacity: 0.35 })
        .bindPopup(c.popup, { maxWidth: 220 })
        .addTo(layer);
    }
  };

  /* "Where am I": the phone's position (GPS is WGS-84, shifted onto GCJ-02 tiles). */
  ZF.locate = function (map) {
    var gcj = !!part("gcj02");
    var mark = null;
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "zf-locate");
      div.title = "我的位置";
      div.innerHTML = "◎";
      L.DomEvent.on(div, "click", function (e) {
        L.DomEvent.stop(e);
        map.locate({ enableHighAccuracy: true, timeout: 15000 });
      });
      return div;
    };
    control.addTo(map);
    map.on("locationfound", function (e) {
      var p = gcj ? ZF.gcj02(e.latlng.lat, e.latlng.lng) : [e.latlng.lat, e.latlng.lng];
      if (mark) map.removeLayer(mark);
      mark = L.circleMarker(p, { radius: 9, color: "#fff", weight: 3, fillColor: "#1e88e5", fillOpacity: 1 }).addTo(map);
      map.setView(p, Math.max(map.getZoom(), 16));
    });
    map.on("locationerror", function () {
      L.popup().setLatLng(map.getCenter()).setContent("无法获取位置").openOn(map);
    });
  };
})();
