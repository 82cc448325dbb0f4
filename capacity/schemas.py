"""What clients send about capacity and what they get back: units, stays, holds, availability.

Every request field keeps its guard: plausible dates, whole numbers, bounded amounts and
the pseudonym pattern (domain.fields, domain rules); the hold limits come from
capacity.holds, where alone they are defined.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from capacity.holds import MAX_HOLD_HOURS
from capacity.models import ChangeKind, Occupancy
from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.fields import Amount, PlausibleDate, WholeNumber
from domain.outcomes import DepartureOutcome
from domain.people import Capability
from domain.places import Municipality

CHILD_REF_PATTERN = r"^[A-Za-z0-9_-]{4,64}$"


class UnitPublic(BaseModel):
    """A unit and its places; no child data."""

    unit_id: str
    name: str
    provider_id: str
    municipality: Municipality
    care_form: CareForm
    places: int
    occupied: int
    held: int
    free_now: int
    age_min: int
    age_max: int
    sex_policy: str
    capabilities: list[Capability]
    status: str
    closing_date: date | None
    expected_departures: list[date]

    @classmethod
    def of(cls, v: UnitView) -> UnitPublic:
        """Build from a unit view."""
        return cls(
            unit_id=v.unit_id,
            name=v.name,
            provider_id=v.provider_id,
            municipality=v.municipality,
            care_form=v.care_form,
            places=v.places,
            occupied=v.occupied,
            held=v.held,
            free_now=v.free_now,
            age_min=v.age_min,
            age_max=v.age_max,
            sex_policy=v.sex_policy.value,
            capabilities=sorted(v.capabilities),
            status=v.status.value,
            closing_date=v.closing_date,
            expected_departures=list(v.expected_departures),
        )


class OccupancyPublic(BaseModel):
    """A stay in a unit, by pseudonym (for the provider of that unit and the servicepunt)."""

    occupancy_id: str
    unit_id: str
    child_ref: str
    since: date
    expected_end: date | None
    closure_flagged: bool

    @classmethod
    def of(cls, stay: Occupancy) -> OccupancyPublic:
        """Build from the table row."""
        return cls(
            occupancy_id=stay.id,
            unit_id=stay.unit_id,
            child_ref=stay.child_ref,
            since=stay.since,
            expected_end=stay.expected_end,
            closure_flagged=stay.closure_flagged,
        )


class AdmissionRequest(BaseModel):
    """A child comes into the unit."""

    model_config = ConfigDict(extra="forbid")

    child_ref: str = Field(pattern=CHILD_REF_PATTERN)
    since: PlausibleDate
    expected_end: PlausibleDate | None = None


class DepartureRequest(BaseModel):
    """A child leaves, and where to."""

    model_config = ConfigDict(extra="forbid")

    left_on: PlausibleDate
    outcome: DepartureOutcome


class ExpectedDepartureRequest(BaseModel):
    """The date a child is expected to leave (null clears it)."""

    model_config = ConfigDict(extra="forbid")

    expected_end: PlausibleDate | None


class CapacityChangeRequest(BaseModel):
    """Places opened or closed, or the unit closing, from a date."""

    model_config = ConfigDict(extra="forbid")

    kind: ChangeKind
    effective_on: PlausibleDate
    places: WholeNumber = Field(default=0, ge=0, le=100)


class HoldRequest(BaseModel):
    """Which unit to hold a place in, and for how long."""

    model_config = ConfigDict(extra="forbid")

    unit_id: str = Field(min_length=1, max_length=64)
    hours: Amount | None = Field(
        default=None,
        gt=0,
        le=MAX_HOLD_HOURS,
        description="looptijd in uren (max. 7 dagen); leeg: SERVICEPUNT_HOLD_TTL_SECONDS",
    )


class HoldPublic(BaseModel):
    """A held place."""

    hold_id: str
    unit_id: str
    expires_at: datetime


class AvailabilityItem(BaseModel):
    """A unit with free places on the asked day."""

    unit: UnitPublic
    free: int


class AvailabilityList(BaseModel):
    """Matching units (up to `limit`, most free first) and totals over all matches."""

    units: list[AvailabilityItem]
    total_units: int
    total_free: int


class AggregatePublic(BaseModel):
    """Free and coming-free places per care form × municipality × age band (anonymous)."""

    care_form: CareForm
    municipality: Municipality
    age_band: str
    free_now: int
    coming_free: int
