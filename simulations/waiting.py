"""The waiting children of the simulator's general loop, and what the loop asks of them.

In order of arrival (re-sorted after a child comes back from a declined hold), each as the
`WaitingChild` a policy sees. Kept in step with the list, so that no question walks it:

- `could_place`: does some waiting child accept a care form with a free place now (its
  first-best form, or an alternative once its first-best wait is over)? Counted per care
  form, the alternatives of a child from the day its `alternatives_from` passes.
- `release`: the first-best waits that are over turn into views that allow alternatives
  (the policy sees them at its next call), from a heap by day.
- the first-best estimates (simulations.first_best_wait) are told who joins, leaves and
  may take alternatives, so they count the children ahead without walking the list.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator

from simulations.first_best_wait import FirstBestWait
from simulations.model import WaitingChild


class WaitingList:
    """The children waiting for a place in the region in one replication."""

    def __init__(self, alternatives_from: list[float], first_best: FirstBestWait) -> None:
        self.children: dict[int, WaitingChild] = {}  # in order of arrival
        self.reordered = False
        self.alternatives_from = alternatives_from  # per child, filled by the loop
        self.first_best = first_best
        # (alternatives_from, child) of children who entered waiting for first-best.
        self.first_best_until: list[tuple[float, int]] = []
        # The children whose view is new since the policy's previous call.
        self.requeued: set[int] = set()
        # Waiting children per care form: as first-best, and as first-best or an
        # alternative once its day has come (`counted`), with the heap of the days still
        # to come; `accepted`: the forms some waiting child accepts now (a count above 0).
        self.first_best_forms: dict[str, int] = {}
        self.accepting: dict[str, int] = {}
        self.accepted: set[str] = set()
        self.counted: set[int] = set()
        self.alternatives_due: list[tuple[float, int]] = []

    def __contains__(self, child: object) -> bool:
        return child in self.children

    def __iter__(self) -> Iterator[int]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def add(self, view: WaitingChild, now: float) -> None:
        """The child (re)joins the list on day `now`."""
        child = view.child_id
        self.children[child] = view
        self.requeued.add(child)
        self.first_best.join(child, view.alternatives_allowed)
        form = view.need.first_best
        self.first_best_forms[form] = self.first_best_forms.get(form, 0) + 1
        self._accept(form, 1)
        until = self.alternatives_from[child]
        if now >= until:
            self._count_alternatives(child, view)
        elif math.isfinite(until):
            heapq.heappush(self.alternatives_due, (until, child))
        if not view.alternatives_allowed and math.isfinite(until):
            heapq.heappush(self.first_best_until, (until, child))

    def remove(self, child: int) -> None:
        """The child leaves the list (placed, held, or out of region)."""
        view = self.children.pop(child)
        self.first_best.leave(child)
        self.first_best_forms[view.need.first_best] -= 1
        self._accept(view.need.first_best, -1)
        if child in self.counted:
            self.counted.discard(child)
            for form in view.need.alternatives:
                self._accept(form, -1)

    def _count_alternatives(self, child: int, view: WaitingChild) -> None:
        self.counted.add(child)
        for form in view.need.alternatives:
            self._accept(form, 1)

    def _accept(self, form: str, step: int) -> None:
        """One waiting child more (step 1) or fewer (-1) accepts `form` now."""
        count = self.accepting.get(form, 0) + step
        self.accepting[form] = count
        if count > 0:
            self.accepted.add(form)
        else:
            self.accepted.discard(form)

    def could_place(self, free_forms: set[str], now: float) -> bool:
        """Whether some waiting child accepts a care form in `free_forms` on day `now`: its
        first-best form, or an alternative from its `alternatives_from` day on."""
        due, children = self.alternatives_due, self.children
        while due and due[0][0] <= now:
            child = heapq.heappop(due)[1]
            view = children.get(child)
            if view is not None and child not in self.counted:
                self._count_alternatives(child, view)
        # A set kept in step instead of a walk over the free forms: -2 % instructions per
        # Flevoland replication.
        return not self.accepted.isdisjoint(free_forms)

    def release(self, now: float) -> dict[int, WaitingChild]:
        """The list for the policy on day `now`: in order of arrival, and every child whose
        first-best wait is over allowed alternatives."""
        if self.reordered:
            self.children = dict(sorted(self.children.items()))
            self.reordered = False
        waiting, until = self.children, self.first_best_until
        while until and until[0][0] <= now:  # first-best waits over: alternatives allowed
            child = heapq.heappop(until)[1]
            view = waiting.get(child)
            if view is not None and not view.alternatives_allowed:
                waiting[child] = WaitingChild(child, view.arrival_day, view.need, True)
                self.requeued.add(child)
                self.first_best.allow(child)
        return waiting
