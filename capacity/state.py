"""The committed capacity picture of one unit, as the live view and the query index keep it.

A UnitState is a UnitView plus the expiry of every active hold and the unit's version, so
a reader can tell how many holds are still active at any moment and which of two states
is newer. It carries no child data: no pseudonyms, no referral references. Pure: no IO.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from capacity.snapshot import FamilyPreferences, UnitView
from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability, Sex, SexPolicy
from domain.vocabulary import UnitStatus


@dataclass(frozen=True, slots=True)
class UnitState:
    """One unit's committed capacity: the view, active hold expiries and the version."""

    view: UnitView
    hold_expiries: tuple[tuple[str, datetime], ...]
    version: int

    @property
    def unit_id(self) -> str:
        """The unit's id."""
        return self.view.unit_id

    @property
    def capacity(self) -> int:
        """Places that can be taken at all: none once the unit is closed."""
        return 0 if self.view.status is UnitStatus.CLOSED else self.view.places

    def held_at(self, now: datetime) -> int:
        """Holds still active at `now` (an expired hold no longer takes a place)."""
        return sum(1 for _, expires in self.hold_expiries if expires > now)

    def free_at(self, now: datetime) -> int:
        """Free places at `now`."""
        return max(0, self.capacity - self.view.occupied - self.held_at(now))

    def view_at(self, now: datetime) -> UnitView:
        """The unit view with the hold count as it is at `now`."""
        held = self.held_at(now)
        return self.view if held == self.view.held else replace(self.view, held=held)


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A committed change, published for live pages and for other processes' indexes."""

    kind: str
    state: UnitState

    def to_json(self) -> str:
        """Serialise for Redis pub/sub."""
        return json.dumps({"kind": self.kind, "state": state_to_dict(self.state)})

    @staticmethod
    def from_json(raw: str | bytes) -> ChangeEvent:
        """Parse what to_json wrote."""
        data = json.loads(raw)
        return ChangeEvent(kind=str(data["kind"]), state=state_from_dict(data["state"]))


def _caps(values: frozenset[Capability]) -> list[str]:
    return sorted(c.value for c in values)


def view_to_dict(view: UnitView) -> dict[str, Any]:
    """A JSON-ready dict of a UnitView."""
    prefs = view.preferences
    return {
        "unit_id": view.unit_id,
        "provider_id": view.provider_id,
        "name": view.name,
        "municipality": view.municipality.value,
        "care_form": view.care_form.value,
        "places": view.places,
        "occupied": view.occupied,
        "held": view.held,
        "age_min": view.age_min,
        "age_max": view.age_max,
        "sex_policy": view.sex_policy.value,
        "capabilities": _caps(view.capabilities),
        "status": view.status.value,
        "closing_date": view.closing_date.isoformat() if view.closing_date else None,
        "expected_departures": [d.isoformat() for d in view.expected_departures],
        "scheduled_changes": [[d.isoformat(), n] for d, n in view.scheduled_changes],
        "preferences": None
        if prefs is None
        else {
            "age_min": prefs.age_min,
            "age_max": prefs.age_max,
            "sex": prefs.sex.value if prefs.sex else None,
            "max_children": prefs.max_children,
            "capabilities": _caps(prefs.capabilities),
        },
    }


def view_from_dict(data: dict[str, Any]) -> UnitView:
    """The UnitView view_to_dict described."""
    prefs = data.get("preferences")
    return UnitView(
        unit_id=data["unit_id"],
        provider_id=data["provider_id"],
        name=data["name"],
        municipality=Municipality(data["municipality"]),
        care_form=CareForm(data["care_form"]),
        places=int(data["places"]),
        occupied=int(data["occupied"]),
        held=int(data["held"]),
        age_min=int(data["age_min"]),
        age_max=int(data["age_max"]),
        sex_policy=SexPolicy(data["sex_policy"]),
        capabilities=frozenset(Capability(c) for c in data["capabilities"]),
        status=UnitStatus(data["status"]),
        closing_date=date.fromisoformat(data["closing_date"]) if data["closing_date"] else None,
        expected_departures=tuple(date.fromisoformat(d) for d in data["expected_departures"]),
        scheduled_changes=tuple(
            (date.fromisoformat(d), int(n)) for d, n in data["scheduled_changes"]
        ),
        preferences=None
        if prefs is None
        else FamilyPreferences(
            age_min=prefs["age_min"],
            age_max=prefs["age_max"],
            sex=Sex(prefs["sex"]) if prefs["sex"] else None,
            max_children=prefs["max_children"],
            capabilities=frozenset(Capability(c) for c in prefs["capabilities"]),
        ),
    )


def state_to_dict(state: UnitState) -> dict[str, Any]:
    """A JSON-ready dict of a UnitState."""
    return {
        "view": view_to_dict(state.view),
        "holds": [[hold_id, expires.isoformat()] for hold_id, expires in state.hold_expiries],
        "version": state.version,
    }


def state_from_dict(data: dict[str, Any]) -> UnitState:
    """The UnitState state_to_dict described."""
    return UnitState(
        view=view_from_dict(data["view"]),
        hold_expiries=tuple(
            (str(hold_id), datetime.fromisoformat(expires)) for hold_id, expires in data["holds"]
        ),
        version=int(data["version"]),
    )
