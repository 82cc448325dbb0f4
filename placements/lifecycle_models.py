"""Tables of a placement's wider life (issue 21): the request to a provider for a held place
and its answer, and the register of beschikkingen. Kept apart from placements.models, which
holds the referral and its steps."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from capacity.models import ID_LENGTH, UTCDateTime, new_id
from domain.vocabulary import RequestState

# The answer's fields as the pages and error messages name them.
REQUEST_FIELD_LABELS: dict[str, str] = {
    "answer": "Antwoord van de aanbieder",
    "refusal_reason": "Reden van weigeren",
    "refusal_text": "Toelichting bij weigeren",
}


TRANSFER_FIELD_LABELS: dict[str, str] = {
    "transfer_reason": "Reden van overplaatsing",
    "transfer_planned": "Overplaatsing gepland",
    "transfer_text": "Toelichting bij overplaatsing",
}


class ProviderRequest(SQLModel, table=True):
    """A held place asked of its provider: one per hold, with the answer and how long it took."""

    __tablename__ = "workflow_provider_request"
    __table_args__ = (
        Index("ix_provider_request_provider_state", "provider_id", "state"),
        CheckConstraint(
            "state IN ('open', 'geaccepteerd', 'geweigerd')", name="ck_provider_request_state"
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    referral_id: str = Field(foreign_key="workflow_referral.id", index=True, max_length=ID_LENGTH)
    hold_id: str = Field(max_length=ID_LENGTH, unique=True)
    unit_id: str = Field(max_length=ID_LENGTH)
    provider_id: str = Field(max_length=ID_LENGTH)
    requested_by: str = Field(max_length=ID_LENGTH)
    requested_at: datetime = Field(sa_type=UTCDateTime, index=True)
    state: str = Field(default=RequestState.OPEN.value, max_length=16)
    answered_by: str | None = Field(default=None, max_length=ID_LENGTH)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Whole minutes from request to answer: the provider's response time.
    response_minutes: int | None = None
    refusal_reason: str | None = Field(default=None, max_length=32)
    refusal_text: str | None = Field(default=None, max_length=500)


class Beschikking(SQLModel, table=True):
    """One allocated product of youth care with a stay, as a JW301 allocation message carries
    it: also those that never went through the servicepunt, and those placed outside the
    region. The child by pseudonym (a BSN only as its keyed digest)."""

    __tablename__ = "register_beschikking"
    __table_args__ = (
        UniqueConstraint("municipality", "allocation_number", name="uq_beschikking_allocation"),
        Index("ix_beschikking_municipality_decided", "municipality", "decided_on"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    child_ref: str = Field(max_length=ID_LENGTH, index=True)
    bsn_digest: str | None = Field(default=None, max_length=64)
    birth_date: date
    municipality: str = Field(max_length=32)
    allocation_number: str = Field(max_length=8)
    product_category: str = Field(max_length=2)
    product_code: str = Field(max_length=5)
    start_date: date
    end_date: date | None = None
    volume: int
    unit: str = Field(max_length=2)
    frequency: str | None = Field(default=None, max_length=1)
    # The beschikking's own date (JW301 ToewijzingDatum): the 2-week norm runs from it.
    decided_on: date
    placed_outside_region: bool = False
    source: str = Field(max_length=16)
    created_by: str = Field(max_length=ID_LENGTH)
    created_at: datetime = Field(sa_type=UTCDateTime)


REGIE_FIELD_LABELS: dict[str, str] = {
    "regisseur_user_id": "Perspectiefregisseur",
    "done_on": "Afgerond op",
    "next_evaluation": "Volgende evaluatie uiterlijk",
}


class RegieTask(SQLModel, table=True):
    """One deadline of a perspectiefregisseur for one child: due, and when it was done."""

    __tablename__ = "regie_task"
    __table_args__ = (Index("ix_regie_task_referral_kind", "referral_id", "kind"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    referral_id: str = Field(foreign_key="workflow_referral.id", max_length=ID_LENGTH)
    kind: str = Field(max_length=16)
    due: date
    done_on: date | None = None
    done_by: str | None = Field(default=None, max_length=ID_LENGTH)
    created_at: datetime = Field(sa_type=UTCDateTime)
