"""Input (Profile) and output (Advice) of the afwegingskader, shared with the matcher."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.care import CareForm
from domain.codelist import default_codelist
from domain.fields import PlausibleDate, WholeNumber
from domain.people import MAX_AGE
from domain.places import Municipality
from domain.profile_vocabulary import (
    Capability,
    Complexity,
    Contraindication,
    Externalising,
    NetworkSafety,
    ParentsView,
    Perspective,
    PreventionOption,
    RiskLevel,
    Severity,
    Sex,
    Suicidality,
    TreatmentNeed,
)

# Upper bounds of what a profile can list or count; far above any real child's.
MAX_CODES = 20
MAX_PLACEMENTS = 50
MAX_SIBLINGS = 20
MAX_WISH = 80  # characters of a wish on religion or culture


class SiblingLink(BaseModel):
    """A sibling to be placed too, with any contraindications to placing them together."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64, description="pseudonymous id of the sibling")
    contraindications: tuple[Contraindication, ...] = Field(default=(), max_length=10)


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Profile(BaseModel):
    """What the afwegingskader weighs. Give either birth_date or age."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    birth_date: PlausibleDate | None = None
    age: WholeNumber | None = Field(
        default=None, ge=0, le=MAX_AGE, description="age in whole years; derived when absent"
    )
    reference_date: PlausibleDate
    sex: Sex
    capj: tuple[str, ...] = Field(
        default=(), max_length=MAX_CODES, description="CAP-J codes at any level"
    )
    severity: Severity
    complexity: Complexity
    externalising: Externalising = Externalising.GEEN
    treatment_need: TreatmentNeed = Field(
        default=TreatmentNeed.GEEN,
        description=(
            "geen, ambulant, intensief_gezin or residentieel; the old yes/no form is read as "
            "true = residentieel, false = geen"
        ),
    )
    trauma: bool = False
    lvb: bool = False
    psychiatric: bool = Field(default=False, description="psychiatrische problematiek")
    substance_use: bool = Field(default=False, description="middelengebruik / verslaving")
    runaway_exploitation: bool = Field(
        default=False, description="weglopen of (risico op) seksuele uitbuiting"
    )
    suicidality: Suicidality = Suicidality.GEEN
    parents_problems: bool = Field(
        default=False, description="ouders hebben eigen problemen (ggz, verslaving, lvb, geweld)"
    )
    earlier_ambulant_help: bool = Field(
        default=False, description="ambulante hulp thuis is al ingezet zonder voldoende resultaat"
    )
    earlier_placements: WholeNumber = Field(default=0, ge=0, le=MAX_PLACEMENTS)
    earlier_breakdowns: WholeNumber = Field(default=0, ge=0, le=MAX_PLACEMENTS)
    parents_view: ParentsView = ParentsView.AMBIVALENT
    child_agrees: bool = False
    network_family_available: bool = False
    network_safety: NetworkSafety = NetworkSafety.ONBEKEND
    perspective: Perspective
    crisis: bool = False
    siblings: tuple[SiblingLink, ...] = Field(default=(), max_length=MAX_SIBLINGS)
    home_municipality: Municipality | None = None
    responsible_municipality: Municipality | None = None
    # Continuation after 18 of the current stay (foster care or gezinshuis to 21).
    continuation_of_current_placement: bool = False
    current_care_form: CareForm | None = None
    # Wishes on religion and culture: for matching only, never a care-form factor.
    religion_wish: str | None = Field(default=None, min_length=1, max_length=MAX_WISH)
    culture_wish: str | None = Field(default=None, min_length=1, max_length=MAX_WISH)

    @model_validator(mode="before")
    @classmethod
    def _old_treatment_need(cls, data: Any) -> Any:
        """Profiles stored or sent before rule set 2.0.0 had treatment_need as yes/no,
        meaning "treatment a family setting cannot give": true is residentieel now."""
        if isinstance(data, dict):
            value = data.get("treatment_need")
            if isinstance(value, bool):
                level = TreatmentNeed.RESIDENTIEEL if value else TreatmentNeed.GEEN
                data = {**data, "treatment_need": level}
        return data

    @field_validator("capj")
    @classmethod
    def _known_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        codelist = default_codelist()
        return tuple(codelist.resolve(c, field=f"capj[{i}]").code for i, c in enumerate(codes))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.birth_date is None and self.age is None:
            raise ValueError("birth_date: birth_date of age is verplicht")
        if self.birth_date is not None:
            if self.reference_date < self.birth_date:
                raise ValueError("reference_date: ligt voor birth_date")
            derived = _years_between(self.birth_date, self.reference_date)
            if self.age is not None and self.age != derived:
                # No values in the message: a child's age and birth date are personal data.
                raise ValueError("age: past niet bij birth_date")
            object.__setattr__(self, "age", derived)
        assert self.age is not None
        if self.age < 0:
            raise ValueError("age: mag niet negatief zijn")
        if self.age > MAX_AGE:
            raise ValueError(f"age: is hoger dan {MAX_AGE}, buiten de Jeugdwet")
        if self.earlier_breakdowns > self.earlier_placements:
            raise ValueError("earlier_breakdowns: is groter dan earlier_placements")
        return self

    @property
    def years(self) -> int:
        """The child's age in whole years on the reference date."""
        assert self.age is not None  # guaranteed by validation
        return self.age


class Reason(BaseModel):
    """One rule that fired, in Dutch, with its source."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    text: str
    source: str


class PreventionCheck(BaseModel):
    """Whether one kind of lighter help could prevent the stay, and why."""

    model_config = ConfigDict(frozen=True)

    option: PreventionOption
    could_prevent: bool
    rule_id: str
    reason: str


class FormCondition(BaseModel):
    """A condition the advice attaches to one care form (e.g. extra support for a family)."""

    model_config = ConfigDict(frozen=True)

    care_form: CareForm
    rule_id: str
    text: str


class SecondOpinion(BaseModel):
    """Why this advice needs a second gedragswetenschapper."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    reason: str


class Exclusion(BaseModel):
    """A care form the advice rules out, and why."""

    model_config = ConfigDict(frozen=True)

    care_form: CareForm
    rule_id: str
    reason: str


class SiblingAdvice(BaseModel):
    """Together or apart ("samen, tenzij"); together is None without siblings."""

    model_config = ConfigDict(frozen=True)

    together: bool | None
    reason: str
    rule_id: str | None = None


class BreakdownRisk(BaseModel):
    """Risk that a family placement breaks down early, with the factors seen."""

    model_config = ConfigDict(frozen=True)

    level: RiskLevel
    score: float
    factors: tuple[str, ...]


class LocationAdvice(BaseModel):
    """Where the place should preferably be, and why."""

    model_config = ConfigDict(frozen=True)

    municipality: Municipality | None
    reason: str


class RuleSetRef(BaseModel):
    """The rule set (name and version) that produced an advice."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str


class Advice(BaseModel):
    """The afwegingskader's output: first-best form, alternatives and the reasons."""

    model_config = ConfigDict(frozen=True)

    first_best: CareForm
    alternatives: tuple[CareForm, ...]
    excluded: tuple[Exclusion, ...]
    required_capabilities: tuple[Capability, ...]
    siblings: SiblingAdvice
    breakdown_risk: BreakdownRisk
    location: LocationAdvice
    reasons: tuple[Reason, ...]
    rule_set: RuleSetRef
    # Contradictory or doubtful inputs: shown to the user to check, never silently resolved.
    warnings: tuple[Reason, ...] = ()
    # 24-uurszorg: nee, tenzij: could ambulant help at home, deeltijd or gezinsopname
    # prevent the stay? One check per option, in PreventionOption order.
    prevention: tuple[PreventionCheck, ...] = ()
    # When the first-best is residential: what makes a family setting impossible.
    family_setting_impossible: Reason | None = None
    # Set when the advice needs a second gedragswetenschapper (e.g. residential below the
    # age threshold through an exception rule).
    second_opinion: SecondOpinion | None = None
    # The advice continues the current placement after 18: not a new placement.
    continuation: bool = False
    # Conditions attached to care forms (named extra support, recruitment conditions).
    conditions: tuple[FormCondition, ...] = ()
    # Wishes on religion and culture, for the match only (no effect on the care form).
    preferences: tuple[str, ...] = ()

    @property
    def second_opinion_required(self) -> bool:
        """True when a second gedragswetenschapper must confirm this advice."""
        return self.second_opinion is not None

    @property
    def acceptable(self) -> tuple[CareForm, ...]:
        """First-best followed by the alternatives, in order of preference."""
        return (self.first_best, *self.alternatives)

    def rank(self, care_form: CareForm) -> int | None:
        """0 for first-best, 1.. for alternatives, None when not acceptable."""
        try:
            return self.acceptable.index(care_form)
        except ValueError:
            return None
