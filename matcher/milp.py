"""Exact finish with HiGHS: a MILP in which only the sibling decisions are integer.

Columns: y[g, u] (binary) places "together" group g whole in unit u, taking one place per
sibling at that sibling's level of the unit's capacity chain; x[p] for every other kept
pair, binary for "apart" siblings and continuous in [0, 1] for every other child. Rows:
one place per child, at most one unit per group, the capacity chain of every unit (prefix
rows per level, as in the flow) and, for apart siblings, "sibling a in municipality m
excludes sibling b in any municipality that is not m or a neighbour of m".

Why it is exact: for fixed y and apart x, the remaining rows are those of the min-cost
flow of matcher.flow (one place per child, chain capacities): a network matrix, so the LP
over the continuous x has an integral optimum. The MILP optimum therefore equals the
optimum over integral plans. The plan itself is never read from the LP x: the groups are
fixed as the MILP placed them and every other child is placed by an exact integral
min-cost flow with the perturbed (tie-break) weights, which cannot score less.
With a cutoff (the global MILP), on a large model matcher.lagrangian first drops the
columns that no plan above the cutoff can use; HiGHS runs without heuristics and without
presolve.
Pure: numpy and HiGHS (bundled with SciPy; highspy itself clashes with OR-Tools' HiGHS
symbols in one process).
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from domain.places import neighbour_matrix
from matcher.lagrangian import price_columns
from matcher.problem import IntArray, MatchProblem, SiblingGroup

# Integer objective: a bound this close above an integer is that integer (float noise).
_EPS = 1e-6
DISP = False  # True: HiGHS writes its log to stdout (debugging only)
_NO_BOUND = 2**62
NO_PLAN = -1  # MilpResult.objective when HiGHS returned no plan (only with a cutoff)
# Columns from which the global MILP is first priced (matcher.lagrangian). Measured
# 2026-12-07, solve with and without pricing: 150 x 50 sibling batches 28 -> 22.5 ms
# median without it (20 seeds), 2,000 x 600 (14k to 44k columns, 4 seeds) and the
# 5,000 x 1,500 batch (252k) level within noise; it was added for the 252k model, where
# it once halved the MILP.
PRICED_FROM = 100_000
# HiGHS root heuristics that run even at mip_heuristic_effort 0 (switched off under a cutoff).
_ROOT_HEURISTICS = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_heuristic_run_feasibility_jump",
)


@dataclass(frozen=True, slots=True)
class MilpResult:
    """Group decisions as pairs, the plain objective, HiGHS's bound and proof status."""

    group_pairs: IntArray  # pairs of sibling-group members (together and apart) chosen
    objective: int  # plain score of the MILP's plan
    bound: int  # floor of HiGHS's dual bound (plain score)
    optimal: bool  # bound == objective
    lp_integral: bool  # the continuous x came back integral


@dataclass(slots=True)
class _Rows:
    starts: list[int]
    index: list[IntArray]
    value: list[IntArray]
    upper: list[float]
    nnz: int = 0

    def add(self, cols: IntArray, vals: IntArray, upper: float) -> None:
        self.starts.append(self.nnz)
        self.index.append(cols)
        self.value.append(vals)
        self.upper.append(upper)
        self.nnz += len(cols)


def solve_group_milp(
    problem: MatchProblem,
    pairs: IntArray,
    groups: list[SiblingGroup],
    *,
    time_limit: float,
    taken: list[list[int]] | None = None,
    cutoff: int | None = None,
) -> MilpResult | None:
    """Maximise the plain score over `pairs` with the sibling rules; None: no plan in time.

    `taken[u][k]` places of unit u at level <= k are already used by children kept fixed.
    With `cutoff` (the score of a known plan) only better plans are searched for; the
    bound is then at least the cutoff, and no plan found is `objective == NO_PLAN`.
    """
    # Data
    start = time.perf_counter()
    score = problem.pair_score
    ref, unit, level = problem.pair_ref[pairs], problem.pair_unit[pairs], problem.pair_level[pairs]
    together = [g for g in groups if g.together]
    member_of = np.full(len(problem.referral_ids), -1, np.int64)
    for i, g in enumerate(together):
        member_of[list(g.members)] = i
    apart = np.zeros(len(problem.referral_ids), np.bool_)
    for g in groups:
        if not g.together:
            apart[list(g.members)] = True

    # Variables: x[p] for every kept pair of a child outside the together groups (binary for
    # apart siblings, continuous in [0, 1] otherwise); y[g, u] (binary) for a together group
    # and a unit where every sibling has a kept pair.
    single = member_of[ref] < 0
    s_idx = np.flatnonzero(single)  # positions in `pairs` of x columns
    y_group: list[int] = []
    y_pairs: list[IntArray] = []
    in_group = np.flatnonzero(~single)
    by_gu: dict[tuple[int, int], list[int]] = {}
    for i in in_group.tolist():
        by_gu.setdefault((int(member_of[ref[i]]), int(unit[i])), []).append(i)
    for (gi, _u), idx in sorted(by_gu.items()):
        if len(idx) == len(together[gi].members):
            y_group.append(gi)
            y_pairs.append(np.asarray(sorted(idx), np.int64))
    n_x, n_y = len(s_idx), len(y_group)
    # Objective: the plain score of every placed child (y carries its siblings' scores).
    cost = np.concatenate(
        [score[pairs[s_idx]], [int(score[pairs[ps]].sum()) for ps in y_pairs]]
    ).astype(np.float64)
    col_unit = np.concatenate([unit[s_idx], [int(unit[ps[0]]) for ps in y_pairs]]).astype(np.int64)

    # Constraints
    rows = _Rows([], [], [], [])
    # One place per child.
    x_ref = ref[s_idx]
    order = np.argsort(x_ref, kind="stable")
    cuts = np.flatnonzero(np.r_[True, x_ref[order][1:] != x_ref[order][:-1], True])
    for a, b in itertools.pairwise(cuts.tolist()):
        if b - a > 1:
            rows.add(order[a:b], np.ones(b - a, np.int64), 1.0)
    # One unit per together group.
    yg = np.asarray(y_group, np.int64)
    for gi in range(len(together)):
        cols = n_x + np.flatnonzero(yg == gi)
        if len(cols) > 1:
            rows.add(cols, np.ones(len(cols), np.int64), 1.0)
    # Capacity chains: children placed by level k at most the places available by then.
    y_levels = [level[ps] for ps in y_pairs]
    cols_of_unit: dict[int, list[int]] = {}
    for c, u in enumerate(col_unit.tolist()):
        cols_of_unit.setdefault(u, []).append(c)
    x_level = level[s_idx]
    for u, cols_list in sorted(cols_of_unit.items()):
        cols = np.asarray(cols_list, np.int64)
        for k, full in enumerate(problem.level_caps[u]):
            cap = full - (taken[u][k] if taken is not None else 0)
            counts = np.asarray(
                [
                    int(x_level[c] <= k) if c < n_x else int((y_levels[c - n_x] <= k).sum())
                    for c in cols_list
                ],
                np.int64,
            )
            if int(counts.sum()) > cap:
                nz = counts > 0
                rows.add(cols[nz], counts[nz], float(cap))
    # Apart siblings: same or neighbouring municipalities.
    muni = problem.unit_muni[unit[s_idx]]
    near = neighbour_matrix()
    for g in groups:
        if g.together:
            continue
        for ia, a in enumerate(g.members):
            for b in g.members[ia + 1 :]:
                cols_a = np.flatnonzero(x_ref == a)
                cols_b = np.flatnonzero(x_ref == b)
                for m in sorted(set(muni[cols_a].tolist())):
                    here = cols_a[muni[cols_a] == m]
                    far = cols_b[~near[m, muni[cols_b]]]
                    if len(far):
                        both = np.concatenate([here, far])
                        rows.add(both, np.ones(len(both), np.int64), 1.0)
    # Model: the rows as one sparse matrix; x of apart siblings and every y integral.
    n = n_x + n_y
    if n == 0:  # nothing to decide (HiGHS refuses a model without columns)
        return _without_columns(cutoff)
    integer = np.concatenate([apart[x_ref], np.ones(n_y, np.bool_)]).astype(np.int64)
    constraints = []
    known = math.inf  # a bound on every plan, from the column reduction
    if rows.starts:
        matrix = csr_array(
            (
                np.concatenate(rows.value).astype(np.float64),
                np.concatenate(rows.index),
                np.asarray([*rows.starts, rows.nnz], np.int64),
            ),
            shape=(len(rows.starts), n),
        )
        upper = np.asarray(rows.upper)
        prices = None
        if cutoff is not None and n >= PRICED_FROM:
            prices = price_columns(cost, integer, matrix, upper, time_limit=time_limit)
        if prices is not None and cutoff is not None:
            # Only the columns a plan above the cutoff can use (matcher.lagrangian): the
            # MILP shrinks to about half, and its LPs with it.
            known, keep = prices.bound, prices.usable(cutoff)
            s_idx, x_ref = s_idx[keep[:n_x]], x_ref[keep[:n_x]]
            y_pairs = list(itertools.compress(y_pairs, keep[n_x:]))
            n_x = len(s_idx)
            cost, integer, matrix = cost[keep], integer[keep], matrix[:, keep]
            if not len(cost):  # no column can be in a plan above the cutoff
                return _without_columns(cutoff)
        constraints.append(LinearConstraint(matrix, -np.inf, upper))

    # Solve (HiGHS, bundled with SciPy: no warm start, one thread)
    options: dict[str, float | bool] = {
        "time_limit": max(0.1, time_limit - (time.perf_counter() - start)),
        "mip_rel_gap": 0.0,
        "disp": DISP,
    }
    if cutoff is not None:
        # Only plans scoring above `cutoff` are searched for: HiGHS prunes every node whose
        # bound does not beat it and skips its own search for a first plan. Effort 0 does not
        # stop the root heuristics (sub-MIPs, feasibility jump): they are switched off too.
        # Measured on the 5,000 x 1,500 seed 20161001 (252k columns): with them HiGHS spent
        # 80 s CPU at the root without a plan or a proof; without them it proves the optimum.
        options["objective_bound"] = -(cutoff + 0.5)
        options["mip_heuristic_effort"] = 0.0
        options |= dict.fromkeys(_ROOT_HEURISTICS, False)
        options["presolve"] = False  # measured there: 11 s CPU instead of 20 s
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        result = milp(
            -cost,
            integrality=integer,
            bounds=Bounds(0, 1),
            constraints=constraints,
            options=options,
        )
    raw = getattr(result, "mip_dual_bound", None)
    dual = min(-float(raw) if raw is not None else math.inf, known)
    floor_dual = math.floor(dual + _EPS) if math.isfinite(dual) else _NO_BOUND
    if result.x is None:
        if cutoff is None:
            return None
        # Nothing beats the cutoff (infeasible), or what is left to search is bounded.
        proven = cutoff if result.status in (0, 2) else max(floor_dual, cutoff)
        return MilpResult(np.zeros(0, np.int64), NO_PLAN, proven, False, True)
    value = np.asarray(result.x)
    x_val, y_val = value[:n_x], value[n_x:]
    lp_integral = bool(np.all(np.abs(x_val - np.round(x_val)) < 1e-6))
    picked = [pairs[s_idx[apart[x_ref] & (x_val > 0.5)]]]
    picked += [pairs[ps] for j, ps in enumerate(y_pairs) if y_val[j] > 0.5]
    group_pairs = np.sort(np.concatenate(picked))
    obj = round(-float(result.fun))
    if result.status == 0:  # optimal (mip_rel_gap 0; no integer columns: a plain LP)
        # Under a cutoff, optimal means no plan scores above max(cutoff, this plan).
        bound = obj if cutoff is None else max(obj, cutoff)
    else:
        # Nodes pruned by a cutoff score at most the cutoff.
        bound = floor_dual if cutoff is None else max(floor_dual, cutoff)
    return MilpResult(group_pairs, obj, bound, bound <= obj, lp_integral)


def _without_columns(cutoff: int | None) -> MilpResult:
    """A model without columns: only the empty plan, which scores 0 (and so beats no cutoff
    at or above 0)."""
    empty = np.zeros(0, np.int64)
    if cutoff is not None and cutoff >= 0:
        return MilpResult(empty, NO_PLAN, cutoff, False, True)
    return MilpResult(empty, 0, 0, True, True)
