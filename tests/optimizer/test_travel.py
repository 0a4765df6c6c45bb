"""Travel matrices: the contract's great-circle model and a road graph with path geometry."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from optimizer.domain.errors import InvalidInputError
from optimizer.domain.model import TravelSettings
from optimizer.travel import (
    GreatCircleTravel,
    RoadGraphTravel,
    great_circle_m,
    load_road_graph,
    minutes_of,
    travel_matrix,
    travel_model,
)


def test_one_degree_of_latitude():
    """One degree of latitude on a 6,371 km sphere is 111,195 m."""
    assert great_circle_m(35.0, 117.0, 36.0, 117.0) == pytest.approx(111_194.9, abs=0.5)


def test_matrix_is_detoured_distance_at_speed():
    """seconds = great-circle × detour ÷ speed, rounded; symmetric with a zero diagonal."""
    lats, lons = [35.0, 35.01, 35.0], [117.0, 117.0, 117.01]
    m = travel_matrix(lats, lons, TravelSettings(speed_kmh=12.0, detour=1.3))
    expected = great_circle_m(35.0, 117.0, 35.01, 117.0) * 1.3 / (12 / 3.6)
    assert m.seconds[0, 1] == round(expected)
    assert np.array_equal(m.seconds, m.seconds.T) and not m.seconds.diagonal().any()
    assert m.metres[0, 1] == round(great_circle_m(35.0, 117.0, 35.01, 117.0) * 1.3)


def test_minutes_round_half_up():
    """Minutes shown are seconds rounded to the nearest minute."""
    assert list(minutes_of([0, 29, 30, 89, 90])) == [0, 0, 1, 1, 2]


def _ladder(tmp_path):
    """Three nodes in a row east-west, 0.01° apart, plus a detour node north."""
    g = nx.Graph()
    for name, (lat, lon) in {
        "a": (35.0, 117.0),
        "b": (35.0, 117.01),
        "c": (35.0, 117.02),
        "n": (35.01, 117.01),
    }.items():
        g.add_node(name, y=lat, x=lon)
    g.add_edge("a", "n")
    g.add_edge("n", "c")
    g.add_edge("a", "b", length=5000.0)  # a slow, long road a–b
    g.add_edge("b", "c")
    path = tmp_path / "roads.graphml"
    nx.write_graphml(g, path)
    return path


def test_road_graph_shortest_path_and_geometry(tmp_path):
    """On roads, a→c takes the cheaper way and the path geometry follows the nodes."""
    path = _ladder(tmp_path)
    model = travel_model(TravelSettings(roads=path.name), tmp_path)
    assert isinstance(model, RoadGraphTravel)
    m = model.matrix([35.0, 35.0], [117.0, 117.02])
    via_north = 2 * great_circle_m(35.0, 117.0, 35.01, 117.01)
    assert m.metres[0, 1] == pytest.approx(via_north, rel=1e-3)
    geometry = model.path((35.0, 117.0), (35.0, 117.02))
    assert (35.01, 117.01) in geometry


def test_road_graph_snaps_to_nearest_node(tmp_path):
    """A point off the graph adds its straight distance to the nearest node."""
    model = travel_model(TravelSettings(roads=_ladder(tmp_path).name), tmp_path)
    m = model.matrix([35.0005, 35.0], [117.0, 117.0])
    assert m.metres[0, 1] == pytest.approx(great_circle_m(35.0005, 117.0, 35.0, 117.0), rel=0.01)


def test_road_graph_without_coordinates_is_invalid(tmp_path):
    """A GraphML whose nodes lack x/y is an input error naming travel.roads."""
    g = nx.Graph()
    g.add_edge(1, 2)
    nx.write_graphml(g, tmp_path / "bad.graphml")
    with pytest.raises(InvalidInputError) as info:
        load_road_graph(tmp_path / "bad.graphml")
    assert info.value.column == "travel.roads"


def test_default_model_is_great_circle():
    """Without roads the model is great-circle × detour."""
    assert isinstance(travel_model(TravelSettings()), GreatCircleTravel)
