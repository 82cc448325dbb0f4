"""Referrals (aanmeldingen) from intake to discharge, with audit and idempotency."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlmodel import Session

from afwegingskader.models import Advice
from api import audit, hold_endings, idempotency, metrics
from api.accounts import User
from api.deps import (
    NowDep,
    ReferrerOrStaff,
    ServicepuntUser,
    SessionDep,
    StateDep,
    VisibleReferral,
    visible_referral,
)
from api.errors import ERROR_RESPONSES
from api.schemas import Limit, Offset, Page
from capacity.schemas import HoldPublic, HoldRequest
from domain.vocabulary import Role
from placements import proposals as placement_proposals
from placements import service as workflow
from placements import transfers
from placements.schemas import (
    BridgingRequest,
    DecisionCreate,
    DischargeRequest,
    ProposalList,
    ReferralCreate,
    ReferralPublic,
    TransferRequest,
    WithdrawRequest,
)

router = APIRouter(prefix="/api/v1/referrals", tags=["aanmeldingen"], responses=ERROR_RESPONSES)


def _updated(session: Session, user: User, referral_id: str, step: str, now: datetime) -> None:
    """How a step on one referral ends: audited as an update of it, then committed."""
    audit.record_referrals(
        session, user, audit.AuditAction.UPDATE, [referral_id], f"POST .../{step}", now, commit=True
    )


def _settle(session: Session, user: User, referral_id: str, via: str, now: datetime) -> None:
    """Move the referral on first if its hold ended by itself (committed on its own)."""
    hold_endings.before_step(
        session, user_id=user.id, role=user.role, referral_id=referral_id, via=via, now=now
    )


@router.post("", status_code=201, response_model=ReferralPublic)
def create_referral(
    data: ReferralCreate,
    user: ReferrerOrStaff,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    retry: idempotency.RetryDep,
) -> Any:
    """Register a referral; a retry with the same Idempotency-Key returns the first answer."""
    endpoint = "POST /api/v1/referrals"
    attempt, stored = retry.begin(session, user.id, endpoint, data)
    if stored is not None:
        return stored
    own = user.verwijzer_type if user.role == Role.VERWIJZER.value else None
    verwijzer_type = workflow.referrer_type(own, data.verwijzer_type)
    if data.sibling_of is not None:
        visible_referral(session, user, data.sibling_of)
    referral = workflow.create_referral(
        session,
        data=data,
        verwijzer_user_id=user.id,
        verwijzer_type=verwijzer_type,
        bsn_key=state.settings.secret_key,
        now=now,
    )
    body = ReferralPublic.model_validate(referral).model_dump(mode="json")
    audit.record_referrals(session, user, audit.AuditAction.CREATE, [referral.id], endpoint, now)
    return retry.finish(session, attempt, status_code=201, body=body, now=now)


@router.get("", response_model=Page[ReferralPublic])
def list_referrals(
    user: ReferrerOrStaff,
    session: SessionDep,
    now: NowDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ReferralPublic]:
    """Referrals the user may see: the servicepunt all, a verwijzer its own."""
    rows, total = workflow.list_referrals(
        session,
        verwijzer_user_id=user.id if user.role == Role.VERWIJZER.value else None,
        status=status,
        limit=limit,
        offset=offset,
    )
    audit.record_reads(session, user, [r.id for r in rows], "GET /api/v1/referrals", now)
    items = [ReferralPublic.model_validate(r) for r in rows]
    return Page[ReferralPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/{referral_id}", response_model=ReferralPublic)
def get_referral(
    referral: VisibleReferral, user: ReferrerOrStaff, session: SessionDep, now: NowDep
) -> ReferralPublic:
    """One referral (a verwijzer only its own)."""
    audit.record_reads(session, user, [referral.id], "GET /api/v1/referrals/{id}", now)
    return ReferralPublic.model_validate(referral)


@router.post("/{referral_id}/advice")
def advise(referral_id: str, user: ServicepuntUser, session: SessionDep, now: NowDep) -> Advice:
    """Run the afwegingskader for the referral and store the advice."""
    advice = workflow.advise(session, referral_id=referral_id, now=now)
    _updated(session, user, referral_id, "advice", now)
    return advice


@router.post("/{referral_id}/proposals", response_model=ProposalList)
def propose(
    referral_id: str, user: ServicepuntUser, session: SessionDep, state: StateDep, now: NowDep
) -> ProposalList:
    """Rank the feasible places for the referral; the top one is kept for the deviation log."""
    _settle(session, user, referral_id, "POST .../proposals", now)
    with metrics.solver_timer("proposals"):
        proposed = placement_proposals.propose(
            session,
            referral_id=referral_id,
            units=state.unit_table(now),
            wait_days=state.settings.first_best_wait_days,
            now=now,
        )
    _updated(session, user, referral_id, "proposals", now)
    return ProposalList(
        referral_id=referral_id,
        weights_version=proposed.weights_version,
        proposals=proposed.proposals,
    )


@router.post("/{referral_id}/hold", status_code=201)
def hold(
    referral_id: str,
    data: HoldRequest,
    user: ServicepuntUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> HoldPublic:
    """Hold a place for the referral while the provider is called (409 when none is free)."""
    ttl = state.settings.hold_ttl if data.hours is None else timedelta(hours=data.hours)
    _settle(session, user, referral_id, "POST .../hold", now)
    placed = workflow.hold_place(
        session, referral_id=referral_id, unit_id=data.unit_id, ttl=ttl, user_id=user.id, now=now
    )
    _updated(session, user, referral_id, "hold", now)
    return HoldPublic(hold_id=placed.id, unit_id=placed.unit_id, expires_at=placed.expires_at)


@router.post("/{referral_id}/decision", response_model=ReferralPublic)
def decide(
    referral_id: str,
    data: DecisionCreate,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
    retry: idempotency.RetryDep,
) -> Any:
    """Accept (place the child, log any deviation) or decline (release the hold).

    A retry with the same Idempotency-Key returns the first answer; the same key with
    another body is a 409. A hold that has ended by itself is neither accepted nor
    declined: 409, and the referral is back on 'voorgesteld'.
    """
    # The referral is part of what was asked: one key is one decision on one referral.
    endpoint = f"POST /api/v1/referrals/{referral_id}/decision"
    attempt, stored = retry.begin(session, user.id, endpoint, data)
    if stored is not None:
        return stored
    _settle(session, user, referral_id, "POST .../decision", now)
    # Kept by reference: decide updates this very object, so no reload after the commit.
    referral = workflow.get_referral(session, referral_id)
    workflow.decide(session, referral_id=referral_id, data=data, user_id=user.id, now=now)
    audit.record_referrals(
        session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../decision", now
    )
    body = ReferralPublic.model_validate(referral).model_dump(mode="json")
    return retry.finish(session, attempt, status_code=200, body=body, now=now)


@router.post("/{referral_id}/bridging", response_model=ReferralPublic)
def bridging(
    referral_id: str, data: BridgingRequest, user: ServicepuntUser, session: SessionDep, now: NowDep
) -> ReferralPublic:
    """Record bridging care (it counts as a start for the 14-day norm)."""
    _settle(session, user, referral_id, "POST .../bridging", now)
    referral = workflow.update_bridging(
        session, referral_id=referral_id, bridging_care=data.bridging_care, now=now
    )
    _updated(session, user, referral_id, "bridging", now)
    return ReferralPublic.model_validate(referral)


@router.post("/{referral_id}/withdraw", response_model=ReferralPublic)
def withdraw(
    visible: VisibleReferral,
    data: WithdrawRequest,
    user: ReferrerOrStaff,
    session: SessionDep,
    now: NowDep,
) -> ReferralPublic:
    """Withdraw an unplaced referral with a coded reason (a verwijzer only its own)."""
    referral_id = visible.id
    _settle(session, user, referral_id, "POST .../withdraw", now)
    referral = workflow.withdraw(session, referral_id=referral_id, data=data, now=now)
    _updated(session, user, referral_id, "withdraw", now)
    return ReferralPublic.model_validate(referral)


@router.post("/{referral_id}/discharge", response_model=ReferralPublic)
def discharge(
    referral_id: str,
    data: DischargeRequest,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
) -> ReferralPublic:
    """Record the end of the placement with its outcome; the place comes free."""
    referral = workflow.discharge(session, referral_id=referral_id, data=data, now=now)
    _updated(session, user, referral_id, "discharge", now)
    return ReferralPublic.model_validate(referral)


@router.post("/{referral_id}/transfer", status_code=201, response_model=ReferralPublic)
def transfer(
    referral_id: str,
    data: TransferRequest,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
) -> ReferralPublic:
    """A placed child moves to another form or place: a follow-up referral, linked to this
    placement, which ends when the follow-up is placed (a move for the child)."""
    previous = workflow.get_referral(session, referral_id)
    follow_up = transfers.start(session, previous=previous, data=data, now=now)
    body = ReferralPublic.model_validate(follow_up)
    via = "POST .../transfer"
    audit.record_referrals(session, user, audit.AuditAction.UPDATE, [previous.id], via, now)
    audit.record_referrals(
        session, user, audit.AuditAction.CREATE, [follow_up.id], via, now, commit=True
    )
    return body
