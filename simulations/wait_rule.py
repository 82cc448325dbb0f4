"""The wait-or-take rule for an arriving child: how long it waits for a place in its
first-best care form before an alternative form counts, or whether it goes out of region
now (a deviation with its reason).

With `rules.first_best_expected` the wait comes from the expected date a first-best place
comes free for this child (simulations.first_best_wait: the places of the units that fit
it coming free, after the waiting children ahead of it), not from a fixed number of days;
with `rules.region_expected_days` a child for whom no place in the region is expected in
time goes out of region at once. Pure: reads the loop's state, changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from simulations.first_best_wait import FirstBestWait
from simulations.model import ChildNeed, PlacementRules, SimUnit
from simulations.occupancy import Occupancy
from simulations.records import NO_PLACE_EXPECTED, OUT_OF_REGION
from simulations.waiting import WaitingList

# The policy's `first_best_fits` (simulations.matching): the units that fit a child.
Fits = Callable[[float, Sequence[SimUnit], object], tuple[int, list[int], int, list[int]]]


def first_best_wait(
    rules: PlacementRules,
    child: int,
    need: ChildNeed,
    now: float,
    occupancy: Occupancy,
    fits: Fits | None,
    waiting: WaitingList,
    first_best: FirstBestWait,
) -> tuple[float, str | None]:
    """(days the child waits for first-best, None), or (0, the reason it goes out of region
    now)."""
    wait = rules.first_best_wait_days
    if (
        rules.first_best_expected
        and rules.no_place == "queue"
        and (wait > 0 or rules.region_expected_days is not None)
    ):
        if fits is None:
            ahead = waiting.first_best_forms.get(need.first_best, 0)
            expected = first_best.per_form(
                need.first_best, ahead, occupancy.views, occupancy.form_free
            )
            wait = math.ceil(expected) if expected <= wait else 0.0
        else:
            bits, units, every, every_units = fits(now, occupancy.views, need.payload)
            if not every and need.sibling_group is None:
                # Nothing in the region fits this child in any acceptable form: out of
                # region now (a deviation with its reason), not after max_queue_days.
                return 0.0, OUT_OF_REGION
            est = first_best.per_child(
                child,
                need,
                now,
                bits,
                units,
                int(wait),
                occupancy.unit_free,
                occupancy.unit_occupied,
            )
            # The units that fit the child, per care form, and those with a free place.
            forms = first_best.forms_of(every, every_units, occupancy.views)
            free_mask = occupancy.free_mask
            soon = rules.region_expected_days
            if soon is not None:
                days = first_best.in_region(
                    child,
                    every,
                    forms,
                    free_mask,
                    occupancy.unit_occupied,
                    waiting.children,
                )
                if days > soon and need.sibling_group is None:  # a group waits together
                    # No place in the region expected in time: out of region now (a
                    # deviation with its reason), not after waiting in vain.
                    return 0.0, NO_PLACE_EXPECTED
            free_alternative = any(
                mask & free_mask for form, mask, _ in forms if form != need.first_best
            )
            if free_alternative and (
                not est.wait or (rules.take_free_alternative and est.days > 0)
            ):
                # No first-best place free now (or none expected in time), and a place in
                # an alternative form is free now: take it now, rather than wait for a
                # place that a child without such an alternative needs more.
                wait = 0.0
            elif est.wait:
                wait = float(wait)
            else:
                # Not expected in time: still wait up to the norm for a first-best place
                # (the estimate is an expectation; a place may come sooner), then take one.
                wait = min(float(wait), rules.norm_days)
    return wait, None
