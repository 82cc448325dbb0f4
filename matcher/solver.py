"""Exact batch solving with OR-Tools: min-cost flow, CP-SAT and flow-bounded branching.

Approach (exact, not a heuristic):
1. Maximise the perturbed score (score * scale + tie-break) with min-cost flow. Every
   "together" sibling group is one bundle node carrying all its siblings; "apart" siblings
   are ordinary children. This is a relaxation: its value bounds every real plan.
2. If that flow keeps every sibling rule, it is optimal. Done (the usual case, and always
   the case without sibling groups).
3. Otherwise build a good plan that keeps the rules (broken groups repaired greedily, two
   ways, then min-cost flow for every other child): the incumbent.
4. Reduced-cost fixing: with the flow's dual potentials, a plan that uses a pair with
   reduced cost rc is worth at most bound - rc; pairs with rc above bound - incumbent can
   never be in a plan at least as good, and are left out.
5. The rest is solved exactly: by CP-SAT when it is small (CPSAT_MAX_PAIRS), else by
   branch-and-bound over the broken groups with flow bounds (matcher.branch).
The tie-break makes the optimum unique in practice, so the same instance gives the same
plan. Pure: OR-Tools and numpy only; settings (time limit, workers, seed) come from outside.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from importlib.metadata import version

import numpy as np
import numpy.typing as npt

from matcher.branch import Usage, branch_and_bound, relax_node
from matcher.cpsat import PairModel
from matcher.finish import milp_finish
from matcher.flow import SolverFailed, solve_flow
from matcher.models import SolverSettings
from matcher.problem import IntArray, MatchProblem, SiblingGroup, trivial_choice, usable_pairs
from matcher.table import NEIGHBOURS

# usable_pairs lives in matcher.problem; benchmarks and tests know it from here.
__all__ = ["ORTOOLS_VERSION", "SCIPY_VERSION", "SolveOutcome", "solve", "usable_pairs"]

ORTOOLS_VERSION = version("ortools")
SCIPY_VERSION = version("scipy")


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    """The chosen pairs with plain objective, proven bound, status and solver record."""

    chosen: IntArray
    objective: int
    bound: int
    optimal: bool
    solver: str
    parameters: dict[str, str | int | float | bool]
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)


def _groups(problem: MatchProblem) -> list[SiblingGroup]:
    return [g for g in problem.groups if len(g.members) >= 2]


def _params(settings: SolverSettings) -> dict[str, str | int | float | bool]:
    return {
        "time_limit_s": settings.time_limit_s,
        "workers": settings.workers,
        "seed": settings.seed,
        "tie_break": "blake2b(referral_id) x blake2b(unit_id), splitmix64",
    }


def _outcome(
    problem: MatchProblem,
    chosen: IntArray,
    *,
    bound: int,
    optimal: bool,
    solver: str,
    settings: SolverSettings,
    start: float,
    stats: dict[str, int],
) -> SolveOutcome:
    chosen = np.sort(chosen)
    objective = int(problem.pair_score[chosen].sum())
    parameters = _params(settings)
    if "highs" in solver:
        parameters["highs"] = f"scipy {SCIPY_VERSION}"
    return SolveOutcome(
        chosen=chosen,
        objective=objective,
        bound=max(objective, bound),
        optimal=optimal,
        solver=solver,
        parameters=parameters,
        seconds=time.perf_counter() - start,
        stats=stats,
    )


# CP-SAT proves small residual models quickly; above this many pairs after fixing the
# branch-and-bound over sibling groups with flow bounds (matcher.branch) is much faster.
CPSAT_MAX_PAIRS = 3_000
# Above CPSAT_MAX_PAIRS: "milp" = matcher.finish (local, then global MILP with only the
# sibling decisions integer), falling back to "branch" (matcher.branch) when it is not
# proven within the time limit; "branch" skips the MILP.
LARGE_FINISH = "milp"


def solve(problem: MatchProblem, settings: SolverSettings) -> SolveOutcome:
    """The optimal plan (or the best found within the time limit, with a proven bound)."""
    start = time.perf_counter()
    quick = trivial_choice(problem)
    if quick is not None:  # one referral, or one unit with one level: no solver needed
        return _outcome(
            problem,
            quick,
            bound=int(problem.pair_score[quick].sum()),
            optimal=True,
            solver="matcher.trivial",
            settings=settings,
            start=start,
            stats={"pairs": problem.n_pairs},
        )
    perturbed = problem.perturbed()
    groups = _groups(problem)
    # Bundle weights are a group's total divided by its size: scale so they stay integers.
    factor = math.lcm(1, *(len(g.members) for g in groups if g.together))
    scaled = perturbed * factor
    usable = np.zeros(problem.n_pairs, np.bool_)
    usable[usable_pairs(problem)] = True
    root = relax_node(problem, scaled, groups, allowed=usable, fixed=[], with_duals=bool(groups))
    stats = {"pairs": problem.n_pairs, "usable_pairs": int(usable.sum())}
    unit = factor * problem.scale
    if not root.broken:
        # The relaxation keeps every rule, so it is optimal for the real problem.
        if problem.violations(root.chosen):
            raise SolverFailed("relaxatie breekt een harde regel", field="solver")
        return _outcome(
            problem,
            root.chosen,
            bound=root.value // unit,
            optimal=True,
            solver="ortools.min_cost_flow",
            settings=settings,
            start=start,
            stats=stats,
        )
    assert root.reduced is not None
    broken = set(root.broken)
    stats["broken_groups"] = len(broken)
    candidates: list[IntArray] = []
    small = int((usable & (root.reduced < unit)).sum()) <= CPSAT_MAX_PAIRS
    if LARGE_FINISH == "milp" and not small:
        deadline = start + settings.time_limit_s
        finish = milp_finish(
            problem, perturbed, root, groups, usable=usable, unit=unit, deadline=deadline
        )
        if finish is not None:
            if problem.violations(finish.chosen):
                raise SolverFailed("MILP-plan breekt een harde regel", field="solver")
            stats |= finish.stats
            if finish.optimal:
                return _outcome(
                    problem,
                    finish.chosen,
                    bound=finish.bound,
                    optimal=True,
                    solver=f"ortools.min_cost_flow+highs.{finish.stage}_milp",
                    settings=settings,
                    start=start,
                    stats=stats,
                )
            candidates.append(finish.chosen)
    usable_idx = np.flatnonzero(usable)
    # Two repairs: groups fitted around the other children at their best scores, or placed
    # first where the flow's reduced cost says displacing others costs least (the others
    # then move around them); the better one is the warm start.
    incumbent = max(
        *(
            _repair(
                problem,
                perturbed,
                root.chosen,
                groups,
                usable_idx,
                broken,
                around_singles=around,
                cost=cost,
            )
            for around, cost in ((True, -perturbed), (False, root.reduced))
        ),
        *candidates,
        key=lambda chosen: int(perturbed[chosen].sum()),
    )
    if problem.violations(incumbent):
        raise SolverFailed("warme start breekt een harde regel", field="solver")
    gap = root.value - int(scaled[incumbent].sum())
    # Reduced-cost fixing: a plan using pair p is worth at most root.value - reduced[p], so
    # pairs with reduced cost above the gap cannot be in a plan at least as good as this.
    keep = usable & (root.reduced <= gap)
    keep[root.chosen] = True
    keep[incumbent] = True
    stats["pairs_after_fixing"] = int(keep.sum())
    if gap <= 0:
        return _outcome(
            problem,
            incumbent,
            bound=root.value // unit,
            optimal=True,
            solver="ortools.min_cost_flow",
            settings=settings,
            start=start,
            stats=stats,
        )
    if int(keep.sum()) <= CPSAT_MAX_PAIRS:
        return _solve_cpsat(problem, keep, incumbent, settings, start, stats)
    # The search runs on the pairs left after fixing only (re-indexed), which is exact.
    kept = np.flatnonzero(keep)
    sub = dataclasses.replace(
        problem,
        pair_ref=problem.pair_ref[kept],
        pair_unit=problem.pair_unit[kept],
        pair_score=problem.pair_score[kept],
        pair_level=problem.pair_level[kept],
    )
    search = branch_and_bound(
        sub,
        scaled[kept],
        groups,
        allowed=np.ones(len(kept), np.bool_),
        incumbent=np.searchsorted(kept, incumbent),
        deadline=start + settings.time_limit_s,
    )
    search = dataclasses.replace(search, chosen=kept[search.chosen])
    stats["nodes"] = search.nodes
    bound = search.value if search.open_bound is None else max(search.value, search.open_bound)
    return _outcome(
        problem,
        search.chosen,
        bound=bound // unit,
        optimal=search.open_bound is None,
        solver="ortools.min_cost_flow+branch_and_bound",
        settings=settings,
        start=start,
        stats=stats,
    )


def _solve_cpsat(
    problem: MatchProblem,
    keep: npt.NDArray[np.bool_],
    incumbent: IntArray,
    settings: SolverSettings,
    start: float,
    stats: dict[str, int],
) -> SolveOutcome:
    """CP-SAT on the pairs left after fixing: exact, then the tie-break in a second phase."""
    model = PairModel(problem, np.flatnonzero(keep))
    first = model.solve(problem.pair_score, _remaining(settings, start), hint=incumbent)
    chosen, optimal = incumbent, False
    bound = int(problem.pair_score[incumbent].sum())
    if first is not None:
        if int(problem.pair_score[first.chosen].sum()) >= bound:
            chosen = first.chosen
        optimal = first.optimal
        bound = max(bound, first.bound)
    if optimal and first is not None:
        # Second phase: among the plans with this optimal score, the tie-break decides.
        model.model.add(model.value(problem.pair_score) == int(problem.pair_score[chosen].sum()))
        second = model.solve(problem.tiebreak(), _remaining(settings, start), hint=chosen)
        if second is not None:
            chosen = second.chosen
            stats["tie_break_proven"] = int(second.optimal)
    return _outcome(
        problem,
        chosen,
        bound=bound,
        optimal=optimal,
        solver="ortools.min_cost_flow+ortools.cp_sat",
        settings=settings,
        start=start,
        stats=stats,
    )


def _remaining(settings: SolverSettings, start: float) -> SolverSettings:
    left = max(0.1, settings.time_limit_s - (time.perf_counter() - start))
    return settings.model_copy(update={"time_limit_s": left})


def _repair(
    problem: MatchProblem,
    weights: IntArray,
    relaxed: IntArray,
    groups: list[SiblingGroup],
    usable: IntArray,
    broken_ids: set[str],
    *,
    around_singles: bool,
    cost: IntArray,
) -> IntArray:
    """A plan that keeps every rule: sibling groups first, then min-cost flow for the rest."""
    starts = np.searchsorted(problem.pair_ref, np.arange(len(problem.referral_ids) + 1))
    pair_of = dict(zip(problem.pair_ref[relaxed].tolist(), relaxed.tolist(), strict=True))
    usable_mask = np.zeros(problem.n_pairs, np.bool_)
    usable_mask[usable] = True
    usage = Usage(problem)
    members = {m for g in groups for m in g.members}
    if around_singles:
        # Other children keep their relaxed places while the groups are repaired.
        for p in relaxed.tolist():
            if int(problem.pair_ref[p]) not in members:
                usage.add(int(problem.pair_unit[p]), [int(problem.pair_level[p])])
    group_pairs: list[int] = []
    # Groups the relaxation already placed by the rules keep their places; the others are
    # placed greedily in what is left.
    ordered = sorted(groups, key=lambda g: g.group_id)
    broken = [g for g in ordered if g.group_id in broken_ids]
    fine = [g for g in ordered if g.group_id not in broken_ids]
    for group in fine:
        chosen = [pair_of[m] for m in group.members if m in pair_of]
        for p in chosen:
            usage.add(int(problem.pair_unit[p]), [int(problem.pair_level[p])])
        group_pairs.extend(chosen)
    for group in broken:
        chosen = _place_group(problem, cost, group, starts, usage, usable_mask)
        for p in chosen:
            usage.add(int(problem.pair_unit[p]), [int(problem.pair_level[p])])
        group_pairs.extend(chosen)
    # Now re-plan every other child around the fixed groups.
    fixed = Usage(problem)
    for p in group_pairs:
        fixed.add(int(problem.pair_unit[p]), [int(problem.pair_level[p])])
    others = np.flatnonzero(
        usable_mask & ~np.isin(problem.pair_ref, np.asarray(sorted(members), np.int64))
    )
    rest = solve_flow(problem, weights, pairs=others, taken=fixed.taken())
    return np.sort(np.concatenate([np.asarray(group_pairs, np.int64), rest.chosen]))


def _place_group(
    problem: MatchProblem,
    cost: IntArray,
    group: SiblingGroup,
    starts: IntArray,
    usage: Usage,
    usable: npt.NDArray[np.bool_],
) -> list[int]:
    """Greedy placement of one sibling group (lowest cost first) keeping rules and capacity."""
    options = {
        m: [p for p in range(int(starts[m]), int(starts[m + 1])) if usable[p]]
        for m in group.members
    }
    if group.together:
        by_unit: dict[int, list[int]] = {}
        for m in group.members:
            for p in options[m]:
                by_unit.setdefault(int(problem.pair_unit[p]), []).append(p)
        best: tuple[int, list[int]] | None = None
        for u, ps in sorted(by_unit.items()):
            if len(ps) != len(group.members):
                continue
            if not usage.fits(u, [int(problem.pair_level[p]) for p in ps]):
                continue
            value = int(cost[ps].sum())
            if best is None or value < best[0]:
                best = (value, ps)
        return best[1] if best else []
    placed: list[int] = []
    for m in group.members:
        ranked = sorted(options[m], key=lambda p: int(cost[p]))
        for p in ranked:
            u = int(problem.pair_unit[p])
            near = all(
                NEIGHBOURS[problem.unit_muni[u], problem.unit_muni[problem.pair_unit[q]]]
                for q in placed
            )
            if near and usage.fits(u, [int(problem.pair_level[p])]):
                placed.append(p)
                usage.add(u, [int(problem.pair_level[p])])
                break
    for p in placed:  # the caller adds them again with the group
        usage.used[int(problem.pair_unit[p])][int(problem.pair_level[p])] -= 1
    return placed
