"""The shipped Flevoland baseline reproduces DOMAIN.md section 9 by Little's law."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulations.children import ProfileSource
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
