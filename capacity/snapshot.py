"""A read-only, pure picture of units and their free places, for matching and simulation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability, Sex, SexPolicy
from domain.vocabulary import UnitStatus


@dataclass(frozen=True, slots=True)
class FamilyPreferences:
    """A foster family's or gezinshuis's own wishes (soft: they shape the score)."""

    age_min: int | None = None
    age_max: int | None = None
    sex: Sex | None = None
    max_children: int | None = None
    capabilities: frozenset[Capability] = frozenset()


@dataclass(frozen=True, slots=True)
class UnitView:
    """One unit as the matcher sees it at a moment."""

    unit_id: str
    provider_id: str
    name: str
    municipality: Municipality
    care_form: CareForm
    places: int
    occupied: int
    held: int
    age_min: int
    age_max: int
    sex_policy: SexPolicy = SexPolicy.GEMENGD
    capabilities: frozenset[Capability] = frozenset()
    status: UnitStatus = UnitStatus.OPEN
    closing_date: date | None = None
    # Dates on which currently taken places are expected to come free, sorted.
    expected_departures: tuple[date, ...] = ()
    # Scheduled changes in the number of places: (effective date, delta), sorted by date.
    scheduled_changes: tuple[tuple[date, int], ...] = ()
    preferences: FamilyPreferences | None = None

    @property
    def free_now(self) -> int:
        """Places free right now (never negative)."""
        if self.status is UnitStatus.CLOSED:
            return 0
        return max(0, self.places - self.occupied - self.held)

    def free_by(self, day: date) -> int:
        """Places expected free on `day`, from expected departures and scheduled changes."""
        if self.status is UnitStatus.CLOSED or (
            self.closing_date is not None and self.closing_date <= day
        ):
            return 0
        places = self.places + sum(delta for when, delta in self.scheduled_changes if when <= day)
        leaving = sum(1 for when in self.expected_departures if when <= day)
        return max(0, places - (self.occupied - leaving) - self.held)

    def first_free_date(self, today: date, deadline: date) -> date | None:
        """The first day in [today, deadline] with a free place, or None."""
        if self.free_now > 0:
            return today
        candidates = sorted(
            {d for d in self.expected_departures if today < d <= deadline}
            | {d for d, _ in self.scheduled_changes if today < d <= deadline}
        )
        return next((d for d in candidates if self.free_by(d) > 0), None)
