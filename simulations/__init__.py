"""Capacity scenarios over years: a discrete-event engine, Monte Carlo, queueing theory.

The engine (simulations.engine) is pure: it gets the scenario, the clock settings and the
seed as arguments and imports no IO framework.

Modules: distributions (stays, arrivals with trend and season), model (scenario, rules,
the two plug-in protocols), policies (single_pool, greedy_fcfs), engine (simulate) with
its general loop (general_loop: events, one handler per kind; occupancy: what the units
hold; waiting: the waiting children; first_best_wait: the wait-or-take estimates) and the
single-pool loop (single_pool), records (the per-child records both loops fill), outputs
(records -> totals and time series), montecarlo (replications, CIs, paired comparisons,
executors), stats (t intervals), theory (Erlang B/C), reference (the Erlang models built
with the engine's API).

Scenario files and the real afwegingskader and matcher: scenario (+ scenario_reader) reads
and validates YAML files (simulations/scenarios/), baseline holds the calibrated `flevoland`
units, children draws profiles and calls `afwegingskader.engine.advise`, matching calls
the matcher (`matcher.session`: the plans of `matcher.batch.plan`; policies `optimizer` and
`greedy_fcfs`), regions + scenario_regions + multi_region run a scenario over several
regions (children of a full region placed in another's free units), study runs a file or a paired
comparison with progress, report writes JSON, CSV, PNG and HTML.

Plugging in the real afwegingskader and matcher:
- a `model.ChildSource` draws a Profile from its rng, calls `advise(profile)` once per
  arrival and returns `ChildNeed(first_best, alternatives, home, payload=(profile, advice))`;
- an `model.AllocationPolicy` turns the waiting children (with their payload) and the
  `SimUnit`s (with `UnitSpec.payload`, e.g. ages and capabilities) into assignments,
  e.g. by calling the batch `plan`; `SimAssignment.reason` names why a child gets an
  alternative while first-best was free. The engine checks every assignment.
"""
