"""The servicepunt workbench: a referral from advice and proposals to hold and decision.

The list of referrals and the routes of each step; the referral page and the `Step` those
routes run on are api.web.referral_page.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from api import hold_endings
from api.deps import NowDep, SessionDep, StateDep
from api.web import afdruk, list_filters, lists, referral_edit, referral_form
from api.web.auth import Form, PageNotFound, Staff
from api.web.common import audit_reads, referral_action
from api.web.referral_page import PREFIX, StepDep, detail_page
from api.web.render import FormState, page
from capacity import holds as capacity_holds
from domain import nl_format
from domain.errors import InvalidInput, NotFound
from domain.vocabulary import BridgingCare
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.models import OPEN_STATUSES, Referral
from placements.reports import norm_status
from placements.schemas import DecisionCreate, DischargeRequest, WithdrawRequest

router = APIRouter(include_in_schema=False)
router.include_router(referral_form.router)
router.include_router(lists.router)
router.include_router(referral_edit.router)
router.include_router(afdruk.router)
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
        workflow.discharge(step.session, referral_id=step.referral_id, data=data, now=step.now)
        return "uitgestroomd"

    return step.run(act, prefix="discharge.", values=_values(step.form, "discharge.", names))
