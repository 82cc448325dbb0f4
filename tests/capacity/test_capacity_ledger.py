"""Ledger operations on both backends: admissions, departures, holds, changes, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from capacity import holds as capacity_holds
from capacity import service as capacity_service
from capacity.errors import HoldExpired, InvalidDates, UnitClosed, UnitFull, UnitNotFound
from capacity.models import Hold, Occupancy
from capacity.views import load_states
from domain.care import CareForm
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.profile_vocabulary import DepartureOutcome
from domain.vocabulary import ChangeKind, HoldState, UnitStatus
from tests.capacity.capacity_support import T0, TODAY, Backend, dump


def _state(backend: Backend, unit_id: str) -> tuple[int, int, int, int]:
    """Capacity, occupied, held at T0 and version of a unit in the ledger."""
    with backend.session() as session:
        (state,) = load_states(session, now=T0, unit_ids=[unit_id])
    return state.capacity, state.view.occupied, state.held_at(T0), state.version


def test_admission_departure_and_expected_end(backend: Backend) -> None:
    unit_id = backend.unit(places=6, occupied=5)
    with backend.sync.transaction(backend.engine) as session:
        stay = capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="kind-a", since=TODAY, now=T0
        )
    assert _state(backend, unit_id)[:3] == (6, 6, 0)
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.record_expected_departure(
            session, occupancy_id=stay.id, expected_end=TODAY + timedelta(days=40), now=T0
        )
    view = backend.index.state(unit_id)
    assert view is not None and TODAY + timedelta(days=40) in view.view.expected_departures
    with backend.sync.transaction(backend.engine) as session:
        left = capacity_service.record_departure(
            session,
            occupancy_id=stay.id,
            left_on=TODAY + timedelta(days=3),
            outcome=DepartureOutcome.THUIS_MET_HULP,
            now=T0,
        )
    assert left.outcome == "thuis_met_hulp"
    assert _state(backend, unit_id)[:3] == (6, 5, 0)
    counts = backend.live.counts(unit_id, now=T0)
    assert counts is not None and (counts.occupied, counts.free) == (5, 1)


def test_confirm_turns_hold_into_occupancy_in_one_transaction(backend: Backend) -> None:
    unit_id = backend.unit(places=3, care_form=CareForm.PLEEGZORG_BESTAND, age=(0, 12))
    with backend.sync.transaction(backend.engine) as session:
        hold = capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="ref-1", now=T0)
    assert _state(backend, unit_id)[:3] == (3, 0, 1)
    with backend.sync.transaction(backend.engine) as session:
        stay = capacity_holds.confirm_hold(
            session, hold_id=hold.id, child_ref="kind-b", since=TODAY, now=T0 + timedelta(hours=1)
        )
    with backend.session() as session:
        stored = session.get(Hold, hold.id)
        assert stored is not None and stored.state == HoldState.CONFIRMED
        assert stored.occupancy_id == stay.id
    assert _state(backend, unit_id)[:3] == (3, 1, 0)
    counts = backend.live.counts(unit_id, now=T0)
    assert counts is not None and (counts.occupied, counts.held) == (1, 0)


def test_failed_transaction_mirrors_nothing(backend: Backend) -> None:
    unit_id = backend.unit(places=6)
    before = backend.live.counts(unit_id, now=T0)
    with pytest.raises(RuntimeError), backend.sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="ref-x", now=T0)
        raise RuntimeError("caller fails after the hold")
    assert backend.live.counts(unit_id, now=T0) == before
    assert _state(backend, unit_id)[:3] == (6, 0, 0)


def test_places_close_as_children_leave(backend: Backend) -> None:
    unit_id = backend.unit(places=8, occupied=7)
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.schedule_capacity_change(
            session,
            unit_id=unit_id,
            kind=ChangeKind.PLACES_CLOSED,
            places=3,
            effective_on=TODAY,
            now=T0,
        )
    # One free place closes at once; the other two close as children leave.
    assert _state(backend, unit_id)[:2] == (7, 7)
    with backend.session() as session:
        stay = session.exec(select(Occupancy).where(Occupancy.unit_id == unit_id)).first()
        assert stay is not None
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.record_departure(
            session, occupancy_id=stay.id, left_on=TODAY, outcome="groep", now=T0
        )
    assert _state(backend, unit_id)[:2] == (6, 6)


def test_closure_flags_occupants_and_closes_on_the_date(backend: Backend) -> None:
    unit_id = backend.unit(places=6, occupied=2)
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.schedule_capacity_change(
            session,
            unit_id=unit_id,
            kind=ChangeKind.UNIT_CLOSING,
            effective_on=TODAY + timedelta(days=3),
            now=T0,
        )
        hold = capacity_holds.place_hold(
            session, unit_id=unit_id, referral_ref="r-9", now=T0, ttl=timedelta(days=7)
        )
    with backend.session() as session:
        assert len(capacity_service.flagged_occupancies(session, unit_id=unit_id)) == 2
    state = backend.index.state(unit_id)
    assert state is not None and state.view.status is UnitStatus.CLOSING
    backend.sync.sweep(backend.engine, now=T0 + timedelta(days=3))
    with backend.session() as session:
        (after,) = load_states(session, now=T0, unit_ids=[unit_id])
        released = session.get(Hold, hold.id)
    assert after.view.status is UnitStatus.CLOSED and after.capacity == 0
    assert released is not None and released.state == HoldState.RELEASED
    with pytest.raises(UnitClosed), Session(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-10", now=T0)


def test_expired_hold_frees_its_place_without_a_sweep(backend: Backend) -> None:
    unit_id = backend.unit(places=6, occupied=5)
    with backend.sync.transaction(backend.engine) as session:
        hold = capacity_holds.place_hold(
            session, unit_id=unit_id, referral_ref="r-1", now=T0, ttl=timedelta(hours=2)
        )
    with pytest.raises(UnitFull), Session(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-2", now=T0)
    later = T0 + timedelta(hours=2)
    counts = backend.live.counts(unit_id, now=later)
    assert counts is not None and counts.free == 1
    with backend.sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-2", now=later)
    with backend.session() as session:
        first = session.get(Hold, hold.id)
        assert first is not None and first.state == HoldState.ACTIVE  # not swept yet


def test_sweep_marks_expired_holds_and_publishes(backend: Backend) -> None:
    unit_id = backend.unit(places=6)
    subscription = backend.live.subscribe()
    with backend.sync.transaction(backend.engine) as session:
        hold = capacity_holds.place_hold(
            session, unit_id=unit_id, referral_ref="r-1", now=T0, ttl=timedelta(minutes=30)
        )
    expired, _ = backend.sync.sweep(backend.engine, now=T0 + timedelta(hours=1))
    assert expired == 1
    with backend.session() as session:
        stored = session.get(Hold, hold.id)
        assert stored is not None and stored.state == HoldState.EXPIRED
    kinds = []
    for _ in range(50):
        got = subscription.get(timeout=0.1)
        if got is not None:
            kinds.append(got.kind)
            assert "r-1" not in got.to_json()  # events carry no referral or child data
        if "hold_expired" in kinds:
            break
    subscription.close()
    assert kinds[:2] == ["hold_placed", "hold_expired"]


BadCall = Callable[[Session, str, str, str], object]


def _admit_full(session: Session, unit_id: str, hold_id: str, stay_id: str) -> object:
    return capacity_service.record_admission(
        session, unit_id=unit_id, child_ref="kind-new", since=TODAY, now=T0
    )


BAD_INPUT: list[tuple[str, BadCall, type[DomainError], str]] = [
    (
        "negative places (change)",
        lambda s, u, h, o: capacity_service.schedule_capacity_change(
            s, unit_id=u, kind="places_opened", places=-2, effective_on=TODAY, now=T0
        ),
        InvalidInput,
        "places",
    ),
    (
        "negative places (new unit)",
        lambda s, u, h, o: capacity_service.create_unit(
            s, location_id="x", name="n", care_form="gezinshuis", places=-1, age_min=0, age_max=17
        ),
        InvalidInput,
        "places",
    ),
    (
        "expected end before start",
        lambda s, u, h, o: capacity_service.record_expected_departure(
            s, occupancy_id=o, expected_end=TODAY - timedelta(days=400), now=T0
        ),
        InvalidDates,
        "expected_end",
    ),
    (
        "departure before admission",
        lambda s, u, h, o: capacity_service.record_departure(
            s, occupancy_id=o, left_on=TODAY - timedelta(days=400), outcome="overig", now=T0
        ),
        InvalidDates,
        "left_on",
    ),
    (
        "admission end before start",
        lambda s, u, h, o: capacity_service.record_admission(
            s,
            unit_id="none",
            child_ref="kind-z",
            since=TODAY,
            expected_end=TODAY - timedelta(days=1),
            now=T0,
        ),
        InvalidDates,
        "expected_end",
    ),
    (
        "unknown unit",
        lambda s, u, h, o: capacity_holds.place_hold(
            s, unit_id="no-such-unit", referral_ref="r", now=T0
        ),
        UnitNotFound,
        "unit_id",
    ),
    ("admission into a full unit", _admit_full, UnitFull, "unit_id"),
    (
        "confirming an expired hold",
        lambda s, u, h, o: capacity_holds.confirm_hold(
            s, hold_id=h, child_ref="kind-late", since=TODAY, now=T0 + timedelta(days=1)
        ),
        HoldExpired,
        "hold_id",
    ),
    (
        "unknown outcome",
        lambda s, u, h, o: capacity_service.record_departure(
            s, occupancy_id=o, left_on=TODAY, outcome="nergens", now=T0
        ),
        InvalidInput,
        "outcome",
    ),
    (
        "child already placed",
        lambda s, u, h, o: capacity_holds.confirm_hold(
            s, hold_id=h, child_ref="busy-child", since=TODAY, now=T0
        ),
        Conflict,
        "child_ref",
    ),
    (
        "unknown occupancy",
        lambda s, u, h, o: capacity_service.record_departure(
            s, occupancy_id="nope", left_on=TODAY, outcome="overig", now=T0
        ),
        NotFound,
        "occupancy_id",
    ),
]


@pytest.mark.parametrize(
    ("case", "call", "error", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_refused_and_changes_nothing(
    backend: Backend, case: str, call: BadCall, error: type[DomainError], field: str
) -> None:
    unit_id = backend.unit(places=6, occupied=4)
    with backend.sync.transaction(backend.engine) as session:
        hold = capacity_holds.place_hold(
            session, unit_id=unit_id, referral_ref="r-1", now=T0, ttl=timedelta(hours=1)
        )
        busy = capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="busy-child", since=TODAY, now=T0
        )
    before = dump(backend.engine)
    live_before = backend.live.all_counts(now=T0)
    # The caller commits even after the error: a refused call must have written nothing.
    with backend.sync.transaction(backend.engine) as session, pytest.raises(error) as caught:
        call(session, unit_id, hold.id, busy.id)
    assert caught.value.field == field
    assert "busy-child" not in str(caught.value) and "r-1" not in str(caught.value)
    assert dump(backend.engine) == before
    assert backend.live.all_counts(now=T0) == live_before


def test_bsn_is_never_accepted_as_child_ref(backend: Backend) -> None:
    unit_id = backend.unit(places=6)
    before = dump(backend.engine)
    with pytest.raises(InvalidInput) as caught, Session(backend.engine) as session:
        capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="111222333", since=TODAY, now=T0
        )
    assert caught.value.field == "child_ref" and "111222333" not in str(caught.value)
    assert dump(backend.engine) == before


@pytest.mark.parametrize(
    ("form", "places", "ok"),
    [
        (CareForm.PLEEGZORG_BESTAND, 1, True),
        (CareForm.PLEEGZORG_BESTAND, 4, False),
        (CareForm.GEZINSHUIS, 3, True),
        (CareForm.GEZINSHUIS, 5, False),
        (CareForm.BEHANDELGROEP, 12, True),
        (CareForm.BEHANDELGROEP, 5, False),
    ],
)
def test_unit_sizes_follow_the_care_form(
    backend: Backend, form: CareForm, places: int, ok: bool
) -> None:
    if ok:
        backend.unit(care_form=form, places=places)
        return
    with pytest.raises(InvalidInput) as caught:
        backend.unit(care_form=form, places=places)
    assert caught.value.field == "places"


def test_no_new_stay_once_the_closing_date_has_come_even_before_the_sweep(
    backend: Backend,
) -> None:
    unit_id = backend.unit(places=6, occupied=1)
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.schedule_capacity_change(
            session,
            unit_id=unit_id,
            kind=ChangeKind.UNIT_CLOSING,
            effective_on=TODAY + timedelta(days=2),
            now=T0,
        )
        # Before the date a short stay is still possible, and flagged at once.
        stay = capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="kind-kort", since=TODAY, now=T0
        )
    assert stay.closure_flagged
    with pytest.raises(UnitClosed), Session(backend.engine) as session:
        capacity_holds.place_hold(
            session, unit_id=unit_id, referral_ref="r-1", now=T0 + timedelta(days=2)
        )
