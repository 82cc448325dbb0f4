"""The waiting list's running counts against walking the list (simulations.waiting).

The general loop asks on every event whether some waiting child accepts a care form with a
free place, and on every arrival how many waiting children are ahead of the new one; both
are kept as counts (per care form, per set of fits) instead of walking the list. These
tests walk the list as the loop used to, through random joins, leaves and first-best waits
ending, and hold the counts to it.
"""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

from simulations.distributions import distribution_from_dict
from simulations.first_best_wait import FirstBestWait
from simulations.model import ChildNeed, WaitingChild
from simulations.waiting import WaitingList

FORMS = ("pleegzorg", "gezinshuis", "behandelgroep", "kamertraining")
UNITS = 9


def _need(rng: random.Random, crisis: bool) -> ChildNeed:
    first = rng.choice(FORMS[:2])  # the other forms mostly as alternatives
    others = tuple(f for f in FORMS if f != first and rng.random() < 0.4)
    case = SimpleNamespace(referral=SimpleNamespace(crisis=crisis))  # as simulations.children
    return ChildNeed(first, others, "almere", case)


def _fits(rng: random.Random) -> int:
    """Units as bits; sets of three units make shares of a third (sums near whole numbers
    that are not exact in binary, where the grouped share falls back to the ordered one)."""
    if rng.random() < 0.5:
        return sum(1 << i for i in rng.sample(range(UNITS), 3))
    return rng.randrange(1 << UNITS)


def _could_place(waiting: WaitingList, free: set[str], now: float) -> bool:
    """The loop's old walk over the waiting children."""
    for child, view in waiting.children.items():
        if view.need.first_best in free:
            return True
        if now >= waiting.alternatives_from[child] and not free.isdisjoint(view.need.alternatives):
            return True
    return False


def _ahead(wait: FirstBestWait, waiting: WaitingList, bits: int, mine: float) -> int:
    """per_child's old walk: the waiting children with a shared unit and no lower priority."""
    return sum(
        1
        for other in waiting
        if wait.fit_bits.get(other, 0) & bits and wait.fit_priority.get(other, math.inf) <= mine
    )


def test_running_counts_match_walking_the_waiting_list() -> None:
    rng = random.Random(17)
    stay = distribution_from_dict({"kind": "exponential", "mean": 100.0}, field="s")
    wait = FirstBestWait(dict.fromkeys(FORMS, stay), 30.0)
    alternatives_from: list[float] = []
    waiting = WaitingList(alternatives_from, wait)
    free, occupied = [0] * UNITS, [1] * UNITS
    now, held, answers = 0.0, [], [0, 0]
    for child in range(1500):
        now += rng.expovariate(1.0)
        crisis = rng.random() < 0.3
        need = _need(rng, crisis)
        bits = _fits(rng)
        units = [i for i in range(UNITS) if bits >> i & 1]
        mine = now - (30.0 if crisis else 0.0)
        expected = _ahead(wait, waiting, bits, mine)
        estimate = wait.per_child(child, need, now, bits, units, 42, free, occupied)
        assert estimate.ahead == (expected if units else 0)
        every = bits | _fits(rng)
        grouped = wait._share(every, mine, waiting.children)
        in_order = wait._share_in_order(every, mine, waiting.children)
        assert math.floor(grouped) == math.floor(in_order)
        # The child's fits in any form, as in_region notes them (a free place: no estimate).
        wait.in_region(child, every, [("pleegzorg", 1, lambda v: (v[0],))], 1, occupied, {})
        until = rng.choice([now, now + rng.uniform(0, 40), math.inf])
        alternatives_from.append(until)
        waiting.add(WaitingChild(child, now, need, now >= until), now)
        while len(waiting) > rng.randrange(2, 12):  # placed, held or out of region
            gone = waiting.children[rng.choice(list(waiting.children))]
            waiting.remove(gone.child_id)
            if rng.random() < 0.3:
                held.append(gone)
        if held and rng.random() < 0.2:  # back after a declined hold
            back = held.pop(0)
            waiting.add(WaitingChild(back.child_id, back.arrival_day, back.need, False), now)
            waiting.reordered = True
        pool = FORMS[2:] if rng.random() < 0.8 else FORMS
        forms = set(rng.sample(pool, rng.randrange(len(pool) + 1)))
        answer = _could_place(waiting, forms, now)
        assert waiting.could_place(forms, now) == answer
        answers[answer] += 1
        if rng.random() < 0.5:
            released = waiting.release(now)
            assert list(released) == sorted(released)
            assert all(
                v.alternatives_allowed or alternatives_from[c] > now for c, v in released.items()
            )
    assert min(answers) > 300  # both answers often


def test_share_falls_back_to_the_ordered_sum_near_a_whole_number() -> None:
    """Ten children ahead, each sharing one of its ten units: child by child in waiting
    order the shares add up to 0.9999999999999999, grouped to 10 * 0.1 = 1.0. The estimate
    has always used the ordered sum, so the grouped one must not change its floor."""
    stay = distribution_from_dict({"kind": "exponential", "mean": 100.0}, field="s")
    wait = FirstBestWait({"gezinshuis": stay}, 0.0)
    need = ChildNeed("gezinshuis", (), "almere")
    ten = (1 << 10) - 1
    waiting = {}
    for child in range(10):
        wait.per_child(child, need, float(child), ten, list(range(10)), 42, [0] * 10, [1] * 10)
        wait.join(child, False)
        waiting[child] = WaitingChild(child, float(child), need, False)
    assert wait._share_in_order(1, 20.0, waiting) < 1.0
    assert math.floor(wait._share(1, 20.0, waiting)) == 0
