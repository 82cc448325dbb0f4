"""A provider's departure of a placed child: the stay ends and the referral is discharged.

The provider records departures of its own units (capacity); a child placed through the
servicepunt also has a referral, found through the hold its stay came from, which is
discharged in the same transaction with the same outcome.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from capacity import service as capacity_service
from capacity.models import Hold, Occupancy
from domain.vocabulary import ReferralStatus
from placements import service as workflow
from placements.models import Referral
from placements.schemas import Departure


def referral_of_stay(session: Session, occupancy_id: str) -> Referral | None:
    """The placed referral whose stay this is (through the hold it came from), if any."""
    stay = session.get(Occupancy, occupancy_id) if isinstance(occupancy_id, str) else None
    hold = session.get(Hold, stay.hold_id) if stay is not None and stay.hold_id else None
    referral = session.get(Referral, hold.referral_ref) if hold is not None else None
    if referral is None or referral.occupancy_id != occupancy_id:
        return None
    return referral


def record_departure(
    session: Session,
    *,
    occupancy_id: str,
    data: Departure,
    now: datetime,
) -> Referral | None:
    """A provider's departure: a placed child's referral is discharged with that outcome.

    Returns the discharged referral, or None for a stay no referral placed (an admission
    the provider recorded directly), which only frees the place.
    """
    referral = referral_of_stay(session, occupancy_id)
    if referral is None or referral.status is not ReferralStatus.GEPLAATST:
        capacity_service.record_departure(
            session, occupancy_id=occupancy_id, left_on=data.left_on, outcome=data.outcome, now=now
        )
        return None
    return workflow.discharge(session, referral_id=referral.id, data=data, now=now)
