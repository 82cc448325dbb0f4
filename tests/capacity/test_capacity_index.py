"""The availability index answers exactly what UnitView's own rules say (pure, no IO)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from capacity.queries import HORIZON_DAYS, AvailabilityIndex, AvailabilityQuery
from capacity.snapshot import UnitView
from capacity.state import ChangeEvent, UnitState
from domain.care import CareForm
from domain.places import Municipality, region_municipalities
from domain.profile_vocabulary import Capability
from domain.vocabulary import UnitStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
day = st.integers(-30, HORIZON_DAYS + 60).map(lambda d: TODAY + timedelta(days=d))


# The region's municipalities and one outside it (Harderwijk).
PLACES = [*region_municipalities(), Municipality("GM0243")]


@st.composite
def unit_states(draw: st.DrawFn, n: int) -> UnitState:
    places = draw(st.integers(0, 12))
    occupied = draw(st.integers(0, places))
    holds = draw(st.integers(0, places - occupied))
    age_min = draw(st.integers(0, 18))
    status = draw(st.sampled_from(list(UnitStatus)))
    view = UnitView(
        unit_id=f"u{n}",
        provider_id="p",
        name=draw(st.sampled_from(["A", "B", "C"])),
        municipality=draw(st.sampled_from(PLACES)),
        care_form=draw(st.sampled_from(list(CareForm))),
        places=places,
        occupied=occupied,
        held=0,
        age_min=age_min,
        age_max=draw(st.integers(age_min, 23)),
        capabilities=frozenset(draw(st.sets(st.sampled_from(list(Capability)), max_size=3))),
        status=status,
        closing_date=draw(day) if status is UnitStatus.CLOSING else None,
        expected_departures=tuple(sorted(draw(st.lists(day, max_size=occupied, min_size=0)))),
        scheduled_changes=tuple(
            sorted(draw(st.lists(st.tuples(day, st.integers(-3, 3)), max_size=3)))
        ),
    )
    expiries = tuple(
        (f"h{n}-{i}", NOW + timedelta(minutes=draw(st.integers(-120, 600)))) for i in range(holds)
    )
    return UnitState(view=view, hold_expiries=expiries, version=1)


queries = st.builds(
    AvailabilityQuery,
    care_forms=st.none() | st.frozensets(st.sampled_from(list(CareForm)), min_size=1),
    municipality=st.none() | st.sampled_from(PLACES),
    region_only=st.booleans(),
    age=st.none() | st.integers(0, 23),
    capabilities=st.frozensets(st.sampled_from(list(Capability)), max_size=2),
    by=st.none() | day,
)


def _brute(states: list[UnitState], query: AvailabilityQuery, now: datetime) -> dict[str, int]:
    out = {}
    for state in states:
        view = state.view_at(now)
        if query.care_forms is not None and view.care_form not in query.care_forms:
            continue
        if query.municipality is not None and view.municipality is not query.municipality:
            continue
        if query.region_only and not view.municipality.in_region:
            continue
        if query.age is not None and not view.age_min <= query.age <= view.age_max:
            continue
        if not query.capabilities <= view.capabilities:
            continue
        free = view.free_now if query.by is None else view.free_by(query.by)
        if free > 0:
            out[view.unit_id] = free
    return out


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 25),
    query=queries,
    minutes=st.integers(0, 24 * 60),
)
def test_index_matches_unit_view_rules(
    data: st.DataObject, n: int, query: AvailabilityQuery, minutes: int
) -> None:
    states = [data.draw(unit_states(i)) for i in range(n)]
    index = AvailabilityIndex()
    index.load(states)
    now = NOW + timedelta(minutes=minutes)
    answer = index.find(replace(query, limit=None), now=now)
    expected = _brute(states, query, now)
    assert {a.view.unit_id: a.free for a in answer.units} == expected
    assert (answer.total_units, answer.total_free) == (len(expected), sum(expected.values()))
    frees = [a.free for a in answer.units]
    assert frees == sorted(frees, reverse=True)
    top = index.find(replace(query, limit=3), now=now)
    assert top.units == answer.units[:3] and top.total_units == answer.total_units


def test_newer_state_replaces_older_and_events_round_trip() -> None:
    view = UnitView(
        unit_id="u1",
        provider_id="p",
        name="Groep",
        municipality=Municipality("dronten"),
        care_form=CareForm.BEHANDELGROEP,
        places=6,
        occupied=5,
        held=0,
        age_min=12,
        age_max=17,
    )
    index = AvailabilityIndex()
    index.put(UnitState(view=view, hold_expiries=(), version=2))
    older = UnitState(view=replace(view, occupied=1), hold_expiries=(), version=1)
    assert not index.apply_event(ChangeEvent.from_json(ChangeEvent("x", older).to_json()))
    assert [a.free for a in index.find(AvailabilityQuery(), now=NOW).units] == [1]
    newer = UnitState(view=older.view, hold_expiries=(), version=3)
    assert index.apply_event(ChangeEvent.from_json(ChangeEvent("x", newer).to_json()))
    assert [a.free for a in index.find(AvailabilityQuery(), now=NOW).units] == [5]
