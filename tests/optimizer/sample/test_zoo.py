"""The zoo generator's own invariants: its utilization, shares, bad point and folders."""

from __future__ import annotations

import pytest

from optimizer.domain.errors import InvalidInputError
from optimizer.inputs import read_campaign
from optimizer.sample import write_sample
from optimizer.sample.zoo import ZOO_KINDS, ZooSpec, generate_zoo_town, utilization
from optimizer.sample.zoo.measure import is_outlier

SMALL = [k for k, s in ZOO_KINDS.items() if s.targets <= 1600]


@pytest.fixture(scope="module", params=SMALL)
def kind(request):
    return request.param, generate_zoo_town(ZOO_KINDS[request.param], seed=3)


def test_utilization_as_specified(kind):
    """Workload ÷ cadre minutes, by the zoo's own definition, is within 0.05 of the spec."""
    name, town = kind
    assert abs(utilization(town) - ZOO_KINDS[name].utilization) <= 0.05


def test_evening_and_day_only_shares(kind):
    """Evening households at the spec's share; day-only cadres at it within 0.1."""
    name, town = kind
    spec = ZOO_KINDS[name]
    households = [r for r in town.targets if r["type"] == "household"]
    evening = sum(r["window"] == "evening" for r in households) / len(households)
    assert abs(evening - spec.evening_share) <= 0.01
    day_only = sum(r["window"] == "08:30-17:30" for r in town.cadres) / len(town.cadres)
    assert abs(day_only - spec.day_only_share) <= 0.1
    assert all(
        spec.minutes_per_day[0] <= int(c["minutes_per_day"]) <= spec.minutes_per_day[1]
        for c in town.cadres
    )


def test_far_off_point_iff_asked(kind):
    """One target ~900 km away when the spec asks for it, none otherwise; ids unique."""
    name, town = kind
    assert sum(is_outlier(town.targets)) == int(ZOO_KINDS[name].far_off)
    assert len({r["id"] for r in town.targets}) == len(town.targets)
    assert len({r["id"] for r in town.cadres}) == len(town.cadres)


def test_roles_of_the_notices():
    """Village, grid and sector cadres in the notices' roles; some bases left to the village."""
    town = generate_zoo_town(ZOO_KINDS["mixed"], seed=3)
    roles = {c["role"] for c in town.cadres}
    assert {"网格员", "村干部", "部门干部"} <= roles
    assert any(not c.get("base_lat") and c.get("village") for c in town.cadres)
    assert any(c["off_days"] for c in town.cadres)


@pytest.mark.parametrize("name", [k for k in SMALL if k not in ("far-off", "empty-grid")])
def test_folder_reads_back(tmp_path, name):
    """The written folder reads back with every target and cadre."""
    town = generate_zoo_town(ZOO_KINDS[name], seed=3)
    campaign = read_campaign(write_sample(tmp_path / name, town))
    assert len(campaign.targets) == len(town.targets)
    assert len(campaign.cadres) == len(town.cadres)


def test_far_off_point_is_an_input_error_naming_the_row(tmp_path):
    """The reader refuses the ~900 km point with its file and spreadsheet row."""
    town = generate_zoo_town(ZOO_KINDS["far-off"], seed=3)
    row = next(i for i, bad in enumerate(is_outlier(town.targets), start=2) if bad)
    with pytest.raises(InvalidInputError) as e:
        read_campaign(write_sample(tmp_path / "far", town))
    assert (e.value.file.endswith("targets.csv"), e.value.row) == (True, row)


def test_empty_grid_is_valid(tmp_path):
    """A 网格员 whose grid has no targets yet is valid input (附件2: 无可走访对象)."""
    town = generate_zoo_town(ZOO_KINDS["empty-grid"], seed=3)
    campaign = read_campaign(write_sample(tmp_path / "empty", town))
    assert len(campaign.cadres) == len(town.cadres)


def test_spec_out_of_range():
    """A spec outside its ranges is refused."""
    with pytest.raises(ValueError, match="utilization"):
        ZooSpec(utilization=1.5)
