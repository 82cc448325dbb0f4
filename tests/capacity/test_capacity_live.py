"""The live view: expiry, loss and rebuild, a wrong or unreachable Redis, pub/sub."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import redis
from sqlmodel import Session

from capacity import holds as capacity_holds
from capacity import service as capacity_service
from capacity.errors import UnitFull
from capacity.live_redis import RedisLiveView
from capacity.queries import AvailabilityIndex
from capacity.sync import CapacitySync, follow_changes
from capacity.views import load_states
from domain.care import CareForm
from domain.profile_vocabulary import DepartureOutcome
from tests.capacity.capacity_support import T0, TODAY, Backend


def test_expired_hold_frees_its_place_in_view_index_and_ledger(backend: Backend) -> None:
    unit_id = backend.unit(places=6, occupied=4)
    with backend.sync.transaction(backend.engine) as session:
        for i in range(2):
            capacity_holds.place_hold(
                session, unit_id=unit_id, referral_ref=f"r-{i}", now=T0, ttl=timedelta(hours=1)
            )
    before = backend.live.counts(unit_id, now=T0 + timedelta(minutes=59))
    assert before is not None and (before.held, before.free) == (2, 0)
    at_expiry = T0 + timedelta(hours=1)
    after = backend.live.counts(unit_id, now=at_expiry)
    assert after is not None and (after.held, after.free) == (0, 2)
    state = backend.index.state(unit_id)
    assert state is not None and state.free_at(at_expiry) == 2
    with Session(backend.engine) as session:
        (ledger,) = load_states(session, now=at_expiry, unit_ids=[unit_id])
    assert ledger.free_at(at_expiry) == 2


def test_flush_mid_run_and_rebuild_equals_the_ledger(backend: Backend) -> None:
    units = [backend.unit(places=12, occupied=i) for i in range(0, 12, 3)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        step = 0
        while not stop.is_set():
            unit_id = units[(worker + step) % len(units)]
            step += 1
            try:
                with backend.sync.transaction(backend.engine) as session:
                    hold = capacity_holds.place_hold(
                        session, unit_id=unit_id, referral_ref=f"w{worker}-{step}", now=T0
                    )
                if step % 3 == 0:
                    with backend.sync.transaction(backend.engine) as session:
                        capacity_holds.release_hold(session, hold_id=hold.id, now=T0)
            except UnitFull:
                continue
            except BaseException as exc:  # surfaced below: a writer must never crash
                errors.append(exc)
                return

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    backend.sync.rebuild(backend.engine, now=T0)
    stop.wait(0.5)
    # Lose the whole view in the middle of the run.
    backend.live.begin_rebuild()
    assert not backend.live.is_current()
    stop.wait(0.3)
    assert backend.sync.ensure_current(backend.engine, now=T0)
    stop.wait(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert backend.live.is_current()
    assert backend.sync.mismatches(backend.engine, now=T0) == []


def test_flushall_mid_run_on_a_private_redis_then_rebuild(
    backend: Backend, private_redis: str
) -> None:
    unit_ids = [backend.unit(places=12, occupied=i) for i in range(0, 12, 3)]
    client = redis.Redis.from_url(private_redis)
    live = RedisLiveView(client, prefix="flush:")
    sync = CapacitySync(live, clock=lambda: T0)
    assert sync.ensure_current(backend.engine, now=T0)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        step = 0
        while not stop.is_set():
            step += 1
            unit_id = unit_ids[(worker + step) % len(unit_ids)]
            try:
                with sync.transaction(backend.engine) as session:
                    hold = capacity_holds.place_hold(
                        session, unit_id=unit_id, referral_ref=f"f{worker}-{step}", now=T0
                    )
                if step % 2 == 0:
                    with sync.transaction(backend.engine) as session:
                        capacity_holds.release_hold(session, hold_id=hold.id, now=T0)
            except UnitFull:
                continue
            except BaseException as exc:  # surfaced below: a writer must never crash
                errors.append(exc)
                return

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    stop.wait(0.5)
    client.flushall()  # a real FLUSHALL, on a Redis nobody else uses
    assert not live.is_current()
    stop.wait(0.5)  # the ledger keeps working while the view is gone
    assert sync.ensure_current(backend.engine, now=T0)
    stop.wait(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert live.is_current()
    assert sync.mismatches(backend.engine, now=T0) == []
    with Session(backend.engine) as session:
        ledger = {s.unit_id: (s.view.occupied, s.held_at(T0)) for s in load_states(session, now=T0)}
    counts = live.all_counts(now=T0)
    assert {u: (c.occupied, c.held) for u, c in counts.items()} == ledger
    client.close()


def test_a_lost_view_is_rebuilt_on_the_next_commit(backend: Backend, private_redis: str) -> None:
    unit_id = backend.unit(places=6, occupied=2)
    client = redis.Redis.from_url(private_redis)
    live = RedisLiveView(client, prefix="auto:")
    sync = CapacitySync(live, clock=lambda: T0, engine=backend.engine)
    sync.rebuild(backend.engine, now=T0)
    client.flushall()
    with sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-1", now=T0)
    assert live.is_current()
    counts = live.counts(unit_id, now=T0)
    assert counts is not None and (counts.occupied, counts.held, counts.free) == (2, 1, 3)
    client.close()


def test_a_wrong_view_is_detected_and_repaired(backend: Backend) -> None:
    unit_id = backend.unit(places=6, occupied=2)
    backend.sync.rebuild(backend.engine, now=T0)
    # Someone's bug puts phantom holds in the view; the ledger is not affected.
    for i in range(4):
        backend.live.try_hold(unit_id, f"ghost-{i}", expires_at=T0 + timedelta(days=1), now=T0)
    counts = backend.live.counts(unit_id, now=T0)
    assert counts is not None and counts.free == 0
    with backend.sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-real", now=T0)
    assert backend.sync.mismatches(backend.engine, now=T0) == []  # the mirror replaced it
    for i in range(3):
        backend.live.try_hold(unit_id, f"ghost2-{i}", expires_at=T0 + timedelta(days=1), now=T0)
    assert backend.sync.mismatches(backend.engine, now=T0) == [unit_id]
    backend.sync.sweep(backend.engine, now=T0)
    assert backend.sync.mismatches(backend.engine, now=T0) == []


def test_unreachable_redis_never_blocks_or_corrupts_the_ledger(backend: Backend) -> None:
    unit_id = backend.unit(places=3, occupied=1, care_form=CareForm.PLEEGZORG_BESTAND, age=(0, 17))
    dead = RedisLiveView(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    sync = CapacitySync(dead, clock=lambda: T0)
    with sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-1", now=T0)
        capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="kind-x", since=TODAY, now=T0
        )
    with pytest.raises(UnitFull), sync.transaction(backend.engine) as session:
        capacity_holds.place_hold(session, unit_id=unit_id, referral_ref="r-2", now=T0)
    assert not sync.ensure_current(backend.engine, now=T0)
    with Session(backend.engine) as session:
        (state,) = load_states(session, now=T0, unit_ids=[unit_id])
    assert (state.view.occupied, state.held_at(T0), state.free_at(T0)) == (2, 1, 0)


def test_out_of_order_mirrors_keep_the_newest_state(backend: Backend) -> None:
    unit_id = backend.unit(places=6)
    with backend.sync.transaction(backend.engine) as session:
        stay = capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="kind-1", since=TODAY, now=T0
        )
    with Session(backend.engine) as session:
        (older,) = load_states(session, now=T0, unit_ids=[unit_id])
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.record_departure(
            session,
            occupancy_id=stay.id,
            left_on=TODAY,
            outcome=DepartureOutcome.PLEEGZORG,
            now=T0,
        )
    assert backend.live.apply(older, now=T0) is False
    assert backend.index.put(older) is False
    counts = backend.live.counts(unit_id, now=T0)
    assert counts is not None and counts.occupied == 0


def test_changes_are_published_without_child_data(backend: Backend) -> None:
    unit_id = backend.unit(places=6)
    subscription = backend.live.subscribe()
    subscription.get(timeout=0.2)  # let the subscription settle
    with backend.sync.transaction(backend.engine) as session:
        capacity_service.record_admission(
            session, unit_id=unit_id, child_ref="kind-geheim", since=TODAY, now=T0
        )
    got = None
    for _ in range(20):
        got = subscription.get(timeout=0.2)
        if got is not None:
            break
    subscription.close()
    assert got is not None and got.kind == "admission" and got.state.unit_id == unit_id
    assert got.state.view.occupied == 1
    assert "kind-geheim" not in got.to_json()


def test_another_process_index_follows_change_events(backend: Backend) -> None:
    unit_id = backend.unit(places=6)
    other = AvailabilityIndex()
    with Session(backend.engine) as session:
        other.load(load_states(session, now=T0))
    stop = threading.Event()
    follower = threading.Thread(
        target=follow_changes, args=(backend.live, other, stop), kwargs={"poll": 0.05}
    )
    follower.start()
    try:
        time.sleep(0.3)  # the subscription is in place before the change
        with backend.sync.transaction(backend.engine) as session:
            capacity_service.record_admission(
                session, unit_id=unit_id, child_ref="kind-1", since=TODAY, now=T0
            )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            state = other.state(unit_id)
            if state is not None and state.view.occupied == 1:
                break
            time.sleep(0.02)
    finally:
        stop.set()
        follower.join(timeout=5)
    state = other.state(unit_id)
    assert state is not None and state.view.occupied == 1
