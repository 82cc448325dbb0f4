"""What a replication draws before its loop starts: the arrivals (one time per child), the
sibling group sizes, each child's stay quantile, and the residual stays of the children in
care on day 0. Each comes from its own stream, keyed by (seed, replication, name)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulations.distributions import Distribution, residual_ppf, uniforms
from simulations.model import GroupedSource, RunSettings, Scenario, UnitSpec
from simulations.streams import stream


def draws(
    scenario: Scenario, settings: RunSettings, seed: int, replication: int
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The arrival times (one per child), sibling group sizes and stay quantiles of a run."""
    arrivals = scenario.arrivals.times(stream(seed, replication, "arrivals"), settings.horizon_days)
    sizes = None
    if isinstance(scenario.demand, GroupedSource):
        sizes = scenario.demand.group_sizes(stream(seed, replication, "siblings"), len(arrivals))
        if sizes is not None:  # arrival events become children: a group arrives together
            arrivals = np.repeat(arrivals, sizes)
    return arrivals, sizes, uniforms(stream(seed, replication, "stays"), len(arrivals))


def initial_stays(
    units: Sequence[UnitSpec], stays: Mapping[str, Distribution], rng: np.random.Generator
) -> dict[str, list[float]]:
    """Per care form, the residual stays of the children in care on day 0, in unit order
    (empty when nobody is). Worked out per form at once: the quantile functions work element
    by element, so each is what it would be unit by unit."""
    count = sum(u.occupied for u in units)
    if count == 0:
        return {}
    u = uniforms(rng, 2 * count).reshape(2, count)
    occupied = [unit for unit in units if unit.occupied]
    starts = np.cumsum([0] + [unit.occupied for unit in occupied])
    spans: dict[str, list[np.ndarray]] = {}
    for unit, k in zip(occupied, starts.tolist(), strict=False):
        spans.setdefault(unit.care_form, []).append(np.arange(k, k + unit.occupied))
    left: dict[str, list[float]] = {}
    for form, parts in spans.items():
        take = np.concatenate(parts)
        left[form] = residual_ppf(stays[form], u[0, take], u[1, take]).tolist()
    return left
