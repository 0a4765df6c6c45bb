"""Sample towns: seeded, realistic in shape, valid as campaign folders, honest about synthesis."""

from __future__ import annotations

from collections import Counter

import pytest

from optimizer.domain.codes import TargetType
from optimizer.inputs import read_campaign
from optimizer.reports.census import take_census
from optimizer.sample import SYNTHETIC_NOTE, generate_sample, write_sample


@pytest.fixture(scope="module", params=["chaihudian", "huangtun"])
def town(request):
    return generate_sample(request.param, 3000, seed=3)


def test_same_seed_same_town():
    """A fixed seed gives the same town; another seed a different one."""
    a, b = generate_sample("huangtun", 500, 5), generate_sample("huangtun", 500, 5)
    assert a.targets == b.targets and a.cadres == b.cadres
    assert generate_sample("huangtun", 500, 6).targets != a.targets


def test_real_village_names(town):
    """Villages come from the real list: all of them in a full-size town, a subset when small."""
    real = {"chaihudian": 41, "huangtun": 21}[town.spec.key]
    small = {r["village"] for r in town.targets}
    full = {r["village"] for r in generate_sample(town.spec.key, 15000, seed=3).targets}
    assert len(full) == real and small < full and town.spec.seat in small


def test_mix_of_types_and_windows(town):
    """All eight types appear; 10–20 % of households need the evening window; a few are priority."""
    kinds = Counter(r["type"] for r in town.targets)
    assert set(kinds) == {t.value for t in TargetType}
    households = [r for r in town.targets if r["type"] == "household"]
    evening = sum(r["window"] == "evening" for r in households) / len(households)
    assert 0.10 <= evening <= 0.20
    assert 0 < sum(r.get("priority") == "1" for r in households) < 0.1 * len(households)


def test_apartment_buildings_in_urban_communities():
    """Urban communities have many households at one point."""
    town = generate_sample("huangtun", 3000, seed=3)
    points = Counter((r["lat"], r["lon"]) for r in town.targets if r["type"] == "household")
    assert max(points.values()) >= 12


def test_roles_and_sector_types():
    """黄屯 visits by sector: enterprise staff only enterprises, shops by enforcement staff."""
    town = generate_sample("huangtun", 3000, seed=3)
    roles = {r["role"]: r["types"] for r in town.cadres}
    assert roles["园区服务专员"] == "enterprise" and roles["执法队员"] == "shop"
    assert roles["专职网格员"] == "household"
    assert any(r["off_days"] for r in town.cadres)


def test_written_sample_validates_with_slack(tmp_path, town):
    """The written folder validates, says it is synthetic, and capacity exceeds demand."""
    folder = write_sample(tmp_path / town.spec.key, town)
    campaign = read_campaign(folder)
    assert SYNTHETIC_NOTE in (folder / "campaign.toml").read_text(encoding="utf-8")
    census = take_census(campaign)
    assert 0.4 < census.load_ratio < 0.85
    for b in census.by_type:
        assert b.capacity_minutes > b.demand_minutes, b
