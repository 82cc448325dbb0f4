"""The register of beschikkingen on the servicepunt's pages: the newest ones with their norm,
a form to enter one by hand, and a form to paste a JW301-shaped CSV file."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api import audit
from api.deps import NowDep, SessionDep, StateDep
from api.routes.beschikkingen import record
from api.web.auth import FormDep, Staff, WebSession
from api.web.common import api_action, errors_by_field, labels_for, status_of
from api.web.render import NO_FORM, FormState, form_page
from domain.errors import DomainError, InvalidInput
from domain.places import region_municipalities
from placements import beschikkingen
from placements.beschikking_norm import norm_of
from placements.beschikking_schemas import BESCHIKKING_FIELD_LABELS, BeschikkingCreate

router = APIRouter(include_in_schema=False)
PAGE = "/servicepunt/beschikkingen"
HAND_FIELDS = tuple(f for f in BESCHIKKING_FIELD_LABELS if f != "placed_outside_region")


def _register_page(
    web: WebSession, session: Session, now: datetime, shown: FormState = NO_FORM
) -> HTMLResponse:
    rows, total = beschikkingen.listing(session, limit=200, offset=0)
    record(session, web.user, audit.AuditAction.READ, [r.id for r in rows], "GET " + PAGE, now)
    today = now.date()
    return form_page(
        "beschikkingen.html",
        web,
        shown,
        rows=rows,
        total=total,
        norms={r.id: norm_of(r.decided_on, r.start_date, today).value for r in rows},
        labels=BESCHIKKING_FIELD_LABELS,
        municipalities=[(m.value, m.label) for m in region_municipalities()],
        columns=", ".join(beschikkingen.COLUMNS),
        summary_labels=labels_for(shown.errors, BESCHIKKING_FIELD_LABELS),
    )


@router.get(PAGE)
def register(web: Staff, session: SessionDep, now: NowDep, gedaan: str = "") -> HTMLResponse:
    """The register: the newest beschikkingen, hand entry and CSV import."""
    return _register_page(web, session, now, FormState(done=gedaan[:40]))


def _refused(
    exc: DomainError | ValidationError,
    web: WebSession,
    session: Session,
    now: datetime,
    prefix: str,
    values: dict[str, str],
) -> HTMLResponse:
    session.rollback()
    errors = {prefix + k: v for k, v in errors_by_field(exc).items()}
    if isinstance(exc, InvalidInput) and exc.label and exc.field and exc.field.startswith("regel"):
        errors = {prefix + "-": str(exc)}  # a CSV row: its line and column, above the form
    return _register_page(web, session, now, FormState(errors, values, status_of(exc)))


@router.post(PAGE, openapi_extra=api_action("POST /api/v1/beschikkingen"))
def enter(web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep) -> Response:
    """Enter one beschikking by hand."""
    values = {f"hand.{n}": form.get(n) for n in (*HAND_FIELDS, "placed_outside_region")}
    try:
        raw: dict[str, object] = {n: form.get(n) for n in HAND_FIELDS if form.get(n)}
        raw["placed_outside_region"] = form.get("placed_outside_region") == "ja"
        data = BeschikkingCreate.model_validate(raw)
        row = beschikkingen.create(
            session, data=data, user_id=web.user.id, bsn_key=state.settings.secret_key, now=now
        )
    except (ValidationError, DomainError) as exc:
        values.pop("hand.bsn", None)  # a BSN is never shown back
        return _refused(exc, web, session, now, "hand.", values)
    record(session, web.user, audit.AuditAction.CREATE, [row.id], "POST " + PAGE, now)
    return RedirectResponse(f"{PAGE}?gedaan=beschikking+opgeslagen", status_code=303)


@router.post(PAGE + "/import", openapi_extra=api_action("POST /api/v1/beschikkingen/import"))
def import_csv(
    web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Import a pasted CSV file: all of its rows, or none."""
    try:
        rows = beschikkingen.import_csv(
            session,
            text=form.get("csv"),
            user_id=web.user.id,
            bsn_key=state.settings.secret_key,
            now=now,
        )
    except DomainError as exc:
        return _refused(exc, web, session, now, "import.", {})
    ids = [r.id for r in rows]
    record(session, web.user, audit.AuditAction.CREATE, ids, "POST " + PAGE + "/import", now)
    return RedirectResponse(f"{PAGE}?gedaan={len(rows)}+ingelezen", status_code=303)
