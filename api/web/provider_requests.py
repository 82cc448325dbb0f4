"""Requests for held places on the pages: the provider answers its own (accept, or refuse
with a reason), the servicepunt sees the ones still open."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api import hold_endings
from api.deps import NowDep, SessionDep
from api.web.auth import FormDep, PageNotFound, Provider, Staff, WebSession
from api.web.common import (
    api_action,
    audit_change,
    audit_reads,
    errors_by_field,
    labels_for,
    status_of,
)
from api.web.render import NO_FORM, FormState, form_page, page
from domain.errors import DomainError, NotFound
from domain.vocabulary import RefusalReason
from placements import provider_requests
from placements.lifecycle_models import REQUEST_FIELD_LABELS
from placements.schemas import AnswerCreate

router = APIRouter(include_in_schema=False)
ANSWER = "/aanbieder/verzoeken/{request_id}/antwoord"
NAMES = ("answer", "refusal_reason", "refusal_text")


def _provider_requests_page(
    web: WebSession, session: Session, now: datetime, shown: FormState = NO_FORM
) -> HTMLResponse:
    assert web.user.provider_id is not None  # required for the role
    views = provider_requests.listing(session, provider_id=web.user.provider_id, only_open=False)
    audit_reads(
        session,
        web,
        [v.request.referral_id for v in views],
        via="GET /aanbieder/verzoeken",
        now=now,
    )
    return form_page(
        "verzoeken_aanbieder.html",
        web,
        shown,
        views=views,
        refusal_options=[(r.value, r.label) for r in RefusalReason],
        summary_labels=labels_for(shown.errors, REQUEST_FIELD_LABELS),
    )


@router.get("/aanbieder/verzoeken")
def provider_requests_page(
    web: Provider, session: SessionDep, now: NowDep, gedaan: str = ""
) -> HTMLResponse:
    """The provider's requests for held places, newest first, open ones with an answer form."""
    return _provider_requests_page(web, session, now, FormState(done=gedaan[:20]))


@router.post(ANSWER, openapi_extra=api_action("POST /api/v1/provider-requests/{request_id}/answer"))
def answer(
    request_id: str, web: Provider, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Accept the held place, or refuse it with a reason (the hold is released)."""
    assert web.user.provider_id is not None
    prefix = f"verzoek-{request_id[:64]}."
    values = {prefix + n: form.get(n) for n in NAMES}
    try:
        asked = provider_requests.get_request(session, request_id, provider_id=web.user.provider_id)
    except NotFound:
        raise PageNotFound from None
    try:
        data = AnswerCreate.model_validate({n: form.get(n) or None for n in NAMES})
        hold_endings.before_step(
            session,
            user_id=web.user.id,
            role=web.role,
            referral_id=asked.referral_id,
            via="POST " + ANSWER,
            now=now,
        )
        provider_requests.answer(
            session,
            request_id=request_id,
            provider_id=web.user.provider_id,
            data=data,
            user_id=web.user.id,
            now=now,
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        errors = {prefix + k: v for k, v in errors_by_field(exc).items()}
        shown = FormState(errors, values, status_of(exc))
        return _provider_requests_page(web, session, now, shown)
    audit_change(session, web, [asked.referral_id], via="POST " + ANSWER, now=now)
    done = "geaccepteerd" if data.answer.value == "accept" else "geweigerd"
    return RedirectResponse(f"/aanbieder/verzoeken?gedaan={done}", status_code=303)


@router.get("/servicepunt/verzoeken")
def open_requests(web: Staff, session: SessionDep, now: NowDep) -> HTMLResponse:
    """Every request to a provider still waiting for an answer, newest first."""
    views = provider_requests.listing(session, provider_id=None, only_open=True)
    ids = [v.request.referral_id for v in views]
    audit_reads(session, web, ids, via="GET /servicepunt/verzoeken", now=now)
    return page("verzoeken.html", web, views=views, now=now)
