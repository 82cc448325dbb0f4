"""The events of the simulator's general loop: a typed record per scheduled event.

Arrivals are not events here: they are drawn up front and merged with this list by time
(simulations.general_loop). Everything else that happens later is an `Event` on a heap.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class Kind(IntEnum):
    """What a scheduled event does."""

    DEPARTURE = 0  # a child leaves its unit: a place comes free
    HOLD_END = 1  # a hold ends: the family accepts (placement starts) or declines
    FIRST_BEST_EXPIRED = 2  # a child has waited long enough for first-best: alternatives too
    PATIENCE_EXPIRED = 3  # a child (with its siblings) waited too long: out of region
    CAPACITY = 4  # a unit's number of places changes


class Event(NamedTuple):
    """One scheduled event; the heap orders by time, then by the order of scheduling."""

    when: float
    seq: int  # unique: two events are never compared beyond it
    kind: Kind
    child: int = -1  # the child concerned (-1: a child already in care on day 0)
    unit: int = -1  # the unit concerned
    delta: int = 0  # places added (negative: removed), for CAPACITY
