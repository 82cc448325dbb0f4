"""Planning again and again over one set of units (a simulation): `batch.assign`, cheaper.

`Session(units, weights=..., settings=...)` builds the static table of those units once.
`session.assign(referrals, units, today=...)` then returns exactly what
`batch.assign(referrals, units, today=...)` returns (tests/matcher/test_matcher_session.py),
for units that are the session's units in another state: only places, occupied, held,
expected departures and scheduled changes may differ (any other unit: batch.assign).

What it saves, each piece computed by the matcher's own code and cached by exactly what
that code reads:
- per referral, which units pass the hard checks before capacity and their static points:
  `score_table.form_part` (read: the advice's acceptable care forms) and
  `score_table.profile_part` (read: the referral's `ProfileKey`), the latter as its two
  halves `child_part` (age, sex, required capabilities) and `situation_part` (the rest),
  each cached by exactly the fields it reads. The fast paths keep, per referral, the
  units that pass all three as one int (bit j: static-table row j) and the three parts'
  points, added up per unit they look at: a new referral costs a few look-ups, no array
  arithmetic (`static_row` adds them up as arrays);
- per unit state, its row of the static table (checked once against its fields) and, for
  a unit without expected departures or scheduled changes, its places and the
  availability and room points, which then read no date.
A unit view is keyed by cheap values it carries: its id, places, occupied and held; its
entry holds the object it was worked out from and serves only that object (`is`; it is
frozen): another object with the same key is worked out again and takes the entry's
place. A referral is keyed by the object itself (`id`; its entry holds it, so no other
object can have that id while the entry lives): a simulation's child has two referrals
with one referral id (with and without alternatives), which keyed by that id pushed each
other out (Flevoland: 3.1 entries worked out per child instead of 2; keyed by the
object, -2.3 % instructions per replication). Keyed by their whole value instead, these
caches cost Flevoland 63 % more CPU (hashing a referral reads its whole advice);
comparing a new object with the entry's (==) took 2 % of a replication's CPU (sampled)
and found an equal one 12 times in 2,342. Every other cache is keyed by the
whole value it reads.
Trivial instances (no sibling group; one referral, or one unit with a single capacity
level) are solved by the rule of `problem.trivial_choice`: the pairs with the highest
(score, tie-break), equal ones in (referral id, unit id) order. Both paths score a pair
with the session's one evaluation of it, `_score` (held to `scoring.score_pair` by
property tests, through `pair_scores` and the one-unit path): the cached static points
of `score_table` plus its terms that need the date (`waited_points`,
`availability_points`, `room_points`). The tie-break is only computed for pairs whose
score could be chosen. Anything else goes to `batch.assign` (build_problem,
solver.solve).
"""

from __future__ import annotations

import dataclasses
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from itertools import islice
from operator import itemgetter
from typing import TypeVar

import numpy as np

from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.errors import InvalidInput
from domain.people import capability_mask
from domain.profile_vocabulary import Capability
from matcher.batch import Placement, assign
from matcher.models import MatchRequest, SolverSettings
from matcher.problem import tiebreak_with, unit_half
from matcher.score_table import (
    Part,
    ProfileKey,
    availability_points,
    child_part,
    form_part,
    profile_key,
    room_points,
    situation_part,
    waited_points,
)
from matcher.table import (
    BoolArray,
    IntArray,
    build_table,
    room_left,
    unit_capacity,
)
from matcher.weights import Weights

# The static table reads no date; build_table just needs one.
_TABLE_DAY = date(2000, 1, 1)
# Entries a cache keeps before it starts again (bounded memory in long runs).
CACHE_LIMIT = 10_000
# The same for what is kept per referral, where the older half goes: a caller keeps its
# waiting referrals in play (a simulation passes them again and again while new ones
# arrive).
REFERRAL_LIMIT = 8_000

# Per static-table row: passes the checks before capacity; its static points.
StaticRow = tuple[BoolArray, IntArray]
# One part of a static row: as arrays, and for indexing one row at a time the rows that
# pass as an int (bit j: row j) and the points as an int64 array (neither holds Python
# objects, so the garbage collector never scans them).
_Part = tuple[BoolArray, IntArray, int, "array[int]"]
# A unit view, its static row (-1: not one of the session's units, or changed) and, when
# steady, its places now and availability and room points (else -1, 0); see _view.
_View = tuple[UnitView, int, int, int]
# What a unit view is cached by: its id, places, occupied and held.
_ViewKey = tuple[str, int, int, int]
# A referral's rows passing all three parts (bit j: row j); the points of its care-form,
# child and situation parts; its waiting_since as an ordinal.
_Entry = tuple[int, "array[int]", "array[int]", "array[int]", int]
K = TypeVar("K")
V = TypeVar("V")


def _fixed(unit: UnitView) -> UnitView:
    """The unit without what may change between calls."""
    return dataclasses.replace(
        unit, places=0, occupied=0, held=0, expected_departures=(), scheduled_changes=()
    )


class Session:
    """The static table of a set of units, and the caches described in the module docs."""

    def __init__(
        self, units: Sequence[UnitView], *, weights: Weights, settings: SolverSettings
    ) -> None:
        if len({u.unit_id for u in units}) != len(units):
            raise InvalidInput("unit_id komt dubbel voor", field="units.unit_id")
        self.units = list(units)
        self.weights = weights
        self.settings = settings
        self.table = build_table(units, _TABLE_DAY)
        self._row = {u.unit_id: j for j, u in enumerate(self.table.units)}
        self._half = {u.unit_id: unit_half(u.unit_id) for u in self.table.units}
        self._fixed = [_fixed(u) for u in self.table.units]
        # Per unit state and per referral: by cheap values, each entry checked against its
        # object (see the module docs).
        self._views: dict[_ViewKey, _View] = {}
        self._forms: dict[tuple[CareForm, ...], _Part] = {}
        self._children: dict[tuple[object, ...], _Part] = {}
        self._situations: dict[tuple[object, ...], _Part] = {}
        self._masks: dict[tuple[Capability, ...], int] = {}
        self._by_referral: dict[int, tuple[MatchRequest, _Entry]] = {}  # by id(referral)
        # The waiting term by days waited: up to the cap, or (a policy's uncapped deadlines)
        # up to a year; `_score` works out longer waits directly.
        w = weights.params["waiting"]
        most = 366 if weights.deadlines else 7 * w["max_weeks"]
        self._waiting = [waited_points(d, weights) for d in range(most + 1)]
        self._capped = not weights.deadlines

    def row(self, unit_id: str) -> int | None:
        """The unit's row in the static table (None for a unit the session does not know)."""
        return self._row.get(unit_id)

    def static_row(self, referral: MatchRequest) -> StaticRow:
        """Per static-table row: passes the hard checks before capacity, and static points
        (the cached parts added up, as arrays: for inspection; the fast paths read the
        parts themselves)."""
        form, child, situation = self._parts(*self._key(referral))
        return (form[0] & child[0] & situation[0], form[1] + child[1] + situation[1])

    def fits(self, referral: MatchRequest) -> int:
        """The static-table rows (bit j: row j, see `row`) whose unit passes the referral's
        hard checks before capacity: `static_row`'s first half as an int."""
        return self._entry(referral)[0]

    def pair_scores(
        self, referral: MatchRequest, units: Sequence[UnitView], today: date
    ) -> dict[str, tuple[int, date]]:
        """The session's evaluation of every feasible pair of the referral with one of the
        session's units: unit id -> (score, first day a place is available). For the tests,
        which hold it to `scoring.check_pair` and `scoring.score_pair`."""
        views = [self._view(u) for u in units]
        assert all(v[1] >= 0 for v in views), "units of the session only"
        entry = self._entry(referral)
        return {
            unit.unit_id: (score, date.fromordinal(free))
            for score, unit, free in self._candidates(entry, views, referral.deadline, today)
        }

    def _key(self, referral: MatchRequest) -> tuple[tuple[CareForm, ...], ProfileKey]:
        """What the static row reads: the acceptable care forms and the ProfileKey."""
        advice = referral.advice
        required = advice.required_capabilities
        mask = self._masks.get(required)
        if mask is None:
            mask = _bounded(self._masks)[required] = capability_mask(required)
        return advice.acceptable, profile_key(referral, mask)

    def _parts(
        self, acceptable: tuple[CareForm, ...], key: ProfileKey
    ) -> tuple[_Part, _Part, _Part]:
        """The care-form, child and situation parts of a static row (each cached)."""
        form = self._forms.get(acceptable)
        if form is None:
            form = self._part(form_part(self.table, self.weights, acceptable))
            self._forms[acceptable] = form
        child = self._children.get(key[:3])
        if child is None:
            child = self._part(child_part(self.table, self.weights, *key[:3]))
            _bounded(self._children)[key[:3]] = child
        situation = self._situations.get(key[3:])
        if situation is None:
            situation = self._part(situation_part(self.table, self.weights, *key[3:]))
            _bounded(self._situations)[key[3:]] = situation
        return form, child, situation

    def assign(
        self, referrals: Sequence[MatchRequest], units: Sequence[UnitView], *, today: date
    ) -> tuple[Placement, ...]:
        """The same as batch.assign(referrals, units, today=...), with the session's caches."""
        known = self._views
        views: list[_View] = []
        for u in units:
            hit = known.get((u.unit_id, u.places, u.occupied, u.held))
            if hit is None or hit[0] is not u:
                hit = self._view(u)
            if hit[1] < 0:  # not one of the session's units: the batch
                views = []
                break
            views.append(hit)
        if views or not units:
            if len(referrals) == 1:
                if len(units) < 2 or len({u.unit_id for u in units}) == len(units):
                    return self._one_referral(referrals[0], views, today)
            elif len(units) == 1 and _distinct(referrals):
                unit, row, cap, extra = views[0]
                if cap < 0:  # not steady
                    rises, caps, _, extra = self._unit_now(unit, today)
                    cap = -1 if rises else caps[0]
                if cap >= 0:  # one capacity level: every place there is free now
                    return self._one_unit(referrals, unit, row, cap, extra, today)
        return assign(referrals, units, today=today, settings=self.settings, weights=self.weights)

    def forget_referrals(self) -> None:
        """Drop what is cached per referral (for a caller done with its referrals, such as a
        simulation starting a new run): only memory, the results stay the same."""
        self._by_referral.clear()

    def _entry(self, referral: MatchRequest) -> _Entry:
        """The referral's static row for the fast paths, and its waiting_since (cached)."""
        hit = self._by_referral.get(id(referral))
        if hit is not None:  # the entry holds the referral: no other object has its id
            return hit[1]
        return self._new_entry(referral)

    def _new_entry(self, referral: MatchRequest) -> _Entry:
        """`_entry` worked out, and kept by the referral object (`id`)."""
        form, child, situation = self._parts(*self._key(referral))
        ok = form[2] & child[2] & situation[2]
        entry = (ok, form[3], child[3], situation[3], referral.waiting_since.toordinal())
        known = self._by_referral
        if len(known) >= REFERRAL_LIMIT:
            for old in list(islice(known, REFERRAL_LIMIT // 2)):
                del known[old]
        known[id(referral)] = (referral, entry)
        return entry

    def _candidates(
        self,
        entry: _Entry,
        views: Sequence[_View],
        deadline: date,
        today: date,
    ) -> list[tuple[int, UnitView, int]]:
        """Per feasible unit: the pair's score, the unit, its first free day (an ordinal)."""
        ok = entry[0]
        score = self._score
        day = max(deadline, today).toordinal()
        now = today.toordinal()
        found: list[tuple[int, UnitView, int]] = []
        for unit, row, cap, extra in views:
            if not ok >> row & 1:
                continue
            if cap >= 0:  # steady: one level, free from today when it has a place
                if cap > 0:
                    found.append((score(entry, row, now, extra), unit, now))
                continue
            rises, caps, first_free, points_now = self._unit_now(unit, today)
            if caps[bisect_right(rises, day)] > 0:  # the level of the deadline
                found.append((score(entry, row, now, points_now), unit, first_free))
        return found

    def _score(self, entry: _Entry, row: int, day: int, unit_points: int) -> int:
        """The session's one evaluation of `scoring.score_pair` for a feasible pair: the
        referral's static points in the unit's row, its waiting points on `day` (an ordinal)
        and the unit's availability and room points on that day (`unit_points`)."""
        waiting = self._waiting  # waited_points by days waited, up to the cap or a year
        waited = day - entry[4]
        if waited >= len(waiting):
            if not self._capped:  # a policy's deadlines: urgency grows without a cap
                wait = waited_points(waited, self.weights)
                return entry[1][row] + entry[2][row] + entry[3][row] + wait + unit_points
            waited = len(waiting) - 1
        elif waited < 0:
            waited = 0
        return entry[1][row] + entry[2][row] + entry[3][row] + waiting[waited] + unit_points

    def _one_referral(
        self, referral: MatchRequest, views: list[_View], today: date
    ) -> tuple[Placement, ...]:
        entry = self._entry(referral)
        found = self._candidates(entry, views, referral.deadline, today)
        if not found:
            return ()
        best = found[0]
        if len(found) > 1:
            top = max(found, key=itemgetter(0))[0]
            tied = [f for f in found if f[0] == top]
            best = tied[0]
            if len(tied) > 1:
                # Among the best scores, the highest tie-break; equal ones: the lowest unit id.
                rid, half = referral.referral_id, self._half
                _, _, best = min(
                    (-tiebreak_with(rid, half[f[1].unit_id]), f[1].unit_id, f) for f in tied
                )
        return (
            Placement(referral.referral_id, best[1].unit_id, best[0], date.fromordinal(best[2])),
        )

    def _one_unit(
        self,
        referrals: Sequence[MatchRequest],
        unit: UnitView,
        row: int,
        places: int,
        extra: int,
        today: date,
    ) -> tuple[Placement, ...]:
        if places <= 0:
            return ()
        scored: list[tuple[int, MatchRequest]] = []
        entry_of, score = self._entry, self._score
        day = today.toordinal()
        for r in referrals:
            entry = entry_of(r)
            if entry[0] >> row & 1:
                scored.append((score(entry, row, day, extra), r))
        if len(scored) > places:
            # Only scores at or above the places-th best can be chosen; rank those fully.
            if places == 1:
                cut = max(scored, key=itemgetter(0))[0]
            else:
                cut = sorted((s for s, _ in scored), reverse=True)[places - 1]
            half = self._half[unit.unit_id]
            ranked = sorted(
                [
                    (-s, -tiebreak_with(r.referral_id, half), r.referral_id)
                    for s, r in scored
                    if s >= cut
                ]
            )
            chosen = [(-s, rid) for s, _, rid in ranked[:places]]
        else:
            chosen = [(s, r.referral_id) for s, r in scored]
        return tuple(
            Placement(rid, unit.unit_id, s, today) for s, rid in sorted(chosen, key=_second)
        )

    def _unit_now(self, unit: UnitView, today: date) -> tuple[list[int], list[int], int, int]:
        """`table.unit_capacity(unit, today)`, and the unit's availability and room points."""
        rises, caps, first_free = unit_capacity(unit, today)
        stated = np.asarray(
            [unit.preferences is not None and unit.preferences.max_children is not None]
        )
        room = np.asarray([room_left(unit)], dtype=np.int64)
        days = np.asarray([first_free - today.toordinal()], dtype=np.int64)
        points = availability_points(days, self.weights) + room_points(stated, room, self.weights)
        return rises, caps, first_free, int(points[0])

    def _view(self, unit: UnitView) -> _View:
        """The unit's static row (-1: not one of the session's units, or changed) and, when
        steady, its places now and availability and room points (else -1, 0); cached by the
        unit's id, places, occupied and held (see the module docs).

        Without expected departures or scheduled changes, `scoring.available` reads no date:
        one level, the same every day, free from today when it has a place (so the points
        read no date either: `_TABLE_DAY` stands for any day).
        """
        row = self._row.get(unit.unit_id, -1)
        if row >= 0 and _fixed(unit) != self._fixed[row]:
            row = -1
        cap, extra = -1, 0
        if row >= 0 and not unit.expected_departures and not unit.scheduled_changes:
            _, caps, _, extra = self._unit_now(unit, _TABLE_DAY)
            cap = caps[0]
        view = (unit, row, cap, extra)
        _bounded(self._views)[unit.unit_id, unit.places, unit.occupied, unit.held] = view
        return view

    def _part(self, part: Part) -> _Part:
        """The part's checks and columns reduced to one row: passes, and points."""
        n = len(self.table.units)
        ok = np.ones(n, dtype=np.bool_)
        for check in part.checks:
            if check is not None:
                ok &= check
        points = np.zeros(n, dtype=np.int64)
        for column in part.columns.values():
            points += column
        bits = int.from_bytes(np.packbits(ok, bitorder="little").tobytes(), "little")
        return ok, points, bits, array("q", points.tobytes())


def _second(item: tuple[int, str]) -> str:
    return item[1]


def _distinct(referrals: Sequence[MatchRequest]) -> bool:
    """No two referrals with the same id, nor two in the same sibling group."""
    groups = [r.sibling_group for r in referrals if r.sibling_group is not None]
    return len({r.referral_id for r in referrals}) == len(referrals) and len(set(groups)) == len(
        groups
    )


def _bounded(cache: dict[K, V], limit: int = CACHE_LIMIT) -> dict[K, V]:
    """The cache, emptied first when it has grown to `limit` entries."""
    if len(cache) >= limit:
        cache.clear()
    return cache
