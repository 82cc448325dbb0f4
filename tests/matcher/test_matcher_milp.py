"""The MILP finish (matcher.finish, matcher.milp) against the independent HiGHS oracle.

Only the objective value is compared with the oracle (optima may tie); the plan itself is
checked rule by rule with the independent checks of test_matcher_batch. Every instance with
a broken sibling group goes through the MILP finish, at every size.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.vocabulary import PlanStatus
from matcher import finish, milp, solver
from matcher.batch import build_problem, plan
from matcher.generate import random_instance
from matcher.milp import NO_PLAN, solve_group_milp
from matcher.weights import default_weights
from tests.matcher.test_matcher_batch import SETTINGS, TODAY, _check_plan, highs_optimum, spec_pairs

MILP_NAMES = {"ortools.min_cost_flow+highs.local_milp", "ortools.min_cost_flow+highs.global_milp"}


def _solve_and_check(seed: int, n_ref: int, n_units: int, share: float) -> str:
    referrals, units = random_instance(seed, n_ref, n_units, TODAY, sibling_share=share)
    result = plan(referrals, units, today=TODAY, settings=SETTINGS)
    assert result.status is PlanStatus.OPTIMAL
    _check_plan(result, referrals, units)
    pairs = spec_pairs(referrals, units, TODAY, default_weights())
    assert result.objective == highs_optimum(pairs, referrals, units, TODAY)
    return result.solver.name


def test_dense_sibling_instances_match_highs_through_both_stages() -> None:
    stages = Counter(
        _solve_and_check(seed, n, m, share)
        for seed in range(40)
        for n, m, share in ((30, 10, 0.6), (60, 20, 0.4), (120, 40, 0.3))
    )
    # Both the local stage (proven by the flow bound) and the global one were exercised.
    assert stages["ortools.min_cost_flow+highs.local_milp"] >= 1
    assert stages["ortools.min_cost_flow+highs.global_milp"] >= 10


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 40),
    st.integers(1, 12),
    st.sampled_from([0.3, 0.6, 0.9]),
)
def test_milp_path_matches_highs_on_random_instances(
    seed: int, n_ref: int, n_units: int, share: float
) -> None:
    _solve_and_check(seed, n_ref, n_units, share)


@pytest.mark.parametrize("seed", range(15))
def test_group_milp_alone_is_exact_and_its_lp_part_integral(seed: int) -> None:
    referrals, units = random_instance(seed, 40, 12, TODAY, sibling_share=0.6)
    problem = build_problem(referrals, units, today=TODAY, weights=default_weights()).problem
    groups = [g for g in problem.groups if len(g.members) >= 2]
    pairs = solver.usable_pairs(problem)
    result = solve_group_milp(problem, pairs, groups, time_limit=20)
    assert result is not None and result.optimal
    # With the sibling decisions integral, the continuous x are integral at the optimum.
    assert result.lp_integral
    oracle = highs_optimum(
        spec_pairs(referrals, units, TODAY, default_weights()), referrals, units, TODAY
    )
    assert result.objective == result.bound == oracle


@pytest.mark.parametrize("priced", [True, False])
@pytest.mark.parametrize("seed", range(8))
def test_group_milp_with_a_cutoff_finds_better_plans_and_bounds_by_it(
    seed: int, priced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Priced first (matcher.lagrangian, on large models only in production) or not, the
    cutoff keeps the optimum and its proof."""
    monkeypatch.setattr(milp, "PRICED_FROM", 0 if priced else 10**9)
    referrals, units = random_instance(seed, 40, 12, TODAY, sibling_share=0.6)
    problem = build_problem(referrals, units, today=TODAY, weights=default_weights()).problem
    groups = [g for g in problem.groups if len(g.members) >= 2]
    pairs = solver.usable_pairs(problem)
    oracle = highs_optimum(
        spec_pairs(referrals, units, TODAY, default_weights()), referrals, units, TODAY
    )
    # A cutoff at the optimum: nothing beats it, and the bound is the optimum.
    at = solve_group_milp(problem, pairs, groups, time_limit=20, cutoff=oracle)
    assert at is not None and at.bound == oracle
    assert at.objective == NO_PLAN or at.objective <= oracle
    # A cutoff just below: the optimum is found and proven.
    below = solve_group_milp(problem, pairs, groups, time_limit=20, cutoff=oracle - 1)
    assert below is not None and below.objective == below.bound == oracle


@pytest.mark.parametrize("seed", [99, 2024])
def test_milp_path_same_plan_twice_and_whatever_the_input_order(seed: int) -> None:
    referrals, units = random_instance(seed, 120, 40, TODAY, sibling_share=0.4)
    first = plan(referrals, units, today=TODAY, settings=SETTINGS)
    assert first.solver.name in MILP_NAMES
    again = plan(referrals, units, today=TODAY, settings=SETTINGS)
    rng = random.Random(seed)
    shuffled_r, shuffled_u = referrals[:], units[:]
    rng.shuffle(shuffled_r)
    rng.shuffle(shuffled_u)
    shuffled = plan(shuffled_r, shuffled_u, today=TODAY, settings=SETTINGS)
    strip = {"solve_time_s"}
    assert first.model_dump(exclude=strip) == again.model_dump(exclude=strip)
    assert first.model_dump(exclude=strip) == shuffled.model_dump(exclude=strip)


def test_milp_plans_keep_capacity_and_sibling_rules_on_the_problem_arrays() -> None:
    for seed in range(10):
        referrals, units = random_instance(seed, 80, 15, TODAY, sibling_share=0.6)
        problem = build_problem(referrals, units, today=TODAY, weights=default_weights()).problem
        outcome = solver.solve(problem, SETTINGS)
        assert outcome.optimal
        assert problem.violations(outcome.chosen) == []
        assert len(np.unique(problem.pair_ref[outcome.chosen])) == len(outcome.chosen)


def test_siblings_with_different_deadlines_never_overfill_an_earlier_level() -> None:
    # Seed 28: the bundle flow put a group whose siblings have different deadlines in a
    # unit with too few places by the earlier deadline; it must count as broken.
    _solve_and_check(28, 120, 40, 0.3)


def test_when_highs_finds_no_plan_in_time_the_broken_groups_wait_and_the_rest_is_placed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(finish, "solve_group_milp", lambda *_, **__: None)
    for seed in range(40):
        referrals, units = random_instance(seed, 60, 20, TODAY, sibling_share=0.4)
        problem = build_problem(referrals, units, today=TODAY, weights=default_weights()).problem
        outcome = solver.solve(problem, SETTINGS)
        if outcome.solver == "ortools.min_cost_flow":
            continue  # the relaxation kept every rule: no finish needed
        assert outcome.solver == "ortools.min_cost_flow+highs.none_milp"
        assert not outcome.optimal and outcome.bound >= outcome.objective
        assert problem.violations(outcome.chosen) == []
        result = plan(referrals, units, today=TODAY, settings=SETTINGS)
        assert result.status is PlanStatus.FEASIBLE
        _check_plan(result, referrals, units)
        placed = {a.referral_id for a in result.assignments}
        singles = [r for r in referrals if r.sibling_group is None]
        # Every child outside the groups still gets the flow's place where one fits.
        assert placed & {r.referral_id for r in singles}
        return
    raise AssertionError("no seed broke a sibling group")


def test_a_milp_with_nothing_to_decide_is_the_empty_plan() -> None:
    # Found by Hypothesis: a finish whose kept pairs leave no column (HiGHS refuses a model
    # without columns). The empty plan scores 0: optimal, and it beats no cutoff of 0 or more.
    referrals, units = random_instance(3, 4, 2, TODAY, sibling_share=0.0)
    problem = build_problem(referrals, units, today=TODAY, weights=default_weights()).problem
    none = np.zeros(0, np.int64)
    alone = solve_group_milp(problem, none, [], time_limit=1.0)
    assert alone is not None and (alone.objective, alone.bound, alone.optimal) == (0, 0, True)
    above = solve_group_milp(problem, none, [], time_limit=1.0, cutoff=7)
    assert above is not None and (above.objective, above.bound) == (NO_PLAN, 7)
    assert len(above.group_pairs) == 0
