"""Batch plans: all waiting referrals x free and soon-free places, solved exactly at once.

`plan(referrals, units, today=..., weights=..., settings=...)` builds only the feasible
pairs (vectorised), hands them to matcher.solver and turns the result into a Plan with
Dutch reasons for every child left unplaced. An infeasible child is never an error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from capacity.snapshot import UnitView
from domain.errors import InvalidInput
from domain.profile_vocabulary import Capability
from domain.vocabulary import PlanStatus
from matcher.models import (
    Assignment,
    Candidate,
    MatchRequest,
    Plan,
    SolverRecord,
    SolverSettings,
    Unassigned,
)
from matcher.policies.order import LevelOrder, rescale
from matcher.problem import TIE_RANGE, IntArray, MatchProblem, SiblingGroup
from matcher.score_table import COL, UnitScores, score_units
from matcher.scoring import score_pair
from matcher.solver import ORTOOLS_VERSION, SolveOutcome, solve
from matcher.table import NEVER, UnitTable, build_table
from matcher.weights import Weights, default_weights

# Why a child has no feasible unit at all, by the furthest hard check any unit passed.
NO_UNIT_REASONS = (
    "geen eenheid met een zorgvorm uit het advies",
    "geen eenheid met een passende zorgvorm voor de leeftijd van het kind",
    "de passende eenheden nemen alleen kinderen van het andere geslacht op",
    "geen passende eenheid met de vereiste expertise ({missing})",
    "de passende eenheden zijn gesloten of gaan sluiten",
    "de enige passende eenheden zijn voor dit kind uitgesloten (bijv. eerdere afgebroken"
    " plaatsing)",
    "geen plek vrij in een passende eenheid vóór de uiterste datum ({deadline})",
)
NOT_TOGETHER = "geen eenheid waar de broers/zussen samen terechtkunnen (advies: samen plaatsen)"
TAKEN = (
    "er zijn passende eenheden, maar hun plekken gaan in dit plan naar kinderen met een"
    " hogere totaalscore; wachtlijst met overbruggingshulp"
)
GROUP_TAKEN = (
    "er is in dit plan geen eenheid met genoeg plek voor de hele broer/zusgroep"
    " (advies: samen plaatsen); wachtlijst met overbruggingshulp"
)
GROUP_APART_TAKEN = (
    "de passende plekken zijn vergeven of liggen niet in dezelfde of een aangrenzende"
    " gemeente als die van de broers/zussen"
)


@dataclass(frozen=True, slots=True)
class BatchProblem:
    """The solver's problem plus what is needed to explain it."""

    problem: MatchProblem
    referrals: tuple[MatchRequest, ...]
    table: UnitTable
    scores: tuple[UnitScores, ...]


def sibling_groups(referrals: Sequence[MatchRequest]) -> list[SiblingGroup]:
    """Groups of referrals by sibling_group; members must share one advice."""
    index = {r.referral_id: i for i, r in enumerate(referrals)}
    by_group: dict[str, list[MatchRequest]] = {}
    for r in referrals:
        if r.sibling_group is not None:
            by_group.setdefault(r.sibling_group, []).append(r)
    groups = []
    for group_id in sorted(by_group):
        members = by_group[group_id]
        advice = members[0].advice
        if any(m.advice != advice for m in members[1:]):
            raise InvalidInput(
                f"broers/zussen in groep {group_id} hebben een verschillend advies",
                field="sibling_group",
            )
        # "Samen, tenzij": without an explicit "apart" the group is placed together.
        together = advice.siblings.together is not False
        groups.append(
            SiblingGroup(group_id, tuple(sorted(index[m.referral_id] for m in members)), together)
        )
    return groups


def build_problem(
    referrals: Sequence[MatchRequest], units: Sequence[UnitView], *, today: date, weights: Weights
) -> BatchProblem:
    """Feasible pairs with scores and capacity chains, everything sorted by id."""
    seen: set[str] = set()
    for r in referrals:
        if r.referral_id in seen:
            raise InvalidInput("referral_id komt dubbel voor", field="referrals.referral_id")
        seen.add(r.referral_id)
    if len({u.unit_id for u in units}) != len(units):
        raise InvalidInput("unit_id komt dubbel voor", field="units.unit_id")
    ordered = tuple(sorted(referrals, key=lambda r: r.referral_id))
    table = build_table(units, today)
    scores = tuple(score_units(r, table, weights) for r in ordered)
    counts = [len(s.index) for s in scores]
    pair_ref = np.repeat(np.arange(len(ordered), dtype=np.int64), counts)
    empty = np.zeros(0, np.int64)
    pair_unit = np.concatenate([s.index for s in scores]) if scores else empty
    pair_score = np.concatenate([s.total for s in scores]) if scores else empty
    pair_level = np.concatenate([s.level for s in scores]) if scores else empty
    # A unit's chain has one level per rise in availability (table padding repeats the top).
    widths = (table.change_ords < NEVER).sum(axis=1) + 1
    level_caps = tuple(
        tuple(int(c) for c in table.level_caps[u, : widths[u]]) for u in range(len(table.units))
    )
    if isinstance(weights.order, LevelOrder) and scores:
        # An ordered policy: weigh its levels again for this batch (matcher.policies.order).
        terms = np.concatenate([s.terms for s in scores])
        places = sum(max(caps, default=0) for caps in level_caps)
        scale = TIE_RANGE * max(1, len(ordered))
        pair_score = rescale(weights.order, terms, COL, min(len(ordered), places), scale)
    problem = MatchProblem(
        referral_ids=tuple(r.referral_id for r in ordered),
        unit_ids=tuple(table.ids),
        pair_ref=pair_ref,
        pair_unit=np.asarray(pair_unit, np.int64),
        pair_score=np.asarray(pair_score, np.int64),
        pair_level=np.minimum(np.asarray(pair_level, np.int64), widths[pair_unit] - 1),
        level_caps=level_caps,
        unit_muni=table.muni,
        groups=tuple(sibling_groups(ordered)),
    )
    return BatchProblem(problem, ordered, table, scores)


def _no_unit_reason(referral: MatchRequest, table: UnitTable, furthest: int) -> str:
    text = NO_UNIT_REASONS[min(furthest, len(NO_UNIT_REASONS) - 1)]
    if "{missing}" in text:
        missing = {
            c
            for c in referral.advice.required_capabilities
            for u in table.units
            if c not in u.capabilities
        }
        labels = ", ".join(Capability(c).label for c in sorted(missing))
        return text.format(missing=labels)
    return text.format(deadline=referral.deadline.isoformat())


def _start_dates(batch: BatchProblem, chosen: IntArray, today: date) -> dict[int, date]:
    """The day each placed child's place is free: earliest deadlines get the earliest places."""
    problem = batch.problem
    by_unit: dict[int, list[tuple[date, str, int]]] = {}
    for p in chosen.tolist():
        referral = batch.referrals[int(problem.pair_ref[p])]
        key = (max(referral.deadline, today), referral.referral_id, p)
        by_unit.setdefault(int(problem.pair_unit[p]), []).append(key)
    out: dict[int, date] = {}
    for u, items in by_unit.items():
        caps = problem.level_caps[u]
        for k, (_, _, p) in enumerate(sorted(items)):
            level = next(i for i, cap in enumerate(caps) if cap >= k + 1)
            rise = int(batch.table.change_ords[u, level - 1]) if level else today.toordinal()
            out[p] = date.fromordinal(rise)
    return out


@dataclass(frozen=True, slots=True)
class Placement:
    """One assignment of a plan without its explanation: what a simulation needs."""

    referral_id: str
    unit_id: str
    score: int
    available_from: date


@dataclass(frozen=True, slots=True)
class _Solved:
    batch: BatchProblem
    outcome: SolveOutcome
    placements: tuple[Placement, ...]


def _solve_batch(
    referrals: Sequence[MatchRequest],
    units: Sequence[UnitView],
    *,
    today: date,
    settings: SolverSettings,
    weights: Weights,
) -> _Solved:
    batch = build_problem(referrals, units, today=today, weights=weights)
    problem = batch.problem
    outcome = solve(problem, settings)
    start_dates = _start_dates(batch, outcome.chosen, today)
    placements = tuple(
        Placement(
            referral_id=problem.referral_ids[int(problem.pair_ref[p])],
            unit_id=problem.unit_ids[int(problem.pair_unit[p])],
            score=int(problem.pair_score[p]),
            available_from=start_dates[p],
        )
        for p in outcome.chosen.tolist()
    )
    return _Solved(batch, outcome, placements)


def assign(
    referrals: Sequence[MatchRequest],
    units: Sequence[UnitView],
    *,
    today: date,
    settings: SolverSettings,
    weights: Weights | None = None,
) -> tuple[Placement, ...]:
    """The assignments of `plan` (same optimum, same order), without explanations."""
    weights = weights or default_weights()
    return _solve_batch(
        referrals, units, today=today, settings=settings, weights=weights
    ).placements


def plan(
    referrals: Sequence[MatchRequest],
    units: Sequence[UnitView],
    *,
    today: date,
    settings: SolverSettings,
    weights: Weights | None = None,
    explain: bool = False,
) -> Plan:
    """Assign all waiting referrals to free and soon-free places at once (exact optimum)."""
    start = time.perf_counter()
    weights = weights or default_weights()
    solved = _solve_batch(referrals, units, today=today, settings=settings, weights=weights)
    batch, outcome = solved.batch, solved.outcome
    problem = batch.problem
    assignments = []
    placed: set[int] = set()
    for p, placement in zip(outcome.chosen.tolist(), solved.placements, strict=True):
        r, u = int(problem.pair_ref[p]), int(problem.pair_unit[p])
        placed.add(r)
        parts = score_pair(batch.referrals[r], batch.table.units[u], today, weights)
        assignments.append(
            Assignment(
                referral_id=placement.referral_id,
                unit_id=placement.unit_id,
                score=placement.score,
                available_from=placement.available_from,
                terms=parts.terms,
            )
        )
    group_of = {m: g for g in problem.groups for m in g.members}
    unassigned = []
    for r, referral in enumerate(batch.referrals):
        if r in placed:
            continue
        s = batch.scores[r]
        group = group_of.get(r)
        if len(s.index) == 0:
            reason = _no_unit_reason(referral, batch.table, s.furthest_check)
        elif group is not None and group.together and len(group.members) > 1:
            shared = set.intersection(*(set(batch.scores[m].index.tolist()) for m in group.members))
            reason = GROUP_TAKEN if shared else NOT_TOGETHER
        elif group is not None and len(group.members) > 1:
            reason = GROUP_APART_TAKEN
        else:
            reason = TAKEN
        unassigned.append(Unassigned(referral_id=referral.referral_id, reason=reason))
    candidates = None
    if explain:
        candidates = tuple(
            Candidate(
                referral_id=problem.referral_ids[int(r)],
                unit_id=problem.unit_ids[int(u)],
                score=int(sc),
            )
            for r, u, sc in zip(
                problem.pair_ref, problem.pair_unit, problem.pair_score, strict=True
            )
        )
    bound = outcome.bound
    return Plan(
        objective=outcome.objective,
        status=PlanStatus.OPTIMAL if outcome.optimal else PlanStatus.FEASIBLE,
        bound=bound,
        gap=0.0 if outcome.optimal else (bound - outcome.objective) / max(1, abs(bound)),
        assignments=tuple(assignments),
        unassigned=tuple(unassigned),
        candidates=candidates,
        solver=SolverRecord(
            name=outcome.solver,
            version=f"ortools {ORTOOLS_VERSION}",
            parameters=outcome.parameters,
            seed=settings.seed,
        ),
        solve_time_s=round(time.perf_counter() - start, 3),
        weights_name=weights.name,
        weights_version=weights.version,
        today=today,
    )
