"""The verwijzer's own steps on the pages: withdrawing a referral it made."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from api import hold_endings
from api.deps import NowDep, SessionDep, visible_referral
from api.web.auth import FormDep, PageNotFound
from api.web.board import Verwijzer
from api.web.common import audit_change
from api.web.render import page
from domain.errors import DomainError, NotFound
from placements import service as workflow

router = APIRouter(include_in_schema=False)
PREFIX = "/verwijzer/aanmeldingen/{referral_id}"


@router.post(PREFIX + "/intrekken")
def withdraw(
    referral_id: str, web: Verwijzer, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Withdraw one of the verwijzer's own referrals that has not been placed."""
    try:
        visible_referral(session, web.user, referral_id)  # another's is not revealed
    except NotFound:
        raise PageNotFound from None
    via = "POST " + PREFIX + "/intrekken"
    try:
        hold_endings.before_step(
            session, user_id=web.user.id, role=web.role, referral_id=referral_id, via=via, now=now
        )
        workflow.withdraw(session, referral_id=referral_id, now=now)
    except DomainError as exc:
        session.rollback()
        return page(
            "error.html",
            web,
            status_code=409,
            title="Niet ingetrokken",
            message=f"De aanmelding is niet ingetrokken: {exc}",
        )
    audit_change(session, web, [referral_id], via=via, now=now)
    return RedirectResponse("/verwijzer?ingetrokken=1", status_code=303)
