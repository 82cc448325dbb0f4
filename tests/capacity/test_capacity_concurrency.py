"""200 simultaneous attempts to hold a unit with k free places: exactly k succeed.

Run from several processes against PostgreSQL + Redis, and on the embedded default
(SQLite file from several processes; SQLite + in-process view from several threads).
The live view's own atomic hold is tested the same way on its own.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from datetime import timedelta
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from capacity import holds as capacity_holds
from capacity.db import make_engine
from capacity.errors import UnitFull
from capacity.live import LiveView, MemoryLiveView
from capacity.live_redis import RedisLiveView
from capacity.models import Hold
from capacity.sync import CapacitySync
from capacity.views import load_states
from domain.vocabulary import HoldOutcome, HoldState
from tests.capacity.capacity_support import T0, Backend

ATTEMPTS = 200
WORKERS = 8
KS = [0, 1, 3, 7, 12]
PLACES = 12
CTX = multiprocessing.get_context("fork")


def _ledger_attempts(target: tuple[str, str | None, str | None, str], worker: int, n: int) -> int:
    """Try n holds, each in its own mirrored transaction; return how many succeeded."""
    url, redis_url, prefix, unit_id = target
    engine = make_engine(url)
    live: LiveView = (
        RedisLiveView.from_url(redis_url, prefix=prefix)
        if redis_url and prefix
        else MemoryLiveView()
    )
    sync = CapacitySync(live, clock=lambda: T0)
    won = 0
    try:
        for i in range(n):
            try:
                with sync.transaction(engine) as session:
                    capacity_holds.place_hold(
                        session, unit_id=unit_id, referral_ref=f"r-{worker}-{i}", now=T0
                    )
                won += 1
            except UnitFull:
                pass
    finally:
        engine.dispose()
    return won


def _process_main(barrier: Barrier, results: Any, target: Callable[..., int], *args: Any) -> None:
    barrier.wait()
    results.put(target(*args))


def _run_processes(target: Callable[..., int], args_for: Callable[[int], tuple[Any, ...]]) -> int:
    barrier = CTX.Barrier(WORKERS)
    results = CTX.Queue()
    procs = [
        CTX.Process(target=_process_main, args=(barrier, results, target, *args_for(w)))
        for w in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    total = sum(int(results.get(timeout=120)) for _ in procs)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return total


def _run_threads(target: Callable[[int], int]) -> int:
    barrier = threading.Barrier(WORKERS)
    won: list[int] = []

    def main(worker: int) -> None:
        barrier.wait()
        won.append(target(worker))

    threads = [threading.Thread(target=main, args=(w,)) for w in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(won) == WORKERS
    return sum(won)


def _active_holds(backend: Backend, unit_id: str) -> int:
    with Session(backend.engine) as session:
        stmt = select(func.count()).where(
            Hold.unit_id == unit_id,
            Hold.state == HoldState.ACTIVE.value,
            col(Hold.expires_at) > T0,
        )
        return int(session.exec(stmt).one())


@pytest.mark.slow
@pytest.mark.parametrize("k", KS)
def test_exactly_k_holds_from_many_processes(backend: Backend, k: int) -> None:
    unit_id = backend.unit(places=PLACES, occupied=PLACES - k)
    per_worker = ATTEMPTS // WORKERS
    won = _run_processes(
        _ledger_attempts,
        lambda w: ((backend.url, backend.redis_url, backend.prefix, unit_id), w, per_worker),
    )
    assert won == k
    assert _active_holds(backend, unit_id) == k
    if backend.redis_url:
        # The Redis view was written by the other processes' commits.
        counts = backend.live.counts(unit_id, now=T0)
        assert counts is not None and (counts.held, counts.free) == (k, 0)


@pytest.mark.slow
@pytest.mark.parametrize("k", KS)
def test_exactly_k_holds_from_many_threads_sharing_one_view(backend: Backend, k: int) -> None:
    unit_id = backend.unit(places=PLACES, occupied=PLACES - k)
    per_worker = ATTEMPTS // WORKERS

    def attempts(worker: int) -> int:
        won = 0
        for i in range(per_worker):
            try:
                with backend.sync.transaction(backend.engine) as session:
                    capacity_holds.place_hold(
                        session, unit_id=unit_id, referral_ref=f"t-{worker}-{i}", now=T0
                    )
                won += 1
            except UnitFull:
                pass
        return won

    assert _run_threads(attempts) == k
    assert _active_holds(backend, unit_id) == k
    counts = backend.live.counts(unit_id, now=T0)
    assert counts is not None and (counts.held, counts.free) == (k, 0)
    assert backend.sync.mismatches(backend.engine, now=T0) == []


def _view_attempts(redis_url: str, prefix: str, unit_id: str, worker: int, n: int) -> int:
    live = RedisLiveView.from_url(redis_url, prefix=prefix)
    expires = T0 + timedelta(hours=1)
    outcomes = [
        live.try_hold(unit_id, f"v-{worker}-{i}", expires_at=expires, now=T0) for i in range(n)
    ]
    assert HoldOutcome.UNKNOWN_UNIT not in outcomes
    return outcomes.count(HoldOutcome.OK)


@pytest.mark.slow
@pytest.mark.parametrize("k", KS)
def test_live_view_alone_never_overbooks(backend: Backend, k: int) -> None:
    unit_id = backend.unit(places=PLACES, occupied=PLACES - k)
    with Session(backend.engine) as session:
        (state,) = load_states(session, now=T0, unit_ids=[unit_id])
    backend.live.begin_rebuild()
    backend.live.finish_rebuild([state], now=T0)
    per_worker = ATTEMPTS // WORKERS
    if backend.redis_url and backend.prefix:
        url, prefix = backend.redis_url, backend.prefix
        won = _run_processes(_view_attempts, lambda w: (url, prefix, unit_id, w, per_worker))
    else:
        expires = T0 + timedelta(hours=1)

        def attempts(worker: int) -> int:
            return sum(
                backend.live.try_hold(unit_id, f"v-{worker}-{i}", expires_at=expires, now=T0)
                is HoldOutcome.OK
                for i in range(per_worker)
            )

        won = _run_threads(attempts)
    assert won == k
    counts = backend.live.counts(unit_id, now=T0)
    assert counts is not None and (counts.held, counts.free) == (k, 0)
