"""The wait-or-take rule in the simulator: when is a first-best place expected for a child?

Per child (a policy that says which units fit a child, `first_best_fits`): matcher.expected
over the units that fit it in its first-best form, their free places, the occupied places
leaving at the form's mean stay, and the waiting children ahead of it (fitting one of those
units, with more urgency). `in_region` does the same over every acceptable care form, for the rule
that sends a child out of region at once when no place in the region is expected in time:
a child ahead counts for the share of its own fitting units that this child also fits (it
takes its place elsewhere as often). Per form (any other policy): the places of the first-best form
coming free at the form's mean stay, after the children already waiting for that form.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import TypeVar

import numpy as np

from matcher.expected import FirstBestEstimate, estimate, release_days
from simulations.distributions import Distribution
from simulations.model import ChildNeed, SimUnit, WaitingChild

_K = TypeVar("_K")
# Units per care form: the form, the mask of its units and a getter of their values.
FormUnits = list[tuple[str, int, Callable[[Sequence[int]], Sequence[int]]]]


class FirstBestWait:
    """The estimates of one replication, with what they remember between arrivals."""

    def __init__(self, stays: Mapping[str, Distribution], crisis_priority_days: float) -> None:
        self.stays = stays
        self.crisis_priority_days = crisis_priority_days
        self.mean_stays: dict[str, float] = {}
        # Per child: the session bits of the units that fit it in its first-best form, and
        # its priority (arrival day, earlier for a crisis).
        self.fit_bits: dict[int, int] = {}
        self.fit_priority: dict[int, float] = {}
        # Per child: the bits of the units that fit it in any acceptable care form.
        self.any_bits: dict[int, int] = {}
        # Per child: how many units those bits are (its fits in first-best, in any form).
        self.fit_count: dict[int, int] = {}
        self.any_count: dict[int, int] = {}
        # Per set of session bits: its units grouped by care form (static in a run), and
        # a getter of its units' values.
        self.groups: dict[int, FormUnits] = {}
        self.getters: dict[int, Callable[[Sequence[int]], Sequence[int]]] = {}
        # The waiting children, told by the engine's waiting list (join, leave, allow), as
        # the estimates count them: the sorted priorities of those with each set of
        # first-best fits, and of those with each (fits, number of fits) that `in_region`
        # counts (every acceptable form once alternatives are allowed, else first-best).
        self.fit_queue: dict[int, list[float]] = {}
        self.region_queue: dict[tuple[int, int], list[float]] = {}
        self.queued: dict[int, tuple[int, tuple[int, int], float]] = {}

    def mean_stay(self, form: str) -> float:
        """The form's mean stay in days (from its distribution, once per form)."""
        mean = self.mean_stays.get(form)
        if mean is None:
            grid = np.linspace(0.0005, 0.9995, 1000)
            mean = self.mean_stays[form] = float(np.mean(self.stays[form].ppf(grid)))
        return mean

    def per_child(
        self,
        child: int,
        need: ChildNeed,
        now: float,
        bits: int,
        units: list[int],
        most: int,
        unit_free: Sequence[int],
        unit_occupied: Sequence[int],
    ) -> FirstBestEstimate:
        """matcher.expected for one arriving child (see the module doc)."""
        self.fit_bits[child] = bits
        self.fit_count[child] = max(1, bits.bit_count())
        mine = now - (self.crisis_priority_days if _crisis(need) else 0.0)
        self.fit_priority[child] = mine
        if not units:
            return estimate((), 0, 0, most)
        # The waiting children who fit one of these units with a priority up to this one's.
        ahead = 0
        for theirs, priorities in self.fit_queue.items():
            if theirs & bits:
                ahead += bisect_right(priorities, mine)
        get = self.getters.get(bits)
        if get is None:
            get = self.getters[bits] = _getter(units)
        free = sum(get(unit_free))
        occupied = sum(get(unit_occupied))
        releases = release_days(free, occupied, self.mean_stay(need.first_best), ahead + 1)
        return estimate(releases, ahead, len(units), most)

    def forms_of(self, bits: int, units: Sequence[int], views: Sequence[SimUnit]) -> FormUnits:
        """These units (session `bits`) per care form: the form, the mask of its units (bit
        i: engine unit i, as `Occupancy.free_mask`) and a getter of their values; worked
        out once per set of bits (static in a run)."""
        groups = self.groups.get(bits)
        if groups is None:
            by_form: dict[str, list[int]] = {}
            for i in units:
                by_form.setdefault(views[i].care_form, []).append(i)
            groups = self.groups[bits] = [
                (form, sum(1 << i for i in found), _getter(found))
                for form, found in by_form.items()
            ]
        return groups

    def in_region(
        self,
        child: int,
        bits: int,
        forms: FormUnits,
        free_mask: int,
        unit_occupied: Sequence[int],
        waiting: Mapping[int, WaitingChild],
    ) -> float:
        """Days until a place in the region is expected for the child just estimated by
        `per_child`, in any acceptable care form: the places of the units that fit it
        (session `bits`, per form in `forms`; `free_mask`: the units with a free place)
        coming free, each form's occupied places at its mean stay, after the waiting
        children ahead of it (more urgency) that fit one of those units. A place free now
        is expected now: a waiting child that could take it would have."""
        self.any_bits[child] = bits
        self.any_count[child] = max(1, bits.bit_count())
        if not forms:
            return math.inf
        if any(mask & free_mask for _, mask, _ in forms):
            return 0.0
        ahead = math.floor(self._share(bits, self.fit_priority[child], waiting))
        releases: list[float] = []
        for form, _, get in forms:  # none with a free place
            releases += release_days(0, sum(get(unit_occupied)), self.mean_stay(form), ahead + 1)
        releases.sort()
        return releases[ahead] if ahead < len(releases) else math.inf

    def _share(self, bits: int, mine: float, waiting: Mapping[int, WaitingChild]) -> float:
        """How many waiting children are ahead for the units with these `bits`: a child
        ahead that also fits other units takes its place there as often as in these, so
        it counts for the share of its units that are among them. Summed per group of
        children with the same fits; that sum can differ from the sum child by child in
        waiting order (`_share_in_order`, whose floor the estimate has always used) only
        in its last bits, so it is used when its floor cannot differ: when every term is
        a multiple of 1/1024 (then both sums are exact) or the sum is not within 1e-6 of
        a whole number (each sum is within about n * n * 2**-53 of the exact value, below
        1e-8 for n = 10,000 children ahead)."""
        share, exact = 0.0, True
        for (theirs, count), priorities in self.region_queue.items():
            both = theirs & bits
            if both:
                n = bisect_right(priorities, mine)
                if n:
                    k = both.bit_count()
                    share += n * k / count
                    exact = exact and (k << 10) % count == 0
        if exact or abs(share - round(share)) > 1e-6:
            return share
        return self._share_in_order(bits, mine, waiting)

    def _share_in_order(self, bits: int, mine: float, waiting: Mapping[int, WaitingChild]) -> float:
        """`_share`, child by child in waiting order."""
        any_bits, fit_bits, fit_priority = self.any_bits, self.fit_bits, self.fit_priority
        any_count, fit_count = self.any_count, self.fit_count
        share = 0.0
        for other, child_view in waiting.items():
            if child_view.alternatives_allowed:
                theirs, count = any_bits.get(other, 0), any_count.get(other, 1)
            else:
                theirs, count = fit_bits.get(other, 0), fit_count.get(other, 1)
            both = theirs & bits
            if both and fit_priority.get(other, math.inf) <= mine:
                share += both.bit_count() / count
        return share

    def join(self, child: int, alternatives_allowed: bool) -> None:
        """The child joins the waiting children (from the engine's waiting list)."""
        priority = self.fit_priority.get(child)
        if priority is None:
            return  # never estimated: counted ahead of no one
        fits = self.fit_bits[child]
        if alternatives_allowed:
            region = (self.any_bits.get(child, 0), self.any_count.get(child, 1))
        else:
            region = (fits, self.fit_count[child])
        if fits:
            insort(self.fit_queue.setdefault(fits, []), priority)
        if region[0]:
            insort(self.region_queue.setdefault(region, []), priority)
        self.queued[child] = (fits, region, priority)

    def leave(self, child: int) -> None:
        """The child leaves the waiting children."""
        keys = self.queued.pop(child, None)
        if keys is None:
            return
        fits, region, priority = keys
        if fits:
            _drop(self.fit_queue, fits, priority)
        if region[0]:
            _drop(self.region_queue, region, priority)

    def allow(self, child: int) -> None:
        """The waiting child may now take an alternative care form."""
        if child in self.queued:
            self.leave(child)
            self.join(child, True)

    def per_form(
        self,
        form: str,
        ahead: int,
        views: Sequence[SimUnit],
        form_free: Mapping[str, int],
    ) -> float:
        """Days until a first-best place of `form` is expected for a child arriving now,
        with `ahead` children waiting for that form as first-best (inf: no such places)."""
        free = form_free.get(form, 0)
        if ahead < free:
            return 0.0
        occupied = sum(v.occupied for v in views if v.care_form == form)
        mean_stay = self.mean_stay(form)
        if occupied == 0 or mean_stay <= 0:
            return math.inf
        return (ahead + 1 - free) * mean_stay / occupied


def _crisis(need: ChildNeed) -> bool:
    referral = getattr(need.payload, "referral", None)
    return bool(getattr(referral, "crisis", False))


def _drop(queue: dict[_K, list[float]], key: _K, priority: float) -> None:
    """Take one `priority` out of the key's sorted list (and the list, once empty)."""
    priorities = queue[key]
    del priorities[bisect_left(priorities, priority)]
    if not priorities:
        del queue[key]


def _getter(units: list[int]) -> Callable[[Sequence[int]], Sequence[int]]:
    """A getter of these units' values (as a tuple)."""
    return itemgetter(*units) if len(units) > 1 else _one(units[0])


def _one(i: int) -> Callable[[Sequence[int]], Sequence[int]]:
    """A getter of one item as a 1-tuple (itemgetter with one index gives the item)."""
    return lambda values: (values[i],)
