"""Assignment: hard rules on tiny towns, honest infeasibility, determinism, balance."""

from __future__ import annotations

import math

import pytest

from optimizer.assign.figures import assignment_figures
from optimizer.assign.solve import assign_areas
from optimizer.domain.pairing import assignment_violations as rule_violations
from optimizer.inputs import read_campaign
from optimizer.sample import generate_sample, write_sample
from tests.helpers import TOML, write_folder

HOUSES = "id,type,village,grid,lat,lon\n" + "".join(
    f"H{i},household,{'高桥村' if i < 10 else '杨桥村'},{1 + i % 2}网格,{35 + i * 0.0004:.4f},117.2\n"
    for i in range(20)
)
SHOPS = "".join(f"S{i},shop,高桥村,1网格,35.00{i},117.201\n" for i in range(3))


def town(tmp_path, cadres: str, targets: str = HOUSES + SHOPS, toml: str = TOML):
    return read_campaign(write_folder(tmp_path, targets=targets, cadres=cadres, toml=toml))


def areas_of(campaign):
    assignment = assign_areas(campaign, seed=1)
    assert assignment.feasible, assignment.shortfalls
    return assignment, {a.cadre_id: set(a.target_ids) for a in assignment.areas}


def test_every_target_in_exactly_one_area(tmp_path):
    """Every target is in one area and every area has one cadre (一一对应)."""
    cadres = "id,name,village,types\nC1,甲,高桥村,household;shop\nC2,乙,杨桥村,household\nC3,丙,高桥村,household\n"
    campaign = town(tmp_path, cadres)
    assignment, _ = areas_of(campaign)
    assert rule_violations(campaign, assignment) == []
    assert sorted(a.cadre_id for a in assignment.areas) == ["C1", "C2", "C3"]


def test_type_rule(tmp_path):
    """A shop goes only to a cadre whose types include shops."""
    cadres = (
        "id,name,village,types\nC1,甲,高桥村,shop\nC2,乙,高桥村,household\nC3,丙,杨桥村,household\n"
    )
    _, areas = areas_of(town(tmp_path, cadres))
    assert areas["C1"] == {"S0", "S1", "S2"}
    assert not areas["C2"] & {"S0", "S1", "S2"}


def test_village_restriction(tmp_path):
    """A cadre with a village keeps the area inside it."""
    cadres = "id,name,village,base_lat,base_lon\nC1,甲,高桥村,,\nC2,乙,,35.004,117.2\n"
    _, areas = areas_of(town(tmp_path, cadres, targets=HOUSES))
    assert all(int(t[1:]) < 10 for t in areas["C1"])
    assert areas["C1"] and areas["C2"] >= {f"H{i}" for i in range(10, 20)}


def test_grid_restriction(tmp_path):
    """A 网格员 keeps the area inside their own grid."""
    cadres = "id,name,village,grid\nC1,甲,高桥村,1网格\nC2,乙,高桥村,\nC3,丙,杨桥村,\n"
    _, areas = areas_of(town(tmp_path, cadres, targets=HOUSES))
    assert areas["C1"] and all(int(t[1:]) % 2 == 0 and int(t[1:]) < 10 for t in areas["C1"])


def test_nobody_for_a_type_is_a_diagnosis(tmp_path):
    """Shops nobody may visit: infeasible, the scope names the shops and the cadres needed."""
    cadres = "id,name,village\nC1,甲,高桥村\nC2,乙,杨桥村\n"
    assignment = assign_areas(town(tmp_path, cadres), seed=1)
    assert not assignment.feasible
    (shortfall,) = assignment.shortfalls
    assert "商铺" in shortfall.scope and shortfall.cadre_ids == ()
    assert shortfall.target_count == 3 and shortfall.extra_cadres == 1


def test_short_capacity_says_by_how_much(tmp_path):
    """Too few minutes: the missing minutes and the three remedies add up."""
    toml = TOML.replace("days = 5", "days = 2")
    cadres = "id,name,village,minutes_per_day\nC1,甲,高桥村,30\nC2,乙,杨桥村,600\n"
    assignment = assign_areas(town(tmp_path, cadres, targets=HOUSES, toml=toml), seed=1)
    assert not assignment.feasible
    (s,) = assignment.shortfalls
    assert s.scope.startswith("高桥村") and s.cadre_ids == ("C1",) and s.target_count == 10
    # 30 min a day × 2 days, all of them (retry slack is soft), less the walk out.
    assert 40 <= s.capacity_minutes <= 30 * 2
    assert s.missing_minutes == s.demand_minutes - s.capacity_minutes > 0
    assert abs(s.extra_minutes_per_day - s.missing_minutes / 2) <= 1.5
    assert abs(s.extra_days - s.missing_minutes / (30 * 0.85)) <= 1.5
    typical = int(30 * 2 * 0.85)  # a cadre like C1, by the deadline
    assert s.extra_cadres in {math.ceil((s.missing_minutes + d) / typical) for d in (-1, 0, 1)}


def test_same_seed_same_areas(tmp_path):
    """A fixed seed gives the same assignment."""
    folder = write_sample(tmp_path / "t", generate_sample("huangtun", 600, seed=2))
    campaign = read_campaign(folder)
    assert assign_areas(campaign, seed=5).areas == assign_areas(campaign, seed=5).areas


def test_cadre_with_nothing_to_visit_gets_an_empty_area(tmp_path):
    """A cadre whose types have no targets still appears, with an empty area."""
    cadres = "id,name,village,types\nC1,甲,高桥村,household;shop\nC2,乙,杨桥村,household\nC3,丙,高桥村,site\n"
    _, areas = areas_of(town(tmp_path, cadres))
    assert areas["C3"] == set()


@pytest.fixture(scope="module")
def sample_plan(tmp_path_factory):
    folder = write_sample(
        tmp_path_factory.mktemp("s") / "t", generate_sample("huangtun", 3000, seed=4)
    )
    campaign = read_campaign(folder)
    return campaign, assign_areas(campaign, seed=1)


def test_sample_balance_and_hard_rules(sample_plan):
    """On a sample town all hard rules hold, restricted cadres stay home, loads are balanced."""
    campaign, assignment = sample_plan
    assert rule_violations(campaign, assignment) == []
    figures = assignment_figures(campaign, assignment)
    assert figures.restricted_inside_share == 1.0
    assert figures.max_over_mean <= 1.05
    assert figures.empty_areas == 0


def test_apartment_buildings_stay_whole_where_possible(sample_plan):
    """Most buildings (many households at one point) go to a single cadre."""
    campaign, assignment = sample_plan
    owner = assignment.cadre_of()
    buildings: dict = {}
    for t in campaign.targets:
        if t.type.value == "household":
            buildings.setdefault((t.lat, t.lon, t.grid), set()).add(owner[t.id])
    big = [
        cadres
        for key, cadres in buildings.items()
        if sum(1 for t in campaign.targets if (t.lat, t.lon, t.grid) == key) >= 12
    ]
    assert big and sum(len(c) == 1 for c in big) / len(big) >= 0.8
