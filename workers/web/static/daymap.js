/* The day's stops on a light Leaflet map, drawn from the route the page already holds.
 * Campaign text (names) only ever goes in as text nodes, never as HTML. */
(function () {
  "use strict";
  window.ZFMap = function (route, setup, box) {
    box.textContent = "";
    box.classList.add("open");
    var div = document.createElement("div");
    div.id = "map";
    box.appendChild(div);
    var map = L.map(div, { zoomControl: true });
    L.tileLayer(setup.tiles.url, {
      subdomains: setup.tiles.subdomains || "abc", attribution: setup.tiles.attribution, maxZoom: 19
    }).addTo(map);
    var points = route.stops.map(function (s) {
      return setup.tiles.gcj02 ? [s.gcj_lat, s.gcj_lon] : [s.lat, s.lon];
    });
    route.stops.forEach(function (s, i) {
      var kind = s.priority ? " priority" : s.evening ? " evening" : "";
      // Households of one building share a point: fan them out in rows of five.
      var k = 0;
      for (var j = 0; j < i; j++) if (points[j][0] === points[i][0] && points[j][1] === points[i][1]) k++;
      var icon = L.divIcon({ className: "", iconSize: [30, 30], iconAnchor: [15 - 32 * (k % 5), 15 - 32 * Math.floor(k / 5)],
        html: '<div class="zf-stop' + kind + '">' + Number(s.seq) + "</div>" });
      var label = document.createElement("span");
      label.textContent = s.seq + ". " + s.name + " " + s.arrive;
      L.marker(points[i], { icon: icon }).bindPopup(label).addTo(map);
    });
    if (points.length) {
      L.polyline(points, { color: "#c0392b", weight: 3, opacity: 0.7 }).addTo(map);
      map.fitBounds(points, { padding: [30, 30], maxZoom: 17 });
    } else {
      map.setView([35, 117], 12);
    }
  };
})();
