"""Keep the live view and the query index in step with the ledger.

Services note which units they changed (capacity.ledger.touch). Just before a commit the
new state of those units is read in the same transaction; after the commit it is mirrored
to the live view, put in the local query index and published. A rolled-back transaction
mirrors nothing. If the live view cannot be written, the commit still stands (the ledger
is the authority) and the view is marked stale, to be rebuilt from the ledger.

Rebuild order matters: the view is emptied first, then the ledger is read, then the states
are stored version-checked. A mirror that lands in between is either already in what the
rebuild reads, or newer than it, so no committed change can be lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from capacity import db
from capacity import holds as capacity_holds
from capacity import service as capacity_service
from capacity.ledger import NOW_KEY, TOUCHED_KEY
from capacity.live import LiveView, LiveViewUnavailable, MemoryLiveView
from capacity.live_redis import RedisLiveView
from capacity.queries import AvailabilityIndex
from capacity.state import ChangeEvent, UnitState
from capacity.views import load_states

log = logging.getLogger("servicepunt.capacity")
STAGED_KEY = "capacity_staged"


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def make_live_view(redis_url: str | None, *, prefix: str = "servicepunt:capacity:") -> LiveView:
    """Redis when a URL is configured, else the in-process backend (the embedded default)."""
    if redis_url:
        return RedisLiveView.from_url(redis_url, prefix=prefix)
    return MemoryLiveView()


def follow_changes(
    live: LiveView,
    index: AvailabilityIndex,
    stop: threading.Event,
    *,
    poll: float = 0.5,
    resync: Callable[[], None] | None = None,
    resync_every: float = 2.0,
) -> None:
    """Keep a local index current from other processes' change events until `stop` is set.

    Run it in a thread. Events only ever make the index newer (versions), so an event that
    arrives twice or late does no harm. Events missed while the subscription was broken are
    repaired by `resync` (reload the index from the ledger): once right after subscribing,
    every `resync_every` seconds while the live view is unreachable (reads then follow the
    database), and once more when the subscription works again.
    """
    subscription = live.subscribe()
    broken_since: float | None = None
    last_resync = 0.0
    try:
        if resync is not None:
            resync()
            last_resync = time.monotonic()
        while not stop.is_set():
            try:
                change = subscription.get(timeout=poll)
            except LiveViewUnavailable:
                broken_since = broken_since or time.monotonic()
                if resync is not None and time.monotonic() - last_resync >= resync_every:
                    _quietly(resync)
                    last_resync = time.monotonic()
                stop.wait(poll)
                continue
            if broken_since is not None:
                broken_since = None
                if resync is not None:
                    _quietly(resync)
                    last_resync = time.monotonic()
            if change is not None:
                index.apply_event(change)
    finally:
        subscription.close()


def _quietly(action: Callable[[], None]) -> None:
    # The follower must outlive a failed resync (database down too); the next one retries.
    try:
        action()
    except Exception as exc:
        log.warning("capacity resync failed", extra={"error_type": type(exc).__name__})


class CapacitySync:
    """Mirrors committed capacity changes to a live view and (optionally) a local index."""

    def __init__(
        self,
        live: LiveView,
        *,
        index: AvailabilityIndex | None = None,
        clock: Callable[[], datetime] = _wall_clock,
        engine: Engine | None = None,
    ) -> None:
        self.live = live
        self.index = index
        self.clock = clock
        # With an engine, a lost view (flushed, restarted Redis) is rebuilt on the next
        # commit that notices it, not only by the periodic sweep.
        self.engine = engine

    def attach(self, session: Session) -> Session:
        """Mirror this session's commits; returns the session for chaining."""
        event.listen(session, "before_commit", self._before_commit)
        event.listen(session, "after_commit", self._after_commit)
        event.listen(session, "after_soft_rollback", self._after_rollback)
        return session

    @contextmanager
    def transaction(self, engine: Engine) -> Iterator[Session]:
        """A mirrored session: committed on success, rolled back on any error."""
        with db.transaction(engine) as session:
            self.attach(session)
            yield session

    def _before_commit(self, session: Session) -> None:
        touched: dict[str, str] | None = session.info.pop(TOUCHED_KEY, None)
        if not touched:
            return
        now = session.info.pop(NOW_KEY, None) or self.clock()
        session.flush()
        states = load_states(session, now=now, unit_ids=list(touched))
        session.info[STAGED_KEY] = (states, touched, now)

    def _after_commit(self, session: Session) -> None:
        staged = session.info.pop(STAGED_KEY, None)
        if staged is None:
            return
        states, touched, now = staged
        self.push(states, kinds=touched, now=now)

    def _after_rollback(self, session: Session, previous: Any) -> None:
        if previous.parent is None:
            for key in (TOUCHED_KEY, NOW_KEY, STAGED_KEY):
                session.info.pop(key, None)

    def push(self, states: list[UnitState], *, kinds: dict[str, str], now: datetime) -> None:
        """Mirror committed states to the view and the index, and publish them."""
        for state in states:
            if self.index is not None:
                self.index.put(state)
            try:
                self.live.apply(state, now=now)
                self.live.publish(ChangeEvent(kinds.get(state.unit_id, "changed"), state))
            except LiveViewUnavailable as exc:
                log.warning("live view not updated; marked stale", extra={"error": str(exc)})
                self._mark_stale()
        if self.engine is not None:
            self.ensure_current(self.engine, now=now)

    def _mark_stale(self) -> None:
        # Unreachable: when it comes back without its generation key it is rebuilt.
        with suppress(LiveViewUnavailable):
            self.live.mark_stale()

    def rebuild(self, engine: Engine, *, now: datetime | None = None) -> int:
        """Rebuild the live view (and index) from the ledger; returns the number of units."""
        now = now or self.clock()
        self.live.begin_rebuild()
        with Session(engine) as session:
            states = load_states(session, now=now)
        self.live.finish_rebuild(states, now=now)
        if self.index is not None:
            self.index.load(states)
        return len(states)

    def ensure_current(self, engine: Engine, *, now: datetime | None = None) -> bool:
        """Rebuild when the view is stale or was lost; True when a rebuild ran."""
        try:
            if self.live.is_current():
                return False
            self.rebuild(engine, now=now)
        except LiveViewUnavailable as exc:
            log.warning("live view unavailable; ledger unaffected", extra={"error": str(exc)})
            return False
        return True

    def mismatches(self, engine: Engine, *, now: datetime | None = None) -> list[str]:
        """Units whose live counts differ from the ledger (the view's self-check)."""
        now = now or self.clock()
        with Session(engine) as session:
            states = load_states(session, now=now)
        counts = self.live.all_counts(now=now)
        wrong = []
        for state in states:
            live = counts.pop(state.unit_id, None)
            expected = (state.capacity, state.view.occupied, state.held_at(now))
            if live is None or (live.capacity, live.occupied, live.held) != expected:
                wrong.append(state.unit_id)
        return sorted(wrong + list(counts))

    def sweep(
        self,
        engine: Engine,
        *,
        now: datetime,
        then: Callable[[Session], object] | None = None,
    ) -> tuple[int, int]:
        """Expire holds and apply due changes, then repair the view; (expired, applied).

        `then` runs in the same transaction, after the holds and changes: a layer above
        capacity moves on whatever waited on a hold that has now ended.
        """
        with self.transaction(engine) as session:
            expired = capacity_holds.expire_holds(session, now=now)
            applied = capacity_service.apply_due_changes(session, now=now)
            if then is not None:
                then(session)
        try:
            if self.mismatches(engine, now=now):
                self._mark_stale()
        except LiveViewUnavailable:
            pass
        self.ensure_current(engine, now=now)
        return len(expired), len(applied)
