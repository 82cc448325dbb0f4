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
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import compress
from operator import is_not

import numpy as np

from capacity.snapshot import UnitView
from matcher.batch import Placement, assign
from matcher.models import Referral, SolverSettings
from matcher.session import Session
from matcher.weights import Weights, default_weights
from simulations.children import ChildCase
from simulations.model import Assignment, UnitState, WaitingChild

POLICY_CHOICE_MATCHER = "matcher_choice"


@dataclass(frozen=True, slots=True)
class _Child:
    """A waiting child's case and, per unit (engine index), whether it passes the static
    hard rules in the child's first-best care form and in any acceptable one."""

    case: ChildCase
    first: list[bool]
    every: list[bool]

    def allowed(self, child: WaitingChild) -> list[bool]:
        """Per unit: of a care form the child may take now and passing its static rules."""
        return self.every if child.alternatives_allowed else self.first


@dataclass
class _Run:
    """One engine run as the previous call left it (the engine's units list marks the run)."""

    units: Sequence[UnitState]
    day: float
    seen: list[UnitState | None]  # each unit's state as the previous call saw it
    free_after: list[int]  # its free places once that call's assignments are applied
    rows: np.ndarray  # each unit's row in the session's static table
    forms: np.ndarray  # each unit's care form, as a code of `codes`
    codes: dict[str, int]
    time_free: bool  # no unit's free places depend on the date
    free: set[int] = field(default_factory=set)  # units with a free place now
    # By child id: the WaitingChild the previous call saw and the units it may take.
    known: dict[int, WaitingChild] = field(default_factory=dict)
    allowed: dict[int, list[bool]] = field(default_factory=dict)
    unstable: set[int] = field(default_factory=set)  # children left with an open pair
    children: dict[int, _Child] = field(default_factory=dict)  # by child id
    groups: bool = False  # some child so far was in a sibling group
    scanned: bool = False  # the units have been compared once with `seen`
    compared: bool = False  # the waiting children have been compared once with `known`


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
    _run: _Run | None = field(default=None, repr=False)
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
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[UnitState]
    ) -> list[Assignment]:
        """Assignments from the matcher for the waiting children that a free place could fit."""
        return self.allocate_changed(now, waiting, units, None, None)

    def allocate_changed(
        self,
        now: float,
        waiting: Sequence[WaitingChild],
        units: Sequence[UnitState],
        units_changed: set[int] | None,
        children_changed: Mapping[int, WaitingChild] | None,
    ) -> list[Assignment]:
        """`allocate`, told what the engine changed since the previous call (None: anything
        may have changed; see simulations.policies.ChangeAware)."""
        run = self._state(now, units)
        opened = self._refresh(run, units, units_changed)
        full = not (self.incremental and run.time_free)
        chosen = self._select(run, waiting, opened, full, children_changed)
        referrals: list[Referral] = []
        by_id: dict[str, int] = {}
        open_units: dict[int, list[int]] = {}  # by child id
        used: set[int] = set()
        free: list[int] | None = None
        for child, known in chosen:
            info = self._child(run, child)
            if known is None:
                allowed = info.allowed(child)
                free = sorted(run.free) if free is None else free
                fits = [i for i in free if allowed[i]]
            else:
                fits = known
            if not fits and info.case.referral.sibling_group is None:
                continue  # no free unit passes this child's static hard rules
            case = info.case
            referral = case.referral if child.alternatives_allowed else case.first_best_only
            referrals.append(referral)
            by_id[referral.referral_id] = child.child_id
            open_units[child.child_id] = fits
            used.update(fits)
        out: list[Assignment] = []
        # Units no child can use change no plan: the matcher would never pair them.
        fitting = {units[i].unit_id: i for i in used}
        if referrals:
            today = self.start_date + timedelta(days=int(now))
            views = {uid: self._view(units[i]) for uid, i in fitting.items()}
            out = self._solve(referrals, views, today, by_id)
        self._remember(run, out, fitting, open_units)
        return out

    def _select(
        self,
        run: _Run,
        waiting: Sequence[WaitingChild],
        opened: set[int],
        full: bool,
        changed: Mapping[int, WaitingChild] | None,
    ) -> list[tuple[WaitingChild, list[int] | None]]:
        """The children that can have an open pair now, in waiting order, each with its open
        units when those can only be among the opened units (else None: look at all)."""
        known, allowed, unstable = run.known, run.allowed, run.unstable
        if len(known) > 2 * len(waiting) + 64:  # forget children who left
            ids = {child.child_id for child in waiting}
            for table in (known, allowed, run.children):
                for cid in [cid for cid in table if cid not in ids]:
                    del table[cid]
        if changed is None or full or not run.compared:
            # Compare every child with the one the last call saw: the engine passes a new
            # WaitingChild object when a child arrives or changes.
            changed = {c.child_id: c for c in waiting if full or known.get(c.child_id) is not c}
            run.compared = True
        for cid, child in changed.items():
            known[cid] = child
            info = self._child(run, child)
            allowed[cid] = info.every if child.alternatives_allowed else info.first
        look = changed.keys() | unstable if unstable else changed.keys()
        if not opened:
            if len(look) <= 1 and not unstable and not run.groups:  # the usual: an arrival
                return [(child, None) for child in changed.values()]
            chosen: list[tuple[WaitingChild, list[int] | None]]
            chosen = [(child, None) for child in waiting if child.child_id in look]
            return _with_siblings(chosen, waiting) if run.groups else chosen
        # Any other child had no open pair after the last call, so it can only have one now
        # in a unit that has more free places than that call left.
        units_opened = sorted(opened)
        single = units_opened[0] if len(units_opened) == 1 else -1  # the usual: a departure
        chosen = []
        for child in waiting:
            cid = child.child_id
            if cid in look:
                chosen.append((child, None))
                continue
            fits = allowed[cid]
            if single >= 0:
                if fits[single]:
                    chosen.append((child, units_opened))
            elif hit := [i for i in units_opened if fits[i]]:
                chosen.append((child, hit))
        return _with_siblings(chosen, waiting) if run.groups else chosen

    def _solve(
        self,
        referrals: list[Referral],
        views: dict[str, UnitView],
        today: date,
        by_id: dict[str, int],
    ) -> list[Assignment]:
        if self.mode == "optimizer":
            return self._plan(referrals, list(views.values()), today, by_id)
        out: list[Assignment] = []
        groups: dict[str, list[Referral]] = {}
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
        self, referrals: list[Referral], views: list[UnitView], today: date, by_id: dict[str, int]
    ) -> list[Assignment]:
        self.calls += 1
        placements: Sequence[Placement]
        if self.cached and self._session is not None:
            placements = self._session.assign(referrals, views, today=today)
        else:
            placements = assign(
                referrals, views, today=today, settings=self.settings, weights=self.weights
            )
        return [
            Assignment(by_id[p.referral_id], p.unit_id, POLICY_CHOICE_MATCHER)
            for p in sorted(placements, key=lambda p: p.referral_id)
            if p.available_from <= today
        ]

    def _state(self, now: float, units: Sequence[UnitState]) -> _Run:
        """This run's state; a new units list (or time going back) starts a new run."""
        run = self._run
        if run is None or run.units is not units or now < run.day or len(run.seen) != len(units):
            templates = [_template(u) for u in units]
            session = self._session
            if session is None or session.weights is not self.weights or session.units != templates:
                session = Session(templates, weights=self.weights, settings=self.settings)
                self._session = session
            codes: dict[str, int] = {}
            n = len(units)
            run = _Run(
                units,
                now,
                [None] * n,
                [-1] * n,
                rows=np.asarray([session.row(v.unit_id) for v in templates], dtype=np.int64),
                forms=np.asarray([codes.setdefault(u.care_form, len(codes)) for u in units]),
                codes=codes,
                time_free=all(
                    not v.expected_departures and not v.scheduled_changes for v in templates
                ),
            )
            self._run = run
        run.day = now
        return run

    @staticmethod
    def _refresh(run: _Run, units: Sequence[UnitState], changed: set[int] | None) -> set[int]:
        """Bring the free places up to date; the units with more than the last call left."""
        opened: set[int] = set()
        if changed is None or not run.scanned:
            changed = set(compress(range(len(units)), map(is_not, units, run.seen)))
            run.scanned = True
        for i in changed:
            unit = units[i]
            free = unit.free
            if free > run.free_after[i]:
                opened.add(i)
            run.free_after[i] = free
            run.seen[i] = unit
            if free > 0:
                run.free.add(i)
            else:
                run.free.discard(i)
        return opened

    @staticmethod
    def _remember(
        run: _Run,
        out: list[Assignment],
        fitting: dict[str, int],
        open_units: dict[int, list[int]],
    ) -> None:
        """What the next call needs: free places after these assignments, who kept a pair."""
        placed = set()
        for a in out:
            run.free_after[fitting[a.unit_id]] -= 1
            placed.add(a.child_id)
        free_after = run.free_after
        run.unstable = {
            child
            for child, fits in open_units.items()
            if child not in placed and any(free_after[i] > 0 for i in fits)
        }

    def _child(self, run: _Run, child: WaitingChild) -> _Child:
        """The child's case and static fits (from the matcher's session), cached per run."""
        info = run.children.get(child.child_id)
        case = child.need.payload
        if info is None or info.case is not case:
            assert isinstance(case, ChildCase)  # ProfileSource puts it there
            assert self._session is not None
            ok = self._session.static_row(case.referral)[0][run.rows]
            first = ok & (run.forms == run.codes.get(child.need.first_best, -1))
            info = _Child(case, first.tolist(), ok.tolist())
            run.groups = run.groups or case.referral.sibling_group is not None
            run.children[child.child_id] = info
        return info

    def _view(self, unit: UnitState) -> UnitView:
        """The unit as the matcher sees it now (cached per capacity state)."""
        key = (unit.unit_id, unit.places, unit.occupied, unit.held)
        view = self._views.get(key)
        if view is None:
            view = dataclasses.replace(
                _template(unit), places=unit.places, occupied=unit.occupied, held=unit.held
            )
            if len(self._views) > 100_000:
                self._views.clear()
            self._views[key] = view
        return view


def _group(child: WaitingChild) -> str | None:
    case = child.need.payload
    return case.referral.sibling_group if isinstance(case, ChildCase) else None


def _with_siblings(
    chosen: list[tuple[WaitingChild, list[int] | None]], waiting: Sequence[WaitingChild]
) -> list[tuple[WaitingChild, list[int] | None]]:
    """The chosen children and every waiting sibling of theirs, in waiting order."""
    groups = {g for c, _ in chosen if (g := _group(c)) is not None}
    if not groups:
        return chosen
    known = {c.child_id: k for c, k in chosen}
    return [
        (c, known.get(c.child_id)) for c in waiting if c.child_id in known or _group(c) in groups
    ]


def _template(unit: UnitState) -> UnitView:
    view = unit.payload
    assert isinstance(view, UnitView)  # the scenario loader puts it there
    return view
