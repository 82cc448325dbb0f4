"""Out-of-region places at real municipalities (CBS codes), not one shared point."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.errors import ConfigError
from domain.municipalities import distance_km, national_list
from simulations.engine import trace
from simulations.out_of_region import out_of_region
from simulations.scenario import parse_scenario
from tests.simulations.scenario_helpers import small


def test_a_child_goes_to_the_nearest_destination_from_its_own_home() -> None:
    away = out_of_region(["GM0363", "GM0193"])  # Amsterdam, Zwolle
    names = national_list()
    almere, urk = names.resolve("almere"), names.resolve("urk")
    amsterdam, zwolle = names.get("GM0363"), names.get("GM0193")
    assert away.km_from("almere") == distance_km(almere, amsterdam)
    assert away.km_from("urk") == distance_km(urk, zwolle)
    assert away.km_from("almere") != away.km_from("urk")  # not one shared point
    assert math.isnan(away.km_from(""))


def test_the_results_give_the_mean_distance_of_the_children_placed_out_of_region() -> None:
    data = small(out_of_region={"destinations": ["GM0363", "GM0193"]})
    data["policy"] = {**data["policy"], "max_queue_days": 10}
    loaded = parse_scenario(data, file="t.yaml")
    records, _, _ = trace(loaded.scenario, loaded.settings, seed=loaded.seed)
    out = records.outcome == 2
    assert out.sum() > 0
    assert np.isfinite(records.away_km[out]).all() and np.isnan(records.away_km[~out]).all()
    away = out_of_region(["GM0363", "GM0193"])
    homes = np.array(records.home)[out]
    assert list(records.away_km[out]) == [away.km_from(h) for h in homes]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"destinations": ["GM0363", "GM9999"]}, "out_of_region.destinations[1]"),
        ({"destinations": "GM0363"}, "out_of_region.destinations"),
        ({"destinations": []}, "out_of_region.destinations"),
        ({"plaatsen": []}, "out_of_region.plaatsen"),
    ],
)
def test_bad_destinations_name_the_field(value: object, field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_scenario(small(out_of_region=value), file="t.yaml")
    assert caught.value.field == field
