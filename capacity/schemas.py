"""What clients send about capacity and what they get back: units, stays, holds, availability.

Every request field keeps its guard: plausible dates, whole numbers, bounded amounts and
the pseudonym pattern (domain.fields, domain rules); the hold limits come from
capacity.holds, where alone they are defined.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field, field_validator

from capacity.holds import MAX_HOLD_HOURS
from domain.care import CareForm
from domain.fields import Amount, PlausibleDate, WholeNumber
from domain.places import Municipality, MunicipalityNamed
from domain.profile_vocabulary import Capability, DepartureOutcome
from domain.vocabulary import ChangeKind

CHILD_REF_PATTERN = r"^[A-Za-z0-9_-]{4,64}$"


class UnitPublic(MunicipalityNamed):
    """A unit and its places; no child data. Built with model_validate from a UnitView."""

    model_config = ConfigDict(from_attributes=True)

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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_region(self) -> bool:
        """False for a unit outside the region this servicepunt serves."""
        return self.municipality.in_region

    @computed_field  # type: ignore[prop-decorator]
    @property
    def region(self) -> str:
        """Where the municipality lies: 'regio Flevoland' or 'jeugdregio Noord-Veluwe'."""
        return self.municipality.region_label

    @field_validator("capabilities", mode="after")
    @classmethod
    def _in_order(cls, value: list[Capability]) -> list[Capability]:
        return sorted(value)

    @field_validator("sex_policy", "status", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        return value.value if isinstance(value, Enum) else value


class OccupancyPublic(BaseModel):
    """A stay in a unit, by pseudonym (for the provider of that unit and the servicepunt).
    Built with model_validate from an Occupancy row (its `id` is the occupancy_id)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    occupancy_id: str = Field(validation_alias=AliasChoices("occupancy_id", "id"))
    unit_id: str
    child_ref: str
    since: date
    expected_end: date | None
    closure_flagged: bool


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
    planned: bool | None = Field(
        default=None, description="gepland einde (true) of afgebroken (false); leeg: onbekend"
    )


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


class AggregatePublic(MunicipalityNamed):
    """Free and coming-free places per care form × municipality × age band (anonymous)."""

    care_form: CareForm
    municipality: Municipality
    age_band: str
    free_now: int
    coming_free: int
