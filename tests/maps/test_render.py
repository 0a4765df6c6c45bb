"""Maps on the folium object tree: markers in route order, bounds, no personal data."""

from __future__ import annotations

import re

import folium
import pytest

from maps import get_tiles, render_day_map, render_overview, to_html
from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.replan import plan_routes
from optimizer.sample import generate_sample, write_sample


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("m") / "t", generate_sample("huangtun", 400, seed=9)
    )
    campaign = read_campaign(folder)
    assignment = assign_areas(campaign, seed=1)
    plan = plan_routes(campaign, assignment, time_limit_s=0.05, workers=1)
    route = max(plan.routes, key=lambda r: len(r.stops))
    return campaign, assignment, plan, route


def test_markers_follow_the_route(planned):
    """One numbered stop per planned stop, numbered 1..n in visiting order at its place."""
    campaign, _, _, route = planned
    tiles = get_tiles("amap")
    m = render_day_map(campaign, route, tiles=tiles)
    markers = m.island["route"]["stops"]
    assert [s["n"] for s in markers] == list(range(1, len(route.stops) + 1))
    assert [s["target_id"] for s in markers] == [s.target_id for s in route.stops]
    targets = campaign.target_index()
    for marker, stop in zip(markers, route.stops, strict=True):
        lat, lon = tiles.to_map(targets[stop.target_id].lat, targets[stop.target_id].lon)
        assert [marker["lat"], marker["lon"]] == pytest.approx([float(lat), float(lon)])


def test_folium_holds_no_campaign_text(planned):
    """No name, address, id or village of the campaign is inside folium's element tree: it
    reaches the page only through the data island (branca compiles element output)."""
    campaign, assignment, _, route = planned
    for m in (render_day_map(campaign, route), render_overview(campaign, assignment)):
        m.island.clear()  # what is left is folium's own tree
        page = m.get_root().render()
        texts = {t.address for t in campaign.targets if t.address}
        texts |= {t.village for t in campaign.targets} | {c.id for c in campaign.cadres}
        texts |= {campaign.settings.name}
        assert not [t for t in texts if t in page]


def test_bounds_contain_every_stop(planned):
    """The map opens on a frame holding every stop and the base."""
    campaign, _, _, route = planned
    m = render_day_map(campaign, route, tiles=get_tiles("osm"))
    (south, west), (north, east) = next(
        child.bounds for child in m._children.values() if type(child).__name__ == "FitBounds"
    )
    targets = campaign.target_index()
    for stop in route.stops:
        t = targets[stop.target_id]
        assert south <= t.lat <= north and west <= t.lon <= east


def test_no_phone_or_full_name_in_maps(planned):
    """Neither a phone number nor an unmasked household name appears in any map's HTML."""
    campaign, assignment, plan, _ = planned
    pages = [to_html(render_day_map(campaign, r)) for r in plan.routes[:5]]
    pages.append(to_html(render_overview(campaign, assignment)))
    names = [t.name for t in campaign.targets if t.type.value == "household" and len(t.name) >= 2]
    names += [c.name for c in campaign.cadres]
    phones = [t.phone for t in campaign.targets if t.phone] + [
        c.phone for c in campaign.cadres if c.phone
    ]
    # A mobile number anywhere, except inside the random hex ids folium gives its elements
    # (``poly_line_f137049082...``) and inside coordinates.
    mobile = re.compile(r"(?<![0-9a-fA-F.])1[3-9]\d{9}(?![0-9a-fA-F])")
    for page in pages:
        assert not mobile.search(page)
        assert not any(phone in page for phone in phones)
        assert not any(name in page for name in names)


def test_overview_layers_and_status(planned):
    """Areas, one layer per status present, labels, requests and a layer control."""
    campaign, assignment, _, _ = planned
    ids = [t.id for t in campaign.targets]
    states = {ids[0]: "visited", ids[1]: "not_home", ids[2]: "escalated"}
    m = render_overview(campaign, assignment, states=states, requests=[(ids[0], 1), (ids[0], 3)])
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert "责任区 / areas" in names and "村/社区名称" in names
    assert len(m.island["areas"]) == sum(1 for a in assignment.areas if a.target_ids)
    assert len(m.island["points"]["visited"]["at"]) == 1
    assert any(n.startswith("已走访（1）") for n in names) and any(
        n.startswith("待走访") for n in names
    )
    assert any(n.startswith("诉求分布（2）") for n in names)
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())


def test_day_map_is_small(planned):
    """A cadre-day map without inlined assets stays under 100 KB."""
    campaign, _, _, route = planned
    assert len(to_html(render_day_map(campaign, route)).encode()) < 100_000
