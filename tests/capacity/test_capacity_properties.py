"""Property test: over random operation sequences no unit has more occupants + holds than
places, refused operations change nothing, and the live view and index mirror the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete
from sqlmodel import Session

from capacity import holds as capacity_holds
from capacity import service as capacity_service
from capacity.models import TABLES
from capacity.queries import AvailabilityIndex
from capacity.sync import CapacitySync
from capacity.views import load_states
from domain.care import CareForm
from domain.errors import DomainError
from domain.profile_vocabulary import DepartureOutcome
from domain.vocabulary import ChangeKind
from tests.capacity.capacity_support import T0, TODAY, Backend, dump

UNITS = [(CareForm.PLEEGZORG_BESTAND, 2), (CareForm.GEZINSHUIS, 4), (CareForm.BEHANDELGROEP, 6)]
unit_no = st.integers(0, len(UNITS) - 1)
pick = st.integers(0, 10_000)


def _reset(backend: Backend) -> None:
    with Session(backend.engine) as session:
        for model in reversed(TABLES):
            session.execute(delete(model))
        session.commit()
    backend.live.begin_rebuild()
    backend.live.finish_rebuild([], now=T0)


class CapacityMachine(RuleBasedStateMachine):
    """Random admissions, departures, holds, confirmations, changes and clock moves."""

    backend: Backend

    def __init__(self) -> None:
        super().__init__()
        _reset(self.backend)
        self.index = AvailabilityIndex()
        self.now = T0
        self.sync = CapacitySync(self.backend.live, index=self.index, clock=lambda: self.now)
        self.backend.sync = self.sync
        self.units = [
            self.backend.unit(care_form=form, places=places, age=(0, 17)) for form, places in UNITS
        ]
        self.holds: list[str] = []
        self.stays: list[str] = []
        self.serial = 0

    def _do(self, action: str, **kwargs: object) -> None:
        """Run one operation; a refused one must leave the ledger exactly as it was."""
        before = dump(self.backend.engine)
        self.serial += 1
        try:
            with self.sync.transaction(self.backend.engine) as session:
                result = OPERATIONS[action](self, session, **kwargs)
        except DomainError:
            assert dump(self.backend.engine) == before
            return
        if result is not None:
            (self.holds if action == "hold" else self.stays).append(result)

    @rule(unit=unit_no)
    def admit(self, unit: int) -> None:
        self._do("admit", unit=unit)

    @rule(unit=unit_no, minutes=st.sampled_from([30, 120, 24 * 60]))
    def hold(self, unit: int, minutes: int) -> None:
        self._do("hold", unit=unit, minutes=minutes)

    @rule(n=pick)
    def release(self, n: int) -> None:
        if self.holds:
            self._do("release", hold_id=self.holds[n % len(self.holds)])

    @rule(n=pick)
    def confirm(self, n: int) -> None:
        if self.holds:
            self._do("confirm", hold_id=self.holds[n % len(self.holds)])

    @rule(n=pick)
    def depart(self, n: int) -> None:
        if self.stays:
            self._do("depart", occupancy_id=self.stays[n % len(self.stays)])

    @rule(
        unit=unit_no,
        kind=st.sampled_from(list(ChangeKind)),
        places=st.integers(-1, 3),
        days=st.integers(0, 3),
    )
    def change(self, unit: int, kind: ChangeKind, places: int, days: int) -> None:
        self._do("change", unit=unit, kind=kind, places=places, days=days)

    @rule(minutes=st.integers(1, 36 * 60))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule()
    def sweep(self) -> None:
        self.sync.sweep(self.backend.engine, now=self.now)

    @invariant()
    def never_overbooked_and_mirrored(self) -> None:
        with Session(self.backend.engine) as session:
            states = load_states(session, now=self.now)
        for state in states:
            assert state.view.occupied + state.held_at(self.now) <= state.view.places
            assert state.view.places >= 0
            mirrored = self.index.state(state.unit_id)
            assert mirrored is not None and mirrored.free_at(self.now) == state.free_at(self.now)
        assert self.sync.mismatches(self.backend.engine, now=self.now) == []


def _admit(m: CapacityMachine, s: Session, *, unit: int) -> str:
    return capacity_service.record_admission(
        s, unit_id=m.units[unit], child_ref=f"c{m.serial}", since=TODAY, now=m.now
    ).id


def _hold(m: CapacityMachine, s: Session, *, unit: int, minutes: int) -> str:
    return capacity_holds.place_hold(
        s,
        unit_id=m.units[unit],
        referral_ref=f"r{m.serial}",
        now=m.now,
        ttl=timedelta(minutes=minutes),
    ).id


def _release(m: CapacityMachine, s: Session, *, hold_id: str) -> None:
    capacity_holds.release_hold(s, hold_id=hold_id, now=m.now)


def _confirm(m: CapacityMachine, s: Session, *, hold_id: str) -> str:
    return capacity_holds.confirm_hold(
        s, hold_id=hold_id, child_ref=f"c{m.serial}", since=TODAY, now=m.now
    ).id


def _depart(m: CapacityMachine, s: Session, *, occupancy_id: str) -> None:
    capacity_service.record_departure(
        s, occupancy_id=occupancy_id, left_on=TODAY, outcome=DepartureOutcome.OVERIG, now=m.now
    )


def _change(
    m: CapacityMachine, s: Session, *, unit: int, kind: ChangeKind, places: int, days: int
) -> None:
    capacity_service.schedule_capacity_change(
        s,
        unit_id=m.units[unit],
        kind=kind,
        places=places,
        effective_on=m.now.date() + timedelta(days=days),
        now=m.now,
    )


OPERATIONS: dict[str, Callable[..., str | None]] = {
    "admit": _admit,
    "hold": _hold,
    "release": _release,
    "confirm": _confirm,
    "depart": _depart,
    "change": _change,
}


def test_random_operations_never_overbook(backend: Backend) -> None:
    machine = type("Machine", (CapacityMachine,), {"backend": backend})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=20 if backend.name == "embedded" else 12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            database=None,
        ),
    )
