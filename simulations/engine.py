"""The discrete-event engine: one replication of a scenario, pure and reproducible.

`simulate(scenario, settings, seed=..., replication=...)` draws every random number from
streams keyed by (seed, replication, stream name), so two scenarios run with the same seed
and replication see the same arrivals, the same child needs and the same stay quantiles
(common random numbers), and adding a stream never shifts another.

The general loop keeps a heapq event list (departures, holds ending, first-best waits
expiring, queue patience running out, capacity changes) merged with the pre-drawn arrival
times, and calls the allocation policy only when a placement can change (a policy that
is `policies.ChangeAware` is also told which units and children changed since its
previous call, so it need not compare them all). A single pool
with one unit and no holds or capacity changes (the Erlang models) runs a specialised loop
(simulations.single_pool). Both loops fill the same per-child records, from which
`simulations.outputs` derives every statistic, so they give byte-identical results (tested).

Sibling groups (a `model.GroupedSource` demand with sizes): the arrival times are those of
arrival *events*; each event's children get the event's time (so records, stays and
`arrivals` count children) and are all enqueued before the policy is asked, so a policy
always sees a group whole. They share the first-best wait (same arrival), and when the
queue patience of one runs out, every sibling still waiting leaves the region with it
(counted per child): a "together" group waits and leaves as a whole. Holds and their
declines stay per child (scenario files set no holds).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np

from simulations.draws import draws, initial_stays
from simulations.errors import PolicyError
from simulations.events import Event, Kind
from simulations.first_best_wait import FirstBestWait
from simulations.model import (
    BlockSource,
    ChildNeed,
    GroupedSource,
    RunSettings,
    Scenario,
    SimAssignment,
    SimUnit,
    WaitingChild,
)
from simulations.outputs import (
    NO_PLACE_EXPECTED,
    OUT_OF_REGION,
    ChildRecords,
    ReplicationResult,
    summarise,
)
from simulations.policies import ChangeAware
from simulations.regions import OTHER_REGION
from simulations.single_pool import run_single_pool, single_pool_eligible
from simulations.streams import paused_gc, stream

FIRST_BEST_FULL = "first_best_full"
POLICY_CHOICE = "policy_choice"


def simulate(
    scenario: Scenario,
    settings: RunSettings,
    *,
    seed: int,
    replication: int = 0,
    fast_path: bool = True,
) -> ReplicationResult:
    """Run one replication; fast_path=False forces the general loop (for checking)."""
    arrivals, sizes, stay_u = draws(scenario, settings, seed, replication)
    with paused_gc():
        if fast_path and sizes is None and single_pool_eligible(scenario):
            records = run_single_pool(scenario, arrivals, stay_u)
        else:
            records = _GeneralLoop(scenario, arrivals, stay_u, seed, replication, sizes).run()
    return summarise(scenario, settings, records, seed=seed, replication=replication)


def trace(
    scenario: Scenario, settings: RunSettings, *, seed: int, replication: int = 0
) -> tuple[ChildRecords, list[ChildNeed], np.ndarray]:
    """One replication through the general loop, with what it drew: the per-child records,
    each child's need and stay quantile (a stay in form f lasts `stays[f].ppf(u)`). For a
    hindsight bound, which must see exactly the arrivals and stays the run saw."""
    arrivals, sizes, stay_u = draws(scenario, settings, seed, replication)
    loop = _GeneralLoop(scenario, arrivals, stay_u, seed, replication, sizes)
    with paused_gc():
        records = loop.run()
    return records, loop.needs, stay_u


class _GeneralLoop:
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
        # The policy's view of each unit, replaced (not rebuilt) when that unit changes. What
        # changed since the policy's previous call: units replaced, children (re)queued.
        self.changed: set[int] = set()
        self.requeued: set[int] = set()
        policy = scenario.allocation
        self.change_aware = policy if isinstance(policy, ChangeAware) else None
        self.views = [
            SimUnit(u.unit_id, u.care_form, u.location, u.places, 0, 0, u.payload) for u in units
        ]
        # Free places per unit and per care form, kept in step with the views.
        self.unit_free = [v.free for v in self.views]
        self.unit_occupied = [v.occupied for v in self.views]
        self.form_free: dict[str, int] = {}
        for v in self.views:
            self.form_free[v.care_form] = self.form_free.get(v.care_form, 0) + v.free
        # The care forms with a free place now (kept in step with form_free).
        self.free_forms = {form for form, free in self.form_free.items() if free > 0}
        self.free = sum(self.unit_free)
        self.forms = scenario.care_forms
        self.form_code = [self.forms.index(u.care_form) for u in units]
        self.records = ChildRecords.empty(
            arrivals, forms=self.forms, units=tuple(u.unit_id for u in units)
        )
        if self.lead is not None:
            self.records.group = np.asarray(self.lead, dtype=np.int64)
        self.needs: list[ChildNeed] = []
        self.waiting: dict[int, WaitingChild] = {}  # in order of arrival
        self.reordered = False
        self.alternatives_from: list[float] = []
        # (alternatives_from, child) of children who entered the queue waiting for first-best.
        self.first_best_until: list[tuple[float, int]] = []
        self.pending: dict[int, tuple[int, bool, int, int]] = {}  # child -> unit, yes, rank, why
        self.heap: list[Event] = []
        self.seq = 0
        self.stay_cache: dict[str, list[float]] = {}
        self.first_best = FirstBestWait(scenario.stays, scenario.rules.crisis_priority_days)
        # Several regions: a policy that places a child leaving its region in another one.
        self.elsewhere = getattr(policy, "place_elsewhere", None)
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
            self._change(i, occupied=n)
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

    def _change(
        self, unit: int, *, places: int | None = None, occupied: int = 0, held: int = 0
    ) -> None:
        old = self.views[unit]
        new = SimUnit(
            old.unit_id,
            old.care_form,
            old.location,
            old.places if places is None else places,
            old.occupied + occupied,
            old.held + held,
            old.payload,
        )
        self.views[unit] = new
        self.unit_occupied[unit] = new.occupied
        self.changed.add(unit)
        free = new.free
        delta = free - self.unit_free[unit]
        self.unit_free[unit] = free
        form_free = self.form_free[new.care_form] + delta
        self.form_free[new.care_form] = form_free
        if form_free > 0:
            self.free_forms.add(new.care_form)
        else:
            self.free_forms.discard(new.care_form)
        self.free += delta

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
            if changed and self.waiting and self.free > 0 and self._could_place(when):
                self._allocate(when)
            if loss:
                for child in list(self.waiting):
                    self._out_of_region(child, when)
            if i >= n and not self.waiting and not self.pending:
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
        wait = rules.first_best_wait_days
        if (
            rules.first_best_expected
            and rules.no_place == "queue"
            and (wait > 0 or rules.region_expected_days is not None)
        ):
            fits = getattr(self.sc.allocation, "first_best_fits", None)
            if fits is None:
                expected = self.first_best.per_form(
                    need.first_best, self.waiting, self.views, self.form_free
                )
                wait = math.ceil(expected) if expected <= wait else 0.0
            else:
                bits, units, every, every_units = fits(now, self.views, need.payload)
                if not every and need.sibling_group is None:
                    # Nothing in the region fits this child in any acceptable form: out of
                    # region now (a deviation with its reason), not after max_queue_days.
                    self.alternatives_from.append(now)
                    self._away(child, now)
                    return
                est = self.first_best.per_child(
                    child,
                    need,
                    now,
                    bits,
                    units,
                    int(wait),
                    self.waiting,
                    self.views,
                    self.unit_free,
                )
                # Free and occupied places per care form in the units that fit the child.
                tally = self.first_best.tally(
                    every, every_units, self.views, self.unit_free, self.unit_occupied
                )
                soon = rules.region_expected_days
                if soon is not None:
                    days = self.first_best.in_region(child, every, tally, self.waiting)
                    if days > soon and need.sibling_group is None:  # a group waits together
                        # No place in the region expected in time: out of region now (a
                        # deviation with its reason), not after waiting in vain.
                        self.alternatives_from.append(now)
                        self._away(child, now, NO_PLACE_EXPECTED)
                        return
                free_alternative = any(
                    free > 0 for form, (free, _) in tally.items() if form != need.first_best
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
        self._enqueue(WaitingChild(child, now, need, now >= self.alternatives_from[child]))

    def _enqueue(self, view: WaitingChild) -> None:
        self.waiting[view.child_id] = view
        self.requeued.add(view.child_id)
        until = self.alternatives_from[view.child_id]
        if not view.alternatives_allowed and math.isfinite(until):
            heapq.heappush(self.first_best_until, (until, view.child_id))

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
        self._change(event.unit, occupied=-1)
        return True

    def _capacity(self, event: Event) -> bool:
        unit = event.unit
        self._change(unit, places=max(0, self.views[unit].places + event.delta))
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
        self._change(unit, held=-1)
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
            self._enqueue(WaitingChild(child, arrival, need, False))
            self.reordered = True
        return True

    def _could_place(self, now: float) -> bool:
        # Only call the policy (later an OR-Tools matcher) when some waiting child accepts
        # a care form that has a free place now; otherwise no placement can change.
        free_forms = self.free_forms
        for child, view in self.waiting.items():
            need = view.need
            if need.first_best in free_forms:
                return True
            if now >= self.alternatives_from[child] and not free_forms.isdisjoint(
                need.alternatives
            ):
                return True
        return False

    def _allocate(self, now: float) -> None:
        if self.reordered:
            self.waiting = dict(sorted(self.waiting.items()))
            self.reordered = False
        waiting, until = self.waiting, self.first_best_until
        while until and until[0][0] <= now:  # first-best waits over: alternatives allowed
            child = heapq.heappop(until)[1]
            view = waiting.get(child)
            if view is not None and not view.alternatives_allowed:
                waiting[child] = WaitingChild(child, view.arrival_day, view.need, True)
                self.requeued.add(child)
        assignments: Sequence[SimAssignment]
        if self.change_aware is not None:
            units, self.changed = self.changed, set()
            children = {c: waiting[c] for c in self.requeued if c in waiting}
            self.requeued = set()
            assignments = self.change_aware.allocate_changed(
                now, list(waiting.values()), self.views, units, children
            )
        else:
            self.changed.clear()
            self.requeued.clear()
            assignments = self.sc.allocation.allocate(now, list(waiting.values()), self.views)
        for assignment in assignments:
            self._apply(assignment, now)

    def _apply(self, assignment: SimAssignment, now: float) -> None:
        child = assignment.child_id
        if child not in self.waiting:
            raise PolicyError(f"kind {child} wacht niet", field="child_id")
        unit = self.unit_index.get(assignment.unit_id)
        if unit is None:
            raise PolicyError(f"onbekende unit {assignment.unit_id!r}", field="unit_id")
        if self.unit_free[unit] <= 0:
            raise PolicyError(f"unit {assignment.unit_id} heeft geen vrije plaats", field="unit_id")
        need = self.needs[child]
        form = self.views[unit].care_form
        acceptable = need.acceptable
        if form not in acceptable:
            raise PolicyError(f"zorgvorm {form} past niet bij kind {child}", field="unit_id")
        rank = acceptable.index(form)
        if rank > 0 and now < self.alternatives_from[child]:
            raise PolicyError(f"kind {child} wacht nog op first-best", field="unit_id")
        del self.waiting[child]
        reason = -1
        if rank > 0:
            why = FIRST_BEST_FULL
            if self.form_free.get(acceptable[0], 0) > 0:
                why = assignment.reason or POLICY_CHOICE
            reason = self.records.reason_code(why)
        if self.rules.hold_days > 0:
            self._change(unit, held=1)
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
        end = now + self._stay(child, self.views[unit].care_form)
        self._change(unit, occupied=1)
        self.records.place(
            child, now, end, unit=unit, form=self.form_code[unit], rank=rank, reason=reason
        )
        self._push(end, Kind.DEPARTURE, child=child, unit=unit)

    def _out_of_region(self, child: int, now: float) -> None:
        del self.waiting[child]
        self._away(child, now)

    def _away(self, child: int, now: float, reason: str = OUT_OF_REGION) -> None:
        """Placed out of region: in care there for its drawn stay in its first-best form.
        With several regions (simulations.regions), first in a free place of another one."""
        if self.elsewhere is not None:
            unit = self.elsewhere(now, self.needs[child], self.views, self.unit_free)
            if unit is not None:
                need, form = self.needs[child], self.views[unit].care_form
                if self.unit_free[unit] <= 0 or form not in need.acceptable:
                    raise PolicyError(f"unit {self.views[unit].unit_id} past niet", field="unit_id")
                code = self.records.reason_code(OTHER_REGION)
                self._start(child, unit, now, need.acceptable.index(form), code)
                return
        stay = self._stay(child, self.records.need_form[child])
        self.records.out_of_region(child, now, stay, reason)
        away = self.sc.out_of_region
        if away is not None:
            self.records.away_km[child] = away.km_from(self.records.home[child])
