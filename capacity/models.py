"""Capacity ledger tables: providers, locations, units, occupancies, holds, capacity changes.

The database is the source of truth for capacity. Enumerations are stored as short strings
(not database enum types) so a new care form or outcome needs no schema change; services
validate them on the way in. Times are stored as naive UTC and handed back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import CheckConstraint, DateTime, Dialect, Index, Table, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from domain.vocabulary import HoldState

ID_LENGTH = 64


def new_id() -> str:
    """A fresh random identifier (no meaning, no personal data)."""
    return uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; SQLite keeps no offsets, so one form everywhere."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("tijdstip zonder tijdzone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Provider(SQLModel, table=True):
    """A care provider or pleegzorg organisation."""

    __tablename__ = "capacity_provider"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)


class Location(SQLModel, table=True):
    """A site of a provider, in one municipality."""

    __tablename__ = "capacity_location"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    provider_id: str = Field(foreign_key="capacity_provider.id", index=True, max_length=ID_LENGTH)
    name: str = Field(max_length=200)
    municipality: str = Field(max_length=32)


class Unit(SQLModel, table=True):
    """A group, gezinshuis or foster family: the thing that has places."""

    __tablename__ = "capacity_unit"
    __table_args__ = (
        CheckConstraint("places >= 0", name="ck_unit_places_nonnegative"),
        CheckConstraint("age_min >= 0 AND age_min <= age_max", name="ck_unit_age_range"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    location_id: str = Field(foreign_key="capacity_location.id", index=True, max_length=ID_LENGTH)
    name: str = Field(max_length=200)
    care_form: str = Field(max_length=32, index=True)
    places: int
    age_min: int
    age_max: int
    sex_policy: str = Field(max_length=16)
    # Sorted, comma-separated Capability values: portable and cheap to compare.
    capabilities: str = Field(default="", max_length=500)
    status: str = Field(default="open", max_length=16)
    closing_date: date | None = None
    pref_age_min: int | None = None
    pref_age_max: int | None = None
    pref_sex: str | None = Field(default=None, max_length=1)
    pref_max_children: int | None = None
    pref_capabilities: str | None = Field(default=None, max_length=500)
    # Bumped on every change of the unit's capacity picture; the live view keeps the newest.
    version: int = Field(default=0)


class Occupancy(SQLModel, table=True):
    """A pseudonymous child in a unit, from a date, until an expected or actual end."""

    __tablename__ = "capacity_occupancy"
    __table_args__ = (
        Index("ix_occupancy_unit_open", "unit_id", "ended_on"),
        # One open stay per child: the database itself refuses a second concurrent stay.
        Index(
            "uq_occupancy_open_child",
            "child_ref",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
            sqlite_where=text("ended_on IS NULL"),
        ),
        CheckConstraint(
            "expected_end IS NULL OR expected_end >= since", name="ck_occupancy_expected_end"
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= since", name="ck_occupancy_ended_on"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    unit_id: str = Field(foreign_key="capacity_unit.id", max_length=ID_LENGTH)
    child_ref: str = Field(max_length=ID_LENGTH)
    since: date
    expected_end: date | None = None
    ended_on: date | None = None
    outcome: str | None = Field(default=None, max_length=32)
    # Set when the unit is closing: this child needs another place.
    closure_flagged: bool = Field(default=False)
    hold_id: str | None = Field(default=None, max_length=ID_LENGTH)


class Hold(SQLModel, table=True):
    """A place kept for a referral while the provider is called; it expires by itself."""

    __tablename__ = "capacity_hold"
    __table_args__ = (Index("ix_hold_unit_state", "unit_id", "state"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    unit_id: str = Field(foreign_key="capacity_unit.id", max_length=ID_LENGTH)
    referral_ref: str = Field(max_length=ID_LENGTH)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    state: str = Field(default=HoldState.ACTIVE.value, max_length=16)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    occupancy_id: str | None = Field(default=None, max_length=ID_LENGTH)


class CapacityChange(SQLModel, table=True):
    """Places opened or closed, or the unit closing, from a date on."""

    __tablename__ = "capacity_change"
    __table_args__ = (
        CheckConstraint("places >= 0", name="ck_change_places_nonnegative"),
        CheckConstraint("remaining >= 0", name="ck_change_remaining_nonnegative"),
        Index("ix_change_unit_effective", "unit_id", "effective_on"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=ID_LENGTH)
    unit_id: str = Field(foreign_key="capacity_unit.id", max_length=ID_LENGTH)
    kind: str = Field(max_length=32)
    places: int = Field(default=0)
    effective_on: date
    # Places of a closure still to take away: they close as children leave, never by
    # moving a child out (see service.apply_due_changes).
    remaining: int = Field(default=0)
    applied: bool = Field(default=False)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


TABLES = (Provider, Location, Unit, Occupancy, Hold, CapacityChange)


def capacity_tables() -> list[Table]:
    """The capacity tables, in creation order (for create_all in tests and benchmarks)."""
    return [SQLModel.metadata.tables[str(model.__tablename__)] for model in TABLES]
