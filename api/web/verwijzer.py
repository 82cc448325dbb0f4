"""The verwijzer's own steps on the pages: withdrawing a referral it made."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api import hold_endings
from api.deps import NowDep, SessionDep, visible_referral
from api.web.auth import FormDep, PageNotFound, Verwijzer, WebSession
from api.web.common import audit_change, referral_action
from api.web.render import error_page
from domain.errors import DomainError, NotFound
from placements import service as workflow
from placements.models import LIFECYCLE_FIELD_LABELS
from placements.schemas import WithdrawRequest

router = APIRouter(include_in_schema=False)
PREFIX = "/verwijzer/aanmeldingen/{referral_id}"


@router.post(PREFIX + "/intrekken", openapi_extra=referral_action("withdraw"))
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
        data = WithdrawRequest.model_validate(
            {"withdrawal_reason": form.get("withdrawal_reason") or None}
        )
        workflow.withdraw(session, referral_id=referral_id, data=data, now=now)
    except ValidationError:
        session.rollback()
        return _not_withdrawn(
            web, 422, f"{LIFECYCLE_FIELD_LABELS['withdrawal_reason']}: kies een reden"
        )
    except DomainError as exc:
        session.rollback()
        return _not_withdrawn(web, 409, str(exc))
    audit_change(session, web, [referral_id], via=via, now=now)
    return RedirectResponse("/verwijzer?ingetrokken=1", status_code=303)


def _not_withdrawn(web: WebSession, status_code: int, why: str) -> Response:
    return error_page(
        web, status_code, "Niet ingetrokken", f"De aanmelding is niet ingetrokken: {why}"
    )
