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
  `score_table.profile_part` (read: the referral's `ProfileKey`), cached by those keys;
- per unit view object, its row of the static table (checked once against its fields).
Trivial instances (no sibling group; one referral, or one unit with a single capacity
level) are solved by the rule of `problem.trivial_choice`: the pairs with the highest
(score, tie-break), equal ones in (referral id, unit id) order. Their scores are the cached
static points plus the terms that need the date (`score_table.waiting_points`,
`availability_points`, `room_points`); the tie-break is only computed for pairs whose
score could be chosen. Anything else goes to `batch.assign` (build_problem, solver.solve).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

import numpy as np

from capacity.snapshot import UnitView
from domain.care import CareForm
from domain.errors import InvalidInput
from matcher.batch import Placement, assign
from matcher.models import Referral, SolverSettings
from matcher.problem import pair_tiebreak
from matcher.score_table import (
    Part,
    ProfileKey,
    availability_points,
    form_part,
    profile_key,
    profile_part,
    room_points,
    waiting_points,
)
from matcher.table import NEVER, BoolArray, IntArray, build_table, room_left, unit_capacity
from matcher.weights import Weights

# The static table reads no date; build_table just needs one.
_TABLE_DAY = date(2000, 1, 1)
# Entries a cache keeps before it starts again (bounded memory in long runs).
CACHE_LIMIT = 10_000

# Per static-table row: passes the checks before capacity; its static points.
StaticRow = tuple[BoolArray, IntArray]
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
        self._fixed = [_fixed(u) for u in self.table.units]
        self._views: dict[int, tuple[UnitView, int | None]] = {}
        self._steady: dict[int, tuple[UnitView, list[int], int]] = {}
        self._forms: dict[tuple[CareForm, ...], StaticRow] = {}
        self._profiles: dict[ProfileKey, StaticRow] = {}
        self._rows: dict[tuple[tuple[CareForm, ...], ProfileKey], StaticRow] = {}
        self._by_referral: dict[int, tuple[Referral, StaticRow]] = {}

    def row(self, unit_id: str) -> int | None:
        """The unit's row in the static table (None for a unit the session does not know)."""
        return self._row.get(unit_id)

    def static_row(self, referral: Referral) -> StaticRow:
        """Per static-table row: passes the hard checks before capacity, and static points."""
        hit = self._by_referral.get(id(referral))
        if hit is not None and hit[0] is referral:
            return hit[1]
        acceptable, key = referral.advice.acceptable, profile_key(referral)
        row = self._rows.get((acceptable, key))
        if row is None:
            form = self._forms.get(acceptable)
            if form is None:
                form = self._reduce(form_part(self.table, self.weights, acceptable))
                self._forms[acceptable] = form
            profile = self._profiles.get(key)
            if profile is None:
                profile = self._reduce(profile_part(self.table, self.weights, key))
                _bounded(self._profiles)[key] = profile
            row = (form[0] & profile[0], form[1] + profile[1])
            _bounded(self._rows)[(acceptable, key)] = row
        _bounded(self._by_referral)[id(referral)] = (referral, row)
        return row

    def assign(
        self, referrals: Sequence[Referral], units: Sequence[UnitView], *, today: date
    ) -> tuple[Placement, ...]:
        """The same as batch.assign(referrals, units, today=...), with the session's caches."""
        rows = [self._view_row(u) for u in units]
        grouped = [r.sibling_group for r in referrals if r.sibling_group is not None]
        trivial = (
            None not in rows
            and len(set(grouped)) == len(grouped)
            and len({r.referral_id for r in referrals}) == len(referrals)
            and len({u.unit_id for u in units}) == len(units)
        )
        if trivial and len(referrals) == 1:
            return self._one_referral(referrals[0], units, rows, today)
        if trivial and len(units) == 1:
            rises, caps, _, extra = self._unit_now(units[0], today)
            if not rises:  # one capacity level: every place there is free now
                return self._one_unit(referrals, units[0], rows[0], caps[0], extra, today)
        return assign(referrals, units, today=today, settings=self.settings, weights=self.weights)

    def _one_referral(
        self, referral: Referral, units: Sequence[UnitView], rows: list[int | None], today: date
    ) -> tuple[Placement, ...]:
        ok, points = self.static_row(referral)
        day = max(referral.deadline, today).toordinal()
        found: list[tuple[UnitView, int, int]] = []  # unit, points but waiting, first free day
        for unit, row in zip(units, rows, strict=True):
            if row is None or not ok.item(row):
                continue
            rises, caps, first_free, extra = self._unit_now(unit, today)
            if caps[bisect_right(rises, day)] > 0:  # the level of the deadline
                found.append((unit, points.item(row) + extra, first_free))
        if not found:
            return ()
        wait = waiting_points(referral, today, self.weights)
        scores = [s + wait for _, s, _ in found]
        top = max(scores)
        rid = referral.referral_id
        # Among the best scores, the highest tie-break; equal ones: the lowest unit id.
        _, _, k = min(
            (-pair_tiebreak(rid, found[k][0].unit_id), found[k][0].unit_id, k)
            for k, s in enumerate(scores)
            if s == top
        )
        unit, _, first_free = found[k]
        return (Placement(rid, unit.unit_id, top, date.fromordinal(first_free)),)

    def _one_unit(
        self,
        referrals: Sequence[Referral],
        unit: UnitView,
        row: int | None,
        places: int,
        extra: int,
        today: date,
    ) -> tuple[Placement, ...]:
        if places <= 0 or row is None:
            return ()
        scored = []
        known, weights = self._by_referral, self.weights
        for r in referrals:
            hit = known.get(id(r))  # static_row(r), the cached case inlined
            ok, points = hit[1] if hit is not None and hit[0] is r else self.static_row(r)
            if ok.item(row):
                scored.append((points.item(row) + waiting_points(r, today, weights), r))
        if len(scored) > places:
            # Only scores at or above the places-th best can be chosen; rank those fully.
            cut = sorted((s for s, _ in scored), reverse=True)[places - 1]
            ranked = sorted(
                (
                    (-s, -pair_tiebreak(r.referral_id, unit.unit_id), r.referral_id)
                    for s, r in scored
                    if s >= cut
                )
            )
            chosen = [(-s, rid) for s, _, rid in ranked[:places]]
        else:
            chosen = [(s, r.referral_id) for s, r in scored]
        return tuple(
            Placement(rid, unit.unit_id, s + extra, today) for s, rid in sorted(chosen, key=_second)
        )

    def _unit_now(self, unit: UnitView, today: date) -> tuple[list[int], list[int], int, int]:
        """`table.unit_capacity(unit, today)`, and the unit's availability and room points.

        Without expected departures or scheduled changes, `scoring.available` reads no date:
        one level, the same every day, free from today when it has a place. The capacity
        and points are then kept per view object, and the first free day is today.
        """
        steady = not unit.expected_departures and not unit.scheduled_changes
        if steady:
            hit = self._steady.get(id(unit))
            if hit is not None and hit[0] is unit:
                _, caps, extra = hit
                return [], caps, today.toordinal() if caps[0] > 0 else NEVER, extra
        rises, caps, first_free = unit_capacity(unit, today)
        stated = np.asarray(
            [unit.preferences is not None and unit.preferences.max_children is not None]
        )
        room = np.asarray([room_left(unit)], dtype=np.int64)
        days = np.asarray([first_free - today.toordinal()], dtype=np.int64)
        points = availability_points(days, self.weights) + room_points(stated, room, self.weights)
        extra = int(points[0])
        if steady:
            _bounded(self._steady)[id(unit)] = (unit, caps, extra)
        return rises, caps, first_free, extra

    def _view_row(self, unit: UnitView) -> int | None:
        """The unit's static row, if it is one of the session's units (checked once per view)."""
        hit = self._views.get(id(unit))
        if hit is not None and hit[0] is unit:
            return hit[1]
        row = self._row.get(unit.unit_id)
        if row is not None and _fixed(unit) != self._fixed[row]:
            row = None
        _bounded(self._views)[id(unit)] = (unit, row)
        return row

    def _reduce(self, part: Part) -> StaticRow:
        n = len(self.table.units)
        ok = np.ones(n, dtype=np.bool_)
        for check in part.checks:
            if check is not None:
                ok &= check
        points = np.zeros(n, dtype=np.int64)
        for column in part.columns.values():
            points += column
        return ok, points


def _second(item: tuple[int, str]) -> str:
    return item[1]


def _bounded(cache: dict[K, V]) -> dict[K, V]:
    """The cache, emptied first when it has grown to CACHE_LIMIT entries."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    return cache
