"""Holds that end by themselves move their referrals on, and every such move is audited.

A hold ends without a decision when it expires (the periodic sweep of every API process
notices) or when its unit closes (the provider's change releases it). Capacity may not
know referrals, so this layer, which knows both, moves them on: in the sweep's own
transaction, in the provider's transaction, or, at the latest, right before the next step
on the referral. Every process may do it; the workflow's conditional update moves each
referral once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from api import audit
from api.deps import ServiceState
from capacity import service as capacity_service
from capacity.models import CapacityChange
from capacity.schemas import CapacityChangeRequest
from placements import service as workflow
from placements.transitions import Actor

ENTITY = "referral"
SYSTEM_USER = "systeem"
VIA_SWEEP = "capacity sweep: hold ended"


def _audit(
    session: Session, *, user_id: str, role: str, ids: list[str], via: str, now: datetime
) -> None:
    audit.record(
        session,
        user_id=user_id,
        role=role,
        action=audit.AuditAction.UPDATE,
        entity=ENTITY,
        entity_ids=ids,
        via=via,
        at=now,
    )


def sweep(state: ServiceState, *, now: datetime) -> tuple[int, int, list[str]]:
    """Expire holds, apply due capacity changes and move the referrals whose hold ended,
    in one transaction: (holds expired, changes applied, referrals moved)."""
    moved: list[str] = []

    def settle(session: Session) -> None:
        moved[:] = workflow.settle_ended_holds(session, now=now)
        _audit(
            session,
            user_id=SYSTEM_USER,
            role=Actor.SYSTEEM.value,
            ids=moved,
            via=VIA_SWEEP,
            now=now,
        )

    expired, applied = state.sync.sweep(state.engine, now=now, then=settle)
    return expired, applied, moved


def change_capacity(
    session: Session,
    *,
    unit_id: str,
    data: CapacityChangeRequest,
    user_id: str,
    role: str,
    via: str,
    now: datetime,
) -> CapacityChange:
    """Schedule (or apply, when due) a change in places or a closure; a closure releases the
    unit's holds, so their referrals move on ('voorgesteld') in the same transaction."""
    change = capacity_service.schedule_capacity_change(
        session,
        unit_id=unit_id,
        kind=data.kind,
        effective_on=data.effective_on,
        places=data.places,
        now=now,
    )
    moved = workflow.settle_ended_holds(session, now=now, unit_id=unit_id)
    _audit(session, user_id=user_id, role=role, ids=moved, via=f"{via} (hold ended)", now=now)
    return change


def before_step(
    session: Session, *, user_id: str, role: str, referral_id: str, via: str, now: datetime
) -> None:
    """If the referral's hold ended and no sweep has noticed yet, move it on and commit that
    first: a step the ended hold refuses (accept, decline) still leaves it 'voorgesteld'."""
    if workflow.settle_hold(session, referral_id=referral_id, now=now):
        via = f"{via} (hold ended)"
        _audit(session, user_id=user_id, role=role, ids=[referral_id], via=via, now=now)
        session.commit()
