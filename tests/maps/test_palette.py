"""The overview's colours: areas never in a progress or risk colour, and told apart."""

from __future__ import annotations

import colorsys
import itertools
import re

import numpy as np
import pytest

from maps import render_overview
from maps.base import STYLE
from maps.overview import AREA_COLOURS, NEIGHBOURS, PROGRESS_COLOURS, _colours
from optimizer.assign.solve import assign_areas
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample

RISK_FILL = re.search(r"\.zf-area-label\.risk\{background:(#[0-9a-f]{6})", STYLE).group(1)
STATUS_COLOURS = [*PROGRESS_COLOURS.values(), RISK_FILL]


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    c = np.array(rgb(colour))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference; 25 and more reads as another colour at a glance."""
    return float(np.linalg.norm(lab(a) - lab(b)))


def test_area_palette_has_no_status_colour():
    """Every area colour is a blue, cyan, violet or pink (hue 170°–330°, saturated): no red,
    orange, yellow, green, brown or grey, which mean progress or risk; each is far from every
    progress colour and the at-risk red, and from every other area colour."""
    assert len(AREA_COLOURS) > NEIGHBOURS
    for colour in AREA_COLOURS:
        hue, saturation, _ = colorsys.rgb_to_hsv(*rgb(colour))
        assert 170 <= hue * 360 <= 330 and saturation >= 0.3, colour
        for status in STATUS_COLOURS:
            assert delta_e(colour, status) >= 25, (colour, status)
    for a, b in itertools.combinations(AREA_COLOURS, 2):
        assert delta_e(a, b) >= 25, (a, b)


def test_neighbouring_areas_differ_in_colour():
    """Two areas of which one is among the other's nearest never share a colour, whichever
    of the two comes first."""
    rng = np.random.default_rng(5)
    centres = rng.uniform(0, 1, (60, 2))
    colours = _colours(centres)
    distance = np.linalg.norm(centres[:, None] - centres[None, :], axis=2)
    for i, row in enumerate(np.argsort(distance, axis=1)[:, 1 : NEIGHBOURS + 1]):
        assert all(colours[i] != colours[j] for j in row), i


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("p") / "t", generate_sample("huangtun", 300, seed=2)
    )
    campaign = read_campaign(folder)
    return campaign, assign_areas(campaign, seed=1)


def test_risk_marking_matches_the_legend(town):
    """With no cadre at risk no label is marked and none is in a status colour; an at-risk
    cadre's label is marked ⚠ … 风险 (filled red by its class), as the legend's sample shows."""
    campaign, assignment = town
    calm = render_overview(campaign, assignment).island
    assert not any(a["risk"] or "风险" in a["label"] for a in calm["areas"])
    assert {a["colour"] for a in calm["areas"]} <= set(AREA_COLOURS)
    cadre = assignment.areas[0].cadre_id
    risk = [{"cadre_id": cadre, "missing_minutes": 30, "remedy": ""}]
    island = render_overview(campaign, assignment, at_risk=risk).island
    flagged = [a for a in island["areas"] if a["risk"]]
    assert len(flagged) == 1 and flagged[0]["label"].startswith("⚠ ")
    assert flagged[0]["label"].endswith(" 风险") and cadre in flagged[0]["label"]
    legend = island["boxes"]["legend"]["html"]
    assert "zf-area-label risk" in legend and "风险人员" in legend
