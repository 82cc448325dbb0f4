"""Perspectiefregie on the pages: the regisseur's own children with their tasks (record one
as done), and the servicepunt's form to assign a regisseur to a child and its siblings."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import NowDep, SessionDep
from api.routes.regie import regisseur_exists
from api.web.auth import FormDep, PageNotFound, Regisseur, WebSession
from api.web.common import (
    api_action,
    audit_change,
    audit_reads,
    errors_by_field,
    labels_for,
    referral_action,
    status_of,
)
from api.web.referral_page import PREFIX, StepDep, failed_step
from api.web.render import NO_FORM, FormState, form_page
from domain.errors import DomainError, NotFound
from placements import regie
from placements.lifecycle_models import REGIE_FIELD_LABELS
from placements.regie_schemas import RegisseurAssign, TaskDone
from placements.schemas import ContinuationRequest

router = APIRouter(include_in_schema=False)
DONE = "/regisseur/taken/{task_id}/afgerond"


def _page(
    web: WebSession, session: Session, now: datetime, shown: FormState = NO_FORM
) -> HTMLResponse:
    rows = regie.children_of(session, regisseur_user_id=web.user.id)
    tasks = regie.tasks_of(session, [r.id for r in rows])
    today = now.date()
    audit_reads(session, web, [r.id for r in rows], via="GET /regisseur", now=now)
    return form_page(
        "regisseur.html",
        web,
        shown,
        rows=rows,
        tasks={rid: [regie.view(t, today) for t in ts] for rid, ts in tasks.items()},
        today=today.isoformat(),
        summary_labels=labels_for(shown.errors, REGIE_FIELD_LABELS),
    )


@router.get("/regisseur")
def home(web: Regisseur, session: SessionDep, now: NowDep, gedaan: str = "") -> HTMLResponse:
    """The regisseur's own children in care, with their tasks open, met or late."""
    return _page(web, session, now, FormState(done=gedaan[:20]))


@router.post(DONE, openapi_extra=api_action("POST /api/v1/regie/tasks/{task_id}/done"))
def task_done(
    task_id: str, web: Regisseur, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Record one of the regisseur's own tasks as done (an evaluation may plan the next)."""
    prefix = f"taak-{task_id[:64]}."
    names = ("done_on", "next_evaluation")
    values = {prefix + n: form.get(n) for n in names}
    try:
        data = TaskDone.model_validate({n: form.get(n) or None for n in names})
        task = regie.complete(
            session, task_id=task_id, regisseur_user_id=web.user.id, data=data, now=now
        )
    except NotFound:
        session.rollback()
        raise PageNotFound from None
    except (ValidationError, DomainError) as exc:
        session.rollback()
        errors = {prefix + k: v for k, v in errors_by_field(exc).items()}
        return _page(web, session, now, FormState(errors, values, status_of(exc)))
    audit_change(session, web, [task.referral_id], via="POST " + DONE, now=now)
    return RedirectResponse("/regisseur?gedaan=afgerond", status_code=303)


@router.post(
    PREFIX + "/regisseur",
    openapi_extra=referral_action("regisseur"),
)
def assign(step: StepDep) -> Response:
    """The servicepunt assigns a perspectiefregisseur to the child and its siblings."""
    raw = step.form.get("regisseur_user_id")
    try:
        data = RegisseurAssign.model_validate({"regisseur_user_id": raw or ""})
        regisseur_exists(step.session, data.regisseur_user_id)
        family = regie.assign(
            step.session,
            referral_id=step.referral_id,
            regisseur_user_id=data.regisseur_user_id,
            now=step.now,
        )
    except (ValidationError, DomainError) as exc:
        values = {"regie.regisseur_user_id": raw}
        return failed_step(exc, step, prefix="regie.", values=values)
    ids = [r.id for r in family]
    audit_change(step.session, step.web, ids, via="POST " + PREFIX + "/regisseur", now=step.now)
    return RedirectResponse(
        f"/servicepunt/aanmeldingen/{step.referral_id}?gedaan=regisseur", status_code=303
    )


@router.post(
    PREFIX + "/voortzetten",
    openapi_extra=referral_action("continuation"),
)
def continue_to_21(step: StepDep) -> Response:
    """Foster care or a gezinshuis continues after 18, up to a day (at the latest 21)."""
    raw = step.form.get("continued_until")

    def act() -> str:
        data = ContinuationRequest.model_validate({"continued_until": raw or None})
        regie.continue_to_21(
            step.session,
            referral_id=step.referral_id,
            continued_until=data.continued_until,
            now=step.now,
        )
        return "voortgezet"

    return step.run(act, prefix="continue.", values={"continue.continued_until": raw})
