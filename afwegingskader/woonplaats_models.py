"""What the woonplaatsbeginsel reads and answers: residences, the facts per rule, the result.

The determination itself is afwegingskader.woonplaats; the intake models and the referral
form build on these types.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.errors import InvalidInput
from domain.fields import ValidatedText
from domain.places import Municipality
from domain.profile_vocabulary import GezagKind, StayKind, WoonplaatsRule, WoonplaatsStep

BUITENLAND = "buitenland"
ONBEKEND = "onbekend"


class Residence(ValidatedText):
    """Where someone lives or stays: a Dutch municipality (CBS code), abroad, or unknown.

    Accepts what Municipality accepts (a code, or an unambiguous name), 'buitenland' or
    'onbekend', and holds the code or one of those two words.
    """

    __slots__ = ()
    BUITENLAND: ClassVar[Residence]
    ONBEKEND: ClassVar[Residence]
    JSON_DESCRIPTION = "CBS-gemeentecode of gemeentenaam, 'buitenland' of 'onbekend'"
    JSON_EXAMPLES = ("GM0363", "buitenland", "onbekend")

    def __new__(cls, value: object) -> Residence:
        if type(value) is cls:
            return value
        if isinstance(value, str) and value.strip().lower() in (BUITENLAND, ONBEKEND):
            return super().__new__(cls, value.strip().lower())
        return super().__new__(cls, Municipality(value))

    @property
    def value(self) -> str:
        """The stored form: a CBS code, 'buitenland' or 'onbekend'."""
        return str(self)

    @property
    def municipality(self) -> Municipality | None:
        """The Dutch municipality, or None when abroad or unknown."""
        if self in (BUITENLAND, ONBEKEND):
            return None
        return Municipality(str(self))

    @classmethod
    def parse(cls, value: object) -> Residence:
        """For pydantic: a Dutch message that explains the other two values."""
        if isinstance(value, Residence):
            return value
        if not isinstance(value, str) or len(value) > cls.MAX_LENGTH:
            raise ValueError(
                "verwacht een gemeentecode (GM + vier cijfers), gemeentenaam, "
                "'buitenland' of 'onbekend'"
            )
        try:
            return Residence(value)
        except InvalidInput as exc:
            raise ValueError(f"{exc.detail}; of 'buitenland' of 'onbekend'") from None


Residence.BUITENLAND = Residence(BUITENLAND)
Residence.ONBEKEND = Residence(ONBEKEND)


ResidenceField = Residence


class WoonplaatsInput(BaseModel):
    """The facts the woonplaatsbeginsel needs; which ones depends on the rule that applies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # From 2022.
    stay: StayKind | None = Field(default=None, description="verblijf buiten huis (2°)")
    brp_residence: ResidenceField | None = Field(default=None, description="BRP-woonadres (1°)")
    brp_residence_before_stay: ResidenceField | None = Field(
        default=None, description="BRP-woonadres direct vóór het verblijf (2°)"
    )
    brp_annotation_2_26: bool = Field(
        default=False, description="aantekening art. 2.26 Wet BRP bij het woonadres"
    )
    mother_residence_at_birth: ResidenceField | None = Field(
        default=None, description="inschrijving van de moeder bij de geboorte (3°)"
    )
    # Both rules.
    actual_stay: ResidenceField | None = Field(
        default=None, description="werkelijk verblijf ten tijde van de hulpvraag"
    )
    # Before 2022.
    gezag: GezagKind | None = None
    gezag_residences: tuple[ResidenceField, ...] = Field(
        default=(), max_length=2, description="woonplaats van de gezagsdrager(s)"
    )
    mainly_lived_in: ResidenceField | None = Field(
        default=None, description="woonplaats van de gezagsdrager bij wie het kind vooral woonde"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.stay is StayKind.GEEN and self.brp_residence_before_stay is not None:
            raise ValueError("brp_residence_before_stay: alleen invullen bij verblijf buiten huis")
        if self.gezag is GezagKind.VOOGD_GI and self.gezag_residences:
            raise ValueError(
                "gezag_residences: niet invullen bij voogdij door een gecertificeerde instelling"
            )
        if self.gezag is GezagKind.VOOGD_PERSOON and len(self.gezag_residences) > 1:
            raise ValueError("gezag_residences: een voogd is één persoon; geef één woonplaats")
        if self.mainly_lived_in is not None and self.mainly_lived_in not in self.gezag_residences:
            raise ValueError("mainly_lived_in: moet een van de gezag_residences zijn")
        return self


class WoonplaatsResult(BaseModel):
    """The responsible municipality, the rule and step that decided it, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    municipality: Municipality
    in_region: bool
    rule: WoonplaatsRule
    step: WoonplaatsStep
    basis: str
    explanation: tuple[str, ...]
    municipality_under_2022_rule: Municipality | None = Field(
        default=None, description="ter vergelijking bij een casus van vóór 2022"
    )
