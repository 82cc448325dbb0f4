"""The batch instance format (JSON) and `run_batch`, which turns one into a JSON plan.

An instance holds the day, the referrals (each with its advice, or a profile to advise)
and the units (places and attributes). Bad input gets an InvalidInput naming the field:
unknown unit or referral references, negative places, duplicate ids, and sibling groups
whose members disagree on their advice. See README.md, "Batch instance".
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from afwegingskader import engine
from afwegingskader.models import Advice, Profile
from capacity.snapshot import FamilyPreferences, UnitView
from domain.care import CareForm
from domain.errors import InvalidInput
from domain.places import Municipality
from domain.profile_vocabulary import Capability, Perspective, Sex, SexPolicy
from domain.validation import describe
from domain.vocabulary import UnitStatus
from matcher.batch import plan, sibling_groups
from matcher.models import MatchRequest, Plan, SolverSettings
from matcher.weights import Weights, default_weights

FORMAT = "servicepunt-batch/1"


class ChangeIn(BaseModel):
    """A scheduled change in the number of places."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    delta: int


class PreferencesIn(BaseModel):
    """A foster family's or gezinshuis's own wishes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    age_min: int | None = Field(default=None, ge=0)
    age_max: int | None = Field(default=None, ge=0)
    sex: Sex | None = None
    max_children: int | None = Field(default=None, ge=0)
    capabilities: tuple[Capability, ...] = ()


class UnitIn(BaseModel):
    """A unit with its places and attributes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: str = Field(min_length=1, max_length=64)
    provider_id: str = ""
    name: str = ""
    municipality: Municipality
    care_form: CareForm
    places: int
    occupied: int = 0
    held: int = 0
    age_min: int = Field(default=0, ge=0)
    age_max: int = Field(default=23, ge=0)
    sex_policy: SexPolicy = SexPolicy.GEMENGD
    capabilities: tuple[Capability, ...] = ()
    status: UnitStatus = UnitStatus.OPEN
    closing_date: date | None = None
    expected_departures: tuple[date, ...] = ()
    scheduled_changes: tuple[ChangeIn, ...] = ()
    preferences: PreferencesIn | None = None

    @field_validator("places", "occupied", "held")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("mag niet negatief zijn")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.age_min > self.age_max:
            raise ValueError("age_min: is groter dan age_max")
        if len(self.expected_departures) > self.occupied:
            raise ValueError("expected_departures: meer vertrekken dan bezette plekken")
        return self

    def view(self) -> UnitView:
        """The pure UnitView the matcher works with."""
        prefs = self.preferences
        return UnitView(
            unit_id=self.unit_id,
            provider_id=self.provider_id,
            name=self.name or self.unit_id,
            municipality=self.municipality,
            care_form=self.care_form,
            places=self.places,
            occupied=self.occupied,
            held=self.held,
            age_min=self.age_min,
            age_max=self.age_max,
            sex_policy=self.sex_policy,
            capabilities=frozenset(self.capabilities),
            status=self.status,
            closing_date=self.closing_date,
            expected_departures=tuple(sorted(self.expected_departures)),
            scheduled_changes=tuple(sorted((c.date, c.delta) for c in self.scheduled_changes)),
            preferences=None
            if prefs is None
            else FamilyPreferences(
                age_min=prefs.age_min,
                age_max=prefs.age_max,
                sex=prefs.sex,
                max_children=prefs.max_children,
                capabilities=frozenset(prefs.capabilities),
            ),
        )


class ReferralIn(BaseModel):
    """A waiting referral: its advice, or a profile for the afwegingskader to advise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: str = Field(min_length=1, max_length=64)
    advice: Advice | None = None
    profile: Profile | None = None
    age: int | None = None
    sex: Sex | None = None
    perspective: Perspective | None = None
    deadline: date
    waiting_since: date
    crisis: bool | None = None
    sibling_group: str | None = Field(default=None, min_length=1, max_length=64)
    home_municipality: Municipality | None = None
    responsible_municipality: Municipality | None = None
    school_municipality: Municipality | None = None
    network_municipalities: tuple[Municipality, ...] = ()
    excluded_units: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _advice_or_profile(self) -> Self:
        if (self.advice is None) == (self.profile is None):
            raise ValueError("advice: geef precies een van advice of profile")
        if self.profile is None:
            for name in ("age", "sex", "perspective"):
                if getattr(self, name) is None:
                    raise ValueError(f"{name}: verplicht zonder profile")
        return self

    def referral(self, advice: Advice) -> MatchRequest:
        """The matcher's MatchRequest; facts missing here come from the profile."""
        p = self.profile
        return MatchRequest(
            referral_id=self.referral_id,
            age=self.age if self.age is not None else (p.years if p else 0),
            sex=self.sex or (p.sex if p else Sex.X),
            advice=advice,
            perspective=self.perspective or (p.perspective if p else Perspective.TERUG_NAAR_HUIS),
            deadline=self.deadline,
            waiting_since=self.waiting_since,
            crisis=self.crisis if self.crisis is not None else bool(p and p.crisis),
            sibling_group=self.sibling_group,
            home_municipality=self.home_municipality or (p.home_municipality if p else None),
            responsible_municipality=self.responsible_municipality
            or (p.responsible_municipality if p else None),
            school_municipality=self.school_municipality,
            network_municipalities=self.network_municipalities,
            excluded_units=self.excluded_units,
        )


class Instance(BaseModel):
    """A whole batch instance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str = FORMAT
    today: date
    referrals: tuple[ReferralIn, ...]
    units: tuple[UnitIn, ...]

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value != FORMAT:
            raise ValueError(f"onbekend formaat, verwacht {FORMAT}")
        return value


def _check_references(instance: Instance) -> None:
    unit_ids = [u.unit_id for u in instance.units]
    for i, uid in enumerate(unit_ids):
        if uid in unit_ids[:i]:
            raise InvalidInput("unit_id komt dubbel voor", field=f"units[{i}].unit_id")
    known_units = set(unit_ids)
    ref_ids = [r.referral_id for r in instance.referrals]
    for i, rid in enumerate(ref_ids):
        if rid in ref_ids[:i]:
            raise InvalidInput("referral_id komt dubbel voor", field=f"referrals[{i}].referral_id")
    group_of = {r.referral_id: r.sibling_group for r in instance.referrals}
    for i, r in enumerate(instance.referrals):
        for j, uid in enumerate(r.excluded_units):
            if uid not in known_units:
                raise InvalidInput(
                    "verwijst naar een onbekende eenheid",
                    field=f"referrals[{i}].excluded_units[{j}]",
                )
        for j, sibling in enumerate(r.profile.siblings if r.profile else ()):
            if sibling.id in group_of and group_of[sibling.id] != r.sibling_group:
                raise InvalidInput(
                    "broer/zus staat in een andere sibling_group",
                    field=f"referrals[{i}].profile.siblings[{j}]",
                )
            if r.sibling_group is not None and sibling.id not in group_of:
                raise InvalidInput(
                    "verwijst naar een onbekende verwijzing",
                    field=f"referrals[{i}].profile.siblings[{j}].id",
                )


def load_instance(data: Any) -> Instance:
    """Validate raw JSON data as an instance; InvalidInput names the field."""
    try:
        instance = Instance.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe(exc), field="instance") from None
    _check_references(instance)
    return instance


def referrals_of(instance: Instance) -> list[MatchRequest]:
    """The instance's referrals, advising those that come with a profile."""
    out = []
    for r in instance.referrals:
        advice = r.advice
        if advice is None:
            assert r.profile is not None  # guaranteed by ReferralIn validation
            advice = engine.advise(r.profile)
        out.append(r.referral(advice))
    sibling_groups(out)  # raises when members of a group disagree on their advice
    return out


def plan_json(result: Plan) -> dict[str, Any]:
    """The plan as the command line prints it."""
    out: dict[str, Any] = {
        "objective": result.objective,
        "status": result.status.value,
        "bound": result.bound,
        "gap": result.gap,
        "solve_time_s": result.solve_time_s,
        "today": result.today.isoformat(),
        "solver": result.solver.model_dump(mode="json"),
        "weights": {"name": result.weights_name, "version": result.weights_version},
        "assignments": [
            {
                "referral": a.referral_id,
                "unit": a.unit_id,
                "score": a.score,
                "available_from": a.available_from.isoformat(),
                "terms": [t.model_dump(mode="json") for t in a.terms],
            }
            for a in result.assignments
        ],
        "unassigned": [{"referral": u.referral_id, "reason": u.reason} for u in result.unassigned],
    }
    if result.candidates is not None:
        out["candidates"] = [
            {"referral": c.referral_id, "unit": c.unit_id, "score": c.score}
            for c in result.candidates
        ]
    return out


def run_batch(
    data: Any,
    *,
    explain: bool = False,
    settings: SolverSettings | None = None,
    weights: Weights | None = None,
) -> dict[str, Any]:
    """Validate an instance, plan it, and return the plan as JSON-ready data."""
    instance = data if isinstance(data, Instance) else load_instance(data)
    referrals = referrals_of(instance)
    units = [u.view() for u in instance.units]
    result = plan(
        referrals,
        units,
        today=instance.today,
        settings=settings or SolverSettings(),
        weights=weights or default_weights(),
        explain=explain,
    )
    return plan_json(result)
