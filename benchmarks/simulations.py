"""Benchmark: the Erlang loss model (c=50, offered load 45, ~100,000 arrivals) run by this
engine, by SimPy and by Ciw in the same process, with events/s and agreement with Erlang B.

Events are counted the same way for all three: arrivals plus departures within the horizon.
Each simulator runs several rounds with different seeds; times are medians, and the blocked
fraction gets a 95% t interval over batch means (10 batches per round).
Writes benchmarks/results/simulations.json.

With --flevoland it instead runs the full calibrated Flevoland baseline (simulations/
scenarios/flevoland.yaml: 2 years warm-up + 10 years measured, the real afwegingskader and
matcher in the loop) on one core, and reports the median seconds per replication (goal:
under 1 s of CPU) with the calibration figures it reproduces, and where one more
replication's time goes (children and advice, the matching policy, the matcher, the
engine). The goal is checked on this machine's CPU seconds, as issue 17 reads it ("under
1 s per replication, 0.54 s today"). Each replication is also followed by one SimPy run,
and the CPU time scaled to a machine where SimPy runs the Erlang model at 120,000 events/s
is printed beside it for comparison with older results. Writes
benchmarks/results/simulations_flevoland.json.

With --regions it runs the three-region example (simulations/scenarios/drie-regios.yaml:
Flevoland, IJsselland and Noord-Veluwe, children of a full region placed in another's free
units) and, interleaved in the same process, Flevoland replications, and reports the
median CPU seconds per replication of each and their ratio (goal, issue 20: at most about
5x a Flevoland replication). Writes benchmarks/results/simulations_regions.json.

Run: .venv/bin/python benchmarks/simulations.py [--rounds N] [--flevoland | --regions]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ciw
import simpy

# Run as a script, this file's folder comes first on sys.path and this file (simulations.py)
# would shadow the simulations package; put the project root there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from simulations.engine import simulate  # noqa: E402
from simulations.model import RunSettings  # noqa: E402
from simulations.reference import erlang_scenario  # noqa: E402
from simulations.stats import estimate  # noqa: E402
from simulations.theory import erlang_b  # noqa: E402

PLACES = 50
LOAD = 45.0
MEAN_STAY = 1.0
ARRIVAL_RATE = LOAD / MEAN_STAY
ARRIVALS = 100_000
REFERENCE_SIMPY_EVENTS_PER_SECOND = 120_000  # the reference machine
WARMUP = 10.0
HORIZON = WARMUP + ARRIVALS / ARRIVAL_RATE
RESULTS = Path(__file__).resolve().parent / "results" / "simulations.json"

# The window after warm-up is cut into batches; batch means give the blocked fraction's
# standard error (a batch of ~220 days is far longer than the ~1 day the system remembers).
BATCHES = 10
BATCH_DAYS = (HORIZON - WARMUP) / BATCHES

# One run: (events, arrivals per batch, blocked per batch).
Run = tuple[int, list[int], list[int]]


def _batch(day: float) -> int:
    return min(int((day - WARMUP) / BATCH_DAYS), BATCHES - 1)


def run_engine(seed: int, *, fast_path: bool = True) -> Run:
    """This engine, through its public API (simulate)."""
    settings = RunSettings(horizon_days=HORIZON, warmup_days=WARMUP, sample_every_days=BATCH_DAYS)
    result = simulate(erlang_scenario(PLACES, LOAD), settings, seed=seed, fast_path=fast_path)
    # Series point k counts the interval ending on its day; point 0 ends at the warm-up.
    arrivals = [int(x) for x in result.series["arrivals"][1:]]
    blocked = [int(x) for x in result.series["out_of_region"][1:]]
    return result.events, arrivals, blocked


def run_simpy(seed: int) -> Run:
    """The same model in SimPy: a Resource with capacity c, arrivals turned away when full."""
    rng = random.Random(seed)
    env = simpy.Environment()
    places = simpy.Resource(env, capacity=PLACES)
    counts = {"arrivals": 0, "departures": 0}
    measured, blocked = [0] * BATCHES, [0] * BATCHES

    def child(stay: float) -> Any:
        with places.request() as request:
            yield request
            yield env.timeout(stay)
        counts["departures"] += 1

    def source() -> Any:
        while True:
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            counts["arrivals"] += 1
            batch = _batch(env.now) if env.now >= WARMUP else -1
            if batch >= 0:
                measured[batch] += 1
            if places.count < PLACES:
                env.process(child(rng.expovariate(1.0 / MEAN_STAY)))
            elif batch >= 0:
                blocked[batch] += 1

    env.process(source())
    env.run(until=HORIZON)
    return counts["arrivals"] + counts["departures"], measured, blocked


def run_ciw(seed: int) -> Run:
    """The same model in Ciw: one node, c servers, queue capacity 0 (rejection)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_STAY)],
        number_of_servers=[PLACES],
        queue_capacities=[0],
    )
    ciw.seed(seed + 1000)  # ciw.seed seeds `random` too: keep its path apart from SimPy's
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(HORIZON)
    records = sim.get_all_records()
    served = [r for r in records if r.record_type == "service"]
    rejected = [r for r in records if r.record_type == "rejection"]
    in_care = [i for i in sim.nodes[1].all_individuals]
    arrival_days = [r.arrival_date for r in served + rejected]
    arrival_days += [i.arrival_date for i in in_care]
    measured, blocked = [0] * BATCHES, [0] * BATCHES
    for day in arrival_days:
        if day >= WARMUP:
            measured[_batch(day)] += 1
    for record in rejected:
        if record.arrival_date >= WARMUP:
            blocked[_batch(record.arrival_date)] += 1
    return len(arrival_days) + len(served), measured, blocked


def measure(runners: dict[str, Callable[[int], Run]], rounds: int) -> list[dict[str, Any]]:
    """Run every simulator for `rounds` seeds, interleaved so that load on the machine hits
    all alike; median time, events/s and the blocked fraction with a 95% CI for each."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    events: dict[str, list[int]] = {name: [] for name in runners}
    fractions: dict[str, list[float]] = {name: [] for name in runners}  # one per batch
    for seed in range(1, rounds + 1):
        for name, runner in runners.items():
            start = time.perf_counter()
            n_events, measured, blocked = runner(seed)
            times[name].append(time.perf_counter() - start)
            events[name].append(n_events)
            fractions[name] += [b / m for b, m in zip(blocked, measured, strict=True)]
    return [_row(name, times[name], events[name], fractions[name]) for name in runners]


def _row(
    name: str, times: list[float], events: list[int], fractions: list[float]
) -> dict[str, Any]:
    median_time = statistics.median(times)
    blocked_ci = estimate(fractions)
    theory = erlang_b(PLACES, LOAD)
    row = {
        "name": name,
        "rounds": len(times),
        "median_seconds": median_time,
        "events_per_round": statistics.median(events),
        "events_per_second": statistics.median(events) / median_time,
        "blocked_fraction": blocked_ci.mean,
        "blocked_ci95": [blocked_ci.low, blocked_ci.high],
        "blocked_ci_from": f"{len(fractions)} batch means ({len(times)} rounds x {BATCHES})",
        "erlang_b": theory,
        "agrees_with_erlang_b": blocked_ci.contains(theory),
    }
    print(
        f"{name:<22} {row['events_per_second']:>12,.0f} events/s  "
        f"median {median_time:7.3f} s  blocked {blocked_ci.mean:.5f} "
        f"[{blocked_ci.low:.5f}, {blocked_ci.high:.5f}]  Erlang B {theory:.5f}  "
        f"{'ok' if row['agrees_with_erlang_b'] else 'AFWIJKING'}",
        flush=True,
    )
    return row


def run_flevoland(rounds: int) -> int:
    """The full Flevoland baseline, one replication at a time on one core."""
    from simulations.scenario import load_scenario  # noqa: PLC0415 - only for this mode

    loaded = load_scenario(_HERE.parent / "simulations" / "scenarios" / "flevoland.yaml")
    years = (loaded.settings.horizon_days - loaded.settings.warmup_days) / 365.0
    seconds, cpu, rows, simpy_speed, scaled = [], [], [], [], []
    for replication in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = simulate(loaded.scenario, loaded.settings, seed=loaded.seed,
                          replication=replication)  # fmt: skip
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start_cpu = time.process_time()
        events = run_simpy(replication)[0]
        simpy_speed.append(events / (time.process_time() - start_cpu))
        scaled.append(cpu[-1] * simpy_speed[-1] / REFERENCE_SIMPY_EVENTS_PER_SECOND)
        t = result.totals
        rows.append(
            {
                k: t[k]
                for k in (
                    "arrivals",
                    "occupancy",
                    "first_best_rate",
                    "mean_wait_days",
                    "out_of_region",
                    "norm_compliance",
                )
            }
        )
        print(f"replicatie {replication}: {seconds[-1]:.2f} s ({cpu[-1]:.2f} s CPU; SimPy "
              f"{simpy_speed[-1]:,.0f} events/s, dus {scaled[-1]:.2f} s op de referentie), "
              f"in zorg {t['occupancy']:.0f}, first-best {t['first_best_rate']:.3f}",
              flush=True)  # fmt: skip
    breakdown = _breakdown(loaded, replication=rounds)
    print(f"verdeling (replicatie {rounds}, met klokken): " + ", ".join(
        f"{k} {v:.2f} s" for k, v in breakdown.items() if k != "replication"))  # fmt: skip
    median, median_cpu = statistics.median(seconds), statistics.median(cpu)
    median_scaled = statistics.median(scaled)
    goal = median_cpu < 1.0
    print(f"mediaan {median:.2f} s ({median_cpu:.2f} s CPU) per replicatie "
          f"({years:g} jaar gemeten, {loaded.settings.warmup_days:g} dagen opwarmen); "
          f"doel < 1 s CPU: {'gehaald' if goal else 'NIET gehaald'}; ter vergelijking: "
          f"SimPy hier {statistics.median(simpy_speed):,.0f} events/s, op een machine met "
          f"{REFERENCE_SIMPY_EVENTS_PER_SECOND:,} events/s {median_scaled:.2f} s CPU")  # fmt: skip
    out = RESULTS.with_name("simulations_flevoland.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"scenario": "simulations/scenarios/flevoland.yaml",
               "python": sys.version.split()[0],
               "machine": platform.machine(), "seconds": seconds, "median_seconds": median,
               "cpu_seconds": cpu, "median_cpu_seconds": median_cpu,
               "simpy_events_per_second": simpy_speed,
               "reference_simpy_events_per_second": REFERENCE_SIMPY_EVENTS_PER_SECOND,
               "reference_cpu_seconds": scaled, "median_reference_cpu_seconds": median_scaled,
               "measured_years": years, "warmup_days": loaded.settings.warmup_days,
               "replications": rows, "goal_under_1s_met": goal,
               "breakdown_seconds": breakdown}  # fmt: skip
    out.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


def run_regions(rounds: int) -> int:
    """The three-region example against Flevoland, replication by replication."""
    from simulations.scenario import load_scenario  # noqa: PLC0415 - only for this mode

    scenarios = _HERE.parent / "simulations" / "scenarios"
    files = {"flevoland": "flevoland.yaml", "drie_regios": "drie-regios.yaml"}
    loaded = {name: load_scenario(scenarios / file) for name, file in files.items()}
    cpu: dict[str, list[float]] = {name: [] for name in files}
    totals: dict[str, list[dict[str, float]]] = {name: [] for name in files}
    for replication in range(rounds):
        for name, scenario in loaded.items():  # interleaved: load on the machine hits both
            start = time.process_time()
            result = simulate(scenario.scenario, scenario.settings, seed=scenario.seed,
                              replication=replication)  # fmt: skip
            cpu[name].append(time.process_time() - start)
            totals[name].append({k: v for k, v in result.totals.items()
                                 if k.startswith("region.") or k in _REGION_KEYS})  # fmt: skip
        print(f"replicatie {replication}: Flevoland {cpu['flevoland'][-1]:.2f} s CPU, "
              f"drie regio's {cpu['drie_regios'][-1]:.2f} s CPU", flush=True)  # fmt: skip
    median = {name: statistics.median(times) for name, times in cpu.items()}
    ratio = median["drie_regios"] / median["flevoland"]
    goal = ratio <= 5.0
    print(f"mediaan per replicatie: Flevoland {median['flevoland']:.2f} s CPU, drie regio's "
          f"{median['drie_regios']:.2f} s CPU; verhouding {ratio:.2f}x "
          f"(doel <= 5x: {'gehaald' if goal else 'NIET gehaald'})")  # fmt: skip
    out = RESULTS.with_name("simulations_regions.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"scenarios": {name: f"simulations/scenarios/{file}" for name, file in files.items()},
               "python": sys.version.split()[0], "machine": platform.machine(),
               "cpu_seconds": cpu, "median_cpu_seconds": median, "ratio": ratio,
               "goal_ratio_at_most_5_met": goal, "replications": totals}  # fmt: skip
    out.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


_REGION_KEYS = ("arrivals", "first_best_rate", "out_of_region", "deviations.other_region")


def _breakdown(loaded: Any, *, replication: int) -> dict[str, float]:
    """Where one more replication's time goes: the children (profiles and the real
    afwegingskader), the matching policy (finding who to hand the matcher, and the matcher
    itself), and the engine with everything else. Wall clock around each part."""
    from matcher.session import Session  # noqa: PLC0415 - only for this mode

    spent = {"children": 0.0, "policy": 0.0, "matcher": 0.0}

    def timed(part: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[part] += time.perf_counter() - start

        return run

    scenario = loaded.scenario
    demand, policy, assign = scenario.demand, scenario.allocation, Session.assign
    demand.draw_all = timed("children", demand.draw_all)
    policy.allocate = timed("policy", policy.allocate)
    policy.allocate_changed = timed("policy", policy.allocate_changed)
    Session.assign = timed("matcher", assign)  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        simulate(scenario, loaded.settings, seed=loaded.seed, replication=replication)
        total = time.perf_counter() - start
    finally:
        Session.assign = assign  # type: ignore[method-assign]
        del demand.draw_all, policy.allocate, policy.allocate_changed
    return {
        "replication": replication,
        "total": total,
        "children_and_advice": spent["children"],
        "matching_policy_without_matcher": spent["policy"] - spent["matcher"],
        "matcher_session": spent["matcher"],
        "engine_and_rest": total - spent["children"] - spent["policy"],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per simulator")
    parser.add_argument("--flevoland", action="store_true", help="full Flevoland baseline")
    parser.add_argument("--regions", action="store_true", help="three regions against Flevoland")
    args = parser.parse_args(argv)
    if args.flevoland:
        return run_flevoland(max(1, args.rounds))
    if args.regions:
        return run_regions(max(1, args.rounds))
    rounds = max(2, args.rounds)
    print(f"Erlang loss model: c={PLACES}, offered load {LOAD}, ~{ARRIVALS:,} arrivals")
    runners: dict[str, Callable[[int], Run]] = {
        "servicepunt (fast)": run_engine,
        "servicepunt (general)": lambda seed: run_engine(seed, fast_path=False),
        "simpy": run_simpy,
        "ciw": run_ciw,
    }
    rows = measure(runners, rounds)
    by_name = {row["name"]: row for row in rows}
    ours = by_name["servicepunt (fast)"]["events_per_second"]
    ratios = {
        "fast_vs_simpy": ours / by_name["simpy"]["events_per_second"],
        "fast_vs_ciw": ours / by_name["ciw"]["events_per_second"],
        "general_vs_simpy": by_name["servicepunt (general)"]["events_per_second"]
        / by_name["simpy"]["events_per_second"],
    }
    for key, value in ratios.items():
        print(f"{key:<22} {value:6.1f}x")
    goal_met = ratios["fast_vs_simpy"] >= 10.0
    print(f"doel (>= 10x SimPy): {'gehaald' if goal_met else 'NIET gehaald'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "model": {"places": PLACES, "offered_load": LOAD, "arrivals": ARRIVALS,
                  "horizon_days": HORIZON, "warmup_days": WARMUP},
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "results": rows,
        "ratios": ratios,
        "goal_10x_simpy_met": goal_met,
    }  # fmt: skip
    RESULTS.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # Only this engine's disagreement fails the run; SimPy and Ciw are references, and a
    # 95% interval misses now and then by chance, so theirs is reported, not enforced.
    for row in rows:
        if not row["agrees_with_erlang_b"]:
            print(f"let op: {row['name']} wijkt af van Erlang B (95%-interval)")
    ours_agree = all(row["agrees_with_erlang_b"] for row in rows[:2])
    return 0 if ours_agree else 1


if __name__ == "__main__":
    sys.exit(main())
