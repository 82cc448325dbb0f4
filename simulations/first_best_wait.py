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
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter

import numpy as np

from matcher.expected import FirstBestEstimate, estimate, release_days
from simulations.distributions import Distribution
from simulations.model import ChildNeed, SimUnit, WaitingChild


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
        # Per set of session bits: its units grouped by care form (static in a run).
        self.groups: dict[int, list[tuple[str, Callable[[Sequence[int]], Sequence[int]]]]] = {}

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
        waiting: Mapping[int, WaitingChild],
        views: Sequence[SimUnit],
        unit_free: Sequence[int],
    ) -> FirstBestEstimate:
        """matcher.expected for one arriving child (see the module doc)."""
        self.fit_bits[child] = bits
        self.fit_count[child] = max(1, bits.bit_count())
        mine = now - (self.crisis_priority_days if _crisis(need) else 0.0)
        self.fit_priority[child] = mine
        if not units:
            return estimate((), 0, 0, most)
        fit_bits, fit_priority = self.fit_bits, self.fit_priority
        ahead = sum(
            1
            for other in waiting
            if fit_bits.get(other, 0) & bits and fit_priority.get(other, math.inf) <= mine
        )
        free = sum(unit_free[i] for i in units)
        occupied = sum(views[i].occupied for i in units)
        releases = release_days(free, occupied, self.mean_stay(need.first_best), ahead + 1)
        return estimate(releases, ahead, len(units), most)

    def tally(
        self,
        bits: int,
        units: Sequence[int],
        views: Sequence[SimUnit],
        unit_free: Sequence[int],
        unit_occupied: Sequence[int],
    ) -> dict[str, tuple[int, int]]:
        """Per care form, the free and the occupied places of these units (session `bits`;
        the units of each form are looked up once per set of bits)."""
        groups = self.groups.get(bits)
        if groups is None:
            by_form: dict[str, list[int]] = {}
            for i in units:
                by_form.setdefault(views[i].care_form, []).append(i)
            groups = self.groups[bits] = [
                (form, itemgetter(*found) if len(found) > 1 else _one(found[0]))
                for form, found in by_form.items()
            ]
        return {form: (sum(get(unit_free)), sum(get(unit_occupied))) for form, get in groups}

    def in_region(
        self,
        child: int,
        bits: int,
        tally: Mapping[str, tuple[int, int]],
        waiting: Mapping[int, WaitingChild],
    ) -> float:
        """Days until a place in the region is expected for the child just estimated by
        `per_child`, in any acceptable care form: the places of the units that fit it
        (session `bits`, their `tally` per form) coming free, each form's at its mean stay,
        after the waiting children ahead of it (more urgency) that fit one of those units.
        A place free now is expected now: a waiting child that could take it would have."""
        self.any_bits[child] = bits
        self.any_count[child] = max(1, bits.bit_count())
        if not tally:
            return math.inf
        if any(free > 0 for free, _ in tally.values()):
            return 0.0
        mine = self.fit_priority[child]
        # A child ahead that also fits other units takes its place there as often as in
        # these: it counts for the share of its units that are among this child's.
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
        ahead = math.floor(share)
        releases: list[float] = []
        for form, (free, occupied) in tally.items():
            releases += release_days(free, occupied, self.mean_stay(form), ahead + 1)
        releases.sort()
        return releases[ahead] if ahead < len(releases) else math.inf

    def per_form(
        self,
        form: str,
        waiting: Mapping[int, WaitingChild],
        views: Sequence[SimUnit],
        form_free: Mapping[str, int],
    ) -> float:
        """Days until a first-best place of `form` is expected for a child arriving now
        (inf: no such places)."""
        free = form_free.get(form, 0)
        ahead = sum(1 for view in waiting.values() if view.need.first_best == form)
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


def _one(i: int) -> Callable[[Sequence[int]], Sequence[int]]:
    """A getter of one item as a 1-tuple (itemgetter with one index gives the item)."""
    return lambda values: (values[i],)
