"""The servicepunt edits a referral's profile: the form as entered, every error at once, the
old version kept and, when the profile changed, a new advice (placements.edits).

The intake facts (perspective, crisis, home municipality, woonplaats) decided the
responsible municipality and the deadlines: they are shown, not edited here.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from afwegingskader.models import Profile
from api.deps import NowDep, SessionDep
from api.web.auth import FormDep, Staff, WebSession
from api.web.common import audit_change, errors_by_field
from api.web.referral_form import (
    place_errors,
    profile_checks,
    profile_fields,
    profile_payload,
)
from api.web.render import page
from domain.errors import DomainError
from placements import edits
from placements import service as workflow
from placements.models import Referral
from placements.transitions import Action, require

router = APIRouter(include_in_schema=False)
PATH = "/servicepunt/aanmeldingen/{referral_id}/bewerken"


def stored_values(referral: Referral) -> dict[str, str]:
    """The form's values for the profile as stored (checkboxes as 'ja')."""
    data: dict[str, Any] = json.loads(referral.profile_json)
    values: dict[str, str] = {}
    for name, value in data.items():
        key = f"profile.{name}"
        if isinstance(value, bool):
            values[key] = "ja" if value else ""
        elif isinstance(value, list):
            values[key] = ", ".join(str(v) for v in value)
        elif value is not None:
            values[key] = str(value)
    if values.get("profile.birth_date"):
        values.pop("profile.age", None)  # the age follows from the birth date
    return values


def _edit_page(
    web: WebSession,
    referral: Referral,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        "referral_edit.html",
        web,
        status_code=status_code,
        r=referral,
        values=values,
        errors=errors,
        **profile_fields(),
    )


def _editable(session: Session, referral_id: str) -> Referral:
    referral = workflow.get_referral(session, referral_id)
    require(referral.status, Action.EDIT)
    return referral


@router.get(PATH)
def edit_form(referral_id: str, web: Staff, session: SessionDep) -> Response:
    """The child's profile as stored, in the referral form's fields."""
    try:
        referral = _editable(session, referral_id)
    except DomainError:
        return RedirectResponse(f"/servicepunt/aanmeldingen/{referral_id}", status_code=303)
    return _edit_page(web, referral, stored_values(referral), {})


@router.post(PATH)
def save_edit(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Keep the old profile, store the new one and advise again when it changed."""
    referral = workflow.get_referral(session, referral_id)
    values = {name: vals[0] for name, vals in form.fields.items() if name != "csrf"}
    try:
        require(referral.status, Action.EDIT)  # before the form: a late edit is a conflict
    except DomainError as exc:
        return _edit_page(web, referral, values, place_errors(errors_by_field(exc)), 409)
    stored = json.loads(referral.profile_json)
    payload = profile_payload(form, today=now.date().isoformat())
    payload |= {k: stored[k] for k in edits.KEPT if k in stored}
    try:
        profile = Profile.model_validate(payload)
        edited = edits.edit_profile(
            session, referral_id=referral_id, profile=profile, user_id=web.user.id, now=now
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        errors = place_errors(errors_by_field(exc, prefix="profile."))
        if isinstance(exc, ValidationError):
            hidden = place_errors(profile_checks(payload))
            errors |= {k: v for k, v in hidden.items() if k not in errors}
        code = 422 if isinstance(exc, ValidationError) else 409
        return _edit_page(web, referral, values, errors, status_code=code)
    audit_change(session, web, [referral_id], via="POST " + PATH, now=now)
    done = "profiel en advies" if edited.advised_again else "profiel"
    return RedirectResponse(
        f"/servicepunt/aanmeldingen/{referral_id}?gedaan={done}#profiel", status_code=303
    )
