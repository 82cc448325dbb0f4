"""The gedragswetenschapper's pages: the advices awaiting judgement, and per referral the
clinical profile, the advice with its reasons and the form to confirm or change it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from afwegingskader.models import Profile
from api.deps import NowDep, SessionDep
from api.web.auth import FormDep, Judge, PageNotFound, WebSession
from api.web.common import audit_change, audit_reads, errors_by_field, judge_names, referral_action
from api.web.render import NO_FORM, FormState, form_page, page
from domain.care import CareForm
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.vocabulary import JudgementReason, Verdict
from placements import judgement
from placements import service as workflow
from placements.match import advice_of, original_advice_of
from placements.models import JUDGEMENT_FIELD_LABELS
from placements.schemas import JudgementCreate
from placements.transitions import Actor, offered

router = APIRouter(include_in_schema=False)
HOME = "/gedragswetenschapper"
PREFIX = HOME + "/aanmeldingen/{referral_id}"
ALTERNATIVE_SLOTS = 4


@router.get(HOME)
def awaiting(web: Judge, session: SessionDep, now: NowDep) -> HTMLResponse:
    """The advices awaiting a (second) judgement, and the judged ones still open to revision."""
    waiting = judgement.awaiting(session)
    judged = judgement.judged_open(session)
    audit_reads(session, web, [r.id for r in waiting + judged], via="GET " + HOME, now=now)
    return page("gedragswetenschapper.html", web, waiting=waiting, judged=judged)


def _judgement_page(
    web: WebSession,
    session: Session,
    referral_id: str,
    now: datetime,
    shown: FormState = NO_FORM,
) -> HTMLResponse:
    referral = workflow.get_referral(session, referral_id)
    if referral.advice_json is None:
        raise PageNotFound
    rows = judgement.history(session, referral.id)
    current = judgement.judgements(session, referral)
    mine = any(row.judged_by == web.user.id for row in current)
    actions = set() if mine else offered(referral.status, Actor.GEDRAGSWETENSCHAPPER)
    audit_reads(session, web, [referral.id], via="GET " + PREFIX, now=now)
    return form_page(
        "oordeel.html",
        web,
        shown,
        r=referral,
        # The clinical profile as the afwegingskader weighed it; no birth date, no BSN.
        profile=Profile.model_validate_json(referral.profile_json),
        original=original_advice_of(referral),
        advice=advice_of(referral),
        needed=judgement.endorsements_needed(referral),
        rows=rows,
        names=judge_names(session, rows),
        mine=mine,
        actions=actions,
        care_options=[(c.value, c.label) for c in CareForm],
        reason_options=[(c.value, c.label) for c in JudgementReason],
        slots=ALTERNATIVE_SLOTS,
        labels={f"oordeel.{k}": v for k, v in JUDGEMENT_FIELD_LABELS.items()},
    )


@router.get(PREFIX)
def judgement_page(
    referral_id: str, web: Judge, session: SessionDep, now: NowDep, gedaan: str = ""
) -> HTMLResponse:
    """One referral to judge: profile, advice with reasons, earlier judgements, the form."""
    try:
        return _judgement_page(web, session, referral_id, now, FormState(done=gedaan[:20]))
    except NotFound:
        raise PageNotFound from None


def _data(form: FormDep) -> JudgementCreate:
    """The posted judgement; a confirmation ignores a form that was also chosen."""
    change = form.get("verdict") == Verdict.CHANGE.value
    fields = {
        "verdict": form.get("verdict"),
        "chosen_first_best": form.get("chosen_first_best") if change else None,
        "chosen_alternatives": form.all("chosen_alternatives") if change else None,
        "reason_code": form.get("reason_code"),
        "reason_text": form.get("reason_text"),
    }
    # An empty field is a missing one ("is verplicht"), not a wrong choice.
    return JudgementCreate.model_validate({k: v for k, v in fields.items() if v})


@router.post(PREFIX + "/oordeel", openapi_extra=referral_action("judgement"))
def judge(
    referral_id: str, web: Judge, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Confirm or change the advice in force, with a reason."""
    names = ("verdict", "chosen_first_best", "reason_code", "reason_text")
    values: dict[str, str | list[str]] = {f"oordeel.{n}": form.get(n) for n in names}
    values["oordeel.chosen_alternatives"] = form.all("chosen_alternatives")
    try:
        data = _data(form)
        judgement.judge(session, referral_id=referral_id, data=data, user_id=web.user.id, now=now)
    except (ValidationError, DomainError) as exc:
        session.rollback()
        if isinstance(exc, NotFound):
            raise PageNotFound from None
        code = 409 if isinstance(exc, Conflict) and not isinstance(exc, InvalidInput) else 422
        errors = errors_by_field(exc, prefix="oordeel.")
        return _judgement_page(web, session, referral_id, now, FormState(errors, values, code))
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/oordeel", now=now)
    done = "bevestigd" if data.verdict is Verdict.CONFIRM else "gewijzigd"
    return RedirectResponse(f"{HOME}/aanmeldingen/{referral_id}?gedaan={done}", 303)
