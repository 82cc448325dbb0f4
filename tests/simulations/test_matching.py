"""The real afwegingskader and matcher inside the engine: children, policies, start stock."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from afwegingskader.engine import advise
from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.people import Capability
from domain.places import Municipality as M  # noqa: N817
from simulations.distributions import (
    ArrivalRate,
    Empirical,
    Exponential,
    Lognormal,
    PoissonArrivals,
    residual_ppf,
    uniforms,
)
from simulations.engine import simulate
from simulations.matching import MatcherPolicy
from simulations.model import (
    ChildNeed,
    RunSettings,
    Scenario,
    UnitSpec,
    UnitState,
    WaitingChild,
    single_form_demand,
)
from simulations.outputs import canonical_json
from simulations.policies import SinglePool
from simulations.scenario import parse_scenario
from tests.simulations.scenario_helpers import TODAY, case, small


def _unit(unit_id: str, muni: M, caps: frozenset[Capability]) -> UnitState:
    view = UnitView(unit_id, "p", unit_id, muni, CareForm.GEZINSHUIS, 1, 0, 0, 0, 21,
                    capabilities=caps)  # fmt: skip
    return UnitState(unit_id, "gezinshuis", muni.value, 1, 0, 0, view)


def _waiting(child_id: int, referral_id: str, home: M, *, lvb: bool) -> WaitingChild:
    c = case(referral_id, age=14, home=home, lvb=lvb)
    need = ChildNeed(str(c.advice.first_best), tuple(map(str, c.advice.alternatives)), home, c)
    return WaitingChild(child_id, float(child_id), need, True)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # One at a time: the first child takes the nearby LVB home; the second needs LVB
        # and finds only the home in Urk without it.
        ("greedy_fcfs", {(0, "X-almere-lvb")}),
        # All at once: the first child goes to Urk so that the second gets the LVB home.
        ("optimizer", {(0, "Y-urk"), (1, "X-almere-lvb")}),
    ],
)
def test_optimizer_places_both_where_greedy_strands_one(
    mode: str, expected: set[tuple[int, str]]
) -> None:
    units = [_unit("X-almere-lvb", M.ALMERE, frozenset({Capability.LVB})),
             _unit("Y-urk", M.URK, frozenset())]  # fmt: skip
    waiting = [_waiting(0, "K0", M.ALMERE, lvb=False), _waiting(1, "K1", M.URK, lvb=True)]
    policy = MatcherPolicy(start_date=TODAY, mode=mode)
    got = policy.allocate(0.0, waiting, units)
    assert {(a.child_id, a.unit_id) for a in got} == expected


def test_a_child_waiting_for_first_best_gets_no_alternative() -> None:
    behandel = UnitView("BG", "p", "BG", M.ALMERE, CareForm.BEHANDELGROEP, 1, 0, 0, 0, 21)
    units = [UnitState("BG", "behandelgroep", "almere", 1, 0, 0, behandel)]
    child = _waiting(0, "K0", M.ALMERE, lvb=False)  # gezinshuis first, behandelgroep second
    policy = MatcherPolicy(start_date=TODAY)
    early = WaitingChild(0, 0.0, child.need, alternatives_allowed=False)
    assert policy.allocate(0.0, [early], units) == []
    assert [a.unit_id for a in policy.allocate(30.0, [child], units)] == ["BG"]


def test_profile_source_uses_the_real_afwegingskader() -> None:
    source = parse_scenario(small(), file="t.yaml").scenario.demand
    rng = np.random.default_rng(3)
    for i in range(50):
        need = source.draw(rng, i, float(i))
        payload = need.payload
        assert payload is not None
        assert advise(payload.profile) == payload.advice  # type: ignore[attr-defined]
        assert need.first_best == payload.advice.first_best  # type: ignore[attr-defined]
        assert payload.referral.referral_id == f"K{i:07d}"  # type: ignore[attr-defined]


def test_profile_source_draws_the_same_child_from_the_same_stream() -> None:
    source = parse_scenario(small(), file="t.yaml").scenario.demand
    a = [source.draw(np.random.default_rng(9), i, 0.0).payload for i in range(20)]
    b = [source.draw(np.random.default_rng(9), i, 0.0).payload for i in range(20)]
    assert [x.profile for x in a] == [y.profile for y in b]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("dist", "expected"),
    [
        (Exponential(10.0), 10.0),
        # Lognormal residual mean: E[S^2] / (2 E[S]) = mean (1 + cv^2) / 2.
        (Lognormal(10.0, cv=1.0), 10.0),
        (Lognormal(10.0, cv=0.5), 10.0 * 1.25 / 2),
        (Empirical((1.0, 3.0)), (1.0 + 9.0) / 2 / (2 * 2.0)),
    ],
)
def test_residual_stays_have_the_renewal_theory_mean(dist: object, expected: float) -> None:
    rng = np.random.default_rng(1)
    left = residual_ppf(dist, uniforms(rng, 200_000), uniforms(rng, 200_000))  # type: ignore[arg-type]
    assert abs(float(left.mean()) - expected) < 0.02 * expected + 0.01


def test_a_region_started_at_its_stock_stays_there() -> None:
    # M/G/inf with lambda W = 50: started full (50 in care), the mean stock over the first
    # 20 days is 50; started empty it would be about 50 (1 - (1 - e^-2) / 2) = 28.6.
    def mean_stock(occupied: int) -> float:
        sc = Scenario("stock", (UnitSpec("u", "f", 500, occupied=occupied),),
                      PoissonArrivals(ArrivalRate(5.0)), single_form_demand("f"),
                      {"f": Lognormal(10.0, cv=1.0)}, SinglePool())  # fmt: skip
        settings = RunSettings(horizon_days=20.0, sample_every_days=5.0)
        runs = [simulate(sc, settings, seed=4, replication=r) for r in range(20)]
        return float(np.mean([r.totals["occupancy"] for r in runs]))

    assert abs(mean_stock(50) - 50.0) < 3.0
    assert abs(mean_stock(0) - 28.6) < 3.0


def test_matcher_in_the_loop_is_reproducible_and_keeps_every_rule() -> None:
    loaded = parse_scenario(small(), file="t.yaml")
    first = simulate(loaded.scenario, loaded.settings, seed=11, replication=1)
    again = simulate(loaded.scenario, loaded.settings, seed=11, replication=1)
    assert canonical_json(first.to_dict()) == canonical_json(again.to_dict())  # NaN-safe
    t = first.totals
    assert t["arrivals"] > 10 and t["placed"] > 0
    assert 0.0 <= t["first_best_rate"] <= 1.0
    for form in ("gezinshuis", "behandelgroep"):
        assert t[f"occupancy.{form}"] <= t[f"places.{form}"] + 1e-9
    assert math.isfinite(t["mean_wait_days"])


def test_start_date_turns_engine_days_into_dates() -> None:
    policy = MatcherPolicy(start_date=date(2030, 6, 1))
    assert policy.name == "optimizer"
    assert parse_scenario(small(), file="t.yaml").start_date == date(2026, 1, 1)
