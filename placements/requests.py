"""What a client submits to the workflow: a referral and a decision, validated on arrival."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from afwegingskader.intake_models import IntakeCase
from afwegingskader.models import Profile
from domain.fields import PlausibleDate
from domain.people import VerwijzerType
from placements.models import BridgingCare, DecisionOutcome, ReasonCode

CHILD_REF_PATTERN = r"^[A-Za-z0-9_-]{4,64}$"
UNIT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class ReferralCreate(BaseModel):
    """An aanmelding as submitted: a pseudonymous child, its profile and the intake facts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    child_ref: str = Field(pattern=CHILD_REF_PATTERN, description="pseudoniem van het kind")
    bsn: str | None = Field(default=None, description="optioneel; alleen gehasht bewaard")
    verwijzer_type: VerwijzerType | None = Field(
        default=None, description="COD327; voor een verwijzer zelf volgt het uit het account"
    )
    sibling_of: str | None = Field(default=None, description="aanmelding van een broer/zus")
    bridging_care: BridgingCare = BridgingCare.GEEN
    excluded_units: tuple[Annotated[str, Field(pattern=UNIT_ID_PATTERN)], ...] = Field(
        default=(),
        max_length=50,
        description="eenheden waar een eerdere plaatsing van dit kind is afgebroken",
    )
    profile: Profile
    intake: IntakeCase

    @model_validator(mode="after")
    def _consistent(self) -> ReferralCreate:
        if self.intake.crisis != self.profile.crisis:
            raise ValueError("intake.crisis: moet gelijk zijn aan profile.crisis")
        if self.intake.perspective not in (None, self.profile.perspective):
            raise ValueError("intake.perspective: moet gelijk zijn aan profile.perspective")
        return self


class DecisionCreate(BaseModel):
    """Accept or decline the held place; a decline, and a deviating accept, need a reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: DecisionOutcome
    reason_code: ReasonCode | None = None
    reason_text: str | None = Field(default=None, max_length=500)
    placed_on: PlausibleDate | None = Field(default=None, description="standaard: vandaag")
    expected_end: PlausibleDate | None = None

    @model_validator(mode="after")
    def _reason(self) -> DecisionCreate:
        if self.outcome is DecisionOutcome.DECLINE and self.reason_code is None:
            raise ValueError("reason_code: verplicht bij afwijzen")
        if self.reason_code is ReasonCode.ANDERS and not (self.reason_text or "").strip():
            raise ValueError("reason_text: verplicht bij reden 'anders'")
        return self
