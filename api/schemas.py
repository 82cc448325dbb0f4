"""Response shapes shared by the routes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from placements.models import Referral

T = TypeVar("T")
# Bounded, so a huge offset is a 422 and never a database overflow.
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="aantal over te slaan")]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ReferralPublic(BaseModel):
    """A referral as its readers see it: pseudonymous, never a BSN (not even its digest)."""

    id: str
    child_ref: str
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
    advice: dict[str, Any] | None
    top_unit_id: str | None
    weights_version: str | None
    placed_unit_id: str | None
    placed_form: str | None
    placed_on: date | None
    regisseur_team: str | None
    discharged_on: date | None
    discharge_outcome: str | None
    created_at: datetime

    @classmethod
    def of(cls, r: Referral) -> ReferralPublic:
        """Build from the table row."""
        return cls(
            id=r.id,
            child_ref=r.child_ref,
            status=r.status,
            status_note=r.status_note,
            urgency=r.urgency,
            verwijzer_type=r.verwijzer_type,
            sibling_group=r.sibling_group,
            beschikking_date=r.beschikking_date,
            perspective=r.perspective,
            responsible_municipality=r.responsible_municipality,
            responsibility_explanation=r.responsibility_explanation.splitlines(),
            start_deadline=r.start_deadline,
            perspectiefplan_deadline=r.perspectiefplan_deadline,
            bridging_care=r.bridging_care,
            first_best=r.first_best,
            rule_set=r.rule_set,
            advice=json.loads(r.advice_json) if r.advice_json else None,
            top_unit_id=r.top_unit_id,
            weights_version=r.weights_version,
            placed_unit_id=r.placed_unit_id,
            placed_form=r.placed_form,
            placed_on=r.placed_on,
            regisseur_team=r.regisseur_team,
            discharged_on=r.discharged_on,
            discharge_outcome=r.discharge_outcome,
            created_at=r.created_at,
        )
