"""Holds: a place kept for a referral while the provider is called.

A hold is placed under the unit's lock and counted with the occupancies, so the database
alone never overbooks. It ends confirmed (it becomes an occupancy in the same
transaction), released, or expired. Expiry needs no sweep to free the place: a hold past
its expiry is simply not counted; expire_holds records the fact and publishes it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from capacity import ledger
from capacity.errors import HoldExpired, HoldNotActive, UnitFull
from capacity.models import Hold, Occupancy, Unit
from capacity.service import add_occupancy
from domain.errors import InvalidInput
from domain.vocabulary import HoldState

# The hold limits, defined here only: the API and the pages take them from this module.
DEFAULT_HOLD_TTL = timedelta(hours=4)
MAX_HOLD_TTL = timedelta(days=7)
MAX_HOLD_HOURS = MAX_HOLD_TTL.total_seconds() / 3600


def place_hold(
    session: Session,
    *,
    unit_id: str,
    referral_ref: str,
    now: datetime,
    ttl: timedelta = DEFAULT_HOLD_TTL,
) -> Hold:
    """Keep one place of a unit for a referral until now + ttl; UnitFull when none is free."""
    ledger.require_aware(now)
    ledger.check_ref(referral_ref, field="referral_ref")
    if not timedelta(0) < ttl <= MAX_HOLD_TTL:
        raise InvalidInput("looptijd moet tussen 0 en 7 dagen liggen", field="ttl")
    unit = ledger.lock_unit(session, unit_id)
    ledger.require_open(unit, now)
    ledger.absorb_pending_closures(session, unit, now)
    if ledger.free(session, unit, now) <= 0:
        raise UnitFull()
    hold = Hold(unit_id=unit.id, referral_ref=referral_ref, created_at=now, expires_at=now + ttl)
    session.add(hold)
    ledger.touch(session, unit, "hold_placed", now)
    session.flush()
    return hold


def _locked_hold(session: Session, hold_id: str) -> tuple[Hold, Unit]:
    return ledger.lock_row(session, Hold, hold_id, field="hold_id", missing="onbekende reservering")


def _require_active(hold: Hold, now: datetime) -> None:
    if hold.state != HoldState.ACTIVE.value:
        raise HoldNotActive(hold.state)
    if hold.expires_at <= now:
        raise HoldExpired()


def release_hold(session: Session, *, hold_id: str, now: datetime) -> Hold:
    """Give a held place back before it expires."""
    ledger.require_aware(now)
    hold, unit = _locked_hold(session, hold_id)
    _require_active(hold, now)
    hold.state = HoldState.RELEASED.value
    hold.resolved_at = now
    session.add(hold)
    ledger.place_freed(session, unit, "hold_released", now)
    return hold


def confirm_hold(
    session: Session,
    *,
    hold_id: str,
    child_ref: str,
    since: date,
    expected_end: date | None = None,
    now: datetime,
) -> Occupancy:
    """Turn an active hold into the child's occupancy, in the caller's transaction."""
    ledger.check_stay(child_ref, since, expected_end, now)
    hold, unit = _locked_hold(session, hold_id)
    _require_active(hold, now)
    ledger.require_open(unit, now)
    # The hold's own place becomes the occupancy: no new place is needed, so no count.
    stay = add_occupancy(
        session,
        unit=unit,
        child_ref=child_ref,
        since=since,
        expected_end=expected_end,
        hold_id=hold.id,
    )
    hold.state = HoldState.CONFIRMED.value
    hold.resolved_at = now
    hold.occupancy_id = stay.id
    session.add(hold)
    ledger.touch(session, unit, "hold_confirmed", now)
    session.flush()
    return stay


def expire_holds(session: Session, *, now: datetime) -> list[Hold]:
    """Mark every hold past its expiry as expired (their places were already free)."""
    ledger.require_aware(now)
    due = select(Hold.unit_id).where(
        Hold.state == HoldState.ACTIVE.value, col(Hold.expires_at) <= now
    )
    expired: list[Hold] = []
    for unit_id in sorted(set(session.exec(due))):
        unit = ledger.lock_unit(session, unit_id)
        stmt = select(Hold).where(
            Hold.unit_id == unit_id,
            Hold.state == HoldState.ACTIVE.value,
            col(Hold.expires_at) <= now,
        )
        for hold in session.exec(stmt.execution_options(populate_existing=True)).all():
            hold.state = HoldState.EXPIRED.value
            hold.resolved_at = now
            session.add(hold)
            expired.append(hold)
        ledger.place_freed(session, unit, "hold_expired", now)
    return expired
