"""Availability queries (free now, free by a date, filters) and the anonymous aggregate."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta

import pytest
from sqlmodel import Session

from capacity import holds as capacity_holds
from capacity import service as capacity_service
from capacity.queries import AvailabilityAnswer, AvailabilityIndex, AvailabilityQuery
from capacity.views import load_states, unit_views
from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import AgeBand, Capability
from domain.vocabulary import ChangeKind
from tests.capacity.capacity_support import T0, TODAY, Backend


def _ids(answer: AvailabilityAnswer) -> set[str]:
    return {a.view.unit_id for a in answer.units}


@pytest.mark.region("flevoland")
def test_filters_free_now_and_by_date(backend: Backend) -> None:
    trauma_young = backend.unit(
        care_form=CareForm.GEZINSHUIS,
        places=4,
        age=(4, 12),
        municipality=Municipality("almere"),
        capabilities=(Capability.TRAUMA,),
        occupied=3,
    )
    full_group = backend.unit(places=6, age=(12, 17), occupied=6, capabilities=(Capability.LVB,))
    outside = backend.unit(
        places=8, age=(12, 17), municipality=Municipality.BUITEN_REGIO, occupied=2
    )
    with backend.sync.transaction(backend.engine) as session:
        stays = session.exec(  # the first child of the full group is expected to leave
            __import__("sqlmodel")
            .select(__import__("capacity.models").models.Occupancy)
            .where(__import__("capacity.models").models.Occupancy.unit_id == full_group)
        ).all()
        capacity_service.record_expected_departure(
            session, occupancy_id=stays[0].id, expected_end=TODAY + timedelta(days=20), now=T0
        )
        capacity_service.schedule_capacity_change(
            session,
            unit_id=outside,
            kind=ChangeKind.PLACES_CLOSED,
            places=6,
            effective_on=TODAY + timedelta(days=10),
            now=T0,
        )
    index = backend.index
    everything = index.find(AvailabilityQuery(), now=T0)
    assert _ids(everything) == {trauma_young, outside}
    assert _ids(index.find(AvailabilityQuery(age=8), now=T0)) == {trauma_young}
    assert _ids(index.find(AvailabilityQuery(region_only=True), now=T0)) == {trauma_young}
    assert _ids(index.find(AvailabilityQuery(municipality=Municipality.BUITEN_REGIO), now=T0)) == {
        outside
    }
    needs_trauma = AvailabilityQuery(capabilities=frozenset({Capability.TRAUMA}))
    assert _ids(index.find(needs_trauma, now=T0)) == {trauma_young}
    groups = AvailabilityQuery(care_forms=frozenset({CareForm.BEHANDELGROEP}))
    assert _ids(index.find(groups, now=T0)) == {outside}
    later = AvailabilityQuery(
        care_forms=frozenset({CareForm.BEHANDELGROEP}), by=TODAY + timedelta(days=30)
    )
    by_date = {a.view.unit_id: a.free for a in index.find(later, now=T0).units}
    # The full group frees one place; the outside group closes 6 of its 8 places.
    assert by_date == {full_group: 1}
    # The index agrees with a fresh read of the ledger.
    fresh = AvailabilityIndex()
    with Session(backend.engine) as session:
        fresh.load(load_states(session, now=T0))
    assert fresh.find(later, now=T0) == index.find(later, now=T0)


def test_hold_counts_until_it_expires(backend: Backend) -> None:
    unit_id = backend.unit(care_form=CareForm.PLEEGZORG_BESTAND, places=1, age=(0, 17))
    with backend.sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(
            session, unit_id=unit_id, referral_ref="r-1", now=T0, ttl=timedelta(hours=1)
        )
    query = AvailabilityQuery(care_forms=frozenset({CareForm.PLEEGZORG_BESTAND}))
    assert backend.index.find(query, now=T0).units == []
    assert _ids(backend.index.find(query, now=T0 + timedelta(hours=1))) == {unit_id}


def test_aggregate_counts_per_form_municipality_band_without_child_data(backend: Backend) -> None:
    young = backend.unit(
        care_form=CareForm.GEZINSHUIS,
        places=4,
        age=(6, 14),
        municipality=Municipality("urk"),
        occupied=1,
    )
    backend.unit(places=6, age=(12, 17), municipality=Municipality("urk"), occupied=6)
    with backend.sync.transaction(backend.engine) as session:
        stay = capacity_service.record_admission(
            session,
            unit_id=young,
            child_ref="kind-geheim",
            since=TODAY,
            expected_end=TODAY + timedelta(days=7),
            now=T0,
        )
    cells = backend.index.aggregate(now=T0, horizon=TODAY + timedelta(days=14))
    table = {(c.care_form, c.municipality, c.age_band): (c.free_now, c.coming_free) for c in cells}
    assert table[(CareForm.GEZINSHUIS, Municipality("urk"), AgeBand.TOT_12)] == (2, 1)
    assert table[(CareForm.GEZINSHUIS, Municipality("urk"), AgeBand.VAN_12_TOT_18)] == (2, 1)
    assert table[(CareForm.BEHANDELGROEP, Municipality("urk"), AgeBand.VAN_12_TOT_18)] == (0, 0)
    assert (CareForm.BEHANDELGROEP, Municipality("urk"), AgeBand.TOT_12) not in table
    assert (CareForm.GEZINSHUIS, Municipality("urk"), AgeBand.VANAF_18) not in table
    text = json.dumps([asdict(c) for c in cells], default=str)
    assert "kind-geheim" not in text and stay.id not in text and young not in text
    assert set(asdict(cells[0])) == {
        "care_form",
        "municipality",
        "age_band",
        "free_now",
        "coming_free",
    }


def test_unit_views_feed_the_matcher(backend: Backend) -> None:
    unit_id = backend.unit(places=6, occupied=2)
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.schedule_capacity_change(
            session,
            unit_id=unit_id,
            kind=ChangeKind.PLACES_OPENED,
            places=2,
            effective_on=TODAY + timedelta(days=5),
            now=T0,
        )
    with Session(backend.engine) as session:
        (view,) = unit_views(session, now=T0, unit_ids=[unit_id])
    assert (view.places, view.occupied, view.free_now) == (6, 2, 4)
    assert view.scheduled_changes == ((TODAY + timedelta(days=5), 2),)
    assert view.free_by(TODAY + timedelta(days=5)) == 6
