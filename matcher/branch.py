"""Exact branch-and-bound over sibling-group decisions, with min-cost flow bounds.

Each node is the flow relaxation of matcher.solver (every "together" group a bundle node)
with some groups fixed to a unit and some pairs forbidden. A node whose flow keeps every
sibling rule is a plan; otherwise it branches on the first broken group (by id):
- together: "the group in unit u" for every unit its flow used, and "none of those units";
- apart: the first sibling of a broken pair "in municipality m" (the others then only in
  m or a neighbouring municipality) for every m, and "not placed".
The children partition the parent's plans, the flow value bounds every plan below a node,
and nodes that cannot beat the best plan are pruned: the result is the exact optimum of
the perturbed objective (so also of the plain one, with the tie-break applied).
Pure: OR-Tools min-cost flow and numpy.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matcher.flow import Bundles, solve_flow
from matcher.problem import IntArray, MatchProblem, SiblingGroup, group_violation
from matcher.table import MUNIS, NEIGHBOURS

BoolArray = npt.NDArray[np.bool_]


class Usage:
    """Places used per unit and level, to check capacity while fixing groups."""

    def __init__(self, problem: MatchProblem) -> None:
        self.problem = problem
        self.used: dict[int, list[int]] = {}

    def fits(self, unit: int, levels: list[int]) -> bool:
        """True when these extra children (by level) still fit the unit's chain."""
        caps = self.problem.level_caps[unit]
        used = self.used.get(unit, [0] * len(caps))
        return all(
            sum(used[: k + 1]) + sum(1 for lv in levels if lv <= k) <= cap
            for k, cap in enumerate(caps)
        )

    def add(self, unit: int, levels: list[int]) -> None:
        """Count children (by level) as placed in the unit."""
        used = self.used.setdefault(unit, [0] * len(self.problem.level_caps[unit]))
        for lv in levels:
            used[lv] += 1

    def add_pairs(self, pairs: list[int]) -> None:
        """Count the children of these pairs as placed."""
        for p in pairs:
            self.add(int(self.problem.pair_unit[p]), [int(self.problem.pair_level[p])])

    def taken(self) -> list[list[int]]:
        """Prefix counts per unit and level, for the flow's chain capacities."""
        out = []
        for u, caps in enumerate(self.problem.level_caps):
            used = self.used.get(u, [0] * len(caps))
            out.append([sum(used[: k + 1]) for k in range(len(caps))])
        return out


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One relaxation: its value (scaled), the rule-keeping part, and what is broken."""

    value: int
    chosen: IntArray  # full bundles, singles and fixed pairs (split bundles left out)
    broken: tuple[str, ...]  # group ids, sorted
    bundle_units: dict[str, list[int]]  # units that carried flow of each bundle
    reduced: IntArray | None  # per pair, scaled (only when duals were asked)


def relax_node(
    problem: MatchProblem,
    scaled: IntArray,
    groups: list[SiblingGroup],
    *,
    allowed: BoolArray,
    fixed: list[int],
    with_duals: bool = False,
) -> NodeResult:
    """The bundle flow relaxation over the allowed pairs, with `fixed` pairs placed."""
    together = [g for g in groups if g.together]
    members = np.zeros(len(problem.referral_ids), np.bool_)
    for g in together:
        members[list(g.members)] = True
    usable = np.flatnonzero(allowed)
    singles = usable[~members[problem.pair_ref[usable]]]
    in_group = usable[members[problem.pair_ref[usable]]]
    by_ref_unit = {
        (int(problem.pair_ref[p]), int(problem.pair_unit[p])): int(p) for p in in_group.tolist()
    }
    arc_pairs: list[list[int]] = []
    size, arc_bundle, arc_unit, arc_level, arc_weight = [], [], [], [], []
    for b, g in enumerate(together):
        size.append(len(g.members))
        units = sorted({u for (r, u) in by_ref_unit if r == g.members[0]})
        for u in units:
            if any((m, u) not in by_ref_unit for m in g.members):
                continue  # together means all siblings in this unit
            ps = [by_ref_unit[(m, u)] for m in g.members]
            arc_pairs.append(ps)
            arc_bundle.append(b)
            arc_unit.append(u)
            arc_level.append(max(int(problem.pair_level[p]) for p in ps))
            arc_weight.append(int(scaled[ps].sum()) // len(g.members))
    bundles = Bundles(
        *(np.asarray(v, np.int64) for v in (size, arc_bundle, arc_unit, arc_level, arc_weight))
    )
    usage = Usage(problem)
    usage.add_pairs(fixed)
    flow = solve_flow(
        problem,
        scaled,
        pairs=singles,
        bundles=bundles,
        taken=usage.taken() if fixed else None,
        with_duals=with_duals,
    )
    assert flow.bundle_flow is not None
    chosen = [flow.chosen, np.asarray(fixed, np.int64)]
    broken: set[str] = set()
    bundle_units: dict[str, list[int]] = {}
    for a, ps in enumerate(arc_pairs):
        carried = int(flow.bundle_flow[a])
        group = together[arc_bundle[a]]
        if carried > 0:
            bundle_units.setdefault(group.group_id, []).append(arc_unit[a])
        if carried == size[arc_bundle[a]]:
            chosen.append(np.asarray(ps, np.int64))
        elif carried > 0:
            broken.add(group.group_id)
    for gid, units in bundle_units.items():
        if len(units) > 1:
            broken.add(gid)
    picked = np.sort(np.concatenate(chosen))
    # A bundle enters its unit's chain at its latest sibling's level, so siblings with an
    # earlier deadline may overfill an earlier level: such a group is not placed yet.
    over = set(_over_capacity(problem, picked))
    for a, ps in enumerate(arc_pairs):
        group = together[arc_bundle[a]]
        mixed = len(set(problem.pair_level[ps].tolist())) > 1
        if arc_unit[a] in over and mixed and int(flow.bundle_flow[a]) > 0:
            broken.add(group.group_id)
    split = [m for g in together if g.group_id in broken for m in g.members]
    picked = picked[~np.isin(problem.pair_ref[picked], split)]
    unit_of = dict(
        zip(problem.pair_ref[picked].tolist(), problem.pair_unit[picked].tolist(), strict=True)
    )
    for g in groups:
        if not g.together and group_violation(g, unit_of, problem.unit_muni):
            broken.add(g.group_id)
    reduced = None
    if flow.reduced_cost is not None and flow.bundle_reduced is not None:
        reduced = np.full(problem.n_pairs, np.iinfo(np.int64).max // 4, np.int64)
        reduced[singles] = flow.reduced_cost[singles]
        for a, ps in enumerate(arc_pairs):
            # Placing the group here carries all its siblings over this arc.
            reduced[ps] = int(flow.bundle_reduced[a]) * size[arc_bundle[a]]
    value = flow.value + int(scaled[fixed].sum()) if fixed else flow.value
    return NodeResult(value, picked, tuple(sorted(broken)), bundle_units, reduced)


def _over_capacity(problem: MatchProblem, chosen: IntArray) -> list[int]:
    """Units where the chosen pairs exceed a level of the capacity chain."""
    out = []
    units, levels = problem.pair_unit[chosen], problem.pair_level[chosen]
    for u in np.unique(units).tolist():
        here = np.bincount(levels[units == u], minlength=len(problem.level_caps[u]))
        if (np.cumsum(here) > np.asarray(problem.level_caps[u])).any():
            out.append(u)
    return out


@dataclass(order=True)
class _Node:
    priority: int  # minus the parent's bound: best bound first
    seq: int  # creation order breaks ties deterministically
    allowed: BoolArray = field(compare=False)
    fixed: list[int] = field(compare=False)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The best plan found, its value, the bound still open (None: proven) and node count."""

    chosen: IntArray
    value: int
    open_bound: int | None
    nodes: int


def branch_and_bound(
    problem: MatchProblem,
    scaled: IntArray,
    groups: list[SiblingGroup],
    *,
    allowed: BoolArray,
    incumbent: IntArray,
    deadline: float,
) -> SearchResult:
    """Best plan over the allowed pairs, starting from a rule-keeping incumbent."""
    best, best_value = incumbent, int(scaled[incumbent].sum())
    by_id = {g.group_id: g for g in groups}
    heap = [_Node(0, 0, allowed, [])]
    seq, nodes = 1, 0
    while heap:
        if time.perf_counter() > deadline:
            return SearchResult(best, best_value, max(-n.priority for n in heap), nodes)
        node = heapq.heappop(heap)
        if node.seq and -node.priority <= best_value:
            continue
        nodes += 1
        result = relax_node(problem, scaled, groups, allowed=node.allowed, fixed=node.fixed)
        if result.value <= best_value:
            continue
        if not result.broken:
            best, best_value = result.chosen, result.value
            continue
        for allowed_child, fixed_child in _children(problem, by_id[result.broken[0]], node, result):
            heapq.heappush(heap, _Node(-result.value, seq, allowed_child, fixed_child))
            seq += 1
    return SearchResult(best, best_value, None, nodes)


def _children(
    problem: MatchProblem, group: SiblingGroup, node: _Node, result: NodeResult
) -> list[tuple[BoolArray, list[int]]]:
    out: list[tuple[BoolArray, list[int]]] = []
    mine = np.isin(problem.pair_ref, list(group.members)) & node.allowed
    if group.together:
        used = sorted(result.bundle_units[group.group_id])
        usage = Usage(problem)
        usage.add_pairs(node.fixed)
        for u in used:
            ps = np.flatnonzero(mine & (problem.pair_unit == u)).tolist()
            if len(ps) == len(group.members) and usage.fits(
                u, [int(problem.pair_level[p]) for p in ps]
            ):
                # The group in unit u: fixed there, its other pairs gone.
                out.append((node.allowed & ~mine, node.fixed + ps))
        # The group in none of these units (elsewhere, or not placed).
        elsewhere = mine & np.isin(problem.pair_unit, used)
        out.append((node.allowed & ~elsewhere, node.fixed))
        return out
    unit_of = dict(
        zip(
            problem.pair_ref[result.chosen].tolist(),
            problem.pair_unit[result.chosen].tolist(),
            strict=True,
        )
    )
    placed = [m for m in group.members if m in unit_of]
    first = next(
        a
        for i, a in enumerate(placed)
        for b in placed[i + 1 :]
        if not NEIGHBOURS[problem.unit_muni[unit_of[a]], problem.unit_muni[unit_of[b]]]
    )
    muni = problem.unit_muni[problem.pair_unit]
    own = mine & (problem.pair_ref == first)
    others = mine & (problem.pair_ref != first)
    for m in range(len(MUNIS)):
        if not (own & (muni == m)).any():
            continue
        # This sibling in municipality m; the others only in m or a neighbouring one.
        far = others & ~NEIGHBOURS[m, muni]
        out.append((node.allowed & ~(own & (muni != m)) & ~far, node.fixed))
    # This sibling not placed.
    out.append((node.allowed & ~own, node.fixed))
    return out
