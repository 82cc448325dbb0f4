"""Stay and arrival distributions: parameters, quantile functions, trend and season.

Sample checks use tolerances of z standard errors (z = 3.9, a two-sided 1e-4 level) over
large fixed-seed samples; the same checks reject a deliberately shifted value.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats as scipy_stats

from domain.errors import InvalidInput
from simulations.distributions import (
    ArrivalRate,
    Empirical,
    Exponential,
    GroupArrivalRates,
    Lognormal,
    PoissonArrivals,
    RenewalArrivals,
    distribution_from_dict,
    normal_ppf,
    uniforms,
)

Z = 3.9
N = 200_000


def _within(sample: np.ndarray, expected: float) -> bool:
    standard_error = float(sample.std(ddof=1)) / math.sqrt(len(sample))
    return abs(float(sample.mean()) - expected) <= Z * standard_error


def test_normal_quantiles_match_the_standard_library_and_scipy() -> None:
    u = np.concatenate(
        [uniforms(np.random.default_rng(1), 10_000), [1e-300, 1e-12, 0.5, 1 - 1e-12]]
    )
    ours = normal_ppf(u)
    reference = np.array([statistics.NormalDist().inv_cdf(float(p)) for p in u])
    assert np.max(np.abs(ours - reference)) < 1e-12
    assert np.allclose(ours, scipy_stats.norm.ppf(u), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "dist",
    [Exponential(3.0), Lognormal(90.0, cv=1.2), Lognormal(30.0, sigma=0.5), Empirical((1, 2, 10))],
    ids=repr,
)
def test_sample_means_match(dist: Exponential | Lognormal | Empirical) -> None:
    sample = dist.ppf(uniforms(np.random.default_rng(7), N))
    assert _within(sample, dist.mean)
    assert not _within(sample, dist.mean * 1.03)  # the check has power


def test_lognormal_cv_and_sigma_agree() -> None:
    by_cv, by_sigma = Lognormal(50.0, cv=1.0), Lognormal(50.0, sigma=math.sqrt(math.log(2.0)))
    assert by_cv.shape == pytest.approx(by_sigma.shape)
    u = uniforms(np.random.default_rng(3), 1000)
    assert np.allclose(by_cv.ppf(u), by_sigma.ppf(u))
    expected = scipy_stats.lognorm(s=by_cv.shape, scale=math.exp(by_cv.location)).ppf(u)
    assert np.allclose(by_cv.ppf(u), expected, rtol=1e-10)


def test_empirical_resamples_only_observed_values_evenly() -> None:
    dist = Empirical((5.0, 1.0, 3.0))
    values, counts = np.unique(
        dist.ppf(uniforms(np.random.default_rng(2), 30_000)), return_counts=True
    )
    assert values.tolist() == [1.0, 3.0, 5.0]
    assert np.all(np.abs(counts - 10_000) < Z * math.sqrt(30_000 * (1 / 3) * (2 / 3)))


def test_quantiles_are_monotone_in_u_for_common_random_numbers() -> None:
    u = np.sort(uniforms(np.random.default_rng(4), 1000))
    for dist in (Exponential(2.0), Lognormal(2.0, sigma=1.0), Empirical((1.0, 4.0, 2.0))):
        assert np.all(np.diff(dist.ppf(u)) >= 0)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Exponential(-1.0), "mean"),
        (lambda: Exponential(0.0), "mean"),
        (lambda: Lognormal(10.0, sigma=0.0), "sigma"),
        (lambda: Lognormal(10.0, sigma=-1.0), "sigma"),
        (lambda: Lognormal(10.0, cv=-0.5), "cv"),
        (lambda: Lognormal(10.0), "sigma"),
        (lambda: Lognormal(10.0, cv=1.0, sigma=1.0), "sigma"),
        (lambda: Lognormal(math.nan, cv=1.0), "mean"),
        (lambda: Empirical(()), "samples"),
        (lambda: Empirical((1.0, -2.0)), "samples[1]"),
        (lambda: Empirical((0.0, 0.0)), "samples"),
        (lambda: ArrivalRate(-2.0), "per_day"),
        (lambda: ArrivalRate(0.0), "per_day"),
        (lambda: ArrivalRate(1.0, season_amplitude=1.0), "season_amplitude"),
        (lambda: ArrivalRate(1.0, trend_per_year=math.inf), "trend_per_year"),
        (lambda: distribution_from_dict({"kind": "gamma"}, field="stays.x"), "stays.x"),
        (
            lambda: distribution_from_dict(
                {"kind": "lognormal", "mean": 5, "sigma": 0}, field="stays.x"
            ),
            "stays.x.sigma",
        ),
        (
            lambda: distribution_from_dict({"kind": "exponential", "rate": 5}, field="stays.x"),
            "stays.x.rate",
        ),
        (lambda: distribution_from_dict({"kind": "exponential", "mean": "lang"}, field="s"), "s"),
        (lambda: GroupArrivalRates((), (), (), ()), "per_day"),
        (lambda: GroupArrivalRates((1.0, 2.0), (0.0,), (0.0, 0.0), (0.0, 0.0)), "trend_per_year"),
        (lambda: GroupArrivalRates((1.0, -2.0), (0.0, 0.0), (0.0, 0.0), (0, 0)), "per_day[1]"),
        (lambda: GroupArrivalRates((0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0, 0)), "per_day"),
        (lambda: GroupArrivalRates((1.0,), (0.0,), (1.0,), (0.0,)), "season_amplitude[0]"),
        (lambda: GroupArrivalRates((1.0,), (math.nan,), (0.0,), (0.0,)), "trend_per_year[0]"),
    ],
)
def test_impossible_parameters_name_the_field(make: object, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        make()  # type: ignore[operator]
    assert error.value.field == field


def test_distribution_from_dict_builds_each_kind() -> None:
    assert distribution_from_dict({"kind": "exponential", "mean": 4}, field="f") == Exponential(4)
    lognormal = distribution_from_dict({"kind": "lognormal", "mean": 9, "cv": 2}, field="f")
    assert lognormal == Lognormal(9, cv=2)
    empirical = distribution_from_dict({"kind": "empirical", "samples": [3, 1]}, field="f")
    assert empirical == Empirical((1.0, 3.0))


def _counts(process: PoissonArrivals, edges: list[float], reps: int) -> np.ndarray:
    rng = np.random.default_rng(11)
    rows = [np.histogram(process.times(rng, edges[-1]), bins=edges)[0] for _ in range(reps)]
    return np.array(rows, dtype=np.float64)


def test_season_and_trend_shape_the_arrival_counts() -> None:
    rate = ArrivalRate(4.0, trend_per_year=0.5, season_amplitude=0.6, peak_day=45.0)
    edges = [0.0, 91.0, 182.0, 273.0, 365.0, 456.0, 547.0, 638.0, 730.0]
    counts = _counts(PoissonArrivals(rate), edges, reps=300)
    for k in range(len(edges) - 1):
        expected = rate.mean_count(edges[k], edges[k + 1])
        # Poisson counts: the standard error of the mean over reps is sqrt(expected / reps).
        assert abs(counts[:, k].mean() - expected) <= Z * math.sqrt(expected / 300), k
        assert abs(counts[:, k].mean() - 1.05 * expected) > Z * math.sqrt(expected / 300), k
    assert counts[:, 4].mean() > counts[:, 0].mean()  # the second year's peak is higher


def test_homogeneous_poisson_and_renewal_rates() -> None:
    poisson = _counts(PoissonArrivals(ArrivalRate(2.0)), [0.0, 500.0], reps=200)[:, 0]
    assert abs(poisson.mean() - 1000.0) <= Z * math.sqrt(1000.0 / 200)
    assert _within(poisson, 1000.0) and abs(poisson.var(ddof=1) / 1000.0 - 1.0) < 0.3
    times = RenewalArrivals(Exponential(0.5)).times(np.random.default_rng(5), 5000.0)
    assert np.all(np.diff(times) >= 0) and times[-1] < 5000.0
    assert abs(len(times) - 10_000) <= Z * math.sqrt(10_000)


def test_summed_group_rates_shape_the_arrival_counts() -> None:
    rates = GroupArrivalRates((2.0, 1.0, 0.5), (0.5, -0.3, 0.0), (0.0, 0.6, 0.3), (0, 45, 200))
    edges = [0.0, 91.0, 182.0, 273.0, 365.0, 456.0, 547.0, 638.0, 730.0]
    counts = _counts(PoissonArrivals(rates), edges, reps=300)
    for k in range(len(edges) - 1):
        parts = [ArrivalRate(p, tr, a, pk).mean_count(edges[k], edges[k + 1]) for p, tr, a, pk
                 in zip(rates.per_day, rates.trend_per_year, rates.season_amplitude,
                        rates.peak_day, strict=True)]  # fmt: skip
        expected = math.fsum(parts)
        assert rates.mean_count(edges[k], edges[k + 1]) == pytest.approx(expected)
        assert abs(counts[:, k].mean() - expected) <= Z * math.sqrt(expected / 300), k
        assert abs(counts[:, k].mean() - 1.05 * expected) > Z * math.sqrt(expected / 300), k
    assert not rates.homogeneous
    assert GroupArrivalRates((1.0, 2.0), (0.0, 0.0), (0.0, 0.0), (9.0, 0.0)).homogeneous
