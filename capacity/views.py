"""Read the ledger into UnitStates and UnitViews (what the live view, index and matcher use)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from capacity.models import CapacityChange, ChangeKind, Hold, HoldState, Location, Occupancy, Unit
from capacity.snapshot import FamilyPreferences, UnitStatus, UnitView
from capacity.state import UnitState
from domain.care import CareCategory, CareForm
from domain.people import Capability, Sex, SexPolicy
from domain.places import Municipality

# Only families (foster families and gezinshuizen) have preferences of their own.
FAMILY_CATEGORIES = frozenset({CareCategory.PLEEGZORG, CareCategory.GEZINSHUIS})


def parse_capabilities(raw: str | None) -> frozenset[Capability]:
    """Capabilities from their stored comma-separated form."""
    if not raw:
        return frozenset()
    return frozenset(Capability(part) for part in raw.split(","))


def _preferences(unit: Unit) -> FamilyPreferences | None:
    if CareForm(unit.care_form).category not in FAMILY_CATEGORIES:
        return None
    return FamilyPreferences(
        age_min=unit.pref_age_min,
        age_max=unit.pref_age_max,
        sex=Sex(unit.pref_sex) if unit.pref_sex else None,
        max_children=unit.pref_max_children,
        capabilities=parse_capabilities(unit.pref_capabilities),
    )


def _signed(change: CapacityChange) -> int:
    if change.kind == ChangeKind.PLACES_OPENED:
        return change.places
    if change.kind == ChangeKind.PLACES_CLOSED:
        return -(change.remaining if change.applied else change.places)
    return 0


def load_states(
    session: Session, *, now: datetime, unit_ids: Collection[str] | None = None
) -> list[UnitState]:
    """The committed state of the given units (all units when None), read in this session."""
    units_q = select(Unit, Location).join(Location, col(Location.id) == col(Unit.location_id))
    occ_q = select(col(Occupancy.unit_id), col(Occupancy.expected_end)).where(
        col(Occupancy.ended_on).is_(None)
    )
    hold_q = select(Hold.unit_id, Hold.id, Hold.expires_at).where(
        Hold.state == HoldState.ACTIVE.value
    )
    change_q = select(CapacityChange).where(
        or_(
            col(CapacityChange.applied).is_(False),
            col(CapacityChange.remaining) > 0,
        )
    )
    if unit_ids is not None:
        ids = list(unit_ids)
        units_q = units_q.where(col(Unit.id).in_(ids))
        occ_q = occ_q.where(col(Occupancy.unit_id).in_(ids))
        hold_q = hold_q.where(col(Hold.unit_id).in_(ids))
        change_q = change_q.where(col(CapacityChange.unit_id).in_(ids))

    occupied: dict[str, int] = defaultdict(int)
    departures: dict[str, list[date]] = defaultdict(list)
    for unit_id, expected_end in session.exec(occ_q):
        occupied[unit_id] += 1
        if expected_end is not None:
            departures[unit_id].append(expected_end)
    holds: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for unit_id, hold_id, expires_at in session.exec(hold_q):
        holds[unit_id].append((hold_id, expires_at))
    changes: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for change in session.exec(change_q):
        delta = _signed(change)
        if delta:
            changes[change.unit_id].append((change.effective_on, delta))

    states = []
    for unit, location in session.exec(units_q):
        unit_holds = tuple(sorted(holds.get(unit.id, ()), key=lambda h: (h[1], h[0])))
        view = UnitView(
            unit_id=unit.id,
            provider_id=location.provider_id,
            name=unit.name,
            municipality=Municipality(location.municipality),
            care_form=CareForm(unit.care_form),
            places=unit.places,
            occupied=occupied.get(unit.id, 0),
            held=sum(1 for _, expires in unit_holds if expires > now),
            age_min=unit.age_min,
            age_max=unit.age_max,
            sex_policy=SexPolicy(unit.sex_policy),
            capabilities=parse_capabilities(unit.capabilities),
            status=UnitStatus(unit.status),
            closing_date=unit.closing_date,
            expected_departures=tuple(sorted(departures.get(unit.id, ()))),
            scheduled_changes=tuple(sorted(changes.get(unit.id, ()))),
            preferences=_preferences(unit),
        )
        states.append(UnitState(view=view, hold_expiries=unit_holds, version=unit.version))
    return states


def unit_views(
    session: Session, *, now: datetime, unit_ids: Collection[str] | None = None
) -> list[UnitView]:
    """UnitViews of the ledger at `now`: the matcher's input."""
    return [state.view for state in load_states(session, now=now, unit_ids=unit_ids)]
