"""Allocation policies that call the real matcher inside the engine.

Engine days become dates from the scenario's start date. Call a pair (child, unit) *open*
when the unit has a free place and passes the child's hard rules (matcher.score_table,
before capacity) for a care form the child may take now. Each call hands the matcher the
waiting children that have an open pair (with their waiting siblings) and their open
units (as `UnitView`s with their current places, occupied and held). A child still
waiting for first-best (`alternatives_allowed` False) is passed with an advice without
alternatives, so the matcher cannot offer one too early.

- `optimizer`: one batch plan over all those children at once (the exact optimum).
- `greedy_fcfs`: the same hard rules and scores, but children one at a time in order of
  arrival, each taking its best place among what the earlier ones left (no look-ahead);
  a sibling group's waiting children are planned at once, when the first of them comes
  up, so the matcher's sibling rules hold (a "together" group gets one unit or waits).

The matcher is `matcher.session.Session` (`cached=True`, the default): the same plans as
`matcher.batch.assign`, with the static table and scores cached and exact fast paths for
one child or one unit (tested there against the batch). `cached=False` calls
matcher.batch.assign itself.

Finding the children with an open pair (`incremental=True`, the default) without looking
at them all: after a call whose assignments were applied, a waiting child without an
open pair stays without one until (1) the child changes (arrival, first-best wait over,
back after a declined proposal: the engine then passes a new `WaitingChild`) or (2) a
unit it fits gets more free places than the call left it (a departure, a hold ending, a
capacity change), because the hard rules of the simulation's units do not depend on the
date (checked: without expected departures or scheduled changes; otherwise every call
looks at every child). So a child has an open pair now only if it changed, was left
with one by the previous call (a sibling group that goes together can be), or fits a
unit with more free places than that call left, and then its open units are among those
units. The policy therefore hands the matcher exactly the instance that looking at every
waiting child gives (tests/simulations/test_matching.py compares the two, call by call).
A `ChangeAware` engine says which units and children changed; without it (`allocate`)
the policy compares them with what the previous call saw.

The two calls that make up nearly all of a run, an arrival (one child changed, no unit
opened) and a departure (one unit opened, no child changed), each take a shorter path to
the same instance (`_arrival`, `_departure`; again compared call by call in the tests).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter

from capacity.snapshot import UnitView
from matcher.batch import Placement, assign
from matcher.models import MatchRequest, SolverSettings
from matcher.session import Session
from matcher.weights import Weights, default_weights
from simulations.children import ChildCase
from simulations.matching_run import (
    ChildFits,
    RunState,
    template,
    together_waits,
    with_siblings,
)
from simulations.model import SimAssignment, SimUnit, WaitingChild
from simulations.records import MATCHER_CHOICE

_referral_id = attrgetter("referral_id")

# Children to plan, each with its open units when those can only be among the opened units
# (None: look at every free unit).
Chosen = list[tuple[WaitingChild, list[int] | None]]


@dataclass
class MatcherPolicy:
    """An `AllocationPolicy` backed by the matcher (batch optimum or one child at a time)."""

    start_date: date
    mode: str = "optimizer"
    weights: Weights = field(default_factory=default_weights)
    settings: SolverSettings = field(
        default_factory=lambda: SolverSettings(time_limit_s=10.0, workers=1, seed=0)
    )
    incremental: bool = True
    cached: bool = True  # matcher.session.Session (else matcher.batch.assign on every call)
    calls: int = 0
    _run: RunState | None = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False)
    _views: dict[tuple[str, int, int, int], UnitView] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """Name recorded in the outputs."""
        return self.mode

    def __getstate__(self) -> dict[str, object]:
        """Pickled (to a worker process) without the run state and caches."""
        return {**self.__dict__, "_run": None, "_session": None, "_views": {}}

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        """Assignments from the matcher for the waiting children that a free place could fit."""
        return self.allocate_changed(now, waiting, units, None, None)

    def allocate_changed(
        self,
        now: float,
        waiting: Sequence[WaitingChild],
        units: Sequence[SimUnit],
        units_changed: set[int] | None,
        children_changed: Mapping[int, WaitingChild] | None,
    ) -> list[SimAssignment]:
        """`allocate`, told what the engine changed since the previous call (None: anything
        may have changed; see simulations.policies.ChangeAware)."""
        run = self._state(now, units)
        opened = run.refresh(units, units_changed, self._views)
        full = not (self.incremental and run.time_free)
        run.forget_gone(waiting)
        if (
            children_changed is not None
            and run.compared
            and not full
            and not run.unstable
            and not run.groups
            and self.mode == "optimizer"
        ):
            if not opened and len(children_changed) == 1:
                fast = self._arrival(run, now, next(iter(children_changed.values())))
                if fast is not None:
                    return fast
            elif len(opened) == 1 and not children_changed:
                return self._departure(run, now, waiting, next(iter(opened)))
        chosen = self._select(run, waiting, opened, full, children_changed)
        if run.groups:
            chosen = together_waits(chosen)
        referrals: list[MatchRequest] = []
        by_id: dict[str, int] = {}
        open_units: dict[int, list[int]] = {}  # by child id
        used: set[int] = set()
        for child, known in chosen:
            info, allowed = self._allowed(run, child)
            case = info.case
            fits = run.units_of(allowed & run.free) if known is None else known
            if not fits and case.referral.sibling_group is None:
                continue  # no free unit passes this child's static hard rules
            referral = case.referral if child.alternatives_allowed else case.first_best_only
            referrals.append(referral)
            by_id[referral.referral_id] = child.child_id
            open_units[child.child_id] = fits
            used.update(fits)
        out: list[SimAssignment] = []
        # Units no child can use change no plan: the matcher would never pair them.
        if referrals:
            today = self.start_date + timedelta(days=int(now))
            views = run.views
            out = self._solve(referrals, {units[i].unit_id: views[i] for i in used}, today, by_id)
        run.remember(out, used, open_units)
        return out

    def _arrival(
        self, run: RunState, now: float, child: WaitingChild
    ) -> list[SimAssignment] | None:
        """`allocate_changed` when only `child` changed and no unit opened: the one child
        with its free fitting units (None: it is in a sibling group, take the long way)."""
        cid = child.child_id
        run.known[cid] = child
        info, allowed = self._allowed(run, child)  # notes a sibling group
        if run.groups:
            return None
        alternatives = child.alternatives_allowed
        run.allowed[cid] = allowed
        open_bits = allowed & run.free
        if not open_bits:
            return []  # the previous call left no child with an open pair, nor does this one
        fits = run.units_of(open_bits)
        case = info.case
        referral = case.referral if alternatives else case.first_best_only
        today = self.start_date + timedelta(days=int(now))
        views = run.views
        out = self._plan([referral], [views[i] for i in fits], today, {referral.referral_id: cid})
        free_after = run.free_after
        if out:
            free_after[run.index[out[0].unit_id]] -= 1
        elif any(free_after[i] > 0 for i in fits):
            run.unstable = {cid}
        return out

    def _departure(
        self, run: RunState, now: float, waiting: Sequence[WaitingChild], unit: int
    ) -> list[SimAssignment]:
        """`allocate_changed` when only `unit` opened and no child changed: the children
        who fit that unit, with that unit alone."""
        allowed, bit, children = run.allowed, run.bit[unit], run.children
        referrals, ids = [], []
        for c in waiting:
            cid = c.child_id
            if allowed[cid] & bit:
                case = children[cid].case
                referrals.append(case.referral if c.alternatives_allowed else case.first_best_only)
                ids.append(cid)
        if not ids:
            return []
        by_id = dict(zip(map(_referral_id, referrals), ids, strict=True))
        today = self.start_date + timedelta(days=int(now))
        out = self._plan(referrals, [run.views[unit]], today, by_id)
        free_after = run.free_after
        free_after[unit] -= len(out)
        if free_after[unit] > 0:
            placed = {a.child_id for a in out}
            run.unstable = {cid for cid in ids if cid not in placed}
        return out

    def _select(
        self,
        run: RunState,
        waiting: Sequence[WaitingChild],
        opened: set[int],
        full: bool,
        changed: Mapping[int, WaitingChild] | None,
    ) -> list[tuple[WaitingChild, list[int] | None]]:
        """The children that can have an open pair now, in waiting order, each with its open
        units when those can only be among the opened units (else None: look at all)."""
        known, allowed, unstable = run.known, run.allowed, run.unstable
        if changed is None or full or not run.compared:
            # Compare every child with the one the last call saw: the engine passes a new
            # WaitingChild object when a child arrives or changes.
            changed = {c.child_id: c for c in waiting if full or known.get(c.child_id) is not c}
            run.compared = True
        for cid, child in changed.items():
            known[cid] = child
            allowed[cid] = self._allowed(run, child)[1]
        look = changed.keys() | unstable if unstable else changed.keys()
        if not opened:
            if len(look) <= 1 and not unstable and not run.groups:  # the usual: an arrival
                return [(child, None) for child in changed.values()]
            chosen: list[tuple[WaitingChild, list[int] | None]]
            chosen = [(child, None) for child in waiting if child.child_id in look]
            return with_siblings(chosen, waiting) if run.groups else chosen
        # Any other child had no open pair after the last call, so it can only have one now
        # in a unit that has more free places than that call left.
        units_opened = sorted(opened)
        single = units_opened[0] if len(units_opened) == 1 else -1  # the usual: a departure
        bit = run.bit
        if single >= 0 and not look:  # the same as the loop below, in one pass
            single_bit = bit[single]
            chosen = [(c, units_opened) for c in waiting if allowed[c.child_id] & single_bit]
            return with_siblings(chosen, waiting) if run.groups else chosen
        chosen = []
        for child in waiting:
            cid = child.child_id
            if cid in look:
                chosen.append((child, None))
                continue
            fits = allowed[cid]
            if single >= 0:
                if fits & bit[single]:
                    chosen.append((child, units_opened))
            elif hit := [i for i in units_opened if fits & bit[i]]:
                chosen.append((child, hit))
        return with_siblings(chosen, waiting) if run.groups else chosen

    def _solve(
        self,
        referrals: list[MatchRequest],
        views: dict[str, UnitView],
        today: date,
        by_id: dict[str, int],
    ) -> list[SimAssignment]:
        if self.mode == "optimizer":
            return self._plan(referrals, list(views.values()), today, by_id)
        out: list[SimAssignment] = []
        groups: dict[str, list[MatchRequest]] = {}
        for referral in referrals:
            if referral.sibling_group is not None:
                groups.setdefault(referral.sibling_group, []).append(referral)
        for referral in referrals:  # arrival order: the engine passes children that way
            if not views:
                break
            batch = [referral]
            if referral.sibling_group is not None:
                batch = groups[referral.sibling_group]
                if batch[0] is not referral:
                    continue  # planned with the first of its group
            chosen = self._plan(batch, list(views.values()), today, by_id)
            for a in chosen:
                view = views[a.unit_id]
                held = dataclasses.replace(view, held=view.held + 1)
                if held.free_now > 0:
                    views[a.unit_id] = held
                else:
                    del views[a.unit_id]
            out.extend(chosen)
        return out

    def _plan(
        self,
        referrals: list[MatchRequest],
        views: list[UnitView],
        today: date,
        by_id: dict[str, int],
    ) -> list[SimAssignment]:
        self.calls += 1
        placements: Sequence[Placement]
        if self.cached and self._session is not None:
            placements = self._session.assign(referrals, views, today=today)
        else:
            placements = assign(
                referrals, views, today=today, settings=self.settings, weights=self.weights
            )
        return [
            SimAssignment(by_id[p.referral_id], p.unit_id, MATCHER_CHOICE)
            for p in sorted(placements, key=lambda p: p.referral_id)
            if p.available_from <= today
        ]

    def first_best_fits(
        self, now: float, units: Sequence[SimUnit], case: object
    ) -> tuple[int, list[int], int, list[int]]:
        """For the wait-or-take rule (matcher.expected): the units that fit the child in its
        first-best care form and those that fit it in any acceptable care form (the hard
        checks before capacity), each as session bits and as engine unit indices."""
        assert isinstance(case, ChildCase)
        run = self._state(now, units)
        session = self._session
        assert session is not None
        bits, every = session.fits(case.first_best_only), session.fits(case.referral)
        return bits, run.units_by_row(bits), every, run.units_by_row(every)

    def _state(self, now: float, units: Sequence[SimUnit]) -> RunState:
        """This run's state; a new units list (or time going back) starts a new run."""
        run = self._run
        if run is None or run.units is not units or now < run.day or len(run.seen) != len(units):
            templates = [template(u) for u in units]
            session = self._session
            if session is None or session.weights is not self.weights or session.units != templates:
                session = Session(templates, weights=self.weights, settings=self.settings)
                self._session = session
            session.forget_referrals()  # the previous run's children are gone
            n = len(units)
            bits, unit_at = [0] * n, [0] * n
            for i, view in enumerate(templates):
                row = session.row(view.unit_id)
                assert row is not None  # the session is built from these units
                bits[i], unit_at[row] = 1 << row, i
            run = RunState(
                units,
                now,
                [None] * n,
                [-1] * n,
                bit=bits,
                unit_at=unit_at,
                time_free=all(
                    not v.expected_departures and not v.scheduled_changes for v in templates
                ),
                views=list(templates),
                index={u.unit_id: i for i, u in enumerate(units)},
            )
            self._run = run
        run.day = now
        return run

    def _allowed(self, run: RunState, child: WaitingChild) -> tuple[ChildFits, int]:
        assert self._session is not None  # _state made it
        return run.allowed_for(child, self._session)
