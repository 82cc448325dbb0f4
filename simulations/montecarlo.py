"""Monte Carlo over replications: means with confidence intervals, paired comparisons.

Each measure gets the interval that fits it (simulations.stats): Wilson for shares, t cut
at 0 for waits and counts, plain t for paired differences.

Replication r of every scenario uses the streams keyed by (seed, r, name), so two scenarios
run with the same seed share arrivals, child needs and stay quantiles: a comparison is
paired (common random numbers) and its confidence interval is on the differences.

Replications run in-process (workers=1), over local processes (the default), or on Ray
(executor="ray", an optional extra). Results are put back in replication order whatever
order they finish in, so the output is byte-identical for any executor and worker count.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Literal, TextIO, TypedDict, Unpack

from domain.errors import InvalidInput
from simulations.engine import simulate
from simulations.model import RunSettings, Scenario
from simulations.outputs import ReplicationResult, canonical_json
from simulations.stats import Estimate, estimate_difference, estimate_measure

Progress = Callable[[int, int], None]
Executor = Literal["local", "ray"]
# Count keys a replication leaves out when the thing never happened there.
_ZERO_WHEN_ABSENT = ("deviations.",)


class ExecutorUnavailable(InvalidInput):
    """The chosen executor cannot run here (for example Ray is not installed)."""

    kind = "ExecutorUnavailable"


@dataclass(frozen=True, slots=True)
class _Task:
    scenario: Scenario
    settings: RunSettings
    seed: int
    replication: int


def _run_task(task: _Task) -> ReplicationResult:
    return simulate(task.scenario, task.settings, seed=task.seed, replication=task.replication)


@dataclass(frozen=True)
class MonteCarloResult:
    """R replications of one scenario, with means and confidence intervals."""

    scenario: dict[str, Any]
    settings: RunSettings
    seed: int
    confidence: float
    replications: tuple[ReplicationResult, ...]
    totals: dict[str, Estimate]
    series_days: tuple[float, ...]
    series: dict[str, tuple[Estimate, ...]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for JSON: aggregates, plus each replication's totals."""
        return {
            "scenario": self.scenario,
            "settings": dataclasses.asdict(self.settings),
            "seed": self.seed,
            "confidence": self.confidence,
            "replications": len(self.replications),
            "totals": {k: v.to_dict() for k, v in self.totals.items()},
            "series": {
                "days": list(self.series_days),
                **{
                    k: {
                        "mean": [e.mean for e in v],
                        "low": [e.low for e in v],
                        "high": [e.high for e in v],
                    }
                    for k, v in self.series.items()
                },
            },
            "per_replication": [
                {"replication": r.replication, "events": r.events, "totals": r.totals}
                for r in self.replications
            ],
        }

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, round-trip floats): equal results give equal bytes."""
        return canonical_json(self.to_dict())


@dataclass(frozen=True)
class Comparison:
    """Two scenarios on common random numbers, with paired confidence intervals."""

    base: MonteCarloResult
    alternative: MonteCarloResult
    differences: dict[str, Estimate]

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for JSON; differences are alternative minus base."""
        return {
            "base": self.base.to_dict(),
            "alternative": self.alternative.to_dict(),
            "differences": {k: v.to_dict() for k, v in self.differences.items()},
        }

    def to_json(self) -> str:
        """Canonical JSON."""
        return canonical_json(self.to_dict())


def describe(scenario: Scenario) -> dict[str, Any]:
    """What shaped a result, in plain data: units, arrivals, stays, policy and rules."""
    return {
        "name": scenario.name,
        "policy": scenario.allocation.name,
        "rules": dataclasses.asdict(scenario.rules),
        "units": [
            {
                "unit_id": u.unit_id,
                "care_form": u.care_form,
                "places": u.places,
                "location": u.location,
            }
            for u in scenario.units
        ],
        "arrivals": _plain_arrivals(scenario),
        "stays": {form: dist.describe() for form, dist in sorted(scenario.stays.items())},
        "capacity_changes": [dataclasses.asdict(c) for c in scenario.capacity_changes],
    }


def _plain_arrivals(scenario: Scenario) -> dict[str, Any]:
    process = scenario.arrivals
    if hasattr(process, "rate"):
        return {"kind": "poisson", **dataclasses.asdict(process.rate)}
    return {"kind": "renewal", "interarrival": process.interarrival.describe()}


def _aggregate(key: str, values: list[list[float]], confidence: float) -> tuple[Estimate, ...]:
    return tuple(estimate_measure(key, c, confidence) for c in zip(*values, strict=True))


def aggregate(
    scenario: Scenario,
    settings: RunSettings,
    seed: int,
    results: Sequence[ReplicationResult],
    confidence: float = 0.95,
) -> MonteCarloResult:
    """Means and confidence intervals of totals and of every time series point."""
    keys = sorted({k for r in results for k in r.totals})
    totals = {k: estimate_measure(k, [_total(r, k) for r in results], confidence) for k in keys}
    series_keys = sorted({k for r in results for k in r.series})
    days = results[0].series_days if results else ()
    series = {
        k: _aggregate(k, [_series(r, k, len(days)) for r in results], confidence)
        for k in series_keys
    }
    return MonteCarloResult(
        describe(scenario), settings, seed, confidence, tuple(results), totals, days, series
    )


def _series(result: ReplicationResult, key: str, length: int) -> list[float]:
    if key in result.series:
        return list(result.series[key])
    return [0.0 if key.startswith(_ZERO_WHEN_ABSENT) else float("nan")] * length


def _total(result: ReplicationResult, key: str) -> float:
    if key in result.totals:
        return result.totals[key]
    return 0.0 if key.startswith(_ZERO_WHEN_ABSENT) else float("nan")


class Execution(TypedDict, total=False):
    """Where and how the replications run: the keywords of `execute`."""

    workers: int | None
    executor: Executor
    progress: Progress | None
    ray_address: str | None


def run(
    scenario: Scenario,
    settings: RunSettings,
    *,
    seed: int,
    replications: int,
    confidence: float = 0.95,
    **how: Unpack[Execution],
) -> MonteCarloResult:
    """Run R replications of one scenario and aggregate them."""
    results = execute(_tasks([scenario], settings, seed, replications), **how)
    return aggregate(scenario, settings, seed, results, confidence)


def compare(
    base: Scenario,
    alternative: Scenario,
    settings: RunSettings,
    *,
    seed: int,
    replications: int,
    confidence: float = 0.95,
    **how: Unpack[Execution],
) -> Comparison:
    """Run both scenarios on the same random numbers; CIs on the paired differences."""
    results = execute(_tasks([base, alternative], settings, seed, replications), **how)
    first, second = results[:replications], results[replications:]
    keys = sorted({k for r in first for k in r.totals} & {k for r in second for k in r.totals})
    differences = {
        k: estimate_difference(
            k, [_total(b, k) - _total(a, k) for a, b in zip(first, second, strict=True)],
            confidence)
        for k in keys
    }  # fmt: skip
    return Comparison(
        aggregate(base, settings, seed, first, confidence),
        aggregate(alternative, settings, seed, second, confidence),
        differences,
    )


def _tasks(
    scenarios: Sequence[Scenario], settings: RunSettings, seed: int, replications: int
) -> list[_Task]:
    if replications < 1:
        raise InvalidInput(f"moet minstens 1 zijn, niet {replications}", field="replications")
    if seed < 0:
        raise InvalidInput("mag niet negatief zijn", field="seed")
    return [_Task(s, settings, seed, r) for s in scenarios for r in range(replications)]


def tasks(
    scenarios: Sequence[Scenario], settings: RunSettings, seed: int, replications: int
) -> list[_Task]:
    """Replications 0..R-1 of each scenario in turn, for `execute` (e.g. a sweep's points)."""
    return _tasks(scenarios, settings, seed, replications)


def execute(
    tasks: Sequence[_Task],
    *,
    workers: int | None = None,
    executor: Executor = "local",
    progress: Progress | None = None,
    ray_address: str | None = None,
) -> list[ReplicationResult]:
    """Run tasks and return their results in task order, whatever order they finish in.

    `ray_address` is passed to ray.init (e.g. "auto" to join the local cluster's head).
    """
    if executor == "ray":
        return _execute_ray(tasks, progress, address=ray_address)
    if executor != "local":
        raise InvalidInput(f"kies 'local' of 'ray', niet {executor!r}", field="executor")
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise InvalidInput(f"moet minstens 1 zijn, niet {workers}", field="workers")
    total = len(tasks)
    if workers == 1 or total == 1:
        results = []
        for done, task in enumerate(tasks, start=1):
            results.append(_run_task(task))
            if progress is not None:
                progress(done, total)
        return results
    slots: list[ReplicationResult | None] = [None] * total
    with ProcessPoolExecutor(max_workers=min(workers, total)) as pool:
        futures = {pool.submit(_run_task, task): i for i, task in enumerate(tasks)}
        for done, future in enumerate(as_completed(futures), start=1):
            slots[futures[future]] = future.result()
            if progress is not None:
                progress(done, total)
    return [r for r in slots if r is not None]


def _execute_ray(
    tasks: Sequence[_Task], progress: Progress | None, address: str | None = None
) -> list[ReplicationResult]:
    try:
        ray = importlib.import_module("ray")
    except ImportError as exc:
        raise ExecutorUnavailable(
            "Ray is niet geïnstalleerd; installeer de extra met pip install 'servicepunt[ray]' "
            "of kies executor 'local'",
            field="executor",
        ) from exc
    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, include_dashboard=False)
    remote = ray.remote(_run_task)
    refs = [remote.remote(task) for task in tasks]
    position = {ref: i for i, ref in enumerate(refs)}
    slots: list[ReplicationResult | None] = [None] * len(refs)
    pending, done = list(refs), 0
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        for ref in ready:
            slots[position[ref]] = ray.get(ref)
            done += 1
            if progress is not None:
                progress(done, len(refs))
    return [r for r in slots if r is not None]


def text_progress(stream: TextIO | None = None, width: int = 30) -> Progress:
    """A progress bar on one terminal line: [#####.....] 12/40 replicaties."""
    out = stream if stream is not None else sys.stderr

    def show(done: int, total: int) -> None:
        filled = int(width * done / total) if total else width
        out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} replicaties")
        if done >= total:
            out.write("\n")
        out.flush()

    return show
