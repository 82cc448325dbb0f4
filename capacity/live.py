"""The live view: free counts and holds per unit, mirrored from the ledger, plus change events.

Two backends share one interface and one test suite: RedisLiveView (capacity.live_redis)
for a deployment with several processes, MemoryLiveView for the embedded default.

The view is a mirror, not the authority. The ledger decides every admission and hold;
after a commit the new unit state is written here with its version, and a state older
than the stored one is ignored, so mirrors that arrive out of order cannot roll the view
back. The view's own try_hold is atomic too (it never counts below zero free places): a
fast reservation for callers that work on the view alone, such as simulations and the
benchmark.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from capacity.state import ChangeEvent, UnitState
from domain.vocabulary import HoldOutcome


class LiveViewUnavailable(Exception):
    """The backend could not be reached or answered wrongly; the ledger is unaffected."""


@dataclass(frozen=True, slots=True)
class LiveCounts:
    """What the view holds for one unit at a moment."""

    capacity: int
    occupied: int
    held: int
    version: int

    @property
    def free(self) -> int:
        """Free places (never negative)."""
        return max(0, self.capacity - self.occupied - self.held)


class Subscription(Protocol):
    """A stream of change events."""

    def get(self, timeout: float = 0.0) -> ChangeEvent | None:
        """The next event, waiting at most `timeout` seconds; None when there is none."""
        ...

    def close(self) -> None:
        """Stop receiving."""
        ...


class LiveView(Protocol):
    """What both backends offer."""

    def apply(self, state: UnitState, *, now: datetime) -> bool:
        """Store a committed unit state unless a newer one is stored; True when stored."""
        ...

    def begin_rebuild(self) -> None:
        """Mark the view stale and forget every unit (first step of a rebuild)."""
        ...

    def finish_rebuild(self, states: Iterable[UnitState], *, now: datetime) -> None:
        """Store the states read from the ledger after begin_rebuild and mark the view current."""
        ...

    def is_current(self) -> bool:
        """False after a flush, a failed mirror or mark_stale, until the next rebuild."""
        ...

    def mark_stale(self) -> None:
        """Note that the view may have missed a change."""
        ...

    def counts(self, unit_id: str, *, now: datetime) -> LiveCounts | None:
        """The unit's counts at `now`; None when the view does not know the unit."""
        ...

    def all_counts(self, *, now: datetime) -> dict[str, LiveCounts]:
        """Counts of every unit the view knows."""
        ...

    def try_hold(
        self, unit_id: str, hold_id: str, *, expires_at: datetime, now: datetime
    ) -> HoldOutcome:
        """Atomically record a hold if a place is free at `now`."""
        ...

    def release(self, unit_id: str, hold_id: str) -> bool:
        """Drop a hold; True when it was there."""
        ...

    def publish(self, event: ChangeEvent) -> None:
        """Send a change event to every subscriber."""
        ...

    def subscribe(self) -> Subscription:
        """Start receiving change events."""
        ...


@dataclass(slots=True)
class _Entry:
    capacity: int
    occupied: int
    version: int
    holds: dict[str, datetime]

    def held(self, now: datetime) -> int:
        return sum(1 for expires in self.holds.values() if expires > now)


class _QueueSubscription:
    def __init__(self, owner: MemoryLiveView) -> None:
        self._owner = owner
        self.queue: queue.Queue[ChangeEvent] = queue.Queue()

    def get(self, timeout: float = 0.0) -> ChangeEvent | None:
        try:
            if timeout <= 0:
                return self.queue.get_nowait()
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._owner.unsubscribe(self)


class MemoryLiveView:
    """In-process backend: one lock makes every operation atomic across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._units: dict[str, _Entry] = {}
        self._current = False
        self._subscribers: list[_QueueSubscription] = []

    def apply(self, state: UnitState, *, now: datetime) -> bool:
        """Store a committed unit state unless a newer one is stored."""
        with self._lock:
            return self._apply(state, now)

    def _apply(self, state: UnitState, now: datetime) -> bool:
        entry = self._units.get(state.unit_id)
        if entry is not None and entry.version >= state.version:
            return False
        holds = {hold_id: expires for hold_id, expires in state.hold_expiries if expires > now}
        self._units[state.unit_id] = _Entry(
            state.capacity, state.view.occupied, state.version, holds
        )
        return True

    def begin_rebuild(self) -> None:
        """Mark stale and forget every unit."""
        with self._lock:
            self._current = False
            self._units.clear()

    def finish_rebuild(self, states: Iterable[UnitState], *, now: datetime) -> None:
        """Store the ledger's states and mark current."""
        with self._lock:
            for state in states:
                self._apply(state, now)
            self._current = True

    def is_current(self) -> bool:
        """True between a rebuild and the next mark_stale."""
        return self._current

    def mark_stale(self) -> None:
        """Note that a change may have been missed."""
        self._current = False

    def counts(self, unit_id: str, *, now: datetime) -> LiveCounts | None:
        """The unit's counts at `now`."""
        with self._lock:
            entry = self._units.get(unit_id)
            if entry is None:
                return None
            return LiveCounts(entry.capacity, entry.occupied, entry.held(now), entry.version)

    def all_counts(self, *, now: datetime) -> dict[str, LiveCounts]:
        """Counts of every known unit."""
        with self._lock:
            return {
                unit_id: LiveCounts(e.capacity, e.occupied, e.held(now), e.version)
                for unit_id, e in self._units.items()
            }

    def try_hold(
        self, unit_id: str, hold_id: str, *, expires_at: datetime, now: datetime
    ) -> HoldOutcome:
        """Record a hold if a place is free at `now` (atomic under the lock)."""
        with self._lock:
            entry = self._units.get(unit_id)
            if entry is None:
                return HoldOutcome.UNKNOWN_UNIT
            entry.holds = {h: e for h, e in entry.holds.items() if e > now}
            if hold_id in entry.holds:
                return HoldOutcome.OK
            if entry.capacity - entry.occupied - len(entry.holds) <= 0:
                return HoldOutcome.FULL
            entry.holds[hold_id] = expires_at
            return HoldOutcome.OK

    def release(self, unit_id: str, hold_id: str) -> bool:
        """Drop a hold."""
        with self._lock:
            entry = self._units.get(unit_id)
            return entry is not None and entry.holds.pop(hold_id, None) is not None

    def publish(self, event: ChangeEvent) -> None:
        """Hand the event to every subscriber's queue."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.queue.put(event)

    def subscribe(self) -> Subscription:
        """A new subscriber queue."""
        subscription = _QueueSubscription(self)
        with self._lock:
            self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: _QueueSubscription) -> None:
        """Stop delivering to a subscriber."""
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)
