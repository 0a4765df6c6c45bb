"""WGS-84 → GCJ-02 (the offset coordinates of AMap/高德 tiles), vectorised.

The transform is the published GCJ-02 approximation (Krasovsky ellipsoid, the polynomial
offsets); points outside China are returned unchanged. Tested against reference pairs
published by independent implementations.
"""

from __future__ import annotations

import numpy as np

KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323


def _offset_lat(x, y):
    pi = np.pi
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    value += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    value += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    value += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    return value


def _offset_lon(x, y):
    pi = np.pi
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    value += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    value += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    value += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return value


def in_china(lat, lon):
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def wgs84_to_gcj02(lat, lon):
    """(lat, lon) arrays or scalars in WGS-84 → GCJ-02."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    rad = np.radians(lat)
    magic = 1.0 - KRASOVSKY_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (
        _offset_lat(x, y)
        * 180.0
        / (KRASOVSKY_A * (1 - KRASOVSKY_EE) / (magic * sqrt_magic) * np.pi)
    )
    dlon = _offset_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lat, lon)
    return np.where(inside, lat + dlat, lat), np.where(inside, lon + dlon, lon)
