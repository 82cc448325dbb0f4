"""The hindsight bound: exact on tiny instances (brute force), and never below the online run."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmarks import hindsight as h
from matcher.policies import shipped_policy
from simulations.engine import trace
from simulations.model import RunSettings


def _brute_force(inst: h.Instance) -> int:
    """The best objective over every choice of (class, day) or nothing for every child."""
    choices = []
    for child in inst.children:
        days = range(child.arrival, min(child.arrival + inst.limit, inst.free.shape[1] - 1) + 1)
        choices.append([None, *((o.unit_class, d) for o in child.options for d in days)])
    best = 0
    for pick in itertools.product(*choices):
        plan = {c: p for c, p in enumerate(pick) if p is not None}
        if h.feasible(inst, plan):
            best = max(best, h.objective(inst, plan))
    return best


def _tiny(seed: int) -> h.Instance:
    rng = np.random.default_rng(seed)
    n_classes, horizon = 2, 6
    free = rng.integers(0, 2, size=(n_classes, horizon))
    children = tuple(
        h.Child(
            int(rng.integers(0, 3)),
            tuple(
                h.Option(k, int(rng.integers(1, 20)), int(rng.integers(0, 4)))
                for k in range(n_classes)
                if rng.random() < 0.7
            ),
        )
        for _ in range(3)
    )
    return h.Instance(children, free, np.array([9, 5, 0]))


@pytest.mark.parametrize("seed", range(8))
def test_hindsight_is_optimal_on_tiny_instances(seed: int) -> None:
    inst = _tiny(seed)
    plan, record = h.solve(inst, time_limit_s=10)
    assert h.feasible(inst, plan)
    assert record["status"] == "optimal"
    assert h.objective(inst, plan) == _brute_force(inst)


def test_a_long_stay_blocks_the_place_for_a_later_child() -> None:
    # One place, two children: the first stays 5 days, so the second (worth more) can only
    # come in if the first is left out.
    inst = h.Instance(
        (h.Child(0, (h.Option(0, 10, 5),)), h.Child(1, (h.Option(0, 30, 1),))),
        np.ones((1, 4), dtype=np.int64),
        np.array([0]),
    )
    plan, _ = h.solve(inst, time_limit_s=10)
    assert plan == {1: (0, 1)}


def test_online_and_greedy_are_feasible_and_at_most_hindsight() -> None:
    policy = shipped_policy()
    scores = {}
    for mode in ("optimizer", "greedy_fcfs"):
        loaded = h.load(h.SCENARIOS / "flevoland.yaml", days=4, policy="regio-volgorde", mode=mode)
        records, needs, stay_u = trace(loaded.scenario, RunSettings(4), seed=loaded.seed)
        inst, unit_class, _ = h.build(loaded, policy, records, needs, stay_u)
        online = h.online_plan(records, unit_class)
        assert online and h.feasible(inst, online)
        scores[mode] = h.objective(inst, online)
    plan, record = h.solve(inst, time_limit_s=60)
    assert record["status"] == "optimal"
    assert max(scores.values()) <= h.objective(inst, plan)
