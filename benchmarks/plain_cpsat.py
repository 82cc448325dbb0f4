"""The benchmark's plain CP-SAT peer: the batch problem with the sibling rules as one model.

Sections follow the OR-Tools samples. Only feasible pairs get a Boolean (CP-SAT costs about
10 KB per Boolean). The matcher itself solves with min-cost flow and a MILP finish
(matcher.solver); this model is the independent peer it is timed against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from domain.places import neighbour_matrix
from matcher.errors import SolverFailed
from matcher.models import SolverSettings
from matcher.problem import IntArray, MatchProblem, SiblingGroup
from matcher.table import MUNIS


@dataclass(frozen=True, slots=True)
class CpResult:
    """Chosen pairs, whether CP-SAT proved them optimal, and its bound on the objective."""

    chosen: IntArray
    optimal: bool
    bound: int


class PairModel:
    """The CP-SAT model over a set of pairs; the objective can be set and re-set."""

    def __init__(self, problem: MatchProblem, pairs: IntArray) -> None:
        # Data
        self.problem = problem
        pair_list = pairs.tolist()
        for group in problem.groups:
            if group.together and len(group.members) > 1:
                pair_list = _shared_units_only(problem, group, pair_list)
        self.pairs = pair_list

        # Model
        model = cp_model.CpModel()
        self.model = model
        # Variables: x[p] = 1 when child pair_ref[p] is placed in unit pair_unit[p]. Keyed
        # by pair index p, which maps one-to-one to (referral id, unit id); unnamed to save
        # memory at 100k+ variables.
        self.x = {p: model.new_bool_var("") for p in pair_list}
        x = self.x

        # Constraints
        by_ref: dict[int, list[int]] = {}
        by_unit: dict[int, list[int]] = {}
        for p in pair_list:
            by_ref.setdefault(int(problem.pair_ref[p]), []).append(p)
            by_unit.setdefault(int(problem.pair_unit[p]), []).append(p)
        for ps in by_ref.values():
            # A child gets at most one place.
            model.add_at_most_one(x[p] for p in ps)
        for u, ps in by_unit.items():
            for k, cap in enumerate(problem.level_caps[u]):
                # No unit takes more children by a deadline than it has places free by then.
                early = [x[p] for p in ps if problem.pair_level[p] <= k]
                if len(early) > cap:
                    model.add(sum(early) <= cap)
        for group in problem.groups:
            if len(group.members) > 1:
                self._siblings(group, by_ref)

    def _siblings(self, group: SiblingGroup, by_ref: dict[int, list[int]]) -> None:
        problem, x, model = self.problem, self.x, self.model
        first, *rest = group.members
        if group.together:
            at = {
                m: {int(problem.pair_unit[p]): x[p] for p in by_ref.get(m, [])}
                for m in group.members
            }
            for u, var in at[first].items():
                for m in rest:
                    # Siblings together ("samen, tenzij"): all of them in this unit, or none.
                    model.add(at[m][u] == var)
            return
        muni_vars = {
            m: {
                k: [x[p] for p in by_ref.get(m, []) if problem.unit_muni[problem.pair_unit[p]] == k]
                for k in range(len(MUNIS))
            }
            for m in group.members
        }
        members = list(group.members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                for ka, va in muni_vars[a].items():
                    for kb, vb in muni_vars[b].items():
                        if va and vb and not neighbour_matrix()[ka, kb]:
                            # Siblings apart stay close: same or neighbouring municipalities.
                            model.add(sum(va) + sum(vb) <= 1)

    def value(self, objective: IntArray) -> cp_model.LinearExprT:
        """The linear expression sum(objective[p] * x[p])."""
        return sum(int(objective[p]) * self.x[p] for p in self.pairs)

    def solve(
        self, objective: IntArray, settings: SolverSettings, hint: IntArray | None = None
    ) -> CpResult | None:
        """Maximise sum(objective[p] * x[p]); None when no solution was found in time."""
        # Objective
        self.model.maximize(self.value(objective))
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        if hint is not None:
            hinted = set(hint.tolist())
            for p in self.pairs:
                self.model.add_hint(self.x[p], p in hinted)

        # Solve
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = settings.time_limit_s
        solver.parameters.num_workers = settings.workers
        solver.parameters.random_seed = settings.seed
        status = solver.solve(self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = [p for p in self.pairs if solver.boolean_value(self.x[p])]
            return CpResult(
                chosen=np.asarray(chosen, np.int64),
                optimal=status == cp_model.OPTIMAL,
                bound=int(solver.best_objective_bound),
            )
        if status == cp_model.UNKNOWN:
            return None
        raise SolverFailed(f"CP-SAT gaf status {solver.status_name(status)}", field="solver")


def _shared_units_only(
    problem: MatchProblem, group: SiblingGroup, pair_list: list[int]
) -> list[int]:
    """Siblings who go together can only use units that are feasible for all of them."""
    members = set(group.members)
    units_of: dict[int, set[int]] = {m: set() for m in members}
    for p in pair_list:
        r = int(problem.pair_ref[p])
        if r in members:
            units_of[r].add(int(problem.pair_unit[p]))
    shared = set.intersection(*units_of.values())
    return [
        p
        for p in pair_list
        if int(problem.pair_ref[p]) not in members or int(problem.pair_unit[p]) in shared
    ]
