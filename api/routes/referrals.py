"""Referrals (aanmeldingen) from intake to discharge, with audit and idempotency."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, func, select

from afwegingskader.models import Advice
from api import audit, hold_endings, idempotency, metrics
from api.accounts import Role, User
from api.deps import NowDep, ReferrerOrStaff, ServicepuntUser, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from api.schemas import Offset, Page, ReferralPublic
from capacity import holds as capacity_holds
from domain.errors import InvalidInput, NotFound
from domain.fields import Amount, PlausibleDate
from domain.outcomes import DepartureOutcome
from domain.people import VerwijzerType
from matcher.models import Proposal
from placements import service as workflow
from placements.models import BridgingCare, Referral
from placements.requests import DecisionCreate, ReferralCreate

router = APIRouter(prefix="/api/v1/referrals", tags=["aanmeldingen"], responses=ERROR_RESPONSES)
ENTITY = "referral"


def _visible(session: Session, user: User, referral_id: str) -> Referral:
    """The referral if this user may see it; 404 otherwise (existence is not revealed)."""
    referral = workflow.get_referral(session, referral_id)
    if user.role == Role.VERWIJZER.value and referral.verwijzer_user_id != user.id:
        raise NotFound("onbekende aanmelding", field="referral_id")
    return referral


def _audit(
    session: Session,
    user: User,
    action: audit.AuditAction,
    referral_ids: list[str],
    via: str,
    now: datetime,
) -> None:
    audit.record(
        session,
        user_id=user.id,
        role=user.role,
        action=action,
        entity=ENTITY,
        entity_ids=referral_ids,
        via=via,
        at=now,
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
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Register a referral; a retry with the same Idempotency-Key returns the first answer."""
    endpoint = "POST /api/v1/referrals"
    attempt, stored = idempotency.begin(
        session,
        user_id=user.id,
        key=idempotency_key,
        endpoint=endpoint,
        payload=data.model_dump(mode="json"),
    )
    if stored is not None:
        response.status_code = stored[0]
        return stored[1]
    if user.role == Role.VERWIJZER.value:
        assert user.verwijzer_type is not None  # required for the role at creation
        verwijzer_type = VerwijzerType(user.verwijzer_type)
    elif data.verwijzer_type is None:
        raise InvalidInput("verplicht als de servicepunt aanmeldt", field="verwijzer_type")
    else:
        verwijzer_type = data.verwijzer_type
    if data.sibling_of is not None:
        _visible(session, user, data.sibling_of)
    referral = workflow.create_referral(
        session,
        data=data,
        verwijzer_user_id=user.id,
        verwijzer_type=verwijzer_type,
        bsn_key=state.settings.secret_key,
        now=now,
    )
    body = ReferralPublic.of(referral).model_dump(mode="json")
    _audit(session, user, audit.AuditAction.CREATE, [referral.id], endpoint, now)
    response.status_code, answer = attempt.finish(session, status_code=201, body=body, now=now)
    return answer


@router.get("", response_model=Page[ReferralPublic])
def list_referrals(
    user: ReferrerOrStaff,
    session: SessionDep,
    now: NowDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> Page[ReferralPublic]:
    """Referrals the user may see: the servicepunt all, a verwijzer its own."""
    query = select(Referral)
    if user.role == Role.VERWIJZER.value:
        query = query.where(Referral.verwijzer_user_id == user.id)
    if status is not None:
        query = query.where(Referral.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Referral.created_at), col(Referral.id)).offset(offset).limit(limit)
    ).all()
    _audit(
        session, user, audit.AuditAction.READ, [r.id for r in rows], "GET /api/v1/referrals", now
    )
    session.commit()
    items = [ReferralPublic.of(r) for r in rows]
    return Page[ReferralPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/{referral_id}", response_model=ReferralPublic)
def get_referral(
    referral_id: str, user: ReferrerOrStaff, session: SessionDep, now: NowDep
) -> ReferralPublic:
    """One referral (a verwijzer only its own)."""
    referral = _visible(session, user, referral_id)
    _audit(session, user, audit.AuditAction.READ, [referral.id], "GET /api/v1/referrals/{id}", now)
    session.commit()
    return ReferralPublic.of(referral)


@router.post("/{referral_id}/advice")
def advise(referral_id: str, user: ServicepuntUser, session: SessionDep, now: NowDep) -> Advice:
    """Run the afwegingskader for the referral and store the advice."""
    advice = workflow.advise(session, referral_id=referral_id, now=now)
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../advice", now)
    session.commit()
    return advice


class ProposalList(BaseModel):
    """Proposals for one referral, best first, with the weights version that scored them."""

    referral_id: str
    weights_version: str
    proposals: list[Proposal]


@router.post("/{referral_id}/proposals", response_model=ProposalList)
def propose(
    referral_id: str, user: ServicepuntUser, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Rank the feasible places for the referral; the top one is kept for the deviation log."""
    _settle(session, user, referral_id, "POST .../proposals", now)
    with metrics.solver_timer("proposals"):
        proposed = workflow.propose(
            session,
            referral_id=referral_id,
            units=state.unit_table(now),
            wait_days=state.settings.first_best_wait_days,
            now=now,
        )
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../proposals", now)
    session.commit()
    # The ProposalList around the proposals' JSON as just stored: serialised once, not twice.
    body = b"".join(
        (
            b'{"referral_id":',
            json.dumps(referral_id).encode(),
            b',"weights_version":',
            json.dumps(proposed.weights_version).encode(),
            b',"proposals":',
            proposed.stored_json,
            b"}",
        )
    )
    return Response(content=body, media_type="application/json")


class HoldRequest(BaseModel):
    """Which unit to hold a place in, and for how long."""

    model_config = ConfigDict(extra="forbid")

    unit_id: str = Field(min_length=1, max_length=64)
    hours: Amount | None = Field(
        default=None,
        gt=0,
        le=capacity_holds.MAX_HOLD_HOURS,
        description="looptijd in uren (max. 7 dagen); leeg: SERVICEPUNT_HOLD_TTL_SECONDS",
    )


class HoldPublic(BaseModel):
    """A held place."""

    hold_id: str
    unit_id: str
    expires_at: datetime


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
        session, referral_id=referral_id, unit_id=data.unit_id, ttl=ttl, now=now
    )
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../hold", now)
    session.commit()
    return HoldPublic(hold_id=placed.id, unit_id=placed.unit_id, expires_at=placed.expires_at)


@router.post("/{referral_id}/decision", response_model=ReferralPublic)
def decide(
    referral_id: str,
    data: DecisionCreate,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Accept (place the child, log any deviation) or decline (release the hold).

    A retry with the same Idempotency-Key returns the first answer; the same key with
    another body is a 409. A hold that has ended by itself is neither accepted nor
    declined: 409, and the referral is back on 'voorgesteld'.
    """
    attempt, stored = idempotency.begin(
        session,
        user_id=user.id,
        key=idempotency_key,
        # The referral is part of what was asked: one key is one decision on one referral.
        endpoint=f"POST /api/v1/referrals/{referral_id}/decision",
        payload=data.model_dump(mode="json"),
    )
    if stored is not None:
        response.status_code = stored[0]
        return stored[1]
    _settle(session, user, referral_id, "POST .../decision", now)
    # Kept by reference: decide updates this very object, so no reload after the commit.
    referral = workflow.get_referral(session, referral_id)
    workflow.decide(session, referral_id=referral_id, data=data, user_id=user.id, now=now)
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../decision", now)
    body = ReferralPublic.of(referral).model_dump(mode="json")
    response.status_code, answer = attempt.finish(session, status_code=200, body=body, now=now)
    return answer


class BridgingRequest(BaseModel):
    """The bridging care a waiting child now gets."""

    model_config = ConfigDict(extra="forbid")

    bridging_care: BridgingCare


@router.post("/{referral_id}/bridging", response_model=ReferralPublic)
def bridging(
    referral_id: str, data: BridgingRequest, user: ServicepuntUser, session: SessionDep, now: NowDep
) -> ReferralPublic:
    """Record bridging care (it counts as a start for the 14-day norm)."""
    _settle(session, user, referral_id, "POST .../bridging", now)
    referral = workflow.update_bridging(
        session, referral_id=referral_id, bridging_care=data.bridging_care, now=now
    )
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../bridging", now)
    session.commit()
    return ReferralPublic.of(referral)


@router.post("/{referral_id}/withdraw", response_model=ReferralPublic)
def withdraw(
    referral_id: str, user: ReferrerOrStaff, session: SessionDep, now: NowDep
) -> ReferralPublic:
    """Withdraw an unplaced referral (a verwijzer only its own)."""
    _visible(session, user, referral_id)
    _settle(session, user, referral_id, "POST .../withdraw", now)
    referral = workflow.withdraw(session, referral_id=referral_id, now=now)
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../withdraw", now)
    session.commit()
    return ReferralPublic.of(referral)


class DischargeRequest(BaseModel):
    """Leaving the placement, and where the child went."""

    model_config = ConfigDict(extra="forbid")

    left_on: PlausibleDate
    outcome: DepartureOutcome


@router.post("/{referral_id}/discharge", response_model=ReferralPublic)
def discharge(
    referral_id: str,
    data: DischargeRequest,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
) -> ReferralPublic:
    """Record the end of the placement with its outcome; the place comes free."""
    referral = workflow.discharge(
        session, referral_id=referral_id, left_on=data.left_on, outcome=data.outcome, now=now
    )
    _audit(session, user, audit.AuditAction.UPDATE, [referral_id], "POST .../discharge", now)
    session.commit()
    return ReferralPublic.of(referral)
