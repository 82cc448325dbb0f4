"""Erlang formulas against closed forms, the t quantile against scipy, and the intervals
that respect what a measure can be (shares in [0, 1], waits at least 0)."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from domain.errors import InvalidInput
from simulations.stats import (
    METHODS,
    Method,
    estimate,
    estimate_difference,
    estimate_measure,
    estimate_nonnegative,
    estimate_share,
    is_share,
    methods_used,
    t_quantile,
)
from simulations.theory import erlang_b, erlang_c, erlang_c_mean_wait


def _erlang_b_direct(c: int, a: float) -> float:
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / math.fsum(terms)


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (2, 1.0), (5, 4.0), (10, 8.0), (30, 25.0)])
def test_erlang_b_recursion_matches_the_direct_formula(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(_erlang_b_direct(c, a), rel=1e-12)


def test_erlang_b_known_values_and_large_systems() -> None:
    assert erlang_b(1, 0.8) == pytest.approx(0.8 / 1.8)
    assert erlang_b(50, 45.0) == pytest.approx(0.054104472, rel=1e-7)
    huge = erlang_b(5000, 4900.0)  # factorials would overflow; the recursion does not
    assert 0.0 < huge < 0.05
    assert erlang_b(3, 0.0) == 0.0


def test_erlang_c_and_mean_wait() -> None:
    assert erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: P(wait) = rho
    assert erlang_c_mean_wait(1, 0.7, 2.0) == pytest.approx(0.7 * 2.0 / 0.3)
    # M/M/2 with a = 1: C = a^2 / (2 + a) ... = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)
    assert erlang_c(5, 4.0) > erlang_b(5, 4.0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: erlang_b(0, 1.0), "places"),
        (lambda: erlang_b(2, -1.0), "offered_load"),
        (lambda: erlang_c(2, 2.0), "offered_load"),
        (lambda: erlang_c_mean_wait(2, 1.0, 0.0), "mean_stay"),
        (lambda: t_quantile(0.4, 3), "p"),
        (lambda: t_quantile(0.975, 0), "df"),
        (lambda: estimate([1.0, 2.0], confidence=1.5), "confidence"),
    ],
)
def test_bad_arguments_name_the_field(call: object, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        call()  # type: ignore[operator]
    assert error.value.field == field


@pytest.mark.parametrize("df", [1, 2, 3, 4, 9, 29, 99, 250])
@pytest.mark.parametrize("p", [0.9, 0.975, 0.995])
def test_t_quantile_matches_scipy(p: float, df: int) -> None:
    assert t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-10)


def test_estimate_mean_and_interval() -> None:
    values = [1.0, 2.0, 3.0, 4.0, float("nan")]
    result = estimate(values)
    assert result.n == 4 and result.mean == 2.5
    sd = math.sqrt(5.0 / 3.0)
    assert result.half_width == pytest.approx(scipy_stats.t.ppf(0.975, 3) * sd / 2.0)
    assert result.contains(2.5) and not result.contains(10.0)
    single = estimate([7.0])
    assert single.mean == 7.0 and math.isnan(single.half_width)
    assert estimate([]).n == 0


SHARES = st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30)
WAITS = st.lists(st.floats(0.0, 400.0), min_size=2, max_size=30)


@settings(max_examples=200, deadline=None)
@given(SHARES)
@example([0.0, 3.5657707655415012e-158])  # found by Hypothesis: se squared underflowed
def test_a_share_interval_stays_within_0_and_1_and_holds_the_mean(values: list[float]) -> None:
    e = estimate_share(values)
    assert 0.0 <= e.low <= e.mean <= e.high <= 1.0
    assert e.method is Method.WILSON


@settings(max_examples=200, deadline=None)
@given(WAITS)
def test_a_wait_interval_never_goes_below_0(values: list[float]) -> None:
    e = estimate_nonnegative(values)
    assert 0.0 <= e.low <= e.mean <= e.high
    assert e.high == pytest.approx(estimate(values).high)


def test_the_plain_t_interval_of_rare_shares_goes_below_0_and_wilson_does_not() -> None:
    values = [0.0, 0.0, 0.0, 0.05, 0.0]  # a rare outcome: the t interval crosses 0
    assert estimate(values).low < 0.0
    wilson = estimate_share(values)
    assert wilson.low == 0.0 or 0.0 < wilson.low < 0.01
    assert 0.05 / 5 < wilson.high < 1.0
    near_one = estimate_share([1.0, 1.0, 0.9, 1.0])
    assert estimate([1.0, 1.0, 0.9, 1.0]).high > 1.0 and near_one.high <= 1.0


def test_wilson_with_effective_n_matches_the_closed_form() -> None:
    values = [0.2, 0.3, 0.25, 0.35, 0.4, 0.3]
    n = len(values)
    p = sum(values) / n
    se = scipy_stats.tstd(values) / math.sqrt(n)
    z = scipy_stats.t.ppf(0.975, n - 1)
    n_eff = p * (1 - p) / se**2
    centre = (p + z**2 / (2 * n_eff)) / (1 + z**2 / n_eff)
    half = z / (1 + z**2 / n_eff) * math.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
    e = estimate_share(values)
    assert (e.low, e.high) == pytest.approx((centre - half, centre + half))
    assert e.mean == pytest.approx(p)
    constant = estimate_share([0.5, 0.5, 0.5])
    assert (constant.low, constant.high) == (0.5, 0.5)


def test_the_measure_decides_the_method_and_differences_keep_their_sign() -> None:
    assert is_share("first_best_rate") and is_share("norm_compliance")
    assert is_share("blocked_fraction") and not is_share("mean_wait_days")
    assert estimate_measure("first_best_rate", [0.1, 0.2]).method is Method.WILSON
    assert estimate_measure("out_of_region", [1.0, 2.0]).method is Method.T_NONNEGATIVE
    diff = estimate_difference("mean_wait_days", [-3.0, -2.5, -2.0, -2.2])
    assert diff.method is Method.T and diff.low < diff.high < 0.0
    flipped = diff.negated()
    assert (flipped.low, flipped.high) == pytest.approx((-diff.high, -diff.low))
    share_diff = estimate_difference("first_best_rate", [0.9, 1.0, -0.2])
    assert estimate([0.9, 1.0, -0.2]).high > 1.0
    assert share_diff.low >= -1.0 and share_diff.high == 1.0
    assert methods_used([diff, estimate_share([0.1, 0.2])]) == [METHODS[Method.WILSON],
                                                                METHODS[Method.T]]  # fmt: skip
