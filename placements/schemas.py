"""What clients send about a referral and what they get back, one module per resource.

`ReferralBase` holds what every shape of a referral shares; `ReferralCreate` is what a
verwijzer or the servicepunt submits, validated on arrival; `ReferralPublic` is what its
readers see, built from the table row with `model_validate(row, from_attributes=True)`.
Every request field keeps its guard (plausible dates, patterns, bounded lists).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator
from sqlmodel import SQLModel

from afwegingskader.intake_models import IntakeCase
from afwegingskader.models import Profile
from capacity.schemas import CHILD_REF_PATTERN, DepartureRequest
from domain.care import CareForm
from domain.fields import PlausibleDate
from domain.places import Municipality
from domain.profile_vocabulary import DepartureOutcome, VerwijzerType
from domain.vocabulary import (
    BridgingCare,
    DecisionOutcome,
    JudgementReason,
    ProviderAnswer,
    ReasonCode,
    RefusalReason,
    TransferReason,
    Verdict,
    WithdrawalReason,
)
from matcher.models import Proposal

UNIT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ANDERS = "anders"


def text_for_anders(reason: object, text: str | None, field: str) -> None:
    """Every coded reason 'anders' needs its explanation: ValueError naming the text field."""
    if reason == ANDERS and not (text or "").strip():
        raise ValueError(f"{field}: verplicht bij reden 'anders'")


class ReferralBase(BaseModel):
    """What every shape of a referral shares: the child, by pseudonym only."""

    child_ref: str = Field(pattern=CHILD_REF_PATTERN, description="pseudoniem van het kind")


class ReferralCreate(ReferralBase):
    """An aanmelding as submitted: a pseudonymous child, its profile and the intake facts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


class ReferralPublic(ReferralBase):
    """A referral as its readers see it: pseudonymous, never a BSN (not even its digest)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: str
    status: str
    status_note: str | None = Field(
        default=None, description="waarom de service zelf de status wijzigde"
    )
    urgency: str
    verwijzer_type: str
    sibling_group: str | None
    beschikking_date: date | None
    perspective: str
    responsible_municipality: str
    responsibility_explanation: list[str]
    start_deadline: date | None
    perspectiefplan_deadline: date | None
    bridging_care: str
    first_best: str | None
    rule_set: str | None
    # The table keeps the advice as JSON text (advice_json); readers get the object.
    advice: dict[str, Any] | None = Field(validation_alias="advice_json")
    top_unit_id: str | None
    weights_version: str | None
    placed_unit_id: str | None
    placed_form: str | None
    placed_on: date | None
    regisseur_team: str | None
    discharged_on: date | None
    discharge_outcome: str | None
    discharge_planned: bool | None = None
    continued_until: date | None = None
    previous_referral_id: str | None = None
    transfer_reason: str | None = None
    withdrawal_reason: str | None = None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def responsible_municipality_name(self) -> str:
        """The responsible municipality's name, so a client never shows a code alone."""
        return _municipality(self.responsible_municipality).label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def responsible_outside_region(self) -> bool:
        """True when the responsible municipality lies outside the region: coordinate with it."""
        return not _municipality(self.responsible_municipality).in_region

    @field_validator("responsibility_explanation", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> Any:
        return value.splitlines() if isinstance(value, str) else value

    @field_validator("advice", mode="before")
    @classmethod
    def _advice(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else None
        return value


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
        text_for_anders(self.reason_code, self.reason_text, "reason_text")
        return self


class ProposalList(BaseModel):
    """Proposals for one referral, best first, with the weights version that scored them."""

    referral_id: str
    weights_version: str
    proposals: list[Proposal]


class BridgingRequest(BaseModel):
    """The bridging care a waiting child now gets."""

    model_config = ConfigDict(extra="forbid")

    bridging_care: BridgingCare


class WithdrawRequest(BaseModel):
    """Why a referral is withdrawn; the reason 'anders' needs a text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    withdrawal_reason: WithdrawalReason
    withdrawal_text: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _text(self) -> WithdrawRequest:
        text_for_anders(self.withdrawal_reason, self.withdrawal_text, "withdrawal_text")
        return self


class TransferRequest(BaseModel):
    """A placed child moves to another form or place: why, and whether it was planned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transfer_reason: TransferReason
    transfer_planned: bool = Field(description="gepland (true) of na afbreken (false)")
    transfer_text: str | None = Field(
        default=None, max_length=500, description="toelichting; verplicht bij reden 'anders'"
    )

    @model_validator(mode="after")
    def _text(self) -> TransferRequest:
        text_for_anders(self.transfer_reason, self.transfer_text, "transfer_text")
        return self


class ContinuationRequest(BaseModel):
    """Foster care or a gezinshuis continued after 18, up to a day (at the latest 21)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    continued_until: PlausibleDate


class DischargeRequest(BaseModel):
    """Leaving the placement, and where the child went."""

    model_config = ConfigDict(extra="forbid")

    left_on: PlausibleDate
    outcome: DepartureOutcome
    planned: bool = Field(description="gepland einde (true) of afgebroken (false)")


# A departure as the servicepunt (planned or not, always said) or a provider (perhaps not
# said) records it.
Departure = DischargeRequest | DepartureRequest


class JudgementCreate(BaseModel):
    """A gedragswetenschapper's judgement of the advice in force: confirm it, or change it.

    A change names another first-best care form and, optionally, the alternatives in order
    (left out: the forms of the advice in force, in their order, without the chosen one).
    Every judgement has a coded reason; a change, and the reason 'anders', also a text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: Verdict
    chosen_first_best: CareForm | None = Field(default=None, description="alleen bij wijzigen")
    chosen_alternatives: tuple[CareForm, ...] | None = Field(
        default=None, max_length=len(CareForm), description="alleen bij wijzigen; in volgorde"
    )
    reason_code: JudgementReason
    reason_text: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _consistent(self) -> JudgementCreate:
        text = (self.reason_text or "").strip()
        if self.verdict is Verdict.CONFIRM:
            if self.chosen_first_best is not None or self.chosen_alternatives is not None:
                raise ValueError("chosen_first_best: alleen bij wijzigen van het advies")
        else:
            if self.chosen_first_best is None:
                raise ValueError("chosen_first_best: verplicht bij wijzigen van het advies")
            if self.reason_code is JudgementReason.ADVIES_PAST:
                raise ValueError("reason_code: past niet bij wijzigen; kies waarom het anders moet")
            if not text:
                raise ValueError("reason_text: verplicht bij wijzigen van het advies")
            alternatives = self.chosen_alternatives or ()
            if self.chosen_first_best in alternatives:
                raise ValueError("chosen_alternatives: bevat de gekozen first-best zorgvorm")
            if len(set(alternatives)) != len(alternatives):
                raise ValueError("chosen_alternatives: noemt een zorgvorm twee keer")
        text_for_anders(self.reason_code, text, "reason_text")
        return self


class JudgementPublic(BaseModel):
    """One judgement as its readers see it: who (by user id), what and why."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    advice_round: int
    judged_by: str
    judged_at: datetime
    verdict: Verdict
    original_form: str
    judged_form: str
    chosen_form: str
    chosen_alternatives: list[str]
    reason_code: str
    reason_text: str | None
    state_after: str

    @field_validator("chosen_alternatives", mode="before")
    @classmethod
    def _forms(cls, value: Any) -> Any:
        return [f for f in value.split(",") if f] if isinstance(value, str) else value


class JudgementView(BaseModel):
    """A referral as a gedragswetenschapper judges it: the clinical profile (no BSN, no
    birth date: the age), the afwegingskader's advice, the advice in force and the
    judgements so far. Pseudonymous, like every page."""

    referral_id: str
    child_ref: str
    status: str
    urgency: str
    judgement: str | None
    endorsements_needed: int
    profile: dict[str, Any]
    original_advice: dict[str, Any]
    advice_in_force: dict[str, Any]
    judgements: list[JudgementPublic]


class AwaitingJudgement(BaseModel):
    """A referral on the gedragswetenschapper's list."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    child_ref: str
    status: str
    urgency: str
    judgement: str | None
    first_best: str | None
    rule_set: str | None
    created_at: datetime


def _municipality(stored: str) -> Municipality:
    """The stored code (or, from before migration 0007, a name) as a Municipality."""
    return Municipality(stored)


class AnswerCreate(BaseModel):
    """The provider's answer: accept, or refuse with a coded reason ('anders' needs a text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    answer: ProviderAnswer
    refusal_reason: RefusalReason | None = None
    refusal_text: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _reason(self) -> AnswerCreate:
        if self.answer is ProviderAnswer.REFUSE and self.refusal_reason is None:
            raise ValueError("refusal_reason: verplicht bij weigeren")
        if self.answer is ProviderAnswer.ACCEPT and self.refusal_reason is not None:
            raise ValueError("refusal_reason: alleen bij weigeren")
        text_for_anders(self.refusal_reason, self.refusal_text, "refusal_text")
        return self


# An SQLModel, like the template's Public schemas: built from the request's row with
# `model_validate(request, update={...})` for what the row does not hold.
class ProviderRequestPublic(SQLModel):
    """A request to a provider as its readers see it: the child by pseudonym only, the unit,
    the state, and the answer with its response time."""

    id: str
    referral_id: str
    child_ref: str
    urgency: str
    first_best: str | None
    unit_id: str
    unit_name: str
    care_form: str
    provider_id: str
    requested_at: datetime
    hold_expires_at: datetime | None
    state: str
    answered_at: datetime | None
    response_minutes: int | None
    refusal_reason: str | None
