"""A provider's steps on the stays in its own units, shared by the API and the provider's page.

The caller checks that the unit is the provider's and commits; a departure that discharges a
referral placed through the servicepunt is audited as a change of that referral.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from api import audit
from api.accounts import User
from capacity import service as capacity_service
from capacity.models import Occupancy
from capacity.schemas import AdmissionRequest, DepartureRequest
from placements import departures
from placements.schemas import DischargeRequest


def admit(session: Session, *, unit_id: str, data: AdmissionRequest, now: datetime) -> Occupancy:
    """Record an admission (Conflict when the unit is full or closed)."""
    return capacity_service.record_admission(
        session,
        unit_id=unit_id,
        child_ref=data.child_ref,
        since=data.since,
        expected_end=data.expected_end,
        now=now,
    )


def depart(
    session: Session,
    user: User,
    *,
    occupancy_id: str,
    data: DepartureRequest | DischargeRequest,
    via: str,
    now: datetime,
) -> None:
    """Record a departure with its outcome; the place comes free, and a child placed through
    the servicepunt has its referral discharged with that outcome."""
    discharged = departures.record_departure(session, occupancy_id=occupancy_id, data=data, now=now)
    if discharged is not None:
        audit.record_referrals(session, user, audit.AuditAction.UPDATE, [discharged.id], via, now)
