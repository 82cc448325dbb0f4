"""The register of beschikkingen: entered by hand, imported from a JW301-shaped CSV file, read
by the servicepunt. Every new record and every read is audited per beschikking."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body
from sqlmodel import Session

from api import audit
from api.accounts import User
from api.deps import NowDep, ServicepuntUser, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from api.schemas import Limit, Offset, Page
from placements import beschikkingen
from placements.beschikking_schemas import BeschikkingCreate, BeschikkingPublic, ImportResult

router = APIRouter(prefix="/api/v1", tags=["beschikkingen"], responses=ERROR_RESPONSES)
# A JW301 export of a year of a region stays well below this.
MAX_CSV_CHARS = 2_000_000


def record(
    session: Session,
    user: User,
    action: audit.AuditAction,
    ids: Sequence[str],
    via: str,
    now: datetime,
) -> None:
    """The user's action on these beschikkingen, committed with the step."""
    audit.record_by(session, user, action, ids, via, now, entity=audit.BESCHIKKING, commit=True)


@router.post("/beschikkingen", status_code=201, response_model=BeschikkingPublic)
def create(
    data: BeschikkingCreate,
    user: ServicepuntUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> BeschikkingPublic:
    """Enter one beschikking by hand (409 when the municipality's number is known)."""
    row = beschikkingen.create(
        session, data=data, user_id=user.id, bsn_key=state.settings.secret_key, now=now
    )
    body = BeschikkingPublic.model_validate(row)
    record(session, user, audit.AuditAction.CREATE, [row.id], "POST /api/v1/beschikkingen", now)
    return body


@router.post("/beschikkingen/import", status_code=201)
def import_csv(
    text: Annotated[str, Body(media_type="text/csv", max_length=MAX_CSV_CHARS)],
    user: ServicepuntUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> ImportResult:
    """Import a CSV file whose columns follow the JW301 allocation message (see
    placements/beschikkingen.py): the whole file, or nothing, with the first bad row named."""
    rows = beschikkingen.import_csv(
        session, text=text, user_id=user.id, bsn_key=state.settings.secret_key, now=now
    )
    via = "POST /api/v1/beschikkingen/import"
    record(session, user, audit.AuditAction.CREATE, [r.id for r in rows], via, now)
    return ImportResult(imported=len(rows))


@router.get("/beschikkingen", response_model=Page[BeschikkingPublic])
def list_beschikkingen(
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[BeschikkingPublic]:
    """The register, newest beschikking first (the read is logged per beschikking)."""
    rows, total = beschikkingen.listing(session, limit=limit, offset=offset)
    items = [BeschikkingPublic.model_validate(r) for r in rows]
    record(
        session,
        user,
        audit.AuditAction.READ,
        [r.id for r in rows],
        "GET /api/v1/beschikkingen",
        now,
    )
    return Page[BeschikkingPublic](items=items, total=total, limit=limit, offset=offset)
