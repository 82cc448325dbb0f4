"""Input (Profile) and output (Advice) of the afwegingskader, shared with the matcher."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.care import CareForm
from domain.codelist import default_codelist
from domain.fields import PlausibleDate, WholeNumber
from domain.people import MAX_AGE, Capability, Perspective, Sex
from domain.places import Municipality

# Upper bounds of what a profile can list or count; far above any real child's.
MAX_CODES = 20
MAX_PLACEMENTS = 50
MAX_SIBLINGS = 20


class Severity(StrEnum):
    """Zwaarte of the problems."""

    LICHT = "licht"
    MATIG = "matig"
    ERNSTIG = "ernstig"


class Complexity(StrEnum):
    """Complexity of the problems."""

    ENKELVOUDIG = "enkelvoudig"
    MEERVOUDIG = "meervoudig"
    COMPLEX = "complex"


class Externalising(StrEnum):
    """Externalising (acting-out) behaviour at the start of the placement."""

    GEEN = "geen"
    LICHT = "licht"
    MATIG = "matig"
    ERNSTIG = "ernstig"


class ParentsView(StrEnum):
    """How the birth parents view the placement."""

    STEUNEND = "steunend"
    AMBIVALENT = "ambivalent"
    AFWIJZEND = "afwijzend"


class Contraindication(StrEnum):
    """Reasons not to place siblings together (Richtlijn Uithuisplaatsing)."""

    SPECIALIST_TREATMENT = "specialist_treatment"
    THREAT = "threat"
    HEAVY_CONFLICT = "heavy_conflict"
    SEXUAL_ABUSE = "sexual_abuse"


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
    treatment_need: bool = Field(
        default=False, description="needs treatment that a family setting cannot give"
    )
    trauma: bool = False
    lvb: bool = False
    earlier_placements: WholeNumber = Field(default=0, ge=0, le=MAX_PLACEMENTS)
    earlier_breakdowns: WholeNumber = Field(default=0, ge=0, le=MAX_PLACEMENTS)
    parents_view: ParentsView = ParentsView.AMBIVALENT
    child_agrees: bool = False
    network_family_available: bool = False
    perspective: Perspective
    crisis: bool = False
    siblings: tuple[SiblingLink, ...] = Field(default=(), max_length=MAX_SIBLINGS)
    home_municipality: Municipality | None = None
    responsible_municipality: Municipality | None = None

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


class RiskLevel(StrEnum):
    """Breakdown risk of a family placement."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Reason(BaseModel):
    """One rule that fired, in Dutch, with its source."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    text: str
    source: str


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
