"""Hindsight bound: the offline optimum of one simulated year, against the online policy.

    python -m benchmarks.hindsight [--scenario flevoland.yaml] [--days 365] [--policy NAME]
                                   [--replications 20]

One replication of the scenario (seed from the file) is run twice by the simulator: with
the online optimizer and with greedy FCFS, both under the placement policy (default the
shipped `regio-volgorde`), on exactly the same arrivals, needs and stays
(`simulations.engine.trace`). The offline optimum sees every arrival and every stay in
advance and is solved exactly as a MILP (HiGHS, `scipy.optimize.milp`, as the matcher's
finish): binary `x[c, k, t]` places child c in unit class k on day t, for t from its
arrival day up to its waiting limit (`max_queue_days`; not placed by then: out of region).

Objective (the same for all three): per placed child the policy's pair score
(`Policy.check` / `Policy.pair_score`) scored on the arrival day, plus the urgency the
placement saves: `P - waited_points(t - arrival)` with `P = waited_points(limit)`. A child
out of region scores 0. The pair score taken literally on the placement day would *reward*
waiting (the urgency term grows with the wait, so an offline optimum would place every
child as late as it can); counting the urgency as a cost of each day waited is the policy's
intent over time, and the constant P per child keeps every score at or above 0.

Exact and a relaxation of the online runs (so online <= hindsight holds):
- Units that are the same for every rule and every score term (care form, municipality,
  ages, sex policy, capabilities, preferences, status) form one class; their places are
  identical servers, so the class's places are one capacity (interval graphs are perfect:
  stays that overlap at most `places` at a time fit in `places` places).
- Days are whole days. A child placed on day t (an online placement at time t0 with
  floor(t0) = t) occupies days t .. t + floor(stay) - 1; a place whose occupant leaves at
  time e is free from day floor(e). Children in care on day 0 leave when the run says.
- The first-best wait is a policy choice, not a hard rule: the offline optimum may take an
  alternative at once. Sibling groups are placed child by child (a relaxation); scenarios
  with capacity changes are refused.

Online against greedy, replication by replication: within one replication the hindsight
optimum is the same for both, so `--replications` runs (no solve) compare the two plans'
objectives, out-of-region counts, first-best rates and waits directly; only replication 0
is solved exactly.

Anchor: Ahani et al. (2024) report more than 98 % of the hindsight optimum for dynamic
refugee placement, where greedy rules stay under 90 %.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from benchmarks.harness import write_results
from capacity.snapshot import UnitView
from matcher.policies import Policy, shipped_policy
from simulations.children import ChildCase
from simulations.engine import trace
from simulations.model import RunSettings
from simulations.records import ChildRecords
from simulations.scenario import LoadedScenario, _read, parse_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "simulations" / "scenarios"
ANCHOR = (
    "Ahani et al. (2024): > 98 % of the hindsight optimum for dynamic refugee placement, "
    "greedy rules < 90 %"
)


@dataclass(frozen=True, slots=True)
class Option:
    """A unit class a child may take: its static score and how many days a stay there lasts."""

    unit_class: int
    score: int
    stay_days: int


@dataclass(frozen=True, slots=True)
class Child:
    """One arrival: its day and the classes that pass its hard rules."""

    arrival: int
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Instance:
    """Everything known in hindsight. `free[k, d]`: places of class k on day d not taken by
    children in care on day 0; `gain[w]`: the urgency saved by placing after w days."""

    children: tuple[Child, ...]
    free: np.ndarray
    gain: np.ndarray

    @property
    def limit(self) -> int:
        """Days a child can wait before it goes out of region."""
        return len(self.gain) - 1


Plan = dict[int, tuple[int, int]]  # child -> (class, day)


def value(inst: Instance, child: int, unit_class: int, day: int) -> int:
    """The objective's points for placing `child` in `unit_class` on `day`."""
    c = inst.children[child]
    option = next(o for o in c.options if o.unit_class == unit_class)
    return option.score + int(inst.gain[day - c.arrival])


def objective(inst: Instance, plan: Plan) -> int:
    """The plan's objective (out of region: 0)."""
    return sum(value(inst, c, k, d) for c, (k, d) in plan.items())


def feasible(inst: Instance, plan: Plan) -> bool:
    """Every placement in its window and class, and no class over its places on any day."""
    used = np.zeros_like(inst.free)
    horizon = inst.free.shape[1]
    for c, (k, d) in plan.items():
        child = inst.children[c]
        option = next((o for o in child.options if o.unit_class == k), None)
        if option is None or not child.arrival <= d <= child.arrival + inst.limit:
            return False
        used[k, d : min(horizon, d + option.stay_days)] += 1
    return bool((used <= inst.free).all())


def solve(inst: Instance, *, time_limit_s: float = 600.0) -> tuple[Plan, dict[str, Any]]:
    """The offline optimum (HiGHS MILP); the record says status, bound, size and time."""
    # Data
    n_classes, horizon = inst.free.shape
    # Variables: x[c, k, t] for every option and day in the child's window (before the
    # horizon), then occ[k, d], the class's places taken by new children on day d.
    cols: list[tuple[int, int, int]] = []
    gains: list[int] = []
    for c, child in enumerate(inst.children):
        last = min(child.arrival + inst.limit, horizon - 1)
        for o in child.options:
            for t in range(child.arrival, last + 1):
                cols.append((c, o.unit_class, t))
                gains.append(o.score + int(inst.gain[t - child.arrival]))
    nx, nocc = len(cols), n_classes * horizon
    rows, colidx, vals = [], [], []
    # Constraints
    # Each child is placed at most once (otherwise it goes out of region).
    for j, (c, _, _) in enumerate(cols):
        rows.append(c)
        colidx.append(j)
        vals.append(1.0)
    base = len(inst.children)
    stay = {
        (c, o.unit_class): o.stay_days for c, ch in enumerate(inst.children) for o in ch.options
    }
    # Places taken by new children carry over from day to day: occ[k,d] - occ[k,d-1]
    # - (placements starting on d) + (stays ending on d) = 0.
    for k in range(n_classes):
        for d in range(horizon):
            r = base + k * horizon + d
            rows.append(r)
            colidx.append(nx + k * horizon + d)
            vals.append(1.0)
            if d > 0:
                rows.append(r)
                colidx.append(nx + k * horizon + d - 1)
                vals.append(-1.0)
    for j, (c, k, t) in enumerate(cols):
        rows.append(base + k * horizon + t)
        colidx.append(j)
        vals.append(-1.0)
        end = t + stay[c, k]
        if end < horizon and stay[c, k] > 0:
            rows.append(base + k * horizon + end)
            colidx.append(j)
            vals.append(1.0)
        elif stay[c, k] == 0:  # a stay shorter than a day takes no whole day
            rows.append(base + k * horizon + t)
            colidx.append(j)
            vals.append(1.0)
    n_rows = base + nocc
    a = coo_matrix((vals, (rows, colidx)), shape=(n_rows, nx + nocc)).tocsr()
    lower = np.concatenate([np.zeros(base), np.zeros(nocc)])
    upper = np.concatenate([np.ones(base), np.zeros(nocc)])
    # A class never has more children than its free places: occ[k, d] <= free[k, d].
    ub = np.concatenate([np.ones(nx), np.maximum(inst.free, 0).reshape(-1).astype(float)])
    integrality = np.concatenate([np.ones(nx), np.zeros(nocc)])
    # Objective: maximise the sum of the placements' points.
    cost = -np.concatenate([np.asarray(gains, dtype=float), np.zeros(nocc)])
    # Solve
    started = time.perf_counter()
    result = milp(
        cost,
        constraints=LinearConstraint(a, lower, upper),
        integrality=integrality,
        bounds=Bounds(np.zeros(nx + nocc), ub),
        options={"time_limit": time_limit_s, "mip_rel_gap": 0.0, "disp": False},
    )
    seconds = time.perf_counter() - started
    if result.x is None:
        raise RuntimeError(f"HiGHS found no plan: {result.message}")
    plan: Plan = {}
    for pick in np.flatnonzero(result.x[:nx] > 0.5).tolist():
        c, k, t = cols[pick]
        plan[c] = (k, t)
    bound = -getattr(result, "mip_dual_bound", result.fun)
    record = {
        "status": "optimal" if result.status == 0 else "feasible",
        "message": str(result.message),
        "objective": objective(inst, plan),
        "bound": float(bound) if bound is not None else None,
        "variables": nx + nocc,
        "binaries": nx,
        "constraints": n_rows,
        "nonzeros": int(a.nnz),
        "solve_time_s": round(seconds, 2),
    }
    return plan, record


# --- from a simulated run -------------------------------------------------------------


def _class_key(view: UnitView) -> tuple[Any, ...]:
    """What the rules and the score read of a unit besides its id, name and places."""
    return (view.care_form, view.municipality, view.age_min, view.age_max, view.sex_policy,
            view.capabilities, view.preferences, view.status, view.closing_date)  # fmt: skip


def load(path: Path, *, days: int, policy: str, mode: str) -> LoadedScenario:
    """The scenario for `days` of arrivals (no warm-up) with this policy and allocation."""
    raw = _read(path, ())
    pol = {k: v for k, v in raw["policy"].items() if k not in ("weights", "first_best_wait_days")}
    raw["policy"] = {**pol, "placement_policy": policy, "allocation": mode}
    raw["run"] = {**raw["run"], "horizon_days": days, "warmup_days": 0}
    return parse_scenario(raw, file=str(path), base_dir=path.parent)


def build(
    loaded: LoadedScenario, policy: Policy, records: ChildRecords, needs: Sequence[Any],
    stay_u: np.ndarray,
) -> tuple[Instance, list[int], list[str]]:  # fmt: skip
    """The hindsight instance of a traced run, each engine unit's class, each class's form."""
    sc = loaded.scenario
    if sc.capacity_changes:
        raise ValueError("scenario met capaciteitswijzigingen: niet ondersteund")
    limit = int(sc.rules.max_queue_days or 182)
    keys: dict[tuple[Any, ...], int] = {}
    unit_class: list[int] = []
    views: list[UnitView] = []
    for u in sc.units:
        view = u.payload
        assert isinstance(view, UnitView)
        k = keys.setdefault(_class_key(view), len(keys))
        unit_class.append(k)
        if k == len(views):
            views.append(dataclasses.replace(view, places=1, occupied=0, held=0))
    arrival_days = np.floor(records.arrival).astype(int)
    horizon = int(arrival_days.max(initial=0)) + limit + 1
    free = np.zeros((len(keys), horizon), dtype=np.int64)
    ends = iter(records.initial_end.tolist())
    for u, k in zip(sc.units, unit_class, strict=True):
        free[k] += u.places
        for _ in range(u.occupied):
            free[k, : min(horizon, math.floor(next(ends)))] -= 1
    gain_points = [policy.weights.waited_points(w) for w in range(limit + 1)]
    gain = np.asarray([gain_points[-1] - g for g in gain_points], dtype=np.int64)
    children = []
    for c, need in enumerate(needs):
        case = need.payload
        assert isinstance(case, ChildCase)
        on = loaded.start_date + timedelta(days=int(arrival_days[c]))
        options = []
        for k, view in enumerate(views):
            if policy.check(case.referral, view, on) is None:
                days = math.floor(float(sc.stays[str(view.care_form)].ppf(stay_u[c : c + 1])[0]))
                options.append(Option(k, policy.pair_score(case.referral, view, on).total, days))
        children.append(Child(int(arrival_days[c]), tuple(options)))
    return Instance(tuple(children), free, gain), unit_class, [str(v.care_form) for v in views]


def online_plan(records: ChildRecords, unit_class: Sequence[int]) -> Plan:
    """The run's placements as a plan (placed in the region: class and start day)."""
    return {
        c: (unit_class[int(records.unit[c])], math.floor(records.start[c]))
        for c in np.flatnonzero(records.outcome == 1).tolist()
    }


def measures(inst: Instance, plan: Plan, first_best: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """First-best rate, out-of-region count and mean wait (days) of a plan."""
    n = len(inst.children)
    waits = [d - inst.children[c].arrival for c, (_, d) in plan.items()]
    waits += [inst.limit] * (n - len(plan))  # out of region after the waiting limit
    return {
        "objective": objective(inst, plan),
        "placed": len(plan),
        "out_of_region": n - len(plan),
        "first_best_rate": round(sum(first_best[c][k] for c, (k, _) in plan.items()) / n, 4),
        "mean_wait_days": round(float(np.mean(waits)) if waits else 0.0, 2),
    }


Traced = tuple[ChildRecords, Sequence[Any], np.ndarray]


def traced(path: Path, *, days: int, policy: str, replication: int) -> dict[str, Traced]:
    """One replication run by the online optimizer and by greedy FCFS, on the same draws."""
    runs: dict[str, Traced] = {}
    for mode in ("optimizer", "greedy_fcfs"):
        loaded = load(path, days=days, policy=policy, mode=mode)
        runs[mode] = trace(loaded.scenario, RunSettings(days), seed=loaded.seed,
                           replication=replication)  # fmt: skip
    records, needs, stay_u = runs["optimizer"]
    g_records, g_needs, g_stay = runs["greedy_fcfs"]
    assert np.array_equal(records.arrival, g_records.arrival) and np.array_equal(stay_u, g_stay)
    assert [n.acceptable for n in needs] == [n.acceptable for n in g_needs]
    return runs


def online_measures(
    loaded: LoadedScenario, policy: Policy, runs: dict[str, Traced]
) -> tuple[Instance, list[list[bool]], dict[str, dict[str, Any]]]:
    """The hindsight instance of the runs, per child and unit class whether that class is in
    the child's first-best form, and the measures of the online and greedy plans on it (no
    solve)."""
    records, needs, stay_u = runs["optimizer"]
    inst, unit_class, class_forms = build(loaded, policy, records, needs, stay_u)
    first_best = [[form == n.first_best for form in class_forms] for n in needs]
    plans = {"online": online_plan(records, unit_class),
             "greedy_fcfs": online_plan(runs["greedy_fcfs"][0], unit_class)}  # fmt: skip
    for name, p in plans.items():
        assert feasible(inst, p), f"{name}: plan breaks a rule of the hindsight model"
    return inst, first_best, {name: measures(inst, p, first_best) for name, p in plans.items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark: print the shares and write benchmarks/results/hindsight.json."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(SCENARIOS / "flevoland.yaml"))
    ap.add_argument("--days", type=int, default=365, help="days of arrivals (small: 60)")
    ap.add_argument("--policy", default="regio-volgorde")
    ap.add_argument("--time-limit", type=float, default=1200.0)
    ap.add_argument("--replications", type=int, default=20,
                    help="one-year runs to compare online with greedy on (no solve)")  # fmt: skip
    args = ap.parse_args(argv)
    policy = shipped_policy(args.policy)
    path = Path(args.scenario)
    loaded = load(path, days=args.days, policy=args.policy, mode="optimizer")
    # Online against greedy on the hindsight objective, replication by replication: the
    # hindsight optimum is the same for both within a replication, so their difference
    # needs no solve; replication 0 is also solved exactly below.
    paired = []
    for replication in range(max(1, args.replications)):
        runs = traced(path, days=args.days, policy=args.policy, replication=replication)
        measured = online_measures(loaded, policy, runs)
        paired.append(measured[2])
        if replication == 0:
            inst, first_best, table = measured
    plan, record = solve(inst, time_limit_s=args.time_limit)
    assert feasible(inst, plan), "hindsight: plan breaks a rule of the hindsight model"
    table = {"hindsight": measures(inst, plan, first_best), **table}
    best = table["hindsight"]["objective"]
    share = {
        name: round(t["objective"] / best, 4) for name, t in table.items() if name != "hindsight"
    }
    print(f"{loaded.scenario.name}, {args.days} days of arrivals, policy {policy.label}: "
          f"{len(inst.children)} children, {inst.free.shape[0]} unit classes")  # fmt: skip
    print(f"hindsight MILP: {record['binaries']} binaries, {record['constraints']} rows, "
          f"{record['status']} in {record['solve_time_s']} s")  # fmt: skip
    for name, t in table.items():
        print(
            f"  {name:12s} objective {t['objective']:>14,d}"
            f"  first-best {t['first_best_rate']:.3f}  out of region {t['out_of_region']:4d}"
            f"  mean wait {t['mean_wait_days']:6.1f} d"
        )
    print(f"online = {share['online']:.1%} of hindsight, greedy FCFS = {share['greedy_fcfs']:.1%}")
    versus = {
        key: statistics.median(p["online"][key] - p["greedy_fcfs"][key] for p in paired)
        for key in ("objective", "out_of_region", "first_best_rate", "mean_wait_days")
    }
    better = sum(p["online"]["objective"] > p["greedy_fcfs"]["objective"] for p in paired)
    print(f"{len(paired)} runs of {args.days} days, online minus greedy (median): "
          + ", ".join(f"{k} {v:+,.4g}" for k, v in versus.items())
          + f"; online has the higher objective in {better} of {len(paired)}")  # fmt: skip
    print(f"anchor: {ANCHOR}")
    write_results(
        "hindsight",
        {
            "scenario": loaded.scenario.name, "days": args.days, "seed": loaded.seed,
            "policy": policy.label, "children": len(inst.children),
            "unit_classes": int(inst.free.shape[0]), "model": record, "plans": table,
            "share_of_hindsight": share, "anchor": ANCHOR,
            "online_minus_greedy": {"replications": len(paired), "median": versus,
                                    "online_higher_objective": better,
                                    "per_replication": paired},
        },
    )  # fmt: skip


if __name__ == "__main__":
    main()
