"""The demo landscapes: believable, deterministic, and loadable through the service."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session

from capacity.demo import PROVIDERS, flevoland_landscape, national_landscape
from capacity.demo_load import load_with_services
from capacity.queries import AvailabilityIndex, AvailabilityQuery
from capacity.service import PLACES_RANGE
from capacity.views import load_states
from domain.care import CareForm
from domain.places import region_municipalities
from tests.capacity.capacity_support import T0, TODAY, Backend


@pytest.mark.region("flevoland")
def test_flevoland_landscape_is_believable_and_deterministic() -> None:
    land = flevoland_landscape(seed=7, today=TODAY)
    assert land == flevoland_landscape(seed=7, today=TODAY)
    assert land != flevoland_landscape(seed=8, today=TODAY)
    assert 140 <= len(land.units) <= 160
    forms = Counter(u.care_form for u in land.units)
    assert forms[CareForm.CRISISGROEP_12MIN] == 1 and forms[CareForm.CRISISGROEP_12PLUS] == 1
    assert forms[CareForm.GESLOTEN] == 1 and forms[CareForm.PLEEGZORG_CRISIS] >= 5
    assert {u.municipality for u in land.units} >= set(region_municipalities())
    assert {u.provider for u in land.units} == set(PROVIDERS)
    for unit in land.units:
        low, high = PLACES_RANGE[unit.care_form.category]
        assert low <= unit.places <= high
        assert len(unit.stays) <= unit.places
        assert all(end is None or end >= TODAY for _, _, end in unit.stays)
    occupied = sum(len(u.stays) for u in land.units) / land.places
    assert 0.7 <= occupied <= 0.95


def test_national_landscape_has_the_benchmark_size() -> None:
    land = national_landscape(seed=1, today=TODAY)
    assert len(land.units) == 5000 and land.places == 40_000
    assert len({u.unit_id for u in land.units}) == 5000
    for unit in land.units:
        low, high = PLACES_RANGE[unit.care_form.category]
        assert low <= unit.places <= high


@pytest.mark.region("flevoland")
def test_demo_loads_through_the_service_and_answers_queries(backend: Backend) -> None:
    land = flevoland_landscape(seed=2016, today=TODAY)
    with backend.sync.transaction(backend.engine) as session:
        load_with_services(session, land, now=T0)
    with Session(backend.engine) as session:
        states = load_states(session, now=T0)
    assert len(states) == len(land.units)
    assert sum(s.view.occupied for s in states) == sum(len(u.stays) for u in land.units)
    index = AvailabilityIndex()
    index.load(states)
    foster = AvailabilityQuery(
        care_forms=frozenset({CareForm.PLEEGZORG_BESTAND}), age=5, region_only=True
    )
    answer = index.find(foster, now=T0)
    assert answer.total_units > 0
    later = index.find(AvailabilityQuery(by=TODAY + timedelta(days=365), limit=None), now=T0)
    assert later.total_free > index.find(AvailabilityQuery(limit=None), now=T0).total_free
    assert index.aggregate(now=T0, horizon=TODAY + timedelta(days=56))
