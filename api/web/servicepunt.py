"""The servicepunt workbench: a referral from advice and proposals to hold and decision."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api import hold_endings
from api.deps import NowDep, ServiceState, SessionDep, StateDep
from api.web import afdruk, child_page, list_filters, lists, referral_edit, referral_form
from api.web.auth import Form, FormDep, PageNotFound, Staff, WebSession
from api.web.common import (
    audit_change,
    audit_reads,
    errors_by_field,
    judge_names,
    referral_action,
    regisseur_context,
    status_of,
)
from api.web.render import NO_FORM, FormState, form_page, page
from capacity import holds as capacity_holds
from capacity.models import Hold
from domain import nl_format
from domain.errors import DomainError, InvalidInput, NotFound
from domain.outcomes import DepartureOutcome
from domain.places import Municipality, distance_km
from matcher.models import Proposal
from placements import judgement
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.match import advice_of, original_advice_of
from placements.models import OPEN_STATUSES, BridgingCare, Decision, ReasonCode, Referral
from placements.reports import norm_status
from placements.schemas import DecisionCreate, DischargeRequest, WithdrawRequest
from placements.transitions import Actor, offered

router = APIRouter(include_in_schema=False)
router.include_router(referral_form.router)
router.include_router(lists.router)
router.include_router(referral_edit.router)
router.include_router(afdruk.router)
PREFIX = "/servicepunt/aanmeldingen/{referral_id}"
E = TypeVar("E", bound=StrEnum)


@router.get("/servicepunt")
def workbench(web: Staff, session: SessionDep, now: NowDep, request: Request) -> HTMLResponse:
    """The workbench: open referrals first, with their status and the 14-day norm; search,
    filters and pages as on the other lists."""
    wanted, errors = list_filters.parse(request.query_params)
    found = session.exec(
        select(Referral).where(wanted.where()).order_by(col(Referral.updated_at).desc())
    ).all()
    # Open referrals first, each group newest first: one order, so pages do not overlap.
    ordered = sorted(found, key=lambda r: r.status not in OPEN_STATUSES)
    shown = list_filters.paginate(ordered, wanted)
    rows: list[Referral] = shown.rows
    audit_reads(session, web, [r.id for r in rows], via="GET /servicepunt", now=now)
    today = nl_format.local_day(now) or now.date()
    return page(
        "servicepunt.html",
        web,
        status_code=422 if errors else 200,
        open_rows=[r for r in rows if r.status in OPEN_STATUSES],
        closed_rows=[r for r in rows if r.status not in OPEN_STATUSES],
        norms={r.id: norm_status(r, today).value for r in rows},
        waiting={r.id: (today - (nl_format.local_day(r.created_at) or today)).days for r in rows},
        pager=shown,
        filters=list_filters.form_context(wanted, errors),
    )


def _proposals(referral: Referral, state: ServiceState, now: datetime) -> dict[str, object]:
    """The referral's proposals, the units they name, and each unit's distance from where
    the child's perspective lies (the target: home, else the responsible municipality)."""
    proposals = [Proposal.model_validate(p) for p in json.loads(referral.proposals_json or "[]")]
    target = Municipality(referral.home_municipality or referral.responsible_municipality)
    units = {v.unit_id: v for v in state.index.views(now=now)}
    distances = {
        p.unit_id: distance_km(units[p.unit_id].municipality, target)
        for p in proposals
        if p.unit_id in units
    }
    return {"proposals": proposals, "units": units, "distances": distances, "target": target}


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
    proposed = _proposals(referral, state, now)
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
        **proposed,
        hold=hold,
        decisions=decisions,
        norm=norm_status(referral, now.date()).value,
        reason_options=[(c.value, c.label) for c in ReasonCode],
        default_hold_hours=state.settings.hold_ttl.total_seconds() / 3600,
        outcome_options=[(o.value, o.label) for o in DepartureOutcome],
        today=now.date().isoformat(),
        **regisseur_context(session),
        profile=child_page.profile_rows(referral.profile_json),
        timeline=child_page.timeline(session, referral.id),
        versions=child_page.earlier_versions(session, referral.id),
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
    shown = FormState(errors_by_field(exc, prefix=prefix), values, status_of(exc))
    return detail_page(web, session, state, referral_id, now, shown)


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


def _choice(kind: type[E], raw: str, field: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput("kies een van de mogelijkheden", field=field) from None


def _values(form: Form, prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    return {prefix + n: form.get(n) for n in names}


@dataclass(frozen=True)
class Step:
    """One POSTed step on a referral: who, which referral, the form, and the request's
    session, service state and clock."""

    referral_id: str
    web: WebSession
    form: Form
    session: Session
    state: ServiceState
    now: datetime
    path: str

    def settle(self) -> None:
        """Move the referral on first if its hold ended by itself (committed on its own)."""
        hold_endings.before_step(
            self.session,
            user_id=self.web.user.id,
            role=self.web.role,
            referral_id=self.referral_id,
            via="POST " + self.path,
            now=self.now,
        )

    def run(
        self, act: Callable[[], str], *, prefix: str, values: dict[str, str] | None = None
    ) -> Response:
        """Do the step (act parses the form, settles, acts and says what was done), audit it
        and go back to the referral; on a refusal, the page again with the messages beside
        the form's fields (under prefix) and nothing saved."""
        try:
            done = act()
        except (ValidationError, DomainError) as exc:
            return _failed(
                exc,
                self.web,
                self.session,
                self.state,
                self.referral_id,
                self.now,
                prefix=prefix,
                values=values or {},
            )
        audit_change(
            self.session, self.web, [self.referral_id], via="POST " + self.path, now=self.now
        )
        return _back(self.referral_id, done)


def failed_step(
    exc: DomainError | ValidationError, step: Step, *, prefix: str, values: dict[str, str]
) -> HTMLResponse:
    """The referral page again with the step's messages beside its fields, nothing saved."""
    web, session, state = step.web, step.session, step.state
    return _failed(
        exc, web, session, state, step.referral_id, step.now, prefix=prefix, values=values
    )


def _step(
    referral_id: str,
    request: Request,
    web: Staff,
    form: FormDep,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> Step:
    # The route's own path template names the step in the audit log and the hold ending.
    path = request.scope["route"].path
    return Step(referral_id, web, form, session, state, now, path)


StepDep = Annotated[Step, Depends(_step)]


@router.post(PREFIX + "/advies", openapi_extra=referral_action("advice"))
def advise(step: StepDep) -> Response:
    """Run the afwegingskader and keep the advice."""

    def act() -> str:
        workflow.advise(step.session, referral_id=step.referral_id, now=step.now)
        return "advies"

    return step.run(act, prefix="advies.")


@router.post(
    PREFIX + "/voorstellen",
    openapi_extra=referral_action("proposals"),
)
def propose(step: StepDep) -> Response:
    """Rank the feasible places; the top one is kept for the deviation log."""

    def act() -> str:
        step.settle()
        placement_proposals.propose(
            step.session,
            referral_id=step.referral_id,
            units=step.state.unit_table(step.now),
            wait_days=step.state.settings.first_best_wait_days,
            now=step.now,
        )
        return "voorstellen"

    return step.run(act, prefix="voorstel.")


@router.post(PREFIX + "/vasthouden", openapi_extra=referral_action("hold"))
def hold(step: StepDep) -> Response:
    """Hold a place in the chosen unit while the provider is called."""
    unit_id, hours = step.form.get("unit_id"), step.form.get("uren")

    def act() -> str:
        ttl = _ttl(hours, step.state.settings.hold_ttl)
        step.settle()
        workflow.hold_place(
            step.session,
            referral_id=step.referral_id,
            unit_id=unit_id,
            ttl=ttl,
            user_id=step.web.user.id,
            now=step.now,
        )
        return "vastgehouden"

    return step.run(act, prefix="hold.", values={"hold.unit_id": unit_id, "hold.hours": hours})


@router.post(PREFIX + "/besluit", openapi_extra=referral_action("decision"))
def decide(step: StepDep) -> Response:
    """Accept (place the child; a deviation needs a reason) or decline with a reason."""
    names = ("outcome", "reason_code", "reason_text", "placed_on", "expected_end")

    def act() -> str:
        data = DecisionCreate.model_validate({n: step.form.get(n) or None for n in names})
        step.settle()
        workflow.decide(
            step.session,
            referral_id=step.referral_id,
            data=data,
            user_id=step.web.user.id,
            now=step.now,
        )
        return "geplaatst" if data.outcome.value == "accept" else "afgewezen"

    return step.run(act, prefix="decision.", values=_values(step.form, "decision.", names))


@router.post(
    PREFIX + "/overbrugging",
    openapi_extra=referral_action("bridging"),
)
def bridging(step: StepDep) -> Response:
    """Record the bridging care the waiting child now gets (counts for the 14-day norm)."""
    raw = step.form.get("bridging_care")

    def act() -> str:
        care = _choice(BridgingCare, raw, "bridging_care")
        step.settle()
        workflow.update_bridging(
            step.session, referral_id=step.referral_id, bridging_care=care, now=step.now
        )
        return "overbrugging"

    return step.run(act, prefix="bridging.", values={"bridging.bridging_care": raw})


@router.post(PREFIX + "/intrekken", openapi_extra=referral_action("withdraw"))
def withdraw(step: StepDep) -> Response:
    """Withdraw a referral that has not been placed; a held place is given back."""

    names = ("withdrawal_reason", "withdrawal_text")

    def act() -> str:
        data = WithdrawRequest.model_validate({n: step.form.get(n) or None for n in names})
        step.settle()
        workflow.withdraw(step.session, referral_id=step.referral_id, data=data, now=step.now)
        return "ingetrokken"

    return step.run(act, prefix="withdraw.", values=_values(step.form, "withdraw.", names))


@router.post(
    PREFIX + "/uitstroom",
    openapi_extra=referral_action("discharge"),
)
def discharge(step: StepDep) -> Response:
    """The child leaves the placement: the date and where the child went; the place comes free."""
    names = ("left_on", "outcome", "planned")

    def act() -> str:
        data = DischargeRequest.model_validate({n: step.form.get(n) or None for n in names})
        workflow.discharge(
            step.session,
            referral_id=step.referral_id,
            left_on=data.left_on,
            outcome=data.outcome,
            now=step.now,
            planned=data.planned,
        )
        return "uitgestroomd"

    return step.run(act, prefix="discharge.", values=_values(step.form, "discharge.", names))
