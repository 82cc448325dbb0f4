"""The simulator's general loop: one replication of any scenario, event by event.

A heapq list of typed events (simulations.events: departures, holds ending, first-best
waits expiring, queue patience running out, capacity changes) merged with the pre-drawn
arrival times; `run` is the day driver, `_handle` hands each event to the one handler of
its kind, and each handler says whether a placement may have become possible. Only then,
and only when some waiting child accepts a care form with a free place, is the allocation
policy called (a policy that is `policies.ChangeAware` is also told which units and
children changed since its previous call). What the units hold is kept in
simulations.occupancy, the waiting children in simulations.waiting, the wait-or-take
rule in simulations.wait_rule (its estimates in simulations.first_best_wait); every
assignment is checked before it is applied.

Sibling groups (a `model.GroupedSource` demand with sizes): the arrival times are those of
arrival *events*; each event's children get the event's time (so records, stays and
`arrivals` count children) and are all enqueued before the policy is asked, so a policy
always sees a group whole. Each sibling's first-best wait is its own estimate; the policy
lets a group take an alternative form only when every member may. When the
queue patience of one runs out, every sibling still waiting leaves the region with it
(counted per child): a "together" group waits and leaves as a whole. Holds and their
declines stay per child (scenario files set no holds).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np

from simulations.draws import initial_stays
from simulations.errors import PolicyError
from simulations.events import Event, Kind
from simulations.first_best_wait import FirstBestWait
from simulations.model import (
    BlockSource,
    ChildNeed,
    GroupedSource,
    Scenario,
    SimAssignment,
    WaitingChild,
)
from simulations.occupancy import Occupancy
from simulations.policies import ChangeAware
from simulations.records import FIRST_BEST_FULL, OUT_OF_REGION, POLICY_CHOICE, ChildRecords
from simulations.regions import OTHER_REGION
from simulations.streams import stream
from simulations.wait_rule import first_best_wait
from simulations.waiting import WaitingList


class GeneralLoop:
    """The event loop for any scenario and policy; one instance per replication."""

    def __init__(
        self,
        scenario: Scenario,
        arrivals: np.ndarray,
        stay_u: np.ndarray,
        seed: int,
        replication: int,
        sizes: np.ndarray | None = None,
    ) -> None:
        self.sc = scenario
        self.rules = scenario.rules
        self.arrivals = arrivals.tolist()
        self.stay_u = stay_u
        self.profiles = stream(seed, replication, "profiles")
        # Sibling groups: each child's event (its first child) and the event's size.
        self.lead: list[int] | None = None
        self.size: list[int] = []
        self.siblings: np.random.Generator | None = None
        if sizes is not None:
            first = np.cumsum(sizes) - sizes
            self.lead = np.repeat(first, sizes).tolist()
            self.size = np.repeat(sizes, sizes).tolist()
            self.siblings = stream(seed, replication, "sibling_profiles")
        # Without sibling groups, every child in arrival order (all are drawn in a run).
        demand = scenario.demand
        self.drawn: list[ChildNeed] | None = None
        if sizes is None and isinstance(demand, BlockSource):
            self.drawn = demand.draw_all(self.profiles, arrivals)
        self.decisions = stream(seed, replication, "decisions")
        units = scenario.units
        self.unit_index = {u.unit_id: i for i, u in enumerate(units)}
        policy = scenario.allocation
        self.change_aware = policy if isinstance(policy, ChangeAware) else None
        self.fits = getattr(policy, "first_best_fits", None)
        self.units = Occupancy(units)
        self.forms = scenario.care_forms
        self.form_code = [self.forms.index(u.care_form) for u in units]
        self.records = ChildRecords.empty(
            arrivals, forms=self.forms, units=tuple(u.unit_id for u in units)
        )
        if self.lead is not None:
            self.records.group = np.asarray(self.lead, dtype=np.int64)
        self.needs: list[ChildNeed] = []
        self.alternatives_from: list[float] = []  # per child: the day alternatives count
        self.first_best = FirstBestWait(scenario.stays, scenario.rules.crisis_priority_days)
        # Several regions: a policy that places a child leaving its region in another one.
        self.elsewhere = getattr(policy, "place_elsewhere", None)
        self.waiting = WaitingList(self.alternatives_from, self.first_best)
        self.pending: dict[int, tuple[int, bool, int, int]] = {}  # child -> unit, yes, rank, why
        self.heap: list[Event] = []
        self.seq = 0
        self.stay_cache: dict[str, list[float]] = {}
        self._initial(stream(seed, replication, "initial"))
        for change in scenario.capacity_changes:
            unit = self.unit_index[change.unit_id]
            self._push(change.day, Kind.CAPACITY, unit=unit, delta=change.delta)

    def _initial(self, rng: np.random.Generator) -> None:
        """Children in care on day 0: occupy their places, leave after a residual stay."""
        left = initial_stays(self.sc.units, self.sc.stays, rng)
        if not left:
            return
        taken = dict.fromkeys(left, 0)
        ends, forms = [], []
        for i, unit in enumerate(self.sc.units):
            n, form = unit.occupied, unit.care_form
            if not n:
                continue
            self.units.change(i, occupied=n)
            for end in left[form][taken[form] : taken[form] + n]:
                self._push(end, Kind.DEPARTURE, unit=i)
                ends.append(end)
                forms.append(self.form_code[i])
            taken[form] += n
        self.records.initial_end = np.asarray(ends, dtype=np.float64)
        self.records.initial_form = np.asarray(forms, dtype=np.int32)

    def _push(
        self, when: float, kind: Kind, *, child: int = -1, unit: int = -1, delta: int = 0
    ) -> None:
        self.seq += 1
        heapq.heappush(self.heap, Event(when, self.seq, kind, child, unit, delta))

    def run(self) -> ChildRecords:
        """Process events until every arrival is placed, out of region, or stuck."""
        arrivals, heap, n = self.arrivals, self.heap, len(self.arrivals)
        loss = self.rules.no_place == "out_of_region"
        i = 0
        while True:
            next_arrival = arrivals[i] if i < n else math.inf
            if heap and heap[0][0] <= next_arrival:
                event = heapq.heappop(heap)
                when = event.when
                changed = self._handle(event)
            elif i < n:
                when, changed = next_arrival, True
                i = self._arrive_event(i, when)
            else:
                break
            if (
                changed
                and self.waiting.children
                and self.units.free > 0
                and self.waiting.could_place(self.units.free_forms, when)
            ):
                self._allocate(when)
            if loss:
                for child in list(self.waiting.children):
                    self._out_of_region(child, when)
            if i >= n and not self.waiting.children and not self.pending:
                break  # later departures are already in the records
        return self.records

    def _arrive_event(self, child: int, now: float) -> int:
        """Every child of the arrival event starting at `child`; the next event's first."""
        if self.lead is None:
            drawn = self.drawn
            need = self.sc.demand.draw(self.profiles, child, now) if drawn is None else drawn[child]
            self._arrive(child, now, need)
            return child + 1
        size = self.size[child]
        demand = self.sc.demand
        assert isinstance(demand, GroupedSource) and self.siblings is not None
        needs = demand.draw_group(self.profiles, self.siblings, child, now, size)
        for k, need in enumerate(needs):  # all enqueued before the policy is asked
            self._arrive(child + k, now, need)
        return child + size

    def _arrive(self, child: int, now: float, need: ChildNeed) -> None:
        self.needs.append(need)
        self.records.set_need(child, need.first_best, home=need.home, age=need.age)
        rules = self.rules
        wait, away = first_best_wait(
            rules, child, need, now, self.units, self.fits, self.waiting, self.first_best
        )
        if away is not None:  # out of region now (a deviation with its reason)
            self.alternatives_from.append(now)
            self._away(child, now, away)
            return
        if not rules.accept_alternatives or math.isinf(wait):
            self.alternatives_from.append(math.inf)
        elif rules.no_place == "out_of_region" or wait == 0:
            self.alternatives_from.append(now)
        else:
            self.alternatives_from.append(now + wait)
            self._push(now + wait, Kind.FIRST_BEST_EXPIRED, child=child)
        patience = rules.max_queue_days
        if rules.no_place == "queue" and patience is not None and math.isfinite(patience):
            self._push(now + patience, Kind.PATIENCE_EXPIRED, child=child)
        self.waiting.add(WaitingChild(child, now, need, now >= self.alternatives_from[child]), now)

    def _handle(self, event: Event) -> bool:
        """One handler per kind; each says whether a placement may have become possible."""
        # A match, not a dict of bound methods: that would tie the loop in a reference cycle.
        match event.kind:
            case Kind.DEPARTURE:
                return self._departure(event)
            case Kind.HOLD_END:
                return self._hold_end(event)
            case Kind.FIRST_BEST_EXPIRED:
                return self._first_best_expired(event)
            case Kind.PATIENCE_EXPIRED:
                return self._patience_expired(event)
            case Kind.CAPACITY:
                return self._capacity(event)

    def _departure(self, event: Event) -> bool:
        self.units.change(event.unit, occupied=-1)
        return True

    def _capacity(self, event: Event) -> bool:
        unit = event.unit
        self.units.change(unit, places=max(0, self.units.views[unit].places + event.delta))
        return event.delta > 0

    def _first_best_expired(self, event: Event) -> bool:
        return event.child in self.waiting

    def _patience_expired(self, event: Event) -> bool:
        if event.child in self.waiting:  # still waiting: the child's group leaves
            for child in self._group(event.child):
                if child in self.waiting:
                    self._out_of_region(child, event.when)
        return False

    def _group(self, child: int) -> range:
        """The children of `child`'s arrival event (itself when there are no siblings)."""
        if self.lead is None:
            return range(child, child + 1)
        first = self.lead[child]
        return range(first, first + self.size[first])

    def _hold_end(self, event: Event) -> bool:
        child, now = event.child, event.when
        unit, accepted, rank, reason = self.pending.pop(child)
        self.units.change(unit, held=-1)
        if accepted:
            self._start(child, unit, now, rank, reason)
            return False
        self.records.declined += 1
        limit = self.rules.max_queue_days
        arrival = self.arrivals[child]
        if self.rules.no_place == "out_of_region" or (limit is not None and now >= arrival + limit):
            self._away(child, now)
        else:
            need = self.needs[child]
            self.waiting.add(WaitingChild(child, arrival, need, False), now)
            self.waiting.reordered = True
        return True

    def _allocate(self, now: float) -> None:
        waiting = self.waiting.release(now)
        occupancy = self.units
        assignments: Sequence[SimAssignment]
        if self.change_aware is not None:
            units, occupancy.changed = occupancy.changed, set()
            requeued, self.waiting.requeued = self.waiting.requeued, set()
            children = {c: waiting[c] for c in requeued if c in waiting}
            assignments = self.change_aware.allocate_changed(
                now, list(waiting.values()), occupancy.views, units, children
            )
        else:
            occupancy.changed.clear()
            self.waiting.requeued.clear()
            views = occupancy.views
            assignments = self.sc.allocation.allocate(now, list(waiting.values()), views)
        for assignment in assignments:
            self._apply(assignment, now)

    def _apply(self, assignment: SimAssignment, now: float) -> None:
        child = assignment.child_id
        if child not in self.waiting:
            raise PolicyError(f"kind {child} wacht niet", field="child_id")
        unit = self.unit_index.get(assignment.unit_id)
        if unit is None:
            raise PolicyError(f"onbekende unit {assignment.unit_id!r}", field="unit_id")
        occupancy = self.units
        if occupancy.unit_free[unit] <= 0:
            raise PolicyError(f"unit {assignment.unit_id} heeft geen vrije plaats", field="unit_id")
        need = self.needs[child]
        form = occupancy.views[unit].care_form
        acceptable = need.acceptable
        if form not in acceptable:
            raise PolicyError(f"zorgvorm {form} past niet bij kind {child}", field="unit_id")
        rank = acceptable.index(form)
        if rank > 0 and now < self.alternatives_from[child]:
            raise PolicyError(f"kind {child} wacht nog op first-best", field="unit_id")
        self.waiting.remove(child)
        reason = -1
        if rank > 0:
            why = FIRST_BEST_FULL
            if occupancy.form_free.get(acceptable[0], 0) > 0:
                why = assignment.reason or POLICY_CHOICE
            reason = self.records.reason_code(why)
        if self.rules.hold_days > 0:
            occupancy.change(unit, held=1)
            accepted = bool(self.decisions.random() < self.rules.acceptance_probability)
            self.pending[child] = (unit, accepted, rank, reason)
            self._push(now + self.rules.hold_days, Kind.HOLD_END, child=child, unit=unit)
        else:
            self._start(child, unit, now, rank, reason)

    def _stay(self, child: int, form: str) -> float:
        """The child's stay in `form` (its quantile of the form's stay distribution)."""
        stays = self.stay_cache.get(form)
        if stays is None:
            stays = self.sc.stays[form].ppf(self.stay_u).tolist()
            self.stay_cache[form] = stays
        return stays[child]

    def _start(self, child: int, unit: int, now: float, rank: int, reason: int) -> None:
        end = now + self._stay(child, self.units.views[unit].care_form)
        self.units.change(unit, occupied=1)
        self.records.place(
            child, now, end, unit=unit, form=self.form_code[unit], rank=rank, reason=reason
        )
        self._push(end, Kind.DEPARTURE, child=child, unit=unit)

    def _out_of_region(self, child: int, now: float) -> None:
        self.waiting.remove(child)
        self._away(child, now)

    def _elsewhere(self, child: int, now: float) -> bool:
        """Placed in a free unit of another region of the scenario, if its policy finds one."""
        assert self.elsewhere is not None
        need, views, free = self.needs[child], self.units.views, self.units.unit_free
        unit = self.elsewhere(now, need, views, free)
        if unit is None:
            return False
        if free[unit] <= 0 or views[unit].care_form not in need.acceptable:
            raise PolicyError(f"unit {views[unit].unit_id} past niet", field="unit_id")
        rank = need.acceptable.index(views[unit].care_form)
        self._start(child, unit, now, rank, self.records.reason_code(OTHER_REGION))
        return True

    def _away(self, child: int, now: float, reason: str = OUT_OF_REGION) -> None:
        """Placed out of region: in care there for its drawn stay in its first-best form.
        With several regions (simulations.regions), first in a free place of another one."""
        if self.elsewhere is not None and self._elsewhere(child, now):
            return
        stay = self._stay(child, self.records.need_form[child])
        self.records.out_of_region(child, now, stay, reason)
        away = self.sc.out_of_region
        if away is not None:
            self.records.away_km[child] = away.km_from(self.records.home[child])
