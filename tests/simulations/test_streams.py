"""simulations.streams.paused_gc: the collector paused for a run, and what happens after."""

from __future__ import annotations

import gc

import pytest

from simulations.streams import paused_gc


class _Kept:
    """A container object the garbage collector tracks."""

    def __init__(self) -> None:
        self.items: list[object] = []


def _tracked() -> set[int]:
    """The ids of the objects in the collector's generations (frozen ones are in none)."""
    return {id(o) for o in gc.get_objects()}


def test_the_collector_is_paused_and_on_again_afterwards() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("thawed_heap")
def test_survivors_skip_the_young_generations() -> None:
    # Without this, the first allocation after the run starts a young collection that
    # scans everything the run left alive (its caches).
    with paused_gc():
        kept = [_Kept() for _ in range(5_000)]
    young = {id(o) for o in gc.get_objects(0)} | {id(o) for o in gc.get_objects(1)}
    assert not any(id(o) in young for o in kept)
    assert gc.get_count()[0] < 1_000
    assert gc.get_freeze_count() == 0  # nothing stays frozen


@pytest.mark.usefixtures("thawed_heap")
def test_a_process_that_froze_objects_keeps_them_frozen() -> None:
    before = _Kept()
    gc.freeze()
    with paused_gc():
        _Kept()
    assert id(before) not in _tracked()  # still frozen: in no generation


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
