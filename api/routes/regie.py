"""Perspectiefregie: the servicepunt assigns a perspectiefregisseur to a child (and its
siblings); the regisseur sees their own children and records their tasks."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlmodel import Session

from api import audit
from api.accounts import User
from api.deps import NowDep, ServicepuntUser, SessionDep, require
from api.errors import ERROR_RESPONSES
from domain.errors import InvalidInput
from domain.vocabulary import Role
from placements import regie
from placements.lifecycle_models import REGIE_FIELD_LABELS, RegieTask
from placements.models import Referral
from placements.regie_schemas import Assigned, RegieChild, RegisseurAssign, TaskDone, TaskPublic
from placements.schemas import ContinuationRequest, ReferralPublic

router = APIRouter(prefix="/api/v1", tags=["perspectiefregie"], responses=ERROR_RESPONSES)
RegisseurUser = Annotated[User, Depends(require(Role.PERSPECTIEFREGISSEUR))]
RegisseurOrStaff = Annotated[User, Depends(require(Role.PERSPECTIEFREGISSEUR, Role.SERVICEPUNT))]


def regisseur_exists(session: Session, user_id: str) -> None:
    """InvalidInput unless the id is an active perspectiefregisseur."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.role != Role.PERSPECTIEFREGISSEUR.value:
        raise InvalidInput(
            "geen actieve perspectiefregisseur",
            field="regisseur_user_id",
            label=REGIE_FIELD_LABELS["regisseur_user_id"],
        )


def task_public(task: RegieTask, today: date) -> TaskPublic:
    """A task with its status today."""
    seen = regie.view(task, today)
    return TaskPublic.model_validate(
        task, update={"status": seen.status.value, "working_days": seen.working_days}
    )


def child_public(referral: Referral, tasks: list[RegieTask], today: date) -> RegieChild:
    """A child as the regisseur sees it."""
    shown = [task_public(t, today) for t in tasks]
    return RegieChild.model_validate(referral, update={"referral_id": referral.id, "tasks": shown})


@router.post("/referrals/{referral_id}/regisseur", response_model=Assigned)
def assign(
    referral_id: str,
    data: RegisseurAssign,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
) -> Assigned:
    """Assign a perspectiefregisseur to the child and its siblings in care (one per family);
    each gets its first tasks."""
    regisseur_exists(session, data.regisseur_user_id)
    family = regie.assign(
        session, referral_id=referral_id, regisseur_user_id=data.regisseur_user_id, now=now
    )
    ids = [r.id for r in family]
    via = "POST /api/v1/referrals/{id}/regisseur"
    audit.record_referrals(session, user, audit.AuditAction.UPDATE, ids, via, now, commit=True)
    return Assigned(referral_ids=ids)


@router.get("/regie/children", response_model=list[RegieChild])
def children(user: RegisseurOrStaff, session: SessionDep, now: NowDep) -> list[RegieChild]:
    """A regisseur's own children in care with their tasks (the servicepunt: every child
    with a regisseur)."""
    own = user.id if user.role == Role.PERSPECTIEFREGISSEUR.value else None
    rows = regie.children_of(session, regisseur_user_id=own)
    tasks = regie.tasks_of(session, [r.id for r in rows])
    body = [child_public(r, tasks[r.id], now.date()) for r in rows]
    ids = [r.id for r in rows]
    audit.record_reads(session, user, ids, "GET /api/v1/regie/children", now)
    return body


@router.post("/regie/tasks/{task_id}/done", response_model=TaskPublic)
def done(
    task_id: str, data: TaskDone, user: RegisseurUser, session: SessionDep, now: NowDep
) -> TaskPublic:
    """Record one of the regisseur's own tasks as done (another's is not found)."""
    task = regie.complete(session, task_id=task_id, regisseur_user_id=user.id, data=data, now=now)
    body = task_public(task, now.date())
    via = "POST /api/v1/regie/tasks/{id}/done"
    audit.record_referrals(
        session, user, audit.AuditAction.UPDATE, [task.referral_id], via, now, commit=True
    )
    return body


@router.post("/referrals/{referral_id}/continuation", response_model=ReferralPublic)
def continuation(
    referral_id: str,
    data: ContinuationRequest,
    user: ServicepuntUser,
    session: SessionDep,
    now: NowDep,
) -> ReferralPublic:
    """Foster care or a gezinshuis continues after 18 as the same placement, up to a day
    (at the latest the 21st birthday); the stay's expected end moves with it."""
    referral = regie.continue_to_21(
        session, referral_id=referral_id, continued_until=data.continued_until, now=now
    )
    body = ReferralPublic.model_validate(referral)
    via = "POST /api/v1/referrals/{id}/continuation"
    audit.record_referrals(
        session, user, audit.AuditAction.UPDATE, [referral.id], via, now, commit=True
    )
    return body
