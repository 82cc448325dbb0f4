"""Capacity: providers keep their own units current; availability for the other roles."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session, col, select

from api import hold_endings, stays
from api.accounts import User
from api.deps import (
    AnyUser,
    NowDep,
    ProviderOrStaff,
    ServicepuntUser,
    SessionDep,
    StateDep,
)
from api.errors import ERROR_RESPONSES, Forbidden
from api.schemas import Offset, Page
from capacity import service as capacity_service
from capacity.models import Location, Occupancy, Unit
from capacity.queries import AvailabilityQuery
from capacity.schemas import (
    AdmissionRequest,
    AggregatePublic,
    AvailabilityItem,
    AvailabilityList,
    CapacityChangeRequest,
    DepartureRequest,
    ExpectedDepartureRequest,
    OccupancyPublic,
    UnitPublic,
)
from capacity.views import unit_views
from domain.care import CareForm
from domain.errors import NotFound
from domain.fields import PlausibleDate
from domain.places import Municipality
from domain.profile_vocabulary import Capability
from domain.vocabulary import Role

router = APIRouter(prefix="/api/v1", tags=["capaciteit"], responses=ERROR_RESPONSES)


def _provider_of(session: Session, unit_id: str) -> str:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("onbekende eenheid", field="unit_id")
    location = session.get(Location, unit.location_id)
    assert location is not None  # foreign key
    return location.provider_id


def _check_unit(session: Session, user: User, unit_id: str) -> None:
    """A provider may only touch its own units."""
    if user.role == Role.AANBIEDER.value and _provider_of(session, unit_id) != user.provider_id:
        raise Forbidden("deze eenheid hoort niet bij uw organisatie")


def _occupancy(session: Session, user: User, occupancy_id: str) -> Occupancy:
    stay = session.get(Occupancy, occupancy_id)
    if stay is None:
        raise NotFound("onbekend verblijf", field="occupancy_id")
    _check_unit(session, user, stay.unit_id)
    return stay


@router.get("/units", response_model=Page[UnitPublic])
def list_units(
    user: ProviderOrStaff,
    session: SessionDep,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> Page[UnitPublic]:
    """A provider's own units, or every unit for the servicepunt."""
    ids = None
    if user.role == Role.AANBIEDER.value:
        query = select(Unit.id).join(Location).where(Location.provider_id == user.provider_id)
        ids = list(session.exec(query).all())
    views = sorted(unit_views(session, now=now, unit_ids=ids), key=lambda v: (v.name, v.unit_id))
    items = [UnitPublic.model_validate(v) for v in views[offset : offset + limit]]
    return Page[UnitPublic](items=items, total=len(views), limit=limit, offset=offset)


@router.get("/units/{unit_id}/occupancies", response_model=list[OccupancyPublic])
def unit_occupancies(
    unit_id: str, user: ProviderOrStaff, session: SessionDep
) -> list[OccupancyPublic]:
    """Current stays in one unit."""
    _check_unit(session, user, unit_id)
    rows = session.exec(
        select(Occupancy)
        .where(Occupancy.unit_id == unit_id, col(Occupancy.ended_on).is_(None))
        .order_by(col(Occupancy.since), col(Occupancy.id))
    ).all()
    return [OccupancyPublic.model_validate(o) for o in rows]


@router.post("/units/{unit_id}/admissions", status_code=201)
def admit(
    unit_id: str, data: AdmissionRequest, user: ProviderOrStaff, session: SessionDep, now: NowDep
) -> OccupancyPublic:
    """Record an admission (409 when the unit is full or closed)."""
    _check_unit(session, user, unit_id)
    stay = stays.admit(session, unit_id=unit_id, data=data, now=now)
    session.commit()
    return OccupancyPublic.model_validate(stay)


@router.post("/occupancies/{occupancy_id}/departure", status_code=204)
def depart(
    occupancy_id: str,
    data: DepartureRequest,
    user: ProviderOrStaff,
    session: SessionDep,
    now: NowDep,
) -> None:
    """Record a departure with its outcome; the place comes free, and a child placed
    through the servicepunt has its referral discharged with that outcome."""
    _occupancy(session, user, occupancy_id)
    via = "POST .../departure"
    stays.depart(session, user, occupancy_id=occupancy_id, data=data, via=via, now=now)
    session.commit()


@router.post("/occupancies/{occupancy_id}/expected-departure", status_code=204)
def expect_departure(
    occupancy_id: str,
    data: ExpectedDepartureRequest,
    user: ProviderOrStaff,
    session: SessionDep,
    now: NowDep,
) -> None:
    """Set the expected departure date: the place shows as coming free."""
    _occupancy(session, user, occupancy_id)
    capacity_service.record_expected_departure(
        session, occupancy_id=occupancy_id, expected_end=data.expected_end, now=now
    )
    session.commit()


@router.post("/units/{unit_id}/capacity-changes", status_code=201)
def change_capacity(
    unit_id: str,
    data: CapacityChangeRequest,
    user: ProviderOrStaff,
    session: SessionDep,
    now: NowDep,
) -> dict[str, str]:
    """Schedule (or apply, if today or earlier) a change in places or a closure."""
    _check_unit(session, user, unit_id)
    change = hold_endings.change_capacity(
        session,
        unit_id=unit_id,
        data=data,
        user_id=user.id,
        role=user.role,
        via="POST /api/v1/units/{id}/capacity-changes",
        now=now,
    )
    session.commit()
    return {"change_id": change.id}


# The availability endpoints read only the in-memory index (well under a millisecond), so
# they run on the event loop: no trip to the thread pool, no database connection.
@router.get("/availability", response_model=AvailabilityList)
async def availability(
    user: ServicepuntUser,
    state: StateDep,
    now: NowDep,
    care_form: Annotated[list[CareForm] | None, Query(max_length=len(CareForm))] = None,
    municipality: Municipality | None = None,
    region_only: bool = False,
    age: Annotated[int | None, Query(ge=0, le=23)] = None,
    capability: Annotated[list[Capability] | None, Query(max_length=len(Capability))] = None,
    by: PlausibleDate | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Units with a free place now, or expected free on `by`, matching every filter."""
    query = AvailabilityQuery(
        care_forms=frozenset(care_form) if care_form else None,
        municipality=municipality,
        region_only=region_only,
        age=age,
        capabilities=frozenset(capability or ()),
        by=by,
        limit=limit,
    )

    def make() -> bytes:
        answer = state.index.find(query, now=now)
        return (
            AvailabilityList(
                units=[
                    AvailabilityItem(unit=UnitPublic.model_validate(a.view), free=a.free)
                    for a in answer.units
                ],
                total_units=answer.total_units,
                total_free=answer.total_free,
            )
            .model_dump_json()
            .encode()
        )

    key = ("availability", query, state.capacity_moment(now))
    return Response(state.answers.get_or_make(key, make), media_type="application/json")


@router.get("/availability/summary", response_model=list[AggregatePublic])
async def availability_summary(
    user: AnyUser,
    state: StateDep,
    now: NowDep,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> list[AggregatePublic]:
    """The anonymous board for every role: counts only, never a unit or a child."""
    horizon = now.date() + timedelta(days=days)
    return [
        AggregatePublic(
            care_form=c.care_form,
            municipality=c.municipality,
            age_band=c.age_band.value,
            free_now=c.free_now,
            coming_free=c.coming_free,
        )
        for c in state.index.aggregate(now=now, horizon=horizon)
    ]
