"""Children drawn for a whole run at once (`ProfileSource.draw_all`, `Features.many`) are the
children drawn one at a time: the same features from the same uniforms, the same needs."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulations.children import UNIFORMS_PER_CHILD, ChildCase, ProfileSource
from simulations.scenario import load_scenario, parse_scenario
from tests.simulations.scenario_helpers import small

BASELINE = Path(__file__).parents[2] / "simulations" / "scenarios" / "flevoland.yaml"


def _baseline() -> ProfileSource:
    source = load_scenario(BASELINE).scenario.demand
    assert isinstance(source, ProfileSource)
    return source


def _trending() -> ProfileSource:
    """Groups with their own trend and season: the group depends on the arrival day."""
    data = small()
    data["arrivals"] = {
        "municipalities": {
            "almere": {"share": 0.6, "trend_per_year": 0.4},
            "urk": {"share": 0.4, "trend_per_year": -0.2},
        },
        "age_bands": [
            {"ages": [0, 11], "per_year": 400, "season_amplitude": 0.6, "peak_day": 45},
            {"ages": [12, 17], "per_year": 600, "season_amplitude": 0.2, "peak_day": 290},
        ],
    }
    source = parse_scenario(data, file="test.yaml").scenario.demand
    assert isinstance(source, ProfileSource)
    return source


def _uniforms(source: ProfileSource, n: int, seed: int) -> np.ndarray:
    """Random uniforms, with rows on the edges: each categorical cut point exactly, 0, the
    largest double below 1, and ages whose product with the band width is a whole number."""
    u = np.random.default_rng(seed).random((n, UNIFORMS_PER_CHILD))
    edges: list[float] = [0.0, float(np.nextafter(1.0, 0.0)), 0.5]
    for _, cdf in source._features.picks:
        edges.extend(cdf)
    edges.extend(k / 12 for k in range(12))
    for row, value in enumerate(edges):
        u[row, :] = value
        u[len(edges) + row, 1:] = value  # the group's uniform stays random
    return u


@pytest.mark.parametrize("make", [_baseline, _trending], ids=["stationary", "trending"])
def test_many_children_have_the_features_of_one_at_a_time(make: Any) -> None:
    source = make()
    u = _uniforms(source, 3000, seed=4)
    days = np.sort(np.random.default_rng(5).uniform(0.0, 3 * 365.0, len(u)))
    groups = source._group_indices(u[:, 0], days)
    many = source._features.many(source.groups, groups, u)
    one = [source.profile_key(u[k], float(days[k])) for k in range(len(u))]
    assert many == one
    # The rows cover more than one value of every feature (the small scenario's mix has one
    # value for some; its groups, municipality and age, are what varies by day there).
    varied = range(len(one[0])) if make is _baseline else (0, 1)
    for column in varied:
        assert len({key[column] for key in one}) > 1, column


@pytest.mark.parametrize("make", [_baseline, _trending], ids=["stationary", "trending"])
def test_draw_all_is_draw_for_each_child_in_turn(make: Any) -> None:
    source = make()
    days = np.sort(np.random.default_rng(6).uniform(0.0, 700.0, 400))
    together = source.draw_all(np.random.default_rng(8), days, first=10)
    rng = np.random.default_rng(8)
    in_turn = [source.draw(rng, 10 + k, float(day)) for k, day in enumerate(days.tolist())]
    assert len(together) == len(in_turn) == len(days)
    assert together == in_turn  # needs, and in them profile, advice and both referrals
    first = together[0].payload
    assert isinstance(first, ChildCase) and first.referral.referral_id == "K0000010"
    for need, day in zip(together, days.tolist(), strict=True):  # its own arrival date
        assert isinstance(need.payload, ChildCase)
        on = source.start_date + timedelta(days=math.floor(day))
        assert need.payload.profile.reference_date == need.payload.referral.deadline == on
