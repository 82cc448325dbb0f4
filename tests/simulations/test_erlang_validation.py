"""The engine against queueing theory: Erlang B (with insensitivity), Erlang C, Little's law.

Each check uses a 95% t confidence interval over independent replications, started empty
and observed after a warm-up of 20 mean stays. The seeds are fixed, so every run gives the
same verdict; the power checks show the intervals are tight enough to reject a wrong model.
"""

from __future__ import annotations

import pytest

from simulations.distributions import Exponential, Lognormal
from simulations.model import RunSettings, Scenario, UnitSpec
from simulations.montecarlo import MonteCarloResult, run
from simulations.policies import greedy_fcfs
from simulations.reference import erlang_scenario
from simulations.stats import estimate
from simulations.theory import erlang_b, erlang_c, erlang_c_mean_wait

SEED = 2026
REPLICATIONS = 30
WARMUP = 20.0  # mean stays; the loss system forgets its empty start within a few


def _loss_run(places: int, load: float, stay: Exponential | Lognormal) -> MonteCarloResult:
    settings = RunSettings(horizon_days=WARMUP + 20_000 / load, warmup_days=WARMUP)
    scenario = erlang_scenario(places, load, stay=stay)
    return run(scenario, settings, seed=SEED, replications=REPLICATIONS, workers=1)


LOSS_CASES = [(1, 0.8), (5, 4.0), (20, 15.0), (50, 45.0)]
STAYS: dict[str, Exponential | Lognormal] = {
    "exponential": Exponential(1.0),
    "lognormal": Lognormal(1.0, sigma=1.0),
}


@pytest.mark.parametrize("stay", sorted(STAYS))
@pytest.mark.parametrize(("places", "load"), LOSS_CASES)
def test_loss_system_matches_erlang_b_and_littles_law(places: int, load: float, stay: str) -> None:
    result = _loss_run(places, load, STAYS[stay])
    blocked = result.totals["blocked_fraction"]
    assert blocked.n == REPLICATIONS
    assert blocked.contains(erlang_b(places, load)), (blocked, erlang_b(places, load))
    # Power: one place fewer gives a blocking probability the interval must reject.
    if places > 1:
        assert not blocked.contains(erlang_b(places - 1, load))
    # Carried load: mean occupancy is a (1 - B).
    occupancy = result.totals["occupancy"]
    assert occupancy.contains(load * (1 - erlang_b(places, load))), occupancy
    # Little's law: L (time-average number in care) = lambda W (placement rate times mean
    # stay), both measured in the same replications.
    rate_times_stay = estimate(
        [r.totals["placed_rate"] * r.totals["mean_stay_days"] for r in result.replications]
    )
    assert occupancy.contains(rate_times_stay.mean), (occupancy, rate_times_stay)
    # Power: a 1% bookkeeping error on either side would fall outside the interval.
    assert occupancy.half_width < 0.01 * occupancy.mean


def test_a_wrong_model_is_rejected() -> None:
    # Simulating 19 places while claiming 20: the interval must exclude B(20, 15).
    result = _loss_run(19, 15.0, STAYS["exponential"])
    assert not result.totals["blocked_fraction"].contains(erlang_b(20, 15.0))
    assert result.totals["blocked_fraction"].contains(erlang_b(19, 15.0))


QUEUE_CASES = [(1, 0.7), (5, 4.0), (10, 8.0)]


def _queue_run(places: int, load: float) -> MonteCarloResult:
    warmup = 50.0  # a queue at 70-80% load relaxes more slowly than a loss system
    settings = RunSettings(horizon_days=warmup + 40_000 / load, warmup_days=warmup)
    scenario = erlang_scenario(places, load, no_place="queue")
    return run(scenario, settings, seed=SEED, replications=REPLICATIONS, workers=1)


@pytest.mark.parametrize(("places", "load"), QUEUE_CASES)
def test_queue_matches_erlang_c_and_littles_law(places: int, load: float) -> None:
    result = _queue_run(places, load)
    waits = result.totals["waiting_probability"]
    mean_wait = result.totals["mean_wait_days"]
    assert waits.contains(erlang_c(places, load)), (waits, erlang_c(places, load))
    assert mean_wait.contains(erlang_c_mean_wait(places, load, 1.0)), mean_wait
    # Power: one place more is rejected on both measures.
    assert not waits.contains(erlang_c(places + 1, load))
    assert not mean_wait.contains(erlang_c_mean_wait(places + 1, load, 1.0))
    # Little's law for the queue: Lq (time-average waiting) = lambda Wq, both measured.
    waiting = result.totals["mean_waiting"]
    rate_times_wait = estimate(
        [r.totals["arrival_rate"] * r.totals["mean_wait_days"] for r in result.replications]
    )
    assert waiting.contains(rate_times_wait.mean), (waiting, rate_times_wait)
    assert waiting.half_width < 0.05 * waiting.mean
    assert all(r.totals["out_of_region"] == 0 for r in result.replications)


def _greedy_pool(no_place: str, load: float) -> Scenario:
    # Three units of one care form in different towns: greedy_fcfs pools them, so the
    # general event loop must reproduce the Erlang model with 10 places.
    base = erlang_scenario(10, load, no_place=no_place)  # type: ignore[arg-type]
    units = (
        UnitSpec("a", "pool", 4, "almere"),
        UnitSpec("b", "pool", 3, "lelystad"),
        UnitSpec("c", "pool", 3, "urk"),
    )
    return Scenario(
        "greedy_pool", units, base.arrivals, base.demand, base.stays, greedy_fcfs(), base.rules
    )


def test_general_loop_with_greedy_matches_erlang_b() -> None:
    settings = RunSettings(horizon_days=WARMUP + 4_000 / 8.0, warmup_days=WARMUP)
    result = run(_greedy_pool("out_of_region", 8.0), settings, seed=SEED, replications=20)
    blocked = result.totals["blocked_fraction"]
    assert blocked.contains(erlang_b(10, 8.0)), blocked
    assert not blocked.contains(erlang_b(9, 8.0))


def test_general_loop_with_greedy_matches_erlang_c() -> None:
    settings = RunSettings(horizon_days=50 + 4_000 / 7.0, warmup_days=50)
    result = run(_greedy_pool("queue", 7.0), settings, seed=SEED, replications=20)
    waits = result.totals["waiting_probability"]
    assert waits.contains(erlang_c(10, 7.0)), waits
    assert result.totals["mean_wait_days"].contains(erlang_c_mean_wait(10, 7.0, 1.0))
    assert not waits.contains(erlang_c(11, 7.0))
