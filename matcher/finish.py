"""Exact finish for broken sibling groups: a local MILP, then (if needed) a global one.

Input: the bundle-flow relaxation at the root (value, dual reduced costs, the broken
groups). `R` = its value in whole plain points is an upper bound on every plan.

1. Local MILP (matcher.milp): the broken groups' siblings and every child the relaxation
   placed in a unit those siblings could use are free; every other child keeps its
   relaxed place. Only pairs with reduced cost below one plain point are offered. The
   groups are then fixed where the MILP put them and every other child is placed by an
   exact min-cost flow with the perturbed (tie-break) weights. When that plan scores `R`
   it is optimal: the integral flow bound proves it, HiGHS is only the search.
2. Otherwise a global MILP over the pairs with reduced cost below `W` plain points. A plan
   that uses any other pair scores at most `R - W` (reduced-cost argument of
   matcher.solver), so when the MILP's proven optimum reaches `R - W` it is the optimum of
   the whole problem; else `W` grows (1, 4, 16, ...) up to `R - (score of the local plan)`,
   where that holds by construction.
Pure: numpy, OR-Tools min-cost flow and HiGHS (via SciPy).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.flow import solve_flow
from matcher.milp import solve_group_milp
from matcher.problem import IntArray, MatchProblem, SiblingGroup
from matcher.relaxation import Relaxation, Usage


@dataclass(frozen=True, slots=True)
class Finish:
    """A rule-keeping plan, a proven bound (plain points) and how it was proven."""

    chosen: IntArray
    objective: int
    bound: int
    optimal: bool
    stage: str  # "local" (flow bound), "global" (HiGHS on the fixed pairs) or "none"
    stats: dict[str, int]


def milp_finish(
    problem: MatchProblem,
    perturbed: IntArray,
    root: Relaxation,
    groups: list[SiblingGroup],
    *,
    usable: npt.NDArray[np.bool_],
    unit: int,
    deadline: float,
) -> Finish:
    """The optimal plan via the local, then the global MILP (the best found, when time ran
    out first)."""
    assert root.reduced is not None
    bound = root.value // unit
    n_ref = len(problem.referral_ids)
    members = _mask(n_ref, groups)
    broken_ids = set(root.broken)
    broken = [g for g in groups if g.group_id in broken_ids]
    in_broken = _mask(n_ref, broken)
    free = in_broken.copy()
    keep = usable & (root.reduced < unit)
    keep[root.chosen] = True
    # Free: broken siblings and the children placed where those siblings could go.
    reach = np.zeros(len(problem.unit_ids), np.bool_)
    reach[problem.pair_unit[keep & free[problem.pair_ref]]] = True
    relaxed = root.chosen
    free[problem.pair_ref[relaxed[reach[problem.pair_unit[relaxed]]]]] = True
    free &= ~(members & ~in_broken)  # groups the relaxation kept stay put
    stay = Usage(problem)
    stay.add_pairs(relaxed[~free[problem.pair_ref[relaxed]]].tolist())
    local_pairs = np.flatnonzero(keep & free[problem.pair_ref])
    local = solve_group_milp(
        problem, local_pairs, broken, time_limit=_left(deadline), taken=stay.taken()
    )
    stats = {"local_pairs": len(local_pairs), "local_children": int(free.sum())}
    kept_groups = relaxed[(members & ~free)[problem.pair_ref[relaxed]]]
    if local is None:
        # No plan in time: the broken groups stay unplaced, which keeps every rule.
        plan = _complete(problem, perturbed, kept_groups, usable)
        return Finish(plan, int(problem.pair_score[plan].sum()), bound, False, "none", stats)
    stats["local_lp_integral"] = int(local.lp_integral)
    plan = _complete(problem, perturbed, np.concatenate([kept_groups, local.group_pairs]), keep)
    score = int(problem.pair_score[plan].sum())
    if score >= bound:
        return Finish(plan, score, bound, True, "local", stats)
    # Global, widening: over the pairs with reduced cost below `width` points; a plan using
    # any other pair scores at most bound - width. Width 1, 4, 16, ... up to bound - score.
    best, best_score, gap, width = plan, score, bound - score, 1
    while True:
        width = min(width, gap)
        wide = usable & (root.reduced < width * unit)
        wide[best] = True
        found = solve_group_milp(problem, np.flatnonzero(wide), groups, time_limit=_left(deadline))
        stats |= {"global_pairs": int(wide.sum()), "global_width": width}
        if found is None:
            return Finish(best, best_score, bound, False, "local", stats)
        stats["global_lp_integral"] = int(found.lp_integral)
        found_plan = _complete(problem, perturbed, found.group_pairs, wide)
        found_score = int(problem.pair_score[found_plan].sum())
        if found_score > best_score:
            # A better plan narrows the widest step still needed: bound - its score.
            best, best_score, gap = found_plan, found_score, bound - found_score
        proven = min(bound, max(found.bound, bound - width, best_score))
        if best_score >= proven or width >= gap or time.perf_counter() > deadline:
            return Finish(best, best_score, proven, best_score >= proven, "global", stats)
        width *= 4


def _mask(n: int, groups: list[SiblingGroup]) -> npt.NDArray[np.bool_]:
    out = np.zeros(n, np.bool_)
    for g in groups:
        out[list(g.members)] = True
    return out


def _left(deadline: float) -> float:
    return max(0.1, deadline - time.perf_counter())


def _complete(
    problem: MatchProblem,
    perturbed: IntArray,
    group_pairs: IntArray,
    allowed: npt.NDArray[np.bool_],
) -> IntArray:
    """Sibling groups fixed as given; every other child by exact min-cost flow (tie-break)."""
    members = np.zeros(len(problem.referral_ids), np.bool_)
    for g in problem.groups:
        if len(g.members) >= 2:
            members[list(g.members)] = True
    fixed = Usage(problem)
    fixed.add_pairs(group_pairs.tolist())
    others = np.flatnonzero(allowed & ~members[problem.pair_ref])
    rest = solve_flow(problem, perturbed, pairs=others, taken=fixed.taken())
    return np.sort(np.concatenate([group_pairs.astype(np.int64), rest.chosen]))
