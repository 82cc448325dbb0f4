"""Min-cost flow for the batch problem without side constraints, with dual potentials.

Network: source -> referral (1) -> (unit, level) chain -> sink, plus a bypass arc
source -> sink so that a child may stay unplaced. The chain of a unit carries, on the arc
leaving level k, every child whose deadline lies in level k or earlier; its capacity is the
number of places available by then. That is exactly Hall's condition for places that come
free over time, so the flow is an exact model of capacity, not an approximation.

Pure: OR-Tools and numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.errors import SolverFailed
from matcher.problem import IntArray, MatchProblem

SOURCE, SINK = 0, 1


@dataclass(frozen=True, slots=True)
class FlowResult:
    """Chosen pairs, the optimal perturbed value, and per-pair reduced costs (if asked)."""

    chosen: IntArray  # indices into the problem's pairs
    value: int  # maximal sum of the weights
    reduced_cost: IntArray | None  # >= 0 for unused pairs: how much using one costs at least
    bundle_flow: IntArray | None = None  # per bundle arc: how many siblings it carries
    bundle_reduced: IntArray | None = None  # per bundle arc, for placing the group whole


@dataclass(frozen=True, slots=True)
class Bundles:
    """Sibling groups that go together, each as one node that sends `size` units of flow.

    Arc a lets bundle `arc_bundle[a]` use unit `arc_unit[a]` with `arc_weight[a]` per
    sibling (the group's total weight divided by its size). The arc ends in a node of its
    own, from which one leg per sibling (capacity 1) enters the unit's chain at that
    sibling's level (`leg_arc`, `leg_level`): a group carried whole takes one place per
    sibling by that sibling's deadline, exactly. A relaxation of "together": the flow may
    still split a group, but can no longer pick each sibling's best unit separately.
    """

    size: IntArray
    arc_bundle: IntArray
    arc_unit: IntArray
    arc_weight: IntArray
    leg_arc: IntArray
    leg_level: IntArray


def solve_flow(
    problem: MatchProblem,
    weights: IntArray,
    *,
    pairs: IntArray | None = None,
    taken: list[list[int]] | None = None,
    with_duals: bool = False,
    bundles: Bundles | None = None,
) -> FlowResult:
    """Maximise the sum of `weights` over the given pairs subject to capacity.

    `taken[u][k]` places of unit u at level <= k are already used (by fixed sibling groups).
    """
    # Data
    active = np.arange(problem.n_pairs, dtype=np.int64) if pairs is None else pairs
    n_ref = len(problem.referral_ids)
    empty = np.zeros(0, np.int64)
    b_size = bundles.size if bundles else empty
    b_bundle = bundles.arc_bundle if bundles else empty
    b_unit = bundles.arc_unit if bundles else empty
    b_weight = bundles.arc_weight if bundles else empty
    leg_arc = bundles.leg_arc if bundles else empty
    leg_level = bundles.leg_level if bundles else empty
    units = np.unique(np.concatenate([problem.pair_unit[active], b_unit]))
    offset: dict[int, int] = {}
    first_bundle_node = 2 + n_ref
    first_arc_node = first_bundle_node + len(b_size)
    next_node = first_arc_node + len(b_bundle)
    for u in units.tolist():
        offset[u] = next_node
        next_node += len(problem.level_caps[u])

    # Model: arcs in a fixed order, so the same problem always gives the same flow.
    tails: list[IntArray] = []
    heads: list[IntArray] = []
    caps: list[IntArray] = []
    costs: list[IntArray] = []
    # Each child takes at most one place.
    tails.append(np.zeros(n_ref, np.int64))
    heads.append(np.arange(2, 2 + n_ref, dtype=np.int64))
    caps.append(np.ones(n_ref, np.int64))
    costs.append(np.zeros(n_ref, np.int64))
    # A child may go to a unit only where the pair is feasible; the cost is minus its score.
    offsets = np.asarray([offset.get(u, -1) for u in range(len(problem.unit_ids))], np.int64)
    tails.append(2 + problem.pair_ref[active])
    heads.append(offsets[problem.pair_unit[active]] + problem.pair_level[active])
    caps.append(np.ones(len(active), np.int64))
    costs.append(-weights[active])
    # A group that goes together enters as one node carrying all its siblings.
    tails.append(np.zeros(len(b_size), np.int64))
    heads.append(first_bundle_node + np.arange(len(b_size), dtype=np.int64))
    caps.append(b_size)
    costs.append(np.zeros(len(b_size), np.int64))
    tails.append(first_bundle_node + b_bundle)
    heads.append(first_arc_node + np.arange(len(b_bundle), dtype=np.int64))
    caps.append(b_size[b_bundle])
    costs.append(-b_weight)
    tails.append(first_arc_node + leg_arc)
    heads.append(offsets[b_unit[leg_arc]] + leg_level)
    caps.append(np.ones(len(leg_arc), np.int64))
    costs.append(np.zeros(len(leg_arc), np.int64))
    # No unit takes more children by a deadline than it has places available by then.
    chain_t, chain_h, chain_c = [], [], []
    for u in units.tolist():
        levels = problem.level_caps[u]
        for k, cap in enumerate(levels):
            used = taken[u][k] if taken is not None else 0
            chain_t.append(offset[u] + k)
            chain_h.append(offset[u] + k + 1 if k + 1 < len(levels) else SINK)
            chain_c.append(max(0, cap - used))
    tails.append(np.asarray(chain_t, np.int64))
    heads.append(np.asarray(chain_h, np.int64))
    caps.append(np.asarray(chain_c, np.int64))
    costs.append(np.zeros(len(chain_t), np.int64))
    # Staying unplaced costs nothing (and scores nothing).
    tails.append(np.asarray([SOURCE], np.int64))
    heads.append(np.asarray([SINK], np.int64))
    caps.append(np.asarray([n_ref + int(b_size.sum())], np.int64))
    costs.append(np.zeros(1, np.int64))

    tail, head = np.concatenate(tails), np.concatenate(heads)
    cap, cost = np.concatenate(caps), np.concatenate(costs)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    supplies = np.zeros(next_node, np.int64)
    total = n_ref + int(b_size.sum())
    supplies[SOURCE], supplies[SINK] = total, -total
    flow.set_nodes_supplies(np.arange(next_node, dtype=np.int64), supplies)

    # Solve
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverFailed(f"min-cost flow gaf status {status}", field="solver")
    flows = np.asarray(flow.flows(np.arange(len(tail), dtype=np.int64)), np.int64)
    first_pair = n_ref
    pair_flow = flows[first_pair : first_pair + len(active)]
    chosen = active[pair_flow > 0]
    first_barc = first_pair + len(active) + len(b_size)
    bundle_flow = flows[first_barc : first_barc + len(b_bundle)]
    reduced = bundle_reduced = None
    if with_duals:
        potential = _potentials(next_node, tail=tail, head=head, cap=cap, cost=cost, flow=flows)
        arc_rc = cost + potential[tail] - potential[head]
        reduced = np.full(problem.n_pairs, np.iinfo(np.int64).max // 4, np.int64)
        reduced[active] = arc_rc[first_pair : first_pair + len(active)]
        # Placing a group whole: its size times the arc, plus each sibling's leg.
        first_leg = first_barc + len(b_bundle)
        legs = arc_rc[first_leg : first_leg + len(leg_arc)]
        bundle_reduced = arc_rc[first_barc : first_barc + len(b_bundle)] * b_size[b_bundle]
        np.add.at(bundle_reduced, leg_arc, legs)
    return FlowResult(
        chosen=chosen,
        value=-int(flow.optimal_cost()),
        reduced_cost=reduced,
        bundle_flow=bundle_flow,
        bundle_reduced=bundle_reduced,
    )


def _potentials(
    n_nodes: int, *, tail: IntArray, head: IntArray, cap: IntArray, cost: IntArray, flow: IntArray
) -> IntArray:
    """Node potentials with non-negative reduced cost on every residual arc.

    Shortest distances from a virtual root in the residual graph of an optimal flow (no
    negative cycles exist there), by Bellman-Ford relaxation in vectorised rounds.
    """
    fwd = flow < cap
    bwd = flow > 0
    r_tail = np.concatenate([tail[fwd], head[bwd]])
    r_head = np.concatenate([head[fwd], tail[bwd]])
    r_cost = np.concatenate([cost[fwd], -cost[bwd]])
    order = np.argsort(r_head, kind="stable")
    r_tail, r_head, r_cost = r_tail[order], r_head[order], r_cost[order]
    starts = np.flatnonzero(np.r_[True, r_head[1:] != r_head[:-1]])
    targets = r_head[starts]
    dist = np.zeros(n_nodes, np.int64)
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(dist[r_tail] + r_cost, starts)
        improved = best < dist[targets]
        if not improved.any():
            return dist
        dist[targets[improved]] = best[improved]
    raise SolverFailed("negatieve cyclus in de restgraaf: flow niet optimaal", field="solver")
