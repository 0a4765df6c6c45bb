"""GCJ-02 against published reference pairs; tile sources for China."""

from __future__ import annotations

import pytest

from maps.coords import wgs84_to_gcj02
from maps.tiles import TIANDITU_KEY_ENV, get_tiles
from optimizer.domain.errors import ZoufangError

# (WGS-84 lat, lon) → (GCJ-02 lat, lon), as published by two independent implementations
# (eviltransform's tests; coordtransform's README).
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_matches_reference_pairs(wgs, gcj):
    """The conversion reproduces published pairs to 1e-9 degrees."""
    lat, lon = wgs84_to_gcj02(*wgs)
    assert float(lat) == pytest.approx(gcj[0], abs=1e-9)
    assert float(lon) == pytest.approx(gcj[1], abs=1e-9)


def test_outside_china_unchanged():
    """Points outside China are not shifted."""
    lat, lon = wgs84_to_gcj02([51.5, 35.0], [-0.12, 117.0])
    assert float(lat[0]) == 51.5 and float(lon[0]) == -0.12 and float(lat[1]) != 35.0


def test_amap_draws_in_gcj02_osm_in_wgs84():
    """AMap converts points; OpenStreetMap does not."""
    assert get_tiles("amap").gcj02 and not get_tiles("osm").gcj02
    assert get_tiles("amap").to_map(35.0, 117.0) != (35.0, 117.0)


def test_tianditu_needs_a_key():
    """Without a key Tianditu is refused (naming ZOUFANG_TIANDITU_KEY); with it the key is in
    the URL; a key that is not plain letters and digits is refused."""
    with pytest.raises(ZoufangError, match=TIANDITU_KEY_ENV):
        get_tiles("tianditu")
    with pytest.raises(ZoufangError, match="有效"):
        get_tiles("tianditu", "{{ x }}")
    tiles = get_tiles("tianditu", "abc123")
    assert not tiles.gcj02 and all("tk=abc123" in url for url, _ in tiles.layers)
    assert "vec_w" in tiles.layers[0][0] and "cva_w" in tiles.layers[1][0]
