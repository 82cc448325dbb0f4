"""Write a demo landscape (capacity.demo) into the ledger.

Through the capacity service, with every rule checked, for the demo and the tests; or in
bulk, for the benchmark's national landscape, where the generator keeps the rules.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from capacity import service as capacity_service
from capacity.demo import Landscape
from capacity.models import Location, Occupancy, Provider, Unit
from domain.places import Municipality


def load_with_services(session: Session, land: Landscape, *, now: datetime) -> None:
    """Create the landscape through the service (every rule checked); the caller commits."""
    provider_ids = {}
    locations: dict[tuple[str, Municipality], str] = {}
    for key, (name, kind) in land.providers.items():
        provider_ids[key] = capacity_service.create_provider(
            session, name=name, kind=kind, provider_id=key
        ).id
    for spec in land.units:
        where = (spec.provider, spec.municipality)
        if where not in locations:
            locations[where] = capacity_service.create_location(
                session,
                provider_id=provider_ids[spec.provider],
                name=f"{land.providers[spec.provider][0]} {spec.municipality.label}",
                municipality=spec.municipality,
                location_id=f"{spec.provider}-{spec.municipality.value}",
            ).id
        capacity_service.create_unit(
            session,
            location_id=locations[where],
            name=spec.name,
            care_form=spec.care_form,
            places=spec.places,
            age_min=spec.age_min,
            age_max=spec.age_max,
            sex_policy=spec.sex_policy,
            capabilities=spec.capabilities,
            preferences=spec.preferences,
            unit_id=spec.unit_id,
        )
        for child, since, expected in spec.stays:
            capacity_service.record_admission(
                session,
                unit_id=spec.unit_id,
                child_ref=child,
                since=since,
                expected_end=expected,
                now=now,
            )


def load_bulk(session: Session, land: Landscape) -> None:
    """Insert a large landscape in bulk (the benchmark); the generator keeps the rules."""
    session.add_all(Provider(id=k, name=n, kind=kind) for k, (n, kind) in land.providers.items())
    # No ORM relationships are declared, so flush parents before children by hand.
    session.flush()
    seen: set[str] = set()
    for spec in land.units:
        location_id = f"{spec.provider}-{spec.municipality.value}"
        if location_id not in seen:
            seen.add(location_id)
            session.add(
                Location(
                    id=location_id,
                    provider_id=spec.provider,
                    name=location_id,
                    municipality=spec.municipality.value,
                )
            )
    session.flush()
    session.add_all(
        Unit(
            id=s.unit_id,
            location_id=f"{s.provider}-{s.municipality.value}",
            name=s.name,
            care_form=s.care_form.value,
            places=s.places,
            age_min=s.age_min,
            age_max=s.age_max,
            sex_policy=s.sex_policy.value,
            capabilities=",".join(sorted(c.value for c in s.capabilities)),
            version=1,
        )
        for s in land.units
    )
    session.flush()
    session.add_all(
        Occupancy(unit_id=s.unit_id, child_ref=child, since=since, expected_end=expected)
        for s in land.units
        for child, since, expected in s.stays
    )
    session.flush()
