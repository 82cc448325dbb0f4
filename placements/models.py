"""Workflow tables: referrals (aanmeldingen), decisions, the deviation log, and the
professional judgement of each advice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Dialect, Index, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from capacity.models import ID_LENGTH, UTCDateTime, new_id
from domain.vocabulary import BridgingCare, ReferralStatus


class StatusColumn(TypeDecorator[ReferralStatus]):
    """The status as its plain value in the database and as a ReferralStatus in Python."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        # A filter may compare with any text (an unknown status simply matches nothing).
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> ReferralStatus | None:
        return None if value is None else ReferralStatus(value)


OPEN_STATUSES = frozenset(
    {
        ReferralStatus.AANGEMELD,
        ReferralStatus.GEADVISEERD,
        ReferralStatus.VOORGESTELD,
        ReferralStatus.VASTGEHOUDEN,
    }
)


# The lifecycle forms' fields as pages and error messages name them.
LIFECYCLE_FIELD_LABELS: dict[str, str] = {
    "withdrawal_reason": "Reden van intrekken",
    "withdrawal_text": "Toelichting bij intrekken",
    "planned": "Einde van het verblijf",
    "continued_until": "Voortgezet tot",
}


class Referral(SQLModel, table=True):
    """An aanmelding: one child, one request for a place, and everything decided about it."""

    __tablename__ = "workflow_referral"
    __table_args__ = (
        Index("ix_referral_status", "status"),
        # The waiting queue per first-best form, read by every proposal (placements.proposals).
        Index("ix_referral_first_best_status", "first_best", "status"),
        Index("ix_referral_verwijzer", "verwijzer_user_id"),
        CheckConstraint("urgency IN ('regulier', 'crisis')", name="ck_referral_urgency"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    child_ref: str = Field(max_length=ID_LENGTH, index=True, description="pseudonymous child id")
    bsn_digest: str | None = Field(default=None, max_length=64)
    verwijzer_user_id: str = Field(max_length=ID_LENGTH)
    verwijzer_type: str = Field(max_length=2)
    sibling_group: str | None = Field(default=None, max_length=ID_LENGTH, index=True)
    urgency: str = Field(max_length=16)
    beschikking_date: date | None = None
    crisis_placement_date: date | None = None
    perspective: str = Field(max_length=32)
    home_municipality: str | None = Field(default=None, max_length=32)
    responsible_municipality: str = Field(max_length=32)
    responsibility_explanation: str = Field(sa_type=Text)
    profile_json: str = Field(sa_type=Text)
    status: ReferralStatus = Field(default=ReferralStatus.AANGEMELD, sa_type=StatusColumn)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    start_deadline: date | None = None
    perspectiefplan_deadline: date | None = None
    bridging_care: str = Field(default=BridgingCare.GEEN.value, max_length=32)
    bridging_since: date | None = None
    # Units where an earlier placement of this child broke down: never proposed again.
    excluded_units: str = Field(default="", sa_type=Text)
    # Filled by the advice step. advice_json is the afwegingskader's own advice and stays so;
    # a gedragswetenschapper who changes it puts the advice in force in judged_advice_json.
    # first_best is the first-best of the advice in force (what proposals and the deviation
    # log measure against).
    advice_json: str | None = Field(default=None, sa_type=Text)
    first_best: str | None = Field(default=None, max_length=32)
    rule_set: str | None = Field(default=None, max_length=100)
    # Professional judgement, beside the status (see placements.judgement): every advice
    # starts a new round; `judgement` is a JudgementState value, None before any advice.
    advice_round: int = Field(default=0)
    judged_advice_json: str | None = Field(default=None, sa_type=Text)
    judgement: str | None = Field(default=None, max_length=16)
    # Filled by the proposal step: the top proposal is what a deviation is measured against.
    proposals_json: str | None = Field(default=None, sa_type=Text)
    top_unit_id: str | None = Field(default=None, max_length=ID_LENGTH)
    weights_version: str | None = Field(default=None, max_length=100)
    hold_id: str | None = Field(default=None, max_length=ID_LENGTH)
    # Why the service itself moved the referral (a hold that expired or whose unit closed),
    # for the servicepunt to see; cleared by the next step a person takes.
    status_note: str | None = Field(default=None, max_length=500)
    # Filled by the placement.
    placed_unit_id: str | None = Field(default=None, max_length=ID_LENGTH)
    placed_form: str | None = Field(default=None, max_length=32)
    placed_municipality: str | None = Field(default=None, max_length=32)
    placed_on: date | None = None
    occupancy_id: str | None = Field(default=None, max_length=ID_LENGTH)
    regisseur_team: str | None = Field(default=None, max_length=200)
    # The perspectiefregisseur (a user) who keeps this child's perspective (placements.regie).
    regisseur_user_id: str | None = Field(default=None, max_length=ID_LENGTH, index=True)
    discharged_on: date | None = None
    discharge_outcome: str | None = Field(default=None, max_length=32)
    # A transfer (placements.transfers): the placement this follow-up referral moves the child
    # from, why (a TransferReason value), and whether the move was planned.
    previous_referral_id: str | None = Field(default=None, max_length=ID_LENGTH, index=True)
    transfer_reason: str | None = Field(default=None, max_length=32)
    transfer_text: str | None = Field(default=None, max_length=500)  # needed for 'anders'
    transfer_planned: bool | None = None
    # Foster care or a gezinshuis continued after 18, up to this day (at the latest 21).
    continued_until: date | None = None
    # How the stay ended: planned, or unplanned (a breakdown); None: not recorded.
    discharge_planned: bool | None = None
    # Filled by a withdrawal: why (a WithdrawalReason value) and when.
    withdrawal_reason: str | None = Field(default=None, max_length=32)
    withdrawal_text: str | None = Field(default=None, max_length=500)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Decision(SQLModel, table=True):
    """Accept or decline of a held place, with the reason."""

    __tablename__ = "workflow_decision"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    referral_id: str = Field(foreign_key="workflow_referral.id", index=True, max_length=ID_LENGTH)
    unit_id: str = Field(max_length=ID_LENGTH)
    hold_id: str = Field(max_length=ID_LENGTH)
    outcome: str = Field(max_length=16)
    reason_code: str | None = Field(default=None, max_length=32)
    reason_text: str | None = Field(default=None, max_length=500)
    decided_by: str = Field(max_length=ID_LENGTH)
    decided_at: datetime = Field(sa_type=UTCDateTime)


class Deviation(SQLModel, table=True):
    """A placement that differs from the advice (care form) or the top proposal (place)."""

    __tablename__ = "workflow_deviation"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    referral_id: str = Field(foreign_key="workflow_referral.id", index=True, max_length=ID_LENGTH)
    recorded_at: datetime = Field(sa_type=UTCDateTime, index=True)
    placed_on: date
    # The advice in force after professional judgement; original_form is the afwegingskader's
    # own first-best (the same unless a gedragswetenschapper changed it).
    advised_form: str = Field(max_length=32)
    original_form: str | None = Field(default=None, max_length=32)
    placed_form: str = Field(max_length=32)
    form_deviates: bool
    top_unit_id: str | None = Field(default=None, max_length=ID_LENGTH)
    chosen_unit_id: str = Field(max_length=ID_LENGTH)
    # Where the child was placed (CBS code); shown with its region (domain.places).
    placed_municipality: str | None = Field(default=None, max_length=32)
    place_deviates: bool
    reason_code: str = Field(max_length=32)
    reason_text: str | None = Field(default=None, max_length=500)
    rule_set: str = Field(max_length=100)
    weights_version: str | None = Field(default=None, max_length=100)


# The judgement's fields as the pages and error messages name them.
JUDGEMENT_FIELD_LABELS: dict[str, str] = {
    "verdict": "Oordeel",
    "chosen_first_best": "Gekozen first-best zorgvorm",
    "chosen_alternatives": "Alternatieven in volgorde",
    "reason_code": "Reden",
    "reason_text": "Toelichting",
    "judged_by": "Gedragswetenschapper",
    "judgement": "Oordeel gedragswetenschapper",
}


class AdviceJudgement(SQLModel, table=True):
    """One gedragswetenschapper's confirmation or change of a referral's advice.

    A change is an advice-level deviation: it is reported apart from the deviations of a
    placement from its advice. Within one advice round a person judges once (`judged_by`
    is unique per round), and `seq` numbers the judgements, so two judges who answer at the
    same moment cannot both be the first.
    """

    __tablename__ = "workflow_advice_judgement"
    __table_args__ = (
        UniqueConstraint("referral_id", "advice_round", "seq", name="uq_judgement_seq"),
        UniqueConstraint("referral_id", "advice_round", "judged_by", name="uq_judgement_person"),
        CheckConstraint("verdict IN ('confirm', 'change')", name="ck_judgement_verdict"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    referral_id: str = Field(foreign_key="workflow_referral.id", index=True, max_length=ID_LENGTH)
    advice_round: int
    seq: int
    judged_by: str = Field(max_length=ID_LENGTH)
    judged_at: datetime = Field(sa_type=UTCDateTime, index=True)
    verdict: str = Field(max_length=16)
    # The afwegingskader's first-best, the first-best in force before, and the one chosen.
    original_form: str = Field(max_length=32)
    judged_form: str = Field(max_length=32)
    chosen_form: str = Field(max_length=32)
    chosen_alternatives: str = Field(default="", max_length=400)
    reason_code: str = Field(max_length=32)
    reason_text: str | None = Field(default=None, max_length=500)
    rule_set: str = Field(max_length=100)
    state_after: str = Field(max_length=16)


class ReferralVersion(SQLModel, table=True):
    """The profile of a referral as it was before an edit: an edit never overwrites it."""

    __tablename__ = "workflow_referral_version"
    __table_args__ = (UniqueConstraint("referral_id", "version", name="uq_referral_version"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    referral_id: str = Field(foreign_key="workflow_referral.id", index=True, max_length=ID_LENGTH)
    version: int = Field(description="1 for the profile as first entered, then 2, 3...")
    profile_json: str = Field(sa_type=Text)
    # The advice in force with this profile (None when none had been asked yet).
    first_best: str | None = Field(default=None, max_length=32)
    rule_set: str | None = Field(default=None, max_length=100)
    replaced_at: datetime = Field(sa_type=UTCDateTime)
    replaced_by: str = Field(max_length=ID_LENGTH)
