"""Requests to providers for held places: the open ones for the servicepunt, a provider's
own, and the provider's answer (accept, or refuse with a coded reason)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from api import audit, hold_endings
from api.accounts import User
from api.deps import NowDep, ProviderOrStaff, ProviderUser, SessionDep
from api.errors import ERROR_RESPONSES
from domain.vocabulary import Role
from placements import provider_requests
from placements.provider_requests import RequestView
from placements.schemas import AnswerCreate, ProviderRequestPublic

router = APIRouter(prefix="/api/v1", tags=["verzoeken aan aanbieders"], responses=ERROR_RESPONSES)
ANSWER_VIA = "POST /api/v1/provider-requests/{request_id}/answer"


def own_provider(user: User) -> str | None:
    """The provider whose requests the user may see: a provider its own, the servicepunt all."""
    if user.role == Role.AANBIEDER.value:
        assert user.provider_id is not None  # required for the role at creation
        return user.provider_id
    return None


def public(view: RequestView) -> ProviderRequestPublic:
    """A request as the API shows it: its row, with the referral, unit and state beside it."""
    beside = {
        "child_ref": view.child_ref,
        "urgency": view.urgency,
        "first_best": view.first_best,
        "unit_name": view.unit_name,
        "care_form": view.care_form,
        "hold_expires_at": view.expires_at,
        "state": view.state.value,
    }
    return ProviderRequestPublic.model_validate(view.request, update=beside)


@router.get("/provider-requests", response_model=list[ProviderRequestPublic])
def list_requests(
    user: ProviderOrStaff,
    session: SessionDep,
    now: NowDep,
    state: Literal["open", "alle"] = "open",
) -> list[ProviderRequestPublic]:
    """Requests newest first: those still open (default) or all; a provider only its own."""
    views = provider_requests.listing(
        session, provider_id=own_provider(user), only_open=state == "open"
    )
    ids = sorted({v.request.referral_id for v in views})
    audit.record_reads(session, user, ids, "GET /api/v1/provider-requests", now)
    return [public(v) for v in views]


@router.post("/provider-requests/{request_id}/answer", response_model=ProviderRequestPublic)
def answer(
    request_id: str, data: AnswerCreate, user: ProviderUser, session: SessionDep, now: NowDep
) -> ProviderRequestPublic:
    """The provider accepts the held place, or refuses it with a reason (the hold is released
    and the servicepunt proposes again); another provider's request is not found."""
    provider_id = own_provider(user)
    assert provider_id is not None
    asked = provider_requests.get_request(session, request_id, provider_id=provider_id)
    hold_endings.before_step(
        session,
        user_id=user.id,
        role=user.role,
        referral_id=asked.referral_id,
        via=ANSWER_VIA,
        now=now,
    )
    done = provider_requests.answer(
        session, request_id=request_id, provider_id=provider_id, data=data, user_id=user.id, now=now
    )
    referral_id = done.referral_id
    audit.record_referrals(session, user, audit.AuditAction.UPDATE, [referral_id], ANSWER_VIA, now)
    body = public(provider_requests.view_of(session, done))
    session.commit()
    return body
