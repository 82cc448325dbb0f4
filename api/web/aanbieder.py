"""The provider's page: their own units, and forms for admissions, departures, expected
departures and capacity changes. A provider never sees or changes another provider's units."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from api import hold_endings, stays
from api.accounts import Role
from api.deps import NowDep, SessionDep
from api.web.auth import Form, FormDep, PageForbidden, WebSession, page_for
from api.web.common import errors_by_field, status_of
from api.web.render import NO_FORM, FormState, form_page
from capacity import service as capacity_service
from capacity.models import ChangeKind, Location, Occupancy, Unit
from capacity.schemas import (
    AdmissionRequest,
    CapacityChangeRequest,
    DepartureRequest,
    ExpectedDepartureRequest,
)
from capacity.views import unit_views
from domain.errors import DomainError
from domain.outcomes import DepartureOutcome

router = APIRouter(include_in_schema=False)
Provider = Annotated[WebSession, Depends(page_for(Role.AANBIEDER))]
CHANGE_LABEL = {
    ChangeKind.PLACES_OPENED.value: "plaatsen erbij",
    ChangeKind.PLACES_CLOSED.value: "plaatsen eraf",
    ChangeKind.UNIT_CLOSING.value: "eenheid sluit",
}


def _own_unit_ids(session: Session, web: WebSession) -> list[str]:
    query = select(Unit.id).join(Location).where(Location.provider_id == web.user.provider_id)
    return list(session.exec(query).all())


DONE_LABEL = {
    "opname": "opname",
    "vertrek": "vertrek",
    "verwacht": "verwacht vertrek",
    "capaciteit": "capaciteitswijziging",
}


def _provider_page(
    web: WebSession,
    session: Session,
    now: datetime,
    shown: FormState = NO_FORM,
    open_unit: str = "",
) -> HTMLResponse:
    """The units, one of them open: the one just acted on (or asked for), else none."""
    ids = _own_unit_ids(session, web)
    views = sorted(unit_views(session, now=now, unit_ids=ids), key=lambda v: v.name)
    opened = next((v for v in views if v.unit_id == open_unit), None)
    stays = session.exec(
        select(Occupancy)
        .where(col(Occupancy.unit_id).in_(ids), col(Occupancy.ended_on).is_(None))
        .order_by(col(Occupancy.since), col(Occupancy.id))
    ).all()
    by_unit: dict[str, list[Occupancy]] = {}
    for stay in stays:
        by_unit.setdefault(stay.unit_id, []).append(stay)
    return form_page(
        "aanbieder.html",
        web,
        shown,
        units=views,
        stays=by_unit,
        today=now.date().isoformat(),
        change_labels=CHANGE_LABEL,
        outcome_options=[(o.value, o.label) for o in DepartureOutcome],
        open_unit=opened.unit_id if opened else "",
        done_text=DONE_LABEL.get(shown.done, ""),
        done_unit=opened.name if opened else "",
    )


@router.get("/aanbieder")
def provider_home(
    web: Provider, session: SessionDep, now: NowDep, gedaan: str = "", eenheid: str = ""
) -> Response:
    """The provider's own units with their current stays (pseudonyms only); `eenheid` opens
    that unit (after an action the page returns to it)."""
    return _provider_page(web, session, now, FormState(done=gedaan[:20]), eenheid[:64])


def _check_unit(session: Session, web: WebSession, unit_id: str) -> None:
    if unit_id not in _own_unit_ids(session, web):
        raise PageForbidden("Deze eenheid hoort niet bij uw organisatie.")


def _check_stay(session: Session, web: WebSession, occupancy_id: str) -> str:
    """The unit of the stay, when it is the provider's own."""
    stay = session.get(Occupancy, occupancy_id)
    if stay is None:
        raise PageForbidden("Dit verblijf hoort niet bij uw organisatie.")
    _check_unit(session, web, stay.unit_id)
    return stay.unit_id


def _values(form: Form, form_id: str, names: tuple[str, ...]) -> dict[str, str]:
    return {f"{form_id}.{n}": form.get(n) for n in names}


def _parse(model: type[BaseModel], form: Form, names: tuple[str, ...]) -> Any:
    return model.model_validate({n: form.get(n) or None for n in names if form.get(n) != ""})


def _failed(
    exc: DomainError | ValidationError,
    web: WebSession,
    session: Session,
    now: datetime,
    form_id: str,
    values: dict[str, str],
    unit_id: str,
) -> HTMLResponse:
    session.rollback()
    errors = {f"{form_id}.{name}": message for name, message in errors_by_field(exc).items()}
    return _provider_page(web, session, now, FormState(errors, values, status_of(exc)), unit_id)


def _submit(
    web: WebSession,
    form: Form,
    session: Session,
    now: datetime,
    *,
    form_id: str,
    names: tuple[str, ...],
    act: Callable[[], object],
    done: str,
    unit_id: str,
) -> Response:
    """Run one form's action (it parses the form) and commit; on bad input or a refusal,
    the page again with the messages beside that form's fields, and nothing saved. Either
    way the page opens the unit the form belongs to, and says which one it was."""
    try:
        act()
        session.commit()
    except (ValidationError, DomainError) as exc:
        values = _values(form, form_id, names)
        return _failed(exc, web, session, now, form_id, values, unit_id)
    query = urlencode({"gedaan": done, "eenheid": unit_id})
    return RedirectResponse(f"/aanbieder?{query}#eenheid-{unit_id}", status_code=303)


@router.post("/aanbieder/eenheden/{unit_id}/opname")
def admit(unit_id: str, web: Provider, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    """Record an admission (refused when the unit is full or closed)."""
    _check_unit(session, web, unit_id)
    names = ("child_ref", "since", "expected_end")

    def act() -> None:
        stays.admit(session, unit_id=unit_id, data=_parse(AdmissionRequest, form, names), now=now)

    return _submit(
        web, form, session, now, form_id=f"opname-{unit_id}", names=names, act=act,
        done="opname", unit_id=unit_id,
    )  # fmt: skip


@router.post("/aanbieder/verblijven/{occupancy_id}/vertrek")
def depart(
    occupancy_id: str, web: Provider, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Record a departure with its outcome; the place comes free on the board."""
    unit_id = _check_stay(session, web, occupancy_id)
    names = ("left_on", "outcome")

    def act() -> None:
        data = _parse(DepartureRequest, form, names)
        via = "POST /aanbieder/verblijven/{id}/vertrek"
        stays.depart(session, web.user, occupancy_id=occupancy_id, data=data, via=via, now=now)

    form_id = f"vertrek-{occupancy_id}"
    return _submit(web, form, session, now, form_id=form_id, names=names, act=act,
                   done="vertrek", unit_id=unit_id)  # fmt: skip


@router.post("/aanbieder/verblijven/{occupancy_id}/verwacht-vertrek")
def expect_departure(
    occupancy_id: str, web: Provider, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Set (or clear, when empty) the expected departure date: the place shows as coming free."""
    unit_id = _check_stay(session, web, occupancy_id)

    def act() -> None:
        raw = form.get("expected_end") or None  # empty clears the date
        data = ExpectedDepartureRequest.model_validate({"expected_end": raw})
        capacity_service.record_expected_departure(
            session, occupancy_id=occupancy_id, expected_end=data.expected_end, now=now
        )

    form_id = f"verwacht-{occupancy_id}"
    names = ("expected_end",)
    return _submit(web, form, session, now, form_id=form_id, names=names, act=act,
                   done="verwacht", unit_id=unit_id)  # fmt: skip


@router.post("/aanbieder/eenheden/{unit_id}/capaciteit")
def change_capacity(
    unit_id: str, web: Provider, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    """Schedule (or apply, when due) places opened or closed, or the unit closing."""
    _check_unit(session, web, unit_id)
    names = ("kind", "effective_on", "places")

    def act() -> None:
        hold_endings.change_capacity(
            session,
            unit_id=unit_id,
            data=_parse(CapacityChangeRequest, form, names),
            user_id=web.user.id,
            role=web.role,
            via="POST /aanbieder/eenheden/{id}/capaciteit",
            now=now,
        )

    form_id = f"capaciteit-{unit_id}"
    return _submit(
        web, form, session, now, form_id=form_id, names=names, act=act, done="capaciteit",
        unit_id=unit_id,
    )  # fmt: skip
