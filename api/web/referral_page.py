"""The servicepunt's page of one referral, and the steps posted on it.

A step (advice, proposals, hold, decision and the rest, also those of the regie and
transfer pages) is a `Step`: it settles an ended hold first, acts, audits the change and
goes back to the page; a refusal shows the page again with the messages beside the fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api import hold_endings
from api.deps import NowDep, ServiceState, SessionDep, StateDep
from api.web import child_page
from api.web.auth import Form, FormDep, PageNotFound, Staff, WebSession
from api.web.common import (
    audit_change,
    audit_reads,
    errors_by_field,
    judge_names,
    regisseur_context,
    status_of,
)
from api.web.render import NO_FORM, FormState, form_page
from capacity.models import Hold
from domain.errors import DomainError, NotFound
from domain.places import Municipality, distance_km
from domain.profile_vocabulary import DepartureOutcome
from domain.vocabulary import ReasonCode
from matcher.models import Proposal
from placements import judgement
from placements import service as workflow
from placements.match import advice_of, original_advice_of
from placements.models import Referral
from placements.reports import norm_status
from placements.transitions import Actor, offered

PREFIX = "/servicepunt/aanmeldingen/{referral_id}"


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
    decisions = workflow.decisions_of(session, referral.id)
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
