"""Erlang formulas against closed forms, and the t quantile against scipy."""

from __future__ import annotations

import math

import pytest
from scipy import stats as scipy_stats

from domain.errors import InvalidInput
from simulations.stats import estimate, t_quantile
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
