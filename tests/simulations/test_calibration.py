"""The shipped Flevoland baseline reproduces DOMAIN.md section 9 by Little's law."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulations.children import ProfileSource
from simulations.engine import simulate
from simulations.scenario import load_scenario

BASELINE = Path(__file__).parents[2] / "simulations" / "scenarios" / "flevoland.yaml"


def test_crisis_stays_match_the_crisis_desk() -> None:
    source = load_scenario(BASELINE).scenario.demand
    assert isinstance(source, ProfileSource)
    crisis = sum(g.per_year * g.crisis_share for g in source.groups)
    under_12 = sum(g.per_year * g.crisis_share for g in source.groups if g.age_max < 12)
    # Q3 2016: 39 crisis stays a quarter (crisisbed 4 + 23, crisis foster 11 + 1), 15 under 12.
    assert abs(crisis - 4 * 39) < 2
    assert abs(under_12 - 4 * 15) < 2


def test_littles_law_gives_about_1400_in_care() -> None:
    loaded = load_scenario(BASELINE)
    source = loaded.scenario.demand
    assert isinstance(source, ProfileSource)
    rng = np.random.default_rng(2016)
    draws = 3000
    stock = 0.0
    for i in range(draws):
        form = source.draw(rng, i, 0.0).first_best
        stock += loaded.scenario.stays[form].mean / 365.0
    in_care = source.per_year * stock / draws
    assert 1300 <= in_care <= 1550, in_care  # DOMAIN.md section 9: about 1,400


def test_in_care_in_and_out_of_region_gives_about_1400() -> None:
    """CBS counts the region's youth in care wherever they stay (H1 2016: 1,445): the places
    in the region are its 2016 capacity, so part of the stock is out of region."""
    loaded = load_scenario(BASELINE)
    totals = simulate(loaded.scenario, loaded.settings, seed=loaded.seed).totals
    assert totals["in_care"] == totals["occupancy"] + totals["in_care_out_of_region"]
    assert 1300 <= totals["in_care"] <= 1550, totals["in_care"]
    assert totals["in_care_out_of_region"] > 50  # the 2016 places do not hold the demand
    places = sum(totals[k] for k in totals if k.startswith("places."))
    assert totals["occupancy"] < places
