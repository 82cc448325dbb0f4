"""The request to a provider for a held place, and the provider's answer.

Holding a place asks its provider (one request per hold). The provider accepts, which keeps
the hold for the servicepunt's decision, or refuses with a coded reason, which releases the
hold and sends the referral back to 'voorgesteld' with a note for the servicepunt. The
response time is kept in whole minutes. A request whose hold ended otherwise (a decision, a
withdrawal, expiry) is lapsed: it is no longer open and cannot be answered.

Services flush and never commit; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from capacity import holds as capacity_holds
from capacity.models import Hold, Location, Unit
from domain.errors import Conflict, NotFound
from domain.vocabulary import ProviderAnswer, RequestState
from placements.lifecycle_models import REQUEST_FIELD_LABELS, ProviderRequest
from placements.models import Referral
from placements.schemas import AnswerCreate
from placements.transitions import Action, advance


@dataclass(frozen=True)
class RequestView:
    """A request with what its reader needs: the referral's pseudonym and urgency, the unit."""

    request: ProviderRequest
    state: RequestState
    child_ref: str
    urgency: str
    first_best: str | None
    unit_name: str
    care_form: str
    expires_at: datetime | None


def provider_of(session: Session, unit_id: str) -> str:
    """The provider that runs the unit."""
    unit = session.get(Unit, unit_id)
    location = session.get(Location, unit.location_id) if unit is not None else None
    if location is None:
        raise NotFound("onbekende eenheid", field="unit_id")
    return location.provider_id


def ask(session: Session, *, referral: Referral, hold: Hold, user_id: str, now: datetime) -> None:
    """Ask the held unit's provider for the place (called where the hold is made)."""
    session.add(
        ProviderRequest(
            referral_id=referral.id,
            hold_id=hold.id,
            unit_id=hold.unit_id,
            provider_id=provider_of(session, hold.unit_id),
            requested_by=user_id,
            requested_at=now,
        )
    )


def state_of(request: ProviderRequest, referral: Referral) -> RequestState:
    """The request's state, lapsed when it is open but its hold is no longer the referral's."""
    if request.state == RequestState.OPEN.value and referral.hold_id != request.hold_id:
        return RequestState.VERVALLEN
    return RequestState(request.state)


def _views(query: Any, session: Session) -> list[RequestView]:
    return [
        RequestView(
            request=request,
            state=state_of(request, referral),
            child_ref=referral.child_ref,
            urgency=referral.urgency,
            first_best=referral.first_best,
            unit_name=unit.name,
            care_form=unit.care_form,
            expires_at=hold.expires_at,
        )
        for request, referral, unit, hold in session.exec(query).all()
    ]


def _joined() -> Any:
    return select(ProviderRequest, Referral, Unit, Hold).where(
        col(ProviderRequest.referral_id) == col(Referral.id),
        col(ProviderRequest.unit_id) == col(Unit.id),
        col(ProviderRequest.hold_id) == col(Hold.id),
    )


def listing(
    session: Session, *, provider_id: str | None, only_open: bool, limit: int = 200
) -> list[RequestView]:
    """Requests newest first: of one provider (None: all), or only those still open."""
    query = _joined().order_by(col(ProviderRequest.requested_at).desc(), col(ProviderRequest.id))
    if provider_id is not None:
        query = query.where(ProviderRequest.provider_id == provider_id)
    if only_open:
        query = query.where(
            ProviderRequest.state == RequestState.OPEN.value,
            col(Referral.hold_id) == col(ProviderRequest.hold_id),
        )
    return _views(query.limit(limit), session)


def view_of(session: Session, request: ProviderRequest) -> RequestView:
    """One request with what its reader needs."""
    [view] = _views(_joined().where(ProviderRequest.id == request.id), session)
    return view


def get_request(session: Session, request_id: str, *, provider_id: str | None) -> ProviderRequest:
    """The request, or NotFound (also when it is another provider's: never revealed)."""
    request = session.get(ProviderRequest, request_id) if isinstance(request_id, str) else None
    if request is None or (provider_id is not None and request.provider_id != provider_id):
        raise NotFound("onbekend verzoek", field="request_id")
    return request


def answer(
    session: Session,
    *,
    request_id: str,
    provider_id: str,
    data: AnswerCreate,
    user_id: str,
    now: datetime,
) -> ProviderRequest:
    """Record the provider's answer; a refusal releases the hold and notes why."""
    request = get_request(session, request_id, provider_id=provider_id)
    referral = session.get(Referral, request.referral_id)
    assert referral is not None  # foreign key
    if state_of(request, referral) is not RequestState.OPEN:
        raise Conflict(
            "dit verzoek is al beantwoord of de plek wordt niet meer vastgehouden",
            field="answer",
            label=REQUEST_FIELD_LABELS["answer"],
        )
    refused = data.answer is ProviderAnswer.REFUSE
    advance(referral, Action.PROVIDER_REFUSE if refused else Action.PROVIDER_ACCEPT, now=now)
    request.state = (RequestState.GEWEIGERD if refused else RequestState.GEACCEPTEERD).value
    request.answered_by = user_id
    request.answered_at = now
    request.response_minutes = max(0, int((now - request.requested_at).total_seconds() // 60))
    if refused:
        assert data.refusal_reason is not None  # the schema requires it
        request.refusal_reason = data.refusal_reason.value
        request.refusal_text = (data.refusal_text or "").strip() or None
        capacity_holds.release_hold(session, hold_id=request.hold_id, now=now)
        referral.hold_id = None
        referral.status_note = f"De aanbieder weigerde de plek: {data.refusal_reason.label}."
    session.add(request)
    session.add(referral)
    session.flush()
    return request
