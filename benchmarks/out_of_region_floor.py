"""The capacity floor under out-of-region placements: how many children no allocation policy
can keep in the region, against what the shipped policy and greedy FCFS do.

    python -m benchmarks.out_of_region_floor [--replications 10]

Issue 19 asks the shipped policy to place significantly fewer children out of region than
greedy FCFS with the same capacity. This benchmark measures how much room the capacity
leaves for that. Each replication runs a policy scenario and its greedy twin on the same
arrivals, needs and stays, and counts the children of the measured window:

- `bound`: children for whom every unit in the region that fits them (the policy's hard
  rules over every acceptable care form) is in a care form that is full all the time under
  both policies (utilisation at least 99.9 %), or for whom nothing in the region fits;
- `capacity`: the placements those full forms can take over the window, by Little's law:
  places x window days / mean stay of the form. A policy that does not know a child's
  stay in advance cannot place more children in them, on average.

`floor = bound - capacity` is then the expected number of those children that must go out
of region whatever the policy. It ignores the window's edges (who is in care and who waits
when it opens and closes), so it is an estimate, not a bound per replication. When both
policies sit at the floor, only capacity (or the advice: which forms are adequate) can
lower the number placed out of region, not the allocation.

Where a policy can still lose children to other regions, per policy, over the forms that
are scarce (utilisation at least 99 % under both policies):
- `scarce_to_flexible`: placements in a scarce form of children who also fit a unit of a
  form that is not scarce (each such place is one fewer for a child who fits nothing else);
- `scarce_idle`: the placements the scarce forms' empty place-days could have taken (by
  Little's law, as `capacity`).

And, per policy, what the window's own counts leave out: `placed_in_window`, placements in
the region that start in the window (of any child, whenever it arrived), and the waiting
children at the window's start and end (`queue_start`, `queue_end`). Children counted by
arrival (the simulation's out-of-region count) who still wait at the window's end go out of
region, or take a place, after it: a policy whose queue grows over the window (greedy FCFS
keeps every child waiting up to the limit) moves out-of-region placements beyond the
window, while the places in the region it fills are the same.

Writes benchmarks/results/out_of_region_floor.json.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Sequence
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from benchmarks.harness import write_results
from simulations.draws import draws
from simulations.first_best_wait import FirstBestWait
from simulations.general_loop import GeneralLoop
from simulations.outputs import ReplicationResult, summarise
from simulations.scenario import LoadedScenario, load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "simulations" / "scenarios"
PAIRS = (
    ("flevoland.yaml", "flevoland-greedy.yaml"),
    ("behandelgroep-halvering.yaml", "behandelgroep-halvering-greedy.yaml"),
    ("flevoland-groei.yaml", "flevoland-groei-greedy.yaml"),
)
FULL = 0.999
SCARCE = 0.99


def _run(file: str, replication: int) -> tuple[LoadedScenario, GeneralLoop, ReplicationResult]:
    loaded = load_scenario(SCENARIOS / file)
    settings = loaded.settings
    arrivals, sizes, stay_u = draws(loaded.scenario, settings, loaded.seed, replication)
    loop = GeneralLoop(loaded.scenario, arrivals, stay_u, loaded.seed, replication, sizes)
    records = loop.run()
    result = summarise(
        loaded.scenario, settings, records, seed=loaded.seed, replication=replication
    )
    return loaded, loop, result


def replication(args: tuple[str, str, int]) -> dict[str, Any]:
    """One paired replication: both policies' out-of-region counts and the floor."""
    policy_file, greedy_file, rep = args
    loaded, loop, policy = _run(policy_file, rep)
    _, greedy_loop, greedy = _run(greedy_file, rep)
    assert loop.fits is not None, "the policy scenario must say which units fit a child"
    settings = loaded.settings
    views = loop.units.views
    results = {"policy": policy, "greedy": greedy}

    def used_at_least(share: float) -> set[str]:
        return {
            v.care_form
            for v in views
            if min(r.totals[f"utilisation.{v.care_form}"] for r in results.values()) >= share
        }

    full, scarce = used_at_least(FULL), used_at_least(SCARCE)
    places: Counter[str] = Counter()
    for v in views:
        places[v.care_form] += v.places
    stays = FirstBestWait(loaded.scenario.stays, 0.0)
    span = settings.horizon_days - settings.warmup_days

    def placements(form: str) -> float:  # a form's placements over the window, always full
        return places[form] * span / stays.mean_stay(form)

    capacity = sum(placements(f) for f in full)
    arrival = loop.records.arrival
    window = ((arrival >= settings.warmup_days) & (arrival < settings.horizon_days)).tolist()
    fit_forms = [
        {views[u].care_form for u in loop.fits(0.0, views, need.payload)[3]} if window[c] else set()
        for c, need in enumerate(loop.needs)
    ]
    row: dict[str, Any] = {
        "replication": rep,
        "out_of_region_policy": policy.totals["out_of_region"],
        "out_of_region_greedy": greedy.totals["out_of_region"],
        "full_forms": sorted(full),
        "bound_children": sum(
            w and forms <= full for w, forms in zip(window, fit_forms, strict=True)
        ),
        "capacity": round(capacity, 1),
        "scarce_forms": sorted(scarce),
    }
    row["floor"] = round(row["bound_children"] - capacity, 1)
    for name, run in (("policy", loop), ("greedy", greedy_loop)):
        rec = run.records
        flexible = 0
        for c, forms in enumerate(fit_forms):
            if window[c] and rec.outcome[c] == 1 and forms - scarce:
                flexible += rec.forms[rec.placed_form[c]] in scarce
        idle = sum((1.0 - results[name].totals[f"utilisation.{f}"]) * placements(f) for f in scarce)
        row[f"scarce_to_flexible_{name}"] = flexible
        row[f"scarce_idle_{name}"] = round(idle, 1)
        placed = rec.outcome == 1
        for edge, day in (("start", settings.warmup_days), ("end", settings.horizon_days)):
            waiting = (rec.arrival < day) & ((rec.outcome == 0) | (rec.resolved >= day))
            row[f"queue_{edge}_{name}"] = int(waiting.sum())
        began = rec.start[placed]
        row[f"placed_in_window_{name}"] = int(
            ((began >= settings.warmup_days) & (began < settings.horizon_days)).sum()
        )
    return row


def main(argv: Sequence[str] | None = None) -> None:
    """Run the scenario pairs; print the medians and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10)
    args = ap.parse_args(argv)
    out: dict[str, Any] = {
        "full_threshold": FULL,
        "scarce_threshold": SCARCE,
        "replications": args.replications,
    }
    with Pool(2) as pool:
        for policy_file, greedy_file in PAIRS:
            jobs = [(policy_file, greedy_file, r) for r in range(args.replications)]
            rows = pool.map(replication, jobs)
            med = {
                key: statistics.median(row[key] for row in rows)
                for key in ("out_of_region_policy", "out_of_region_greedy", "floor",
                            "scarce_to_flexible_policy", "scarce_to_flexible_greedy",
                            "scarce_idle_policy", "scarce_idle_greedy",
                            "placed_in_window_policy", "placed_in_window_greedy",
                            "queue_start_policy", "queue_start_greedy",
                            "queue_end_policy", "queue_end_greedy")
            }  # fmt: skip
            floor = med["floor"]
            ratios = (
                f"policy / floor {med['out_of_region_policy'] / floor:.2f}, "
                f"greedy / floor {med['out_of_region_greedy'] / floor:.2f}"
                if floor > 0
                else "no floor: the forms full all the time bind no one"
            )
            print(
                f"{policy_file}: out of region, median of {len(rows)}: "
                f"policy {med['out_of_region_policy']:.0f}, greedy "
                f"{med['out_of_region_greedy']:.0f}, capacity floor {floor:.0f} ({ratios}); "
                f"scarce places to children who fit elsewhere: policy "
                f"{med['scarce_to_flexible_policy']:.0f}, greedy "
                f"{med['scarce_to_flexible_greedy']:.0f}; placements lost to empty scarce "
                f"places: policy {med['scarce_idle_policy']:.1f}, greedy "
                f"{med['scarce_idle_greedy']:.1f}; placed in the region in the window: policy "
                f"{med['placed_in_window_policy']:.0f}, greedy "
                f"{med['placed_in_window_greedy']:.0f}; waiting at the window's start and "
                f"end: policy {med['queue_start_policy']:.0f} -> {med['queue_end_policy']:.0f}, "
                f"greedy {med['queue_start_greedy']:.0f} -> {med['queue_end_greedy']:.0f}"
            )
            out[policy_file] = {"median": med, "replications": rows}
    write_results("out_of_region_floor", out)


if __name__ == "__main__":
    main()
