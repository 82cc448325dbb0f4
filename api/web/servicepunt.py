"""The servicepunt workbench: a referral from advice and proposals to hold and decision."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api import hold_endings
from api.accounts import Role
from api.deps import NowDep, ServiceState, SessionDep, StateDep
from api.web import lists, referral_form
from api.web.auth import FormDep, PageNotFound, WebSession, page_for
from api.web.common import audit_change, audit_reads, errors_by_field, judge_names
from api.web.render import NO_FORM, FormState, form_page, page
from capacity import holds as capacity_holds
from capacity.models import Hold
from domain.errors import DomainError, InvalidInput, NotFound
from domain.outcomes import DepartureOutcome
from domain.places import Municipality, distance_km
from matcher.models import Proposal
from placements import judgement
from placements import service as workflow
from placements.match import advice_of, original_advice_of
from placements.models import OPEN_STATUSES, BridgingCare, Decision, ReasonCode, Referral
from placements.reports import norm_status
from placements.schemas import DecisionCreate, DischargeRequest
from placements.transitions import Actor, offered

router = APIRouter(include_in_schema=False)
router.include_router(referral_form.router)
router.include_router(lists.router)
Staff = Annotated[WebSession, Depends(page_for(Role.SERVICEPUNT))]
PREFIX = "/servicepunt/aanmeldingen/{referral_id}"
E = TypeVar("E", bound=StrEnum)


@router.get("/servicepunt")
def workbench(web: Staff, session: SessionDep, now: NowDep) -> HTMLResponse:
    """The workbench: open referrals first, with their status and the 14-day norm."""
    rows = session.exec(select(Referral).order_by(col(Referral.updated_at).desc()).limit(200)).all()
    open_rows = [r for r in rows if r.status in OPEN_STATUSES]
    closed_rows = [r for r in rows if r.status not in OPEN_STATUSES]
    audit_reads(session, web, [r.id for r in rows], via="GET /servicepunt", now=now)
    today = now.date()
    return page(
        "servicepunt.html",
        web,
        open_rows=open_rows,
        closed_rows=closed_rows,
        norms={r.id: norm_status(r, today).value for r in rows},
        waiting={r.id: (today - r.created_at.date()).days for r in rows},
    )


def _perspective_place(referral: Referral) -> Municipality:
    """Where the child's perspective lies: home, else the responsible municipality."""
    return Municipality(referral.home_municipality or referral.responsible_municipality)


def detail_page(
    web: WebSession,
    session: Session,
    state: ServiceState,
    referral_id: str,
    now: datetime,
    shown: FormState = NO_FORM,
) -> HTMLResponse:
    """The referral with its advice, proposals, hold and decision forms."""
    referral = workflow.get_referral(session, referral_id)
    advice = advice_of(referral) if referral.advice_json else None
    original = original_advice_of(referral) if referral.advice_json else None
    judged = judgement.history(session, referral.id)
    proposals = [Proposal.model_validate(p) for p in json.loads(referral.proposals_json or "[]")]
    target = _perspective_place(referral)
    units = {v.unit_id: v for v in state.index.views(now=now)}
    distances = {
        p.unit_id: distance_km(units[p.unit_id].municipality, target)
        for p in proposals
        if p.unit_id in units
    }
    hold = session.get(Hold, referral.hold_id) if referral.hold_id else None
    decisions = session.exec(
        select(Decision)
        .where(Decision.referral_id == referral.id)
        .order_by(col(Decision.decided_at))
    ).all()
    audit_reads(session, web, [referral.id], via="GET " + PREFIX, now=now)
    return form_page(
        "referral.html",
        web,
        shown,
        r=referral,
        # The forms this page offers are the servicepunt's actions the table allows now.
        actions=offered(referral.status, Actor.SERVICEPUNT),
        explanation=referral.responsibility_explanation.splitlines(),
        advice=advice,
        original=original,
        # The professional judgement: its state, and who confirmed or changed the advice.
        rows=judged,
        names=judge_names(session, judged),
        needed=judgement.endorsements_needed(referral) if advice else 1,
        proposals=proposals,
        units=units,
        distances=distances,
        target=target,
        hold=hold,
        decisions=decisions,
        norm=norm_status(referral, now.date()).value,
        reason_options=[(c.value, c.label) for c in ReasonCode],
        default_hold_hours=state.settings.hold_ttl.total_seconds() / 3600,
        outcome_options=[(o.value, o.label) for o in DepartureOutcome],
        today=now.date().isoformat(),
    )


@router.get(PREFIX)
def referral_detail(
    referral_id: str,
    web: Staff,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    gedaan: str = "",
) -> HTMLResponse:
    """One referral on the workbench (a hold that ended shows as such: the referral moves on)."""
    try:
        hold_endings.before_step(
            session,
            user_id=web.user.id,
            role=web.role,
            referral_id=referral_id,
            via="GET " + PREFIX,
            now=now,
        )
        return detail_page(web, session, state, referral_id, now, FormState(done=gedaan[:20]))
    except NotFound:
        raise PageNotFound from None


def _back(referral_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/servicepunt/aanmeldingen/{referral_id}?gedaan={done}", 303)


def _failed(
    exc: DomainError | ValidationError,
    web: WebSession,
    session: Session,
    state: ServiceState,
    referral_id: str,
    now: datetime,
    *,
    prefix: str,
    values: dict[str, str],
) -> HTMLResponse:
    session.rollback()
    if isinstance(exc, NotFound) and exc.field == "referral_id":
        raise PageNotFound
    errors = errors_by_field(exc, prefix=prefix)
    code = 409 if isinstance(exc, DomainError) and not isinstance(exc, InvalidInput) else 422
    return detail_page(web, session, state, referral_id, now, FormState(errors, values, code))


def _ttl(raw: str, default: timedelta) -> timedelta:
    """The chosen lifetime of a hold; empty means the configured default."""
    if not raw:
        return default
    try:
        hours = float(raw)
    except ValueError:
        raise InvalidInput("moet een aantal uren zijn", field="hours") from None
    if not 0 < hours <= capacity_holds.MAX_HOLD_HOURS:
        limit = f"{capacity_holds.MAX_HOLD_HOURS:.0f}"
        raise InvalidInput(f"kies een looptijd tussen 1 en {limit} uur", field="hours")
    return timedelta(hours=hours)


def _settle(session: Session, web: WebSession, referral_id: str, step: str, now: datetime) -> None:
    """Move the referral on first if its hold ended by itself (committed on its own)."""
    hold_endings.before_step(
        session,
        user_id=web.user.id,
        role=web.role,
        referral_id=referral_id,
        via="POST " + PREFIX + step,
        now=now,
    )


def _choice(kind: type[E], raw: str, field: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput("kies een van de mogelijkheden", field=field) from None


@router.post(PREFIX + "/advies")
def advise(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Run the afwegingskader and keep the advice."""
    try:
        workflow.advise(session, referral_id=referral_id, now=now)
    except DomainError as exc:
        return _failed(exc, web, session, state, referral_id, now, prefix="advies.", values={})
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/advies", now=now)
    return _back(referral_id, "advies")


@router.post(PREFIX + "/voorstellen")
def propose(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Rank the feasible places; the top one is kept for the deviation log."""
    try:
        _settle(session, web, referral_id, "/voorstellen", now)
        workflow.propose(
            session,
            referral_id=referral_id,
            units=state.unit_table(now),
            wait_days=state.settings.first_best_wait_days,
            now=now,
        )
    except DomainError as exc:
        return _failed(exc, web, session, state, referral_id, now, prefix="voorstel.", values={})
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/voorstellen", now=now)
    return _back(referral_id, "voorstellen")


@router.post(PREFIX + "/vasthouden")
def hold(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Hold a place in the chosen unit while the provider is called."""
    values = {"hold.unit_id": form.get("unit_id"), "hold.hours": form.get("uren")}
    try:
        ttl = _ttl(form.get("uren"), state.settings.hold_ttl)
        _settle(session, web, referral_id, "/vasthouden", now)
        workflow.hold_place(
            session, referral_id=referral_id, unit_id=form.get("unit_id"), ttl=ttl, now=now
        )
    except DomainError as exc:
        return _failed(exc, web, session, state, referral_id, now, prefix="hold.", values=values)
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/vasthouden", now=now)
    return _back(referral_id, "vastgehouden")


@router.post(PREFIX + "/besluit")
def decide(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Accept (place the child; a deviation needs a reason) or decline with a reason."""
    names = ("outcome", "reason_code", "reason_text", "placed_on", "expected_end")
    values = {f"decision.{n}": form.get(n) for n in names}
    try:
        data = DecisionCreate.model_validate({n: form.get(n) or None for n in names})
        _settle(session, web, referral_id, "/besluit", now)
        workflow.decide(session, referral_id=referral_id, data=data, user_id=web.user.id, now=now)
    except (ValidationError, DomainError) as exc:
        return _failed(
            exc, web, session, state, referral_id, now, prefix="decision.", values=values
        )
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/besluit", now=now)
    return _back(referral_id, "geplaatst" if data.outcome.value == "accept" else "afgewezen")


@router.post(PREFIX + "/overbrugging")
def bridging(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Record the bridging care the waiting child now gets (counts for the 14-day norm)."""
    values = {"bridging.bridging_care": form.get("bridging_care")}
    try:
        care = _choice(BridgingCare, form.get("bridging_care"), "bridging_care")
        _settle(session, web, referral_id, "/overbrugging", now)
        workflow.update_bridging(session, referral_id=referral_id, bridging_care=care, now=now)
    except DomainError as exc:
        return _failed(
            exc, web, session, state, referral_id, now, prefix="bridging.", values=values
        )
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/overbrugging", now=now)
    return _back(referral_id, "overbrugging")


@router.post(PREFIX + "/intrekken")
def withdraw(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Withdraw a referral that has not been placed; a held place is given back."""
    try:
        _settle(session, web, referral_id, "/intrekken", now)
        workflow.withdraw(session, referral_id=referral_id, now=now)
    except DomainError as exc:
        return _failed(exc, web, session, state, referral_id, now, prefix="withdraw.", values={})
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/intrekken", now=now)
    return _back(referral_id, "ingetrokken")


@router.post(PREFIX + "/uitstroom")
def discharge(
    referral_id: str, web: Staff, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """The child leaves the placement: the date and where the child went; the place comes free."""
    names = ("left_on", "outcome")
    values = {f"discharge.{n}": form.get(n) for n in names}
    try:
        data = DischargeRequest.model_validate({n: form.get(n) or None for n in names})
        workflow.discharge(
            session, referral_id=referral_id, left_on=data.left_on, outcome=data.outcome, now=now
        )
    except (ValidationError, DomainError) as exc:
        return _failed(
            exc, web, session, state, referral_id, now, prefix="discharge.", values=values
        )
    audit_change(session, web, [referral_id], via="POST " + PREFIX + "/uitstroom", now=now)
    return _back(referral_id, "uitgestroomd")
