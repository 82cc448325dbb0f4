"""Capacity ledger operations for providers: units, admissions, departures, capacity changes.

Keyword-only functions on a Session. They flush and never commit: the caller owns the
transaction. Every check runs before the first change, so a refused call leaves nothing
behind. Time comes in as `now` (timezone-aware); nothing here reads the wall clock.
Holds live in capacity.holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from capacity import ledger
from capacity.errors import UnitClosed, UnitFull
from capacity.models import CapacityChange, Hold, Location, Occupancy, Provider, Unit
from capacity.snapshot import FamilyPreferences
from domain.care import CareCategory, CareForm
from domain.errors import Conflict, InvalidInput, NotFound
from domain.people import MAX_AGE
from domain.places import Municipality, parse_municipality
from domain.profile_vocabulary import Capability, DepartureOutcome, SexPolicy
from domain.vocabulary import ChangeKind, HoldState, UnitStatus

# Unit sizes from the issue: a foster family takes 1-3 children, a gezinshuis 3-4, a group
# 6-12. Checked when a unit is created; later capacity changes may move outside them.
PLACES_RANGE: dict[CareCategory, tuple[int, int]] = {
    CareCategory.PLEEGZORG: (1, 3),
    CareCategory.GEZINSHUIS: (3, 4),
    CareCategory.BEHANDELGROEP: (6, 12),
    # Kamertraining and begeleid wonen / fasehuis: a house or a set of rooms (assumption).
    CareCategory.ZELFSTANDIGHEID: (1, 12),
    CareCategory.GESLOTEN: (6, 12),
}


E = TypeVar("E", CareForm, SexPolicy, DepartureOutcome, ChangeKind)


def _enum(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput("onbekende waarde", field=field) from None


def _capabilities(values: Iterable[Capability | str], field: str) -> str:
    parsed = set()
    for value in values:
        try:
            parsed.add(Capability(value))
        except ValueError:
            raise InvalidInput("onbekende capaciteit", field=field) from None
    return ",".join(sorted(c.value for c in parsed))


def _name(name: str) -> str:
    if not name.strip():
        raise InvalidInput("naam is verplicht", field="name")
    return name.strip()


R = TypeVar("R", Provider, Location, Unit)


def _register(session: Session, record: R, record_id: str | None, field: str) -> R:
    """Add a new record of the register, under the caller's pseudonymous id if one is given."""
    if record_id is not None:
        record.id = ledger.check_ref(record_id, field=field)
    session.add(record)
    session.flush()
    return record


def create_provider(
    session: Session, *, name: str, kind: str = "zorgaanbieder", provider_id: str | None = None
) -> Provider:
    """Register a provider or pleegzorg organisation."""
    provider = Provider(name=_name(name), kind=kind)
    return _register(session, provider, provider_id, "provider_id")


def create_location(
    session: Session,
    *,
    provider_id: str,
    name: str,
    municipality: Municipality | str,
    location_id: str | None = None,
) -> Location:
    """Register a location of a provider in a municipality."""
    place = parse_municipality(municipality, "municipality")
    if session.get(Provider, provider_id) is None:
        raise NotFound("onbekende aanbieder", field="provider_id")
    location = Location(provider_id=provider_id, name=_name(name), municipality=place.value)
    return _register(session, location, location_id, "location_id")


def create_unit(
    session: Session,
    *,
    location_id: str,
    name: str,
    care_form: CareForm | str,
    places: int,
    age_min: int,
    age_max: int,
    sex_policy: SexPolicy | str = SexPolicy.GEMENGD,
    capabilities: Iterable[Capability | str] = (),
    preferences: FamilyPreferences | None = None,
    unit_id: str | None = None,
) -> Unit:
    """Register a unit (group, gezinshuis or foster family) with its places."""
    form = _enum(CareForm, care_form, "care_form")
    policy = _enum(SexPolicy, sex_policy, "sex_policy")
    if places < 0:
        raise InvalidInput("aantal plaatsen mag niet negatief zijn", field="places")
    low, high = PLACES_RANGE[form.category]
    if not low <= places <= high:
        raise InvalidInput(
            f"een {form.label} heeft {low} tot en met {high} plaatsen", field="places"
        )
    if not 0 <= age_min <= age_max <= MAX_AGE:
        raise InvalidInput(f"leeftijden moeten 0 <= min <= max <= {MAX_AGE} zijn", field="age_min")
    caps = _capabilities(capabilities, "capabilities")
    if session.get(Location, location_id) is None:
        raise NotFound("onbekende locatie", field="location_id")
    unit = Unit(
        location_id=location_id,
        name=_name(name),
        care_form=form.value,
        places=places,
        age_min=age_min,
        age_max=age_max,
        sex_policy=policy.value,
        capabilities=caps,
    )
    if preferences is not None:
        if form.category not in (CareCategory.PLEEGZORG, CareCategory.GEZINSHUIS):
            raise InvalidInput("alleen gezinnen hebben eigen voorkeuren", field="preferences")
        if preferences.max_children is not None and preferences.max_children < 1:
            raise InvalidInput("minstens 1 kind", field="preferences.max_children")
        low_age, high_age = preferences.age_min, preferences.age_max
        if (low_age is not None and low_age < 0) or (
            low_age is not None and high_age is not None and low_age > high_age
        ):
            raise InvalidInput(
                "leeftijden moeten 0 <= min <= max zijn", field="preferences.age_min"
            )
        unit.pref_age_min = preferences.age_min
        unit.pref_age_max = preferences.age_max
        unit.pref_sex = preferences.sex.value if preferences.sex else None
        unit.pref_max_children = preferences.max_children
        unit.pref_capabilities = _capabilities(preferences.capabilities, "preferences.capabilities")
    _register(session, unit, unit_id, "unit_id")
    ledger.touch(session, unit, "unit_created", None)
    session.flush()
    return unit


def add_occupancy(
    session: Session,
    *,
    unit: Unit,
    child_ref: str,
    since: date,
    expected_end: date | None,
    hold_id: str | None = None,
) -> Occupancy:
    """Insert a stay into a locked unit whose free place the caller has already checked."""
    taken = select(Occupancy.id).where(
        Occupancy.child_ref == child_ref, col(Occupancy.ended_on).is_(None)
    )
    if session.exec(taken).first() is not None:
        raise Conflict("dit kind heeft al een lopende plaatsing", field="child_ref")
    stay = Occupancy(
        unit_id=unit.id,
        child_ref=child_ref,
        since=since,
        expected_end=expected_end,
        hold_id=hold_id,
        closure_flagged=unit.status == UnitStatus.CLOSING.value,
    )
    try:
        # A savepoint: if a concurrent admission of the same child wins, only this insert
        # is undone and the caller gets a Conflict instead of a broken transaction.
        with session.begin_nested():
            session.add(stay)
    except IntegrityError:
        raise Conflict("dit kind heeft al een lopende plaatsing", field="child_ref") from None
    return stay


def record_admission(
    session: Session,
    *,
    unit_id: str,
    child_ref: str,
    since: date,
    expected_end: date | None = None,
    now: datetime,
) -> Occupancy:
    """A child comes into a unit; refused when the unit is full or closed."""
    ledger.check_stay(child_ref, since, expected_end, now)
    unit = ledger.lock_unit(session, unit_id)
    ledger.require_open(unit, now)
    ledger.absorb_pending_closures(session, unit, now)
    if ledger.free(session, unit, now) <= 0:
        raise UnitFull()
    stay = add_occupancy(
        session, unit=unit, child_ref=child_ref, since=since, expected_end=expected_end
    )
    ledger.touch(session, unit, "admission", now)
    session.flush()
    return stay


def _open_stay(session: Session, occupancy_id: str) -> tuple[Occupancy, Unit]:
    stay, unit = ledger.lock_row(
        session, Occupancy, occupancy_id, field="occupancy_id", missing="onbekende plaatsing"
    )
    if stay.ended_on is not None:
        raise Conflict("deze plaatsing is al beëindigd", field="occupancy_id")
    return stay, unit


def record_departure(
    session: Session,
    *,
    occupancy_id: str,
    left_on: date,
    outcome: DepartureOutcome | str,
    now: datetime,
) -> Occupancy:
    """A child leaves a unit, with where the child went; the place comes free."""
    ledger.require_aware(now)
    result = _enum(DepartureOutcome, outcome, "outcome")
    stay, unit = _open_stay(session, occupancy_id)
    ledger.check_dates(stay.since, left_on, field="left_on")
    stay.ended_on = left_on
    stay.outcome = result.value
    session.add(stay)
    ledger.place_freed(session, unit, "departure", now)
    return stay


def record_expected_departure(
    session: Session, *, occupancy_id: str, expected_end: date | None, now: datetime
) -> Occupancy:
    """Set (or clear) the date a child is expected to leave."""
    ledger.require_aware(now)
    stay, unit = _open_stay(session, occupancy_id)
    ledger.check_dates(stay.since, expected_end, field="expected_end")
    stay.expected_end = expected_end
    session.add(stay)
    ledger.touch(session, unit, "expected_departure", now)
    session.flush()
    return stay


def _flag_occupants(session: Session, unit_id: str) -> None:
    stmt = select(Occupancy).where(Occupancy.unit_id == unit_id, col(Occupancy.ended_on).is_(None))
    for stay in session.exec(stmt):
        stay.closure_flagged = True
        session.add(stay)


def _close_unit(session: Session, unit: Unit, now: datetime) -> None:
    unit.status = UnitStatus.CLOSED.value
    # A hold on a closed unit can never be confirmed; release it so nobody waits on it.
    active = select(Hold).where(Hold.unit_id == unit.id, Hold.state == HoldState.ACTIVE.value)
    for hold in session.exec(active):
        hold.state = HoldState.RELEASED.value
        hold.resolved_at = now
        session.add(hold)
    _flag_occupants(session, unit.id)


def _apply(session: Session, unit: Unit, change: CapacityChange, now: datetime) -> None:
    change.applied = True
    if change.kind == ChangeKind.PLACES_OPENED.value:
        unit.places += change.places
    elif change.kind == ChangeKind.PLACES_CLOSED.value:
        change.remaining = change.places
        session.add(change)
        session.flush()
        ledger.absorb_pending_closures(session, unit, now)
    else:
        _close_unit(session, unit, now)
    session.add(change)
    session.add(unit)


def schedule_capacity_change(
    session: Session,
    *,
    unit_id: str,
    kind: ChangeKind | str,
    effective_on: date,
    now: datetime,
    places: int = 0,
) -> CapacityChange:
    """Open or close places, or close the unit, from a date (today or earlier: at once)."""
    ledger.require_aware(now)
    what = _enum(ChangeKind, kind, "kind")
    if places < 0:
        raise InvalidInput("aantal plaatsen mag niet negatief zijn", field="places")
    if what is not ChangeKind.UNIT_CLOSING and places == 0:
        raise InvalidInput("geef het aantal plaatsen (minstens 1)", field="places")
    unit = ledger.lock_unit(session, unit_id)
    if unit.status == UnitStatus.CLOSED.value:
        raise UnitClosed()
    if what is ChangeKind.PLACES_CLOSED and places > unit.places:
        raise InvalidInput("meer plaatsen sluiten dan de eenheid heeft", field="places")
    if what is ChangeKind.UNIT_CLOSING:
        if unit.status == UnitStatus.CLOSING.value:
            raise Conflict("de sluiting van deze eenheid is al gepland", field="kind")
        # The occupants are flagged now, when the closure is known, not on the day itself.
        unit.status = UnitStatus.CLOSING.value
        unit.closing_date = effective_on
        _flag_occupants(session, unit.id)
    change = CapacityChange(
        unit_id=unit.id, kind=what.value, places=places, effective_on=effective_on, recorded_at=now
    )
    session.add(change)
    session.flush()
    if effective_on <= ledger.local_date(now):
        _apply(session, unit, change, now)
    ledger.touch(session, unit, "capacity_change", now)
    session.flush()
    return change


def apply_due_changes(session: Session, *, now: datetime) -> list[CapacityChange]:
    """Apply every scheduled change whose date has come (part of the sweep)."""
    today = ledger.local_date(now)
    due = select(CapacityChange.unit_id).where(
        col(CapacityChange.applied).is_(False), col(CapacityChange.effective_on) <= today
    )
    applied: list[CapacityChange] = []
    for unit_id in sorted(set(session.exec(due))):
        unit = ledger.lock_unit(session, unit_id)
        changes = select(CapacityChange).where(
            CapacityChange.unit_id == unit_id,
            col(CapacityChange.applied).is_(False),
            col(CapacityChange.effective_on) <= today,
        )
        for change in session.exec(changes.order_by(col(CapacityChange.effective_on))).all():
            _apply(session, unit, change, now)
            applied.append(change)
        ledger.touch(session, unit, "capacity_change", now)
    session.flush()
    return applied


def flagged_occupancies(session: Session, *, unit_id: str | None = None) -> list[Occupancy]:
    """Open stays in closing or closed units: these children need another place."""
    stmt = select(Occupancy).where(
        col(Occupancy.closure_flagged).is_(True), col(Occupancy.ended_on).is_(None)
    )
    if unit_id is not None:
        stmt = stmt.where(Occupancy.unit_id == unit_id)
    return list(session.exec(stmt))
