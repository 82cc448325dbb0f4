"""Queueing theory the engine is validated against: Erlang B, Erlang C and the mean wait.

`offered_load` is the arrival rate times the mean stay (in Erlangs); `places` the number of
servers (places in the pool).
"""

from __future__ import annotations

import math

from domain.errors import InvalidInput


def _check(places: int, offered_load: float) -> None:
    if places < 1:
        raise InvalidInput(f"moet minstens 1 zijn, niet {places}", field="places")
    if not math.isfinite(offered_load) or offered_load < 0:
        raise InvalidInput("moet een eindig getal van 0 of meer zijn", field="offered_load")


def erlang_b(places: int, offered_load: float) -> float:
    """Blocking probability of an M/G/c/c loss system (stable recursion, any c)."""
    _check(places, offered_load)
    blocked = 1.0
    for k in range(1, places + 1):
        # B(k) = a B(k-1) / (k + a B(k-1)): every term stays in [0, 1], no factorials.
        blocked = offered_load * blocked / (k + offered_load * blocked)
    return blocked


def erlang_c(places: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (requires load < places)."""
    _check(places, offered_load)
    if offered_load >= places:
        raise InvalidInput(
            "moet kleiner zijn dan places (anders groeit de rij)", field="offered_load"
        )
    blocked = erlang_b(places, offered_load)
    return places * blocked / (places - offered_load * (1.0 - blocked))


def erlang_c_mean_wait(places: int, offered_load: float, mean_stay: float) -> float:
    """Mean wait in queue over all arrivals of an M/M/c FIFO queue, in the unit of mean_stay."""
    if not math.isfinite(mean_stay) or mean_stay <= 0:
        raise InvalidInput("moet groter dan 0 zijn", field="mean_stay")
    return erlang_c(places, offered_load) * mean_stay / (places - offered_load)
