"""A printable record of a referral's advice and placement decision, for the child's file.

One page without navigation or forms: the profile as entered, the advice with its reasons
and the rule set that gave it, the gedragswetenschappers' judgements, the decisions, the
placement and any deviation with its reason, and the rule-set and weighting versions that
shaped them. The browser prints it (or saves it as PDF); printing counts as an export in
the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from api import audit
from api.accounts import User
from api.deps import NowDep, SessionDep, StateDep
from api.web import child_page
from api.web.auth import Staff
from api.web.common import audit_change, judge_names
from api.web.render import page
from domain import nl_format
from placements import judgement
from placements import service as workflow
from placements.match import advice_of, original_advice_of
from placements.models import Deviation

router = APIRouter(include_in_schema=False)
PATH = "/servicepunt/aanmeldingen/{referral_id}/afdruk"


@router.get(PATH)
def printable(
    referral_id: str, web: Staff, session: SessionDep, state: StateDep, now: NowDep
) -> HTMLResponse:
    """The advice and the placement decision of one referral, ready to print."""
    referral = workflow.get_referral(session, referral_id)
    judged = judgement.history(session, referral.id)
    decisions = workflow.decisions_of(session, referral.id)
    deviations = session.exec(select(Deviation).where(Deviation.referral_id == referral.id)).all()
    deciders = {d.decided_by for d in decisions}
    users = session.exec(select(User).where(col(User.id).in_(sorted(deciders)))).all()
    units = {v.unit_id: v.name for v in state.index.views(now=now)}
    audit_change(
        session, web, [referral.id], via="GET " + PATH, now=now, action=audit.AuditAction.EXPORT
    )
    return page(
        "afdruk.html",
        web,
        r=referral,
        advice=advice_of(referral) if referral.advice_json else None,
        original=original_advice_of(referral) if referral.advice_json else None,
        profile=child_page.profile_rows(referral.profile_json),
        rows=judged,
        names=judge_names(session, judged) | {u.id: u.display_name for u in users},
        decisions=decisions,
        deviations=deviations,
        units=units,
        printed_at=nl_format.moment(now),
        printed_by=web.user.display_name,
    )
