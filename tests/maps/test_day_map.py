"""The day map for a phone: one marker per place, kinds that mean what the legend says, the
stop list with navigation in GCJ-02, the plan version; the overview's areas as coloured dots
with their cadres named; maps offline by default."""

from __future__ import annotations

import io
import tarfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from maps import get_tiles, render_day_map, render_overview, to_html
from maps.assets import DEFAULT_DIR, fetch_assets
from maps.coords import wgs84_to_gcj02
from maps.day import EVENING, PRIORITY, number_runs
from optimizer.assign.solve import assign_areas
from optimizer.domain.errors import ZoufangError
from optimizer.domain.model import DayRoute, Stop
from optimizer.inputs import read_campaign
from optimizer.replan import plan_routes
from optimizer.sample import generate_sample, write_sample
from tests.helpers import zoufang


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("d") / "t", generate_sample("huangtun", 500, seed=4)
    )
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=1)
    plan = plan_routes(campaign, assignment, time_limit_s=0.05, workers=1)
    return campaign, assignment, plan


def stacked(campaign, route) -> int:
    targets = campaign.target_index()
    at = Counter((targets[s.target_id].lat, targets[s.target_id].lon) for s in route.stops)
    return max(at.values(), default=0)


def test_stops_at_one_point_are_one_marker_saying_their_numbers(planned):
    """A building's households are one marker labelled 3–14, never a pile; every stop is in
    exactly one marker; a priority stop among them makes the marker priority."""
    campaign, _, plan = planned
    route = max(plan.routes, key=lambda r: stacked(campaign, r))
    assert stacked(campaign, route) >= 3
    data = render_day_map(campaign, route).island["route"]
    numbers = sorted(n for g in data["groups"] for n in g["stops"])
    assert numbers == list(range(1, len(route.stops) + 1))
    assert len(data["groups"]) < len(route.stops)
    for group in data["groups"]:
        assert group["label"] == number_runs(group["stops"])
        kinds = {data["stops"][n - 1]["kind"] for n in group["stops"]}
        if PRIORITY in kinds:
            assert group["kind"] == PRIORITY
    assert number_runs([3, 4, 5, 9, 11, 12]) == "3–5、9、11–12"


def test_blue_means_an_evening_household_not_a_late_arrival(planned):
    """Kind follows the target's own window: an evening household arriving at 17:00 is
    evening; a day household planned at 19:00 is not."""
    campaign, _, _ = planned
    evening = campaign.settings.window("evening")
    targets = list(campaign.targets)
    night = next(t for t in targets if t.window == evening and not t.priority)
    day = next(t for t in targets if t.window is None and not t.priority)
    cadre = campaign.cadres[0]
    route = DayRoute(
        cadre.id, 1, 600, 1230, (Stop(night.id, 1020, 1035, 3), Stop(day.id, 1140, 1155, 3))
    )
    stops = render_day_map(campaign, route).island["route"]["stops"]
    assert [s["kind"] for s in stops] == [EVENING, ""]


def test_stop_list_navigation_and_version(planned):
    """Each stop carries its 对象编号, masked name and an AMap navigation link in GCJ-02;
    the title says the plan version; the legend explains the colours."""
    campaign, _, plan = planned
    route = max(plan.routes, key=lambda r: len(r.stops))
    m = render_day_map(campaign, route, version=7)
    data = m.island["route"]
    targets = campaign.target_index()
    for stop in data["stops"]:
        url = urlparse(stop["nav"])
        assert url.scheme == "https" and url.netloc == "uri.amap.com"
        query = parse_qs(url.query)
        lon, lat, name = unquote(query["to"][0]).split(",", 2)
        target = targets[stop["target_id"]]
        want_lat, want_lon = wgs84_to_gcj02(target.lat, target.lon)
        assert float(lat) == pytest.approx(float(want_lat), abs=1e-6)
        assert float(lon) == pytest.approx(float(want_lon), abs=1e-6)
        assert query["coordinate"] == ["gaode"] and name
        assert target.name not in stop["nav"] or target.type.value != "household"
    assert "第 7 版计划" in m.island["boxes"]["title"]["html"]
    assert "晚间户" in data["legend"] and "重点对象" in data["legend"]


def test_overview_areas_are_dots_with_their_cadres_named(planned):
    """Areas are their targets' dots (no outline to tangle), neighbours differ in colour; each
    has its cadre's label; an at-risk cadre is named in red and in the progress box."""
    campaign, assignment, _ = planned
    cadre = assignment.areas[0].cadre_id
    risk = [{"cadre_id": cadre, "missing_minutes": 90, "remedy": ""}]
    m = render_overview(campaign, assignment, at_risk=risk)
    areas = m.island["areas"]
    assert sum(len(a["at"]) for a in areas) == len(campaign.targets)
    assert all("hull" not in a for a in areas)
    flagged = [a for a in areas if a["risk"]]
    assert len(flagged) == 1 and cadre in flagged[0]["label"]
    assert f"（{cadre}）缺 90 分钟" in m.island["boxes"]["progress"]["html"]


def test_maps_are_offline_by_default_and_online_on_request(planned):
    """A map page inlines Leaflet unless asked otherwise: no CDN address remains."""
    campaign, _, plan = planned
    fetch_assets()
    m = render_day_map(campaign, plan.routes[0], tiles=get_tiles("osm"))
    offline = to_html(m, campaign.settings.maps.offline)
    assert campaign.settings.maps.offline is True
    assert "cdn.jsdelivr.net" not in offline and "L.Icon.Default" in offline
    assert "cdn.jsdelivr.net" in to_html(m, False)


def test_unreachable_registry_says_what_to_do(tmp_path):
    """No assets and no registry: a refusal naming the mirror and the online option."""
    with pytest.raises(ZoufangError) as refused:
        fetch_assets("http://127.0.0.1:9", tmp_path / "empty")
    text = str(refused.value)
    assert "ZOUFANG_NPM_REGISTRY" in text and "offline = false" in text and "--online" in text


def tampered_tarball() -> bytes:
    """Leaflet's own files repacked, with one line added to leaflet.js."""
    fetch_assets()
    package = DEFAULT_DIR / "leaflet-1.9.4"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(package.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if path.name == "leaflet.js":
                    data += b"\nfetch('https://example.invalid/x');"
                info = tarfile.TarInfo("package/" + str(path.relative_to(package)))
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_tarball_that_fails_its_sha512_is_refused(tmp_path, monkeypatch, capsys):
    """`zoufang assets` from a registry (a real local HTTP server) that serves a tampered
    Leaflet: refused for its sha512, and nothing is kept in the assets folder."""
    body, asked = tampered_tarball(), []

    class Registry(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("ZOUFANG_NPM_REGISTRY", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv("ZOUFANG_ASSETS", str(tmp_path / "assets"))
        code, out, err = zoufang(capsys, "assets")
    finally:
        server.shutdown()
        server.server_close()
    assert asked == ["/leaflet/-/leaflet-1.9.4.tgz"]
    assert code == 1 and "校验值不符" in err and "已拒绝使用" in err, (code, out, err)
    assert not [p for p in (tmp_path / "assets").rglob("*") if p.is_file()]
