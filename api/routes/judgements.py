"""Professional judgement of the advice: the gedragswetenschapper's list, view and verdict."""

from __future__ import annotations

from fastapi import APIRouter

from api import audit
from api.deps import JudgeOrStaff, JudgeUser, NowDep, SessionDep
from api.errors import ERROR_RESPONSES
from placements import judgement
from placements import service as workflow
from placements.match import advice_of
from placements.schemas import AwaitingJudgement, JudgementCreate, JudgementView

router = APIRouter(
    prefix="/api/v1", tags=["oordeel gedragswetenschapper"], responses=ERROR_RESPONSES
)


@router.get("/judgements/awaiting", response_model=list[AwaitingJudgement])
def awaiting(user: JudgeOrStaff, session: SessionDep, now: NowDep) -> list[AwaitingJudgement]:
    """Open referrals whose advice waits for a (second) gedragswetenschapper, oldest first."""
    rows = judgement.awaiting(session)
    items = [AwaitingJudgement.model_validate(r) for r in rows]
    audit.record_reads(session, user, [r.id for r in rows], "GET .../awaiting", now)
    return items


@router.get("/referrals/{referral_id}/judgement", response_model=JudgementView)
def judgement_view(
    referral_id: str, user: JudgeOrStaff, session: SessionDep, now: NowDep
) -> JudgementView:
    """The referral as it is judged: clinical profile, both advices and the judgements."""
    referral = workflow.get_referral(session, referral_id)
    advice_of(referral)  # Conflict before any advice: nothing to judge yet
    shown = judgement.view(session, referral)
    audit.record_reads(session, user, [referral.id], "GET .../judgement", now)
    return shown


@router.post("/referrals/{referral_id}/judgement", response_model=JudgementView)
def judge(
    referral_id: str, data: JudgementCreate, user: JudgeUser, session: SessionDep, now: NowDep
) -> JudgementView:
    """Confirm or change the advice in force, with a reason (a change also with a text).

    A change is an advice-level deviation and the changed advice is then in force. Gesloten
    jeugdhulp needs a second, different gedragswetenschapper; nobody judges an advice twice.
    """
    judgement.judge(session, referral_id=referral_id, data=data, user_id=user.id, now=now)
    referral = workflow.get_referral(session, referral_id)
    shown = judgement.view(session, referral)
    audit.record_referrals(
        session,
        user,
        audit.AuditAction.UPDATE,
        [referral_id],
        "POST .../judgement",
        now,
        commit=True,
    )
    return shown
