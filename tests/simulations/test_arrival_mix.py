"""Arrivals per municipality and age band, each with its own trend and season (issue #7).

The expected counts come from the rate formula written out here, integrated numerically,
not from the code under test; counts over several seeds must match them within a
confidence interval from the Poisson variance, and must miss a wrong expectation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from domain.errors import ConfigError
from domain.places import Municipality
from simulations.children import UNIFORMS_PER_CHILD, ProfileSource
from simulations.distributions import ArrivalRate, GroupArrivalRates, PoissonArrivals
from simulations.engine import simulate
from simulations.scenario import LoadedScenario, parse_scenario
from tests.simulations.scenario_helpers import small

Z = 4.0  # per check; the seeds are fixed, so a pass or fail is reproducible
SEEDS = range(20)
HORIZON = 730.0
QUARTERS = np.arange(0.0, HORIZON + 1.0, HORIZON / 8)

# Young children: a season peaking mid-February; adolescents: a milder one in October.
# Almere grows 40% a year, Urk shrinks 20% a year (large, so that the tests see it).
BANDS: list[dict[str, Any]] = [
    {"ages": [6, 11], "per_year": 400, "season_amplitude": 0.6, "peak_day": 45},
    {"ages": [12, 17], "per_year": 600, "season_amplitude": 0.2, "peak_day": 290},
]
MUNICIPALITIES: dict[str, dict[str, Any]] = {
    "almere": {"share": 0.6, "trend_per_year": 0.4},
    "urk": {"share": 0.4, "trend_per_year": -0.2},
}


def _load(**arrivals: Any) -> LoadedScenario:
    data = small()
    data["arrivals"] = {"municipalities": MUNICIPALITIES, "age_bands": BANDS, **arrivals}
    return parse_scenario(data, file="test.yaml")


def _rate(t: np.ndarray, muni: str, band: int) -> np.ndarray:
    """The documented rate of one (municipality, band), written out independently."""
    m, b = MUNICIPALITIES[muni], BANDS[band]
    trend = np.maximum(0.0, 1.0 + float(m["trend_per_year"]) * t / 365.0)
    phase = 2.0 * math.pi * (t - float(b["peak_day"])) / 365.0
    season = 1.0 + float(b["season_amplitude"]) * np.cos(phase)
    rate = float(b["per_year"]) * float(m["share"]) / 365.0 * trend * season
    return np.asarray(rate, dtype=np.float64)


def _expected(muni: str, band: int, start: float, end: float) -> float:
    grid = np.linspace(start, end, 4001)
    return float(np.trapezoid(_rate(grid, muni, band), grid))


def _counts(loaded: LoadedScenario) -> np.ndarray:
    """Arrivals per seed, municipality (almere, urk), band and quarter, through draw's path."""
    source = loaded.scenario.demand
    assert isinstance(source, ProfileSource)
    out = np.zeros((len(SEEDS), 2, len(BANDS), len(QUARTERS) - 1))
    for s, seed in enumerate(SEEDS):
        times = loaded.scenario.arrivals.times(np.random.default_rng(seed), HORIZON)
        profiles = np.random.default_rng(10_000 + seed)
        for t in times.tolist():
            key = source.profile_key(profiles.random(UNIFORMS_PER_CHILD), t)
            muni, age = str(key[0]), int(str(key[1]))
            quarter = min(int(t // (HORIZON / 8)), len(QUARTERS) - 2)
            place = [Municipality("almere").code, Municipality("urk").code].index(muni)
            out[s, place, 0 if age <= 11 else 1, quarter] += 1
    return out


@pytest.fixture(scope="module")
def counts() -> np.ndarray:
    return _counts(_load())


def test_each_municipality_and_band_arrives_at_its_own_rate(counts: np.ndarray) -> None:
    reps = len(SEEDS)
    for m, muni in enumerate(["almere", "urk"]):
        for b in range(len(BANDS)):
            for q in range(len(QUARTERS) - 1):
                expected = _expected(muni, b, QUARTERS[q], QUARTERS[q + 1])
                mean = counts[:, m, b, q].mean()
                # The mean of `reps` Poisson counts has variance expected / reps.
                assert abs(mean - expected) <= Z * math.sqrt(expected / reps), (muni, b, q)
    # The test can fail: the day-0 split of the same total (no own shapes) is rejected.
    total = counts.sum(axis=(1, 2)).mean(axis=0)
    day0 = 400 * 0.6 / 1000  # almere, young children
    wrong = [abs(counts[:, 0, 0, q].mean() - day0 * total[q])
             > Z * math.sqrt(day0 * total[q] / reps) for q in range(len(QUARTERS) - 1)]  # fmt: skip
    assert sum(wrong) >= 4


def test_a_band_season_has_more_arrivals_in_its_peak_quarter(counts: np.ndarray) -> None:
    young = counts[:, :, 0, :].sum(axis=1)  # both municipalities
    # Young children peak on day 45 (first quarter) and are lowest around day 227 (third).
    assert young[:, 0].mean() > 1.5 * young[:, 2].mean()
    assert young[:, 4].mean() > 1.5 * young[:, 6].mean()  # and again in the second year


def test_a_municipal_trend_shows_in_the_split(counts: np.ndarray) -> None:
    per_muni = counts.sum(axis=(0, 2))  # over seeds and bands: (municipality, quarter)
    share = per_muni[0] / per_muni.sum(axis=0)
    assert share[-1] - share[0] > 0.1  # Almere grows, Urk shrinks
    for q in (0, len(QUARTERS) - 2):
        lo, hi = QUARTERS[q], QUARTERS[q + 1]
        almere = sum(_expected("almere", b, lo, hi) for b in range(len(BANDS)))
        expected = almere / (almere + sum(_expected("urk", b, lo, hi) for b in range(2)))
        n = per_muni[:, q].sum()
        assert abs(share[q] - expected) <= Z * math.sqrt(expected * (1 - expected) / n)


def test_without_own_shapes_the_stationary_path_is_kept() -> None:
    data = small()
    data["arrivals"] |= {"trend_per_year": 0.1, "season_amplitude": 0.3, "peak_day": 40}
    loaded = parse_scenario(data, file="test.yaml")
    arrivals = loaded.scenario.arrivals
    assert isinstance(arrivals, PoissonArrivals) and isinstance(arrivals.rate, ArrivalRate)
    assert arrivals.rate.per_day == pytest.approx(50 / 365)
    assert (arrivals.rate.trend_per_year, arrivals.rate.season_amplitude) == (0.1, 0.3)
    assert arrivals.rate.peak_day == 40.0
    # The mapping form without overrides is the same as the plain number form.
    data["arrivals"]["municipalities"] = {"almere": {"share": 0.6}, "urk": 0.4}
    again = parse_scenario(data, file="test.yaml").scenario
    assert again.arrivals == arrivals
    assert isinstance(again.demand, ProfileSource) and isinstance(loaded.scenario.demand,
                                                                  ProfileSource)  # fmt: skip
    assert again.demand.groups == loaded.scenario.demand.groups
    own = _load().scenario.arrivals
    assert isinstance(own, PoissonArrivals) and isinstance(own.rate, GroupArrivalRates)


def test_paired_scenarios_with_equal_arrivals_share_them() -> None:
    bands = [b | {"per_year": int(b["per_year"]) // 10} for b in BANDS]
    arms = []
    for policy in ({}, {"allocation": "greedy_fcfs", "max_queue_days": 30}):
        data = small()
        data["arrivals"] = {"municipalities": MUNICIPALITIES, "age_bands": bands}
        data["policy"] |= policy
        arms.append(parse_scenario(data, file="test.yaml"))
    base, other = arms
    a = simulate(base.scenario, base.settings, seed=5, replication=1)
    b = simulate(other.scenario, base.settings, seed=5, replication=1)
    arrivals = {k: v for k, v in a.totals.items() if k.startswith("arrivals")}
    assert arrivals == {k: v for k, v in b.totals.items() if k.startswith("arrivals")}
    assert a.series["arrivals"] == b.series["arrivals"]
    assert a.totals != b.totals  # the policies differ, the arrivals do not


def _bad(**arrivals: Any) -> ConfigError:
    data = small()
    data["arrivals"] = {"municipalities": MUNICIPALITIES, "age_bands": BANDS} | arrivals
    with pytest.raises(ConfigError) as info:
        parse_scenario(data, file="test.yaml")
    return info.value


def _band(**changes: Any) -> list[dict[str, Any]]:
    return [BANDS[0] | changes, BANDS[1]]


@pytest.mark.parametrize(
    ("arrivals", "field", "value"),
    [
        ({"age_bands": _band(per_year=-7)}, "arrivals.age_bands[0].per_year", "-7"),
        ({"age_bands": _band(season_amplitude=1.0)}, "arrivals.age_bands[0].season_amplitude",
         None),
        ({"age_bands": _band(season_amplitude=-0.3)}, "arrivals.age_bands[0].season_amplitude",
         "-0.3"),
        ({"age_bands": _band(peak_day=-12)}, "arrivals.age_bands[0].peak_day", "-12"),
        ({"age_bands": _band(trend_per_year="snel")}, "arrivals.age_bands[0].trend_per_year",
         "snel"),
        ({"age_bands": _band(trend_per_year=math.inf)}, "arrivals.age_bands[0].trend_per_year",
         "inf"),
        ({"age_bands": _band(trend=0.1)}, "arrivals.age_bands[0].trend", None),
        ({"season_amplitude": 1.25}, "arrivals.season_amplitude", "1.25"),
        ({"municipalities": {"almere": 0.6, "atlantis": 0.4}},
         "arrivals.municipalities.atlantis", "atlantis"),
        ({"municipalities": {"almere": 0.5, "urk": 0.4}}, "arrivals.municipalities", "0.9"),
        ({"municipalities": {"almere": 1.5, "urk": -0.5}}, "arrivals.municipalities.almere",
         "1.5"),
        ({"municipalities": {"almere": {"trend_per_year": 0.1}, "urk": 1.0}},
         "arrivals.municipalities.almere.share", None),
        ({"municipalities": {"almere": {"share": 0.6, "groei": 0.1}, "urk": 0.4}},
         "arrivals.municipalities.almere.groei", None),
        ({"municipalities": {"almere": {"share": 0.6, "season_amplitude": 0.5}, "urk": 0.4}},
         "arrivals.age_bands[0].season_amplitude", None),  # set per band and per municipality
        ({"municipalities": {}}, "arrivals.municipalities", None),
    ],
)  # fmt: skip
def test_bad_arrivals_name_the_field_and_not_the_value(
    arrivals: dict[str, Any], field: str, value: str | None
) -> None:
    error = _bad(**arrivals)
    assert error.field == field and error.file == "test.yaml"
    if value is not None:
        assert value not in error.detail


def test_group_rates_pick_groups_by_their_share_of_the_rate() -> None:
    rates = GroupArrivalRates((1.0, 0.0, 2.0), (0.5, 0.0, -0.4), (0.3, 0.0, 0.0), (10, 0, 0))
    u = (np.arange(20_000) + 0.5) / 20_000
    for day in (0.0, 100.0, 700.0):
        picked = np.bincount([rates.group(day, x) for x in u.tolist()], minlength=3) / len(u)
        share = rates.rates(np.array([day]))[:, 0] / rates.rate(np.array([day]))[0]
        assert np.allclose(picked, share, atol=1e-4), day
    assert rates.group(1000.0, 0.999) == 0  # group 2 has died out (trend -0.4 a year)
    assert rates.bound(730.0) >= float(rates.rate(np.linspace(0.0, 730.0, 1001)).max())
