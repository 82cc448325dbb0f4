"""Where units are kept current: their stays, and forms for admissions, departures (with
whether the stay ended as planned, and where the child went), expected departures and
capacity changes. The provider keeps its own units (/aanbieder) and never sees or changes
another provider's; the servicepunt may do the same for every unit (/servicepunt/capaciteit),
as the API allows both roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from api import hold_endings, stays
from api.deps import NowDep, SessionDep
from api.web.auth import (
    Form,
    FormDep,
    PageForbidden,
    PageNotFound,
    WebSession,
    WebSessionDep,
    page_for,
)
from api.web.common import api_action, errors_by_field, status_of
from api.web.render import NO_FORM, FormState, form_page
from capacity import models as capacity_models
from capacity import service as capacity_service
from capacity.models import Location, Occupancy, Unit
from capacity.schemas import AdmissionRequest, CapacityChangeRequest, ExpectedDepartureRequest
from capacity.views import unit_views
from domain.errors import DomainError
from domain.profile_vocabulary import DepartureOutcome
from domain.vocabulary import ChangeKind, Role
from placements.schemas import DischargeRequest

router = APIRouter(include_in_schema=False)
DONE_LABEL = {
    "opname": "opname",
    "vertrek": "vertrek",
    "verwacht": "verwacht vertrek",
    "capaciteit": "capaciteitswijziging",
}
PLANNED_OPTIONS = [("true", "gepland"), ("false", "ongepland (afgebroken)")]


@dataclass(frozen=True)
class Desk:
    """The unit pages of one role: its path, its title, and whether it keeps only the units
    of its own organisation (the provider) or every unit (the servicepunt)."""

    role: Role
    home: str
    title: str
    own_only: bool

    def unit_ids(self, session: Session, web: WebSession) -> list[str] | None:
        """The units this user may keep: the organisation's own, or None for all."""
        if not self.own_only:
            return None
        query = select(Unit.id).join(Location).where(Location.provider_id == web.user.provider_id)
        return list(session.exec(query).all())

    def check_unit(self, session: Session, web: WebSession, unit_id: str) -> None:
        """Refuse a unit this user may not keep (another organisation's, or none at all)."""
        if self.own_only:
            if unit_id not in (self.unit_ids(session, web) or []):
                raise PageForbidden("Deze eenheid hoort niet bij uw organisatie.")
        elif session.get(Unit, unit_id) is None:
            raise PageNotFound

    def check_stay(self, session: Session, web: WebSession, occupancy_id: str) -> str:
        """The unit of the stay, when this user may keep it."""
        stay = session.get(Occupancy, occupancy_id)
        if stay is None:
            if self.own_only:
                raise PageForbidden("Dit verblijf hoort niet bij uw organisatie.")
            raise PageNotFound
        self.check_unit(session, web, stay.unit_id)
        return stay.unit_id

    def page(
        self,
        web: WebSession,
        session: Session,
        now: datetime,
        shown: FormState = NO_FORM,
        open_unit: str = "",
    ) -> HTMLResponse:
        """The units, one of them open: the one just acted on (or asked for), else none."""
        views = sorted(
            unit_views(session, now=now, unit_ids=self.unit_ids(session, web)),
            key=lambda v: (v.name, v.unit_id),
        )
        ids = [v.unit_id for v in views]
        opened = next((v for v in views if v.unit_id == open_unit), None)
        stays = session.exec(
            select(Occupancy)
            .where(col(Occupancy.unit_id).in_(ids), col(Occupancy.ended_on).is_(None))
            .order_by(col(Occupancy.since), col(Occupancy.id))
        ).all()
        # The servicepunt keeps every provider's units: each is named with its provider.
        names = select(capacity_models.Provider.id, capacity_models.Provider.name)
        providers = {} if self.own_only else {p: n for p, n in session.exec(names).all()}
        by_unit: dict[str, list[Occupancy]] = {}
        for stay in stays:
            by_unit.setdefault(stay.unit_id, []).append(stay)
        return form_page(
            "aanbieder.html",
            web,
            shown,
            desk=self,
            units=views,
            providers=providers,
            stays=by_unit,
            today=now.date().isoformat(),
            change_options=[(k.value, k.label) for k in ChangeKind],
            outcome_options=[(o.value, o.label) for o in DepartureOutcome],
            planned_options=PLANNED_OPTIONS,
            open_unit=opened.unit_id if opened else "",
            done_text=DONE_LABEL.get(shown.done, ""),
            done_unit=opened.name if opened else "",
        )


PROVIDER = Desk(Role.AANBIEDER, "/aanbieder", "Mijn eenheden", own_only=True)
SERVICEPUNT = Desk(Role.SERVICEPUNT, "/servicepunt/capaciteit", "Capaciteit", own_only=False)


def _parse(model: type[BaseModel], form: Form, names: tuple[str, ...]) -> Any:
    return model.model_validate({n: form.get(n) or None for n in names if form.get(n) != ""})


@dataclass(frozen=True)
class Post:
    """One posted unit form: the desk, who, the form, and the request's session and clock."""

    desk: Desk
    web: WebSession
    form: Form
    session: Session
    now: datetime

    def submit(
        self, act: Callable[[], object], *, form_id: str, names: tuple[str, ...], done: str,
        unit_id: str,
    ) -> Response:  # fmt: skip
        """Run one form's action (it parses the form) and commit; on bad input or a refusal,
        the page again with the messages beside that form's fields, and nothing saved.
        Either way the page opens the unit the form belongs to, and says which one it was."""
        try:
            act()
            self.session.commit()
        except (ValidationError, DomainError) as exc:
            self.session.rollback()
            errors = {f"{form_id}.{n}": message for n, message in errors_by_field(exc).items()}
            values = {f"{form_id}.{n}": self.form.get(n) for n in names}
            shown = FormState(errors, values, status_of(exc))
            return self.desk.page(self.web, self.session, self.now, shown, unit_id)
        query = urlencode({"gedaan": done, "eenheid": unit_id})
        return RedirectResponse(f"{self.desk.home}?{query}#eenheid-{unit_id}", status_code=303)


def _admit(post: Post, unit_id: str) -> Response:
    """Record an admission (refused when the unit is full or closed)."""
    post.desk.check_unit(post.session, post.web, unit_id)
    names = ("child_ref", "since", "expected_end")

    def act() -> None:
        data = _parse(AdmissionRequest, post.form, names)
        stays.admit(post.session, unit_id=unit_id, data=data, now=post.now)

    return post.submit(
        act, form_id=f"opname-{unit_id}", names=names, done="opname", unit_id=unit_id
    )


def _depart(post: Post, occupancy_id: str) -> Response:
    """Record a departure: whether the stay ended as planned, and where the child went; the
    place comes free on the board, and a placed child's referral is discharged."""
    unit_id = post.desk.check_stay(post.session, post.web, occupancy_id)
    names = ("left_on", "outcome", "planned")

    def act() -> None:
        data = _parse(DischargeRequest, post.form, names)  # the page asks planned or not
        via = f"POST {post.desk.home}/verblijven/{{id}}/vertrek"
        stays.depart(
            post.session, post.web.user, occupancy_id=occupancy_id, data=data, via=via, now=post.now
        )

    return post.submit(
        act, form_id=f"vertrek-{occupancy_id}", names=names, done="vertrek", unit_id=unit_id
    )


def _expect_departure(post: Post, occupancy_id: str) -> Response:
    """Set (or clear, when empty) the expected departure date: the place shows as coming free."""
    unit_id = post.desk.check_stay(post.session, post.web, occupancy_id)

    def act() -> None:
        raw = post.form.get("expected_end") or None  # empty clears the date
        data = ExpectedDepartureRequest.model_validate({"expected_end": raw})
        capacity_service.record_expected_departure(
            post.session, occupancy_id=occupancy_id, expected_end=data.expected_end, now=post.now
        )

    form_id = f"verwacht-{occupancy_id}"
    return post.submit(
        act, form_id=form_id, names=("expected_end",), done="verwacht", unit_id=unit_id
    )


def _change_capacity(post: Post, unit_id: str) -> Response:
    """Schedule (or apply, when due) places opened or closed, or the unit closing."""
    post.desk.check_unit(post.session, post.web, unit_id)
    names = ("kind", "effective_on", "places")

    def act() -> None:
        hold_endings.change_capacity(
            post.session,
            unit_id=unit_id,
            data=_parse(CapacityChangeRequest, post.form, names),
            user_id=post.web.user.id,
            role=post.web.role,
            via=f"POST {post.desk.home}/eenheden/{{id}}/capaciteit",
            now=post.now,
        )

    return post.submit(
        act, form_id=f"capaciteit-{unit_id}", names=names, done="capaciteit", unit_id=unit_id
    )


# Each form: its path under the desk, what it does, and the API action it performs.
FORMS: tuple[tuple[str, Callable[[Post, str], Response], str], ...] = (
    ("/eenheden/{unit_id}/opname", _admit, "POST /api/v1/units/{unit_id}/admissions"),
    (
        "/verblijven/{occupancy_id}/vertrek",
        _depart,
        "POST /api/v1/occupancies/{occupancy_id}/departure",
    ),
    (
        "/verblijven/{occupancy_id}/verwacht-vertrek",
        _expect_departure,
        "POST /api/v1/occupancies/{occupancy_id}/expected-departure",
    ),
    (
        "/eenheden/{unit_id}/capaciteit",
        _change_capacity,
        "POST /api/v1/units/{unit_id}/capacity-changes",
    ),
)


def _endpoint(desk: Desk, handle: Callable[[Post, str], Response]) -> Callable[..., Response]:
    """The route function of one form of the desk (its one path parameter: the unit or stay)."""

    def posted(
        request: Request, web: WebSessionDep, form: FormDep, session: SessionDep, now: NowDep
    ) -> Response:
        (key,) = request.path_params.values()
        return handle(Post(desk, web, form, session, now), str(key))

    posted.__doc__ = handle.__doc__
    return posted


def _install(desk: Desk) -> None:
    """The desk's page and its forms, for its role only."""
    only = [Depends(page_for(desk.role))]

    def home(
        web: WebSessionDep, session: SessionDep, now: NowDep, gedaan: str = "", eenheid: str = ""
    ) -> Response:
        """The units with their current stays (pseudonyms only); `eenheid` opens that unit
        (after an action the page returns to it)."""
        return desk.page(web, session, now, FormState(done=gedaan[:20]), eenheid[:64])

    router.add_api_route(desk.home, home, methods=["GET"], dependencies=only)
    for path, handle, action in FORMS:
        router.add_api_route(
            desk.home + path,
            _endpoint(desk, handle),
            methods=["POST"],
            dependencies=only,
            openapi_extra=api_action(action),
        )


_install(PROVIDER)
_install(SERVICEPUNT)
