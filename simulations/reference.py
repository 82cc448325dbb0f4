"""Reference queueing models built with the engine's own API: the Erlang loss and delay systems.

One care form, one unit of `places` places, Poisson arrivals at offered_load / mean_stay
per day, no matching preferences. With no_place="out_of_region" this is M/G/c/c (Erlang B);
with a queue and exponential stays it is M/M/c (Erlang C).
"""

from __future__ import annotations

from typing import Literal

from simulations.distributions import ArrivalRate, Distribution, Exponential, PoissonArrivals
from simulations.model import PlacementRules, Scenario, UnitSpec, single_form_demand
from simulations.policies import SinglePool

ERLANG_FORM = "pool"


def erlang_scenario(
    places: int,
    offered_load: float,
    *,
    stay: Distribution | None = None,
    no_place: Literal["queue", "out_of_region"] = "out_of_region",
    max_queue_days: float | None = None,
) -> Scenario:
    """The Erlang model with `places` places and the given offered load (Erlangs)."""
    stay = stay if stay is not None else Exponential(1.0)
    rate = offered_load / stay.mean
    return Scenario(
        name=f"erlang_c{places}_a{offered_load:g}_{no_place}",
        units=(UnitSpec("pool", ERLANG_FORM, places),),
        arrivals=PoissonArrivals(ArrivalRate(rate)),
        demand=single_form_demand(ERLANG_FORM),
        stays={ERLANG_FORM: stay},
        allocation=SinglePool(),
        rules=PlacementRules(no_place=no_place, max_queue_days=max_queue_days),
    )
