"""The discrete-event engine: one replication of a scenario, pure and reproducible.

`simulate(scenario, settings, seed=..., replication=...)` draws every random number from
streams keyed by (seed, replication, stream name), so two scenarios run with the same seed
and replication see the same arrivals, the same child needs and the same stay quantiles
(common random numbers), and adding a stream never shifts another.

The general loop (simulations.general_loop) keeps a heapq list of typed events
(departures, holds ending, first-best waits expiring, queue patience running out, capacity
changes) merged with the pre-drawn arrival times, and calls the allocation policy only
when a placement can change; it also runs sibling groups. A single pool with one unit and
no holds or capacity changes (the Erlang models) runs a specialised loop
(simulations.single_pool). Both loops fill the same per-child records, from which
`simulations.outputs` derives every statistic, so they give byte-identical results (tested).
"""

from __future__ import annotations

import numpy as np

from simulations.draws import draws
from simulations.general_loop import GeneralLoop
from simulations.model import ChildNeed, RunSettings, Scenario
from simulations.outputs import ReplicationResult, summarise
from simulations.records import ChildRecords
from simulations.single_pool import run_single_pool, single_pool_eligible
from simulations.streams import paused_gc


def simulate(
    scenario: Scenario,
    settings: RunSettings,
    *,
    seed: int,
    replication: int = 0,
    fast_path: bool = True,
) -> ReplicationResult:
    """Run one replication; fast_path=False forces the general loop (for checking)."""
    arrivals, sizes, stay_u = draws(scenario, settings, seed, replication)
    with paused_gc():
        if fast_path and sizes is None and single_pool_eligible(scenario):
            records = run_single_pool(scenario, arrivals, stay_u)
        else:
            records = GeneralLoop(scenario, arrivals, stay_u, seed, replication, sizes).run()
    return summarise(scenario, settings, records, seed=seed, replication=replication)


def trace(
    scenario: Scenario, settings: RunSettings, *, seed: int, replication: int = 0
) -> tuple[ChildRecords, list[ChildNeed], np.ndarray]:
    """One replication through the general loop, with what it drew: the per-child records,
    each child's need and stay quantile (a stay in form f lasts `stays[f].ppf(u)`). For a
    hindsight bound, which must see exactly the arrivals and stays the run saw."""
    arrivals, sizes, stay_u = draws(scenario, settings, seed, replication)
    loop = GeneralLoop(scenario, arrivals, stay_u, seed, replication, sizes)
    with paused_gc():
        records = loop.run()
    return records, loop.needs, stay_u
