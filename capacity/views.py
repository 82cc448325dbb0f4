"""Read the ledger into UnitStates and UnitViews (what the live view, index and matcher use)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String, Table, cast, literal, null, or_, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col

from capacity import models
from capacity.snapshot import FamilyPreferences, UnitView
from capacity.state import UnitState
from domain.care import CareCategory, CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability, Sex, SexPolicy
from domain.vocabulary import ChangeKind, HoldState, UnitStatus

UNITS: Table = SQLModel.metadata.tables["capacity_unit"]
# Only families (foster families and gezinshuizen) have preferences of their own.
FAMILY_CATEGORIES = frozenset({CareCategory.PLEEGZORG, CareCategory.GEZINSHUIS})


def parse_capabilities(raw: str | None) -> frozenset[Capability]:
    """Capabilities from their stored comma-separated form."""
    if not raw:
        return frozenset()
    return frozenset(Capability(part) for part in raw.split(","))


def _preferences(unit: Any) -> FamilyPreferences | None:
    if CareForm(unit.care_form).category not in FAMILY_CATEGORIES:
        return None
    return FamilyPreferences(
        age_min=unit.pref_age_min,
        age_max=unit.pref_age_max,
        sex=Sex(unit.pref_sex) if unit.pref_sex else None,
        max_children=unit.pref_max_children,
        capabilities=parse_capabilities(unit.pref_capabilities),
    )


def _signed(kind: str, places: int, remaining: int, applied: bool) -> int:
    if kind == ChangeKind.PLACES_OPENED:
        return places
    if kind == ChangeKind.PLACES_CLOSED:
        return -(remaining if applied else places)
    return 0


def _typed_null(type_: Any) -> Any:
    return cast(null(), type_)


def _ledger_rows(unit_ids: list[str] | None) -> Any:
    """Open stays, active holds and pending changes in one query (one round trip).

    Columns: part ('o', 'h' or 'c'), unit_id, day (expected end or effective date),
    hold id, hold expiry, change kind, places, remaining, applied.
    """
    stays = sa_select(
        literal("o").label("part"),
        col(models.Occupancy.unit_id).label("unit_id"),
        col(models.Occupancy.expected_end).label("day"),
        _typed_null(String()).label("ref"),
        _typed_null(models.UTCDateTime()).label("at"),
        _typed_null(String()).label("kind"),
        literal(0).label("places"),
        literal(0).label("remaining"),
        literal(False).label("applied"),
    ).where(col(models.Occupancy.ended_on).is_(None))
    holds = sa_select(
        literal("h"),
        col(models.Hold.unit_id),
        _typed_null(Date()),
        col(models.Hold.id),
        col(models.Hold.expires_at),
        _typed_null(String()),
        literal(0),
        literal(0),
        literal(False),
    ).where(col(models.Hold.state) == HoldState.ACTIVE.value)
    changes = sa_select(
        literal("c"),
        col(models.CapacityChange.unit_id),
        col(models.CapacityChange.effective_on),
        _typed_null(String()),
        _typed_null(models.UTCDateTime()),
        col(models.CapacityChange.kind),
        col(models.CapacityChange.places),
        col(models.CapacityChange.remaining),
        col(models.CapacityChange.applied),
    ).where(
        or_(col(models.CapacityChange.applied).is_(False), col(models.CapacityChange.remaining) > 0)
    )
    if unit_ids is not None:
        stays = stays.where(col(models.Occupancy.unit_id).in_(unit_ids))
        holds = holds.where(col(models.Hold.unit_id).in_(unit_ids))
        changes = changes.where(col(models.CapacityChange.unit_id).in_(unit_ids))
    return union_all(stays, holds, changes)


def load_states(
    session: Session, *, now: datetime, unit_ids: Collection[str] | None = None
) -> list[UnitState]:
    """The committed state of the given units (all units when None), read in this session.

    Two queries: the units with their locations, and the ledger rows that count.
    """
    ids = None if unit_ids is None else list(unit_ids)
    units_q = sa_select(UNITS, col(models.Location.provider_id), col(models.Location.municipality))
    units_q = units_q.join(models.Location, col(models.Location.id) == col(models.Unit.location_id))
    if ids is not None:
        units_q = units_q.where(col(models.Unit.id).in_(ids))

    occupied: dict[str, int] = defaultdict(int)
    departures: dict[str, list[date]] = defaultdict(list)
    holds: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    changes: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for part, unit_id, day, ref, at, kind, places, remaining, applied in session.execute(
        _ledger_rows(ids)
    ):
        if part == "o":
            occupied[unit_id] += 1
            if day is not None:
                departures[unit_id].append(day)
        elif part == "h":
            holds[unit_id].append((ref, at))
        else:
            delta = _signed(kind, places, remaining, applied)
            if delta:
                changes[unit_id].append((day, delta))

    states = []
    for unit in session.execute(units_q):
        unit_holds = tuple(sorted(holds.get(unit.id, ()), key=lambda h: (h[1], h[0])))
        view = UnitView(
            unit_id=unit.id,
            provider_id=unit.provider_id,
            name=unit.name,
            municipality=Municipality(unit.municipality),
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
