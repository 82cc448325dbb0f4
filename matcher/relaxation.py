"""The bundle flow relaxation of a batch with sibling groups, and capacity bookkeeping.

Every "together" sibling group is one bundle node that carries all its siblings; "apart"
siblings are ordinary children. The flow maximises the perturbed score over that network:
a relaxation whose value bounds every plan. When it keeps every sibling rule it is the
optimal plan; otherwise the groups it broke are named, with the flow's reduced costs, for
the exact finish (matcher.finish). Pure: OR-Tools min-cost flow and numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.flow import Bundles, solve_flow
from matcher.problem import IntArray, MatchProblem, SiblingGroup, group_violation

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
class Relaxation:
    """The relaxation: its value (scaled), the rule-keeping part, and what is broken."""

    value: int
    chosen: IntArray  # full bundles and singles (split bundles left out)
    broken: tuple[str, ...]  # group ids, sorted
    reduced: IntArray | None  # per pair, scaled (only when duals were asked)


def relax(
    problem: MatchProblem,
    scaled: IntArray,
    groups: list[SiblingGroup],
    *,
    allowed: BoolArray,
    with_duals: bool = False,
) -> Relaxation:
    """The bundle flow relaxation over the allowed pairs."""
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
    size, arc_bundle, arc_unit, arc_weight, leg_arc, leg_level = [], [], [], [], [], []
    for b, g in enumerate(together):
        size.append(len(g.members))
        units = sorted({u for (r, u) in by_ref_unit if r == g.members[0]})
        for u in units:
            if any((m, u) not in by_ref_unit for m in g.members):
                continue  # together means all siblings in this unit
            ps = [by_ref_unit[(m, u)] for m in g.members]
            leg_arc += [len(arc_pairs)] * len(ps)
            leg_level += [int(problem.pair_level[p]) for p in ps]
            arc_pairs.append(ps)
            arc_bundle.append(b)
            arc_unit.append(u)
            arc_weight.append(int(scaled[ps].sum()) // len(g.members))
    bundles = Bundles(
        *(
            np.asarray(v, np.int64)
            for v in (size, arc_bundle, arc_unit, arc_weight, leg_arc, leg_level)
        )
    )
    flow = solve_flow(problem, scaled, pairs=singles, bundles=bundles, with_duals=with_duals)
    assert flow.bundle_flow is not None
    chosen = [flow.chosen]
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
            # Placing the group here whole: its arc and every sibling's leg.
            reduced[ps] = int(flow.bundle_reduced[a])
    return Relaxation(flow.value, picked, tuple(sorted(broken)), reduced)
