"""Shared steps of every capacity write: lock the unit, count what is taken, mark it changed.

The count is the overbooking guard. It runs after the unit's row lock is taken (PostgreSQL
SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE already holds the write lock), and every
writer that adds an occupancy or a hold takes that lock first, so two writers can never
both see the same free place.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from capacity.errors import InvalidDates, UnitClosed, UnitNotFound
from capacity.models import CapacityChange, Hold, Occupancy, Unit
from domain.errors import InvalidInput, NotFound
from domain.vocabulary import ChangeKind, HoldState, UnitStatus

REGION_TZ = ZoneInfo("Europe/Amsterdam")
TOUCHED_KEY = "capacity_touched"
NOW_KEY = "capacity_now"
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_BSN_LIKE = re.compile(r"^\d{8,9}$")


def require_aware(now: datetime, *, field: str = "now") -> datetime:
    """The moment, which must carry a timezone (a naive time is ambiguous)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("tijdstip zonder tijdzone", field=field)
    return now


def local_date(now: datetime) -> date:
    """The calendar date in the region at `now`."""
    return require_aware(now).astimezone(REGION_TZ).date()


def check_ref(value: str, *, field: str) -> str:
    """A pseudonymous reference: short, plain characters, and never a BSN."""
    if not isinstance(value, str) or not _REF.match(value):
        raise InvalidInput(
            "verwacht een pseudoniem van 1-64 tekens (letters, cijfers, . _ : -)", field=field
        )
    if _BSN_LIKE.match(value):
        raise InvalidInput("gebruik een pseudoniem, geen BSN", field=field)
    return value


def check_dates(start: date, end: date | None, *, field: str) -> None:
    """An end date may not lie before the start date."""
    if end is not None and end < start:
        raise InvalidDates("einddatum ligt voor de begindatum", field=field)


def check_stay(child_ref: str, since: date, expected_end: date | None, now: datetime) -> None:
    """What starts a stay: an aware moment, a pseudonymous child, an end not before the start."""
    require_aware(now)
    check_ref(child_ref, field="child_ref")
    check_dates(since, expected_end, field="expected_end")


def lock_unit(session: Session, unit_id: str, *, field: str = "unit_id") -> Unit:
    """The unit, locked for the rest of the transaction; UnitNotFound when it does not exist."""
    if not isinstance(unit_id, str) or not unit_id:
        raise UnitNotFound(field=field)
    stmt = (
        select(Unit)
        .where(Unit.id == unit_id)
        .with_for_update()
        # Re-read under the lock even if this session loaded the unit earlier.
        .execution_options(populate_existing=True)
    )
    unit = session.exec(stmt).first()
    if unit is None:
        raise UnitNotFound(field=field)
    return unit


def require_open(unit: Unit, now: datetime) -> None:
    """Refuse a new stay or hold in a closed unit, or one whose closing date has come."""
    if unit.status == UnitStatus.CLOSED.value:
        raise UnitClosed()
    if unit.closing_date is not None and unit.closing_date <= local_date(now):
        raise UnitClosed("de eenheid sluit vandaag of is al gesloten")


LockedRow = TypeVar("LockedRow", Hold, Occupancy)


def lock_row(
    session: Session, model: type[LockedRow], row_id: str, *, field: str, missing: str
) -> tuple[LockedRow, Unit]:
    """A hold or stay and its unit, locked unit first, the row re-read under the lock.

    The lock order is always unit first, so holds, stays and admissions cannot deadlock.
    """
    found = session.get(model, row_id) if isinstance(row_id, str) else None
    if found is None:
        raise NotFound(missing, field=field)
    unit = lock_unit(session, found.unit_id)
    row = session.exec(
        select(model).where(model.id == row_id).execution_options(populate_existing=True)
    ).one()
    return row, unit


def occupied(session: Session, unit_id: str) -> int:
    """Children currently in the unit."""
    stmt = select(func.count()).where(
        Occupancy.unit_id == unit_id, col(Occupancy.ended_on).is_(None)
    )
    return int(session.exec(stmt).one())


def held(session: Session, unit_id: str, now: datetime) -> int:
    """Holds active at `now`: expiry is part of being active, sweep or no sweep."""
    stmt = select(func.count()).where(
        Hold.unit_id == unit_id,
        Hold.state == HoldState.ACTIVE.value,
        col(Hold.expires_at) > now,
    )
    return int(session.exec(stmt).one())


def capacity_of(unit: Unit) -> int:
    """Places that can be taken: none once the unit is closed."""
    return 0 if unit.status == UnitStatus.CLOSED.value else unit.places


def free(session: Session, unit: Unit, now: datetime) -> int:
    """Free places of a locked unit at `now` (occupancies and active holds, one query)."""
    stays = select(func.count()).where(
        Occupancy.unit_id == unit.id, col(Occupancy.ended_on).is_(None)
    )
    holds = select(func.count()).where(
        Hold.unit_id == unit.id,
        Hold.state == HoldState.ACTIVE.value,
        col(Hold.expires_at) > now,
    )
    taken = session.execute(sa_select(stays.scalar_subquery() + holds.scalar_subquery()))
    return capacity_of(unit) - int(taken.scalar_one())


def absorb_pending_closures(session: Session, unit: Unit, now: datetime) -> None:
    """Take away places of applied closures as they come free (children are never moved out)."""
    stmt = (
        select(CapacityChange)
        .where(
            CapacityChange.unit_id == unit.id,
            CapacityChange.kind == ChangeKind.PLACES_CLOSED.value,
            col(CapacityChange.applied).is_(True),
            col(CapacityChange.remaining) > 0,
        )
        .order_by(col(CapacityChange.effective_on), col(CapacityChange.id))
    )
    pending = list(session.exec(stmt))
    if not pending:
        return
    spare = max(0, unit.places - occupied(session, unit.id) - held(session, unit.id, now))
    for change in pending:
        take = min(change.remaining, spare, unit.places)
        if take <= 0:
            break
        change.remaining -= take
        unit.places -= take
        spare -= take
        session.add(change)
    session.add(unit)


def place_freed(session: Session, unit: Unit, kind: str, now: datetime) -> None:
    """After a place came free: let pending closures take it, then note the change."""
    session.flush()
    absorb_pending_closures(session, unit, now)
    touch(session, unit, kind, now)
    session.flush()


def touch(session: Session, unit: Unit, kind: str, now: datetime | None) -> None:
    """Bump the unit's version and note the change for the live view after commit."""
    unit.version += 1
    session.add(unit)
    touched: dict[str, str] = session.info.setdefault(TOUCHED_KEY, {})
    touched[unit.id] = kind
    if now is not None:
        session.info[NOW_KEY] = now
