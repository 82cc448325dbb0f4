"""Frozen input and output models of the matcher: referrals, proposals and batch plans."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from afwegingskader.models import Advice
from domain.people import MAX_AGE
from domain.places import Municipality
from domain.profile_vocabulary import Perspective, Sex
from domain.vocabulary import PlanStatus, ProposalKind


class MatchRequest(BaseModel):
    """A waiting child as the matcher sees it: the facts that the hard rules and scores use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: str = Field(min_length=1, max_length=64, description="pseudonymous id")
    age: int = Field(ge=0, le=MAX_AGE)
    sex: Sex
    advice: Advice
    perspective: Perspective
    deadline: date = Field(description="the latest day a place must be free (uiterste datum)")
    waiting_since: date
    crisis: bool = False
    sibling_group: str | None = Field(default=None, min_length=1, max_length=64)
    home_municipality: Municipality | None = None
    responsible_municipality: Municipality | None = None
    school_municipality: Municipality | None = None
    network_municipalities: tuple[Municipality, ...] = ()
    excluded_units: tuple[str, ...] = Field(
        default=(), description="units never to propose, e.g. where an earlier placement broke down"
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.deadline < self.waiting_since:
            raise ValueError("deadline: ligt voor waiting_since")
        return self

    @property
    def anchor(self) -> tuple[Municipality | None, str]:
        """The municipality distance is measured from, and why (Dutch)."""
        if self.perspective is Perspective.TERUG_NAAR_HUIS:
            if self.home_municipality is not None:
                return self.home_municipality, "thuisgemeente (perspectief terug naar huis)"
        elif self.responsible_municipality is not None:
            return self.responsible_municipality, "verantwoordelijke gemeente"
        if self.advice.location.municipality is not None:
            return self.advice.location.municipality, "locatiewens uit het advies"
        fallback = self.home_municipality or self.responsible_municipality
        return fallback, "enige bekende gemeente"


class ScoreTerm(BaseModel):
    """One named part of a pair score, with its Dutch explanation."""

    model_config = ConfigDict(frozen=True)

    term: str = Field(description="term key in the weight file")
    label: str = Field(description="Dutch name of the term")
    points: int
    explanation: str


class PairScore(BaseModel):
    """The integer score of a (referral, unit) pair split into its terms."""

    model_config = ConfigDict(frozen=True)

    total: int
    terms: tuple[ScoreTerm, ...]


class Bridging(BaseModel):
    """Bridging care (overbruggingshulp) from today until the place comes free."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    days: int
    advice: str


class Proposal(BaseModel):
    """One placement option for one child, with its score split into terms (Dutch)."""

    model_config = ConfigDict(frozen=True)

    kind: ProposalKind
    unit_id: str | None
    unit_name: str | None
    care_form: str
    score: int | None
    terms: tuple[ScoreTerm, ...] = ()
    available_from: date | None = None
    bridging: Bridging | None = None
    given_up: tuple[str, ...] = ()
    summary: str
    weights_version: str
    # Wait for a first-best place or take an alternative now: the reasoning (Dutch), from
    # the expected date a first-best place comes free for this child (matcher.expected).
    wait_or_take: str | None = None


class SolverSettings(BaseModel):
    """Settings that come from outside the model: always a time limit, workers and a seed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit_s: float = Field(default=30.0, gt=0)
    workers: int = Field(default=2, ge=1, le=64)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class Assignment(BaseModel):
    """A referral assigned to a unit in a plan."""

    model_config = ConfigDict(frozen=True)

    referral_id: str
    unit_id: str
    score: int
    available_from: date
    terms: tuple[ScoreTerm, ...] = ()


class Unassigned(BaseModel):
    """A referral the plan does not place, with the reason in Dutch (never an error)."""

    model_config = ConfigDict(frozen=True)

    referral_id: str
    reason: str


class Candidate(BaseModel):
    """A feasible (referral, unit) pair with its score: the input of any assignment solver."""

    model_config = ConfigDict(frozen=True)

    referral_id: str
    unit_id: str
    score: int


class SolverRecord(BaseModel):
    """Which solver made the plan, its version, parameters and seed (for reproducibility)."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    parameters: dict[str, str | int | float | bool]
    seed: int


class Plan(BaseModel):
    """A batch plan: the optimal (or best found) assignment of waiting referrals to places."""

    model_config = ConfigDict(frozen=True)

    objective: int = Field(description="plain sum of the pair scores of the assignments")
    status: PlanStatus
    bound: int = Field(description="proven upper bound on the objective")
    gap: float = Field(description="(bound - objective) / max(1, |bound|); 0 when optimal")
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    candidates: tuple[Candidate, ...] | None = None
    solver: SolverRecord
    solve_time_s: float
    weights_name: str
    weights_version: str
    today: date
