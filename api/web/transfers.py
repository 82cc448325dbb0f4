"""A transfer on the servicepunt's referral page: the placed child moves to another form or
place; the page of the follow-up referral opens next."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api.web.common import audit_change, referral_action
from api.web.referral_page import PREFIX, StepDep, failed_step
from domain.errors import DomainError
from placements import service as workflow
from placements import transfers
from placements.schemas import TransferRequest

router = APIRouter(include_in_schema=False)
NAMES = ("transfer_reason", "transfer_planned", "transfer_text")


@router.post(
    PREFIX + "/overplaatsen",
    openapi_extra=referral_action("transfer"),
)
def transfer(step: StepDep) -> Response:
    """Start the move of a placed child: a follow-up referral linked to this placement."""
    values = {f"transfer.{n}": step.form.get(n) for n in NAMES}
    try:
        data = TransferRequest.model_validate({n: step.form.get(n) or None for n in NAMES})
        previous = workflow.get_referral(step.session, step.referral_id)
        follow_up = transfers.start(step.session, previous=previous, data=data, now=step.now)
    except (ValidationError, DomainError) as exc:
        return failed_step(exc, step, prefix="transfer.", values=values)
    audit_change(
        step.session,
        step.web,
        [previous.id, follow_up.id],
        via="POST " + PREFIX + "/overplaatsen",
        now=step.now,
    )
    return RedirectResponse(
        f"/servicepunt/aanmeldingen/{follow_up.id}?gedaan=overplaatsing", status_code=303
    )
