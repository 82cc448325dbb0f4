"""Availability queries and the anonymous aggregate for verwijzers, from an in-memory index.

Why an index: a query must answer in well under 5 ms at national scale (5,000 units), which
a database round trip with joins and counts cannot promise. The index holds every unit's
committed UnitState (the states the live view mirrors, kept current by capacity.sync after
each commit and by change events from other processes) and, per unit, a row of numpy
columns: care form, municipality, age range, capabilities as a bit mask, free places now
(holds aside) and the free places on each of the next HORIZON_DAYS days (from expected
departures, scheduled changes and the closing date). A query is then a few vectorised
comparisons. Holds are subtracted at query time from their expiries, so an expired hold
frees its place in the answers at once. Dates beyond the horizon fall back to
UnitView.free_by, which the precomputed rows reproduce exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from capacity.snapshot import UnitView
from capacity.state import ChangeEvent, UnitState
from domain.care import CareForm
from domain.people import capability_mask
from domain.places import Municipality, municipality_index
from domain.profile_vocabulary import AgeBand, Capability
from domain.vocabulary import UnitStatus

HORIZON_DAYS = 400
# Days after which the precomputed rows are re-based on today (a cheap, rare rebuild).
REBASE_AFTER_DAYS = 7
_TZ = ZoneInfo("Europe/Amsterdam")
_CLOSED = -10_000
_FORMS = list(CareForm)
_FORM_CODE = {form: i for i, form in enumerate(_FORMS)}
_PLACE_CODE = municipality_index()
# Age bands of the aggregate as inclusive ranges (18+ runs to the Jeugdwet maximum).
BAND_RANGE: dict[AgeBand, tuple[int, int]] = {
    AgeBand.TOT_12: (0, 11),
    AgeBand.VAN_12_TOT_18: (12, 17),
    AgeBand.VANAF_18: (18, 99),
}
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class AvailabilityQuery:
    """Filters of an availability question; None means 'any'."""

    care_forms: frozenset[CareForm] | None = None
    municipality: Municipality | None = None
    region_only: bool = False
    age: int | None = None
    capabilities: frozenset[Capability] = frozenset()
    # None: free now. A date: expected free on that date.
    by: date | None = None
    # How many units to list (most free places first); None lists every match. The
    # totals of the answer always cover every match.
    limit: int | None = 100


@dataclass(frozen=True, slots=True)
class Availability:
    """One unit with free places (no child data)."""

    view: UnitView
    free: int


@dataclass(frozen=True, slots=True)
class AvailabilityAnswer:
    """The matching units (up to the query's limit) and totals over all matches."""

    units: list[Availability]
    total_units: int
    total_free: int


@dataclass(frozen=True, slots=True)
class AggregateCell:
    """Free and coming-free places for one care form × municipality × age band."""

    care_form: CareForm
    municipality: Municipality
    age_band: AgeBand
    free_now: int
    coming_free: int


def _free_row(view: UnitView, base: date) -> IntArray:
    """Free places (holds aside) on each day from `base`, without the floor at zero."""
    row = np.full(HORIZON_DAYS, view.places - view.occupied, dtype=np.int64)
    for when, delta in view.scheduled_changes:
        row[max(0, (when - base).days) :] += delta
    for when in view.expected_departures:
        row[max(0, (when - base).days) :] += 1
    if view.status is UnitStatus.CLOSED:
        row[:] = _CLOSED
    elif view.closing_date is not None:
        row[max(0, (view.closing_date - base).days) :] = _CLOSED
    return row


class AvailabilityIndex:
    """Every unit's committed state in memory, for fast filtered availability answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pos: dict[str, int] = {}
        self._states: list[UnitState] = []
        size = 64
        self._form = np.zeros(size, dtype=np.int64)
        self._place = np.zeros(size, dtype=np.int64)
        self._region = np.zeros(size, dtype=bool)
        self._age_min = np.zeros(size, dtype=np.int64)
        self._age_max = np.zeros(size, dtype=np.int64)
        self._mask = np.zeros(size, dtype=np.int64)
        self._now_free = np.zeros(size, dtype=np.int64)
        self._by_day = np.zeros((size, HORIZON_DAYS), dtype=np.int64)
        self._with_holds: set[int] = set()
        self._base: date | None = None
        self._stale_rows: set[int] = set()
        self._rank: IntArray | None = None
        # Bumped on every stored change, so callers can cache work derived from the index.
        self.changes = 0

    def __len__(self) -> int:
        return len(self._states)

    def _grow(self) -> None:
        new = 2 * len(self._form)
        for name in ("_form", "_place", "_region", "_age_min", "_age_max", "_mask", "_now_free"):
            old = getattr(self, name)
            grown = np.zeros(new, dtype=old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)
        by_day = np.zeros((new, HORIZON_DAYS), dtype=np.int64)
        by_day[: len(self._by_day)] = self._by_day
        self._by_day = by_day

    def load(self, states: Iterable[UnitState]) -> None:
        """Merge states read from the ledger (a newer state already held is kept)."""
        for state in states:
            self.put(state)

    def put(self, state: UnitState) -> bool:
        """Store a unit's state unless a newer one is held; True when stored."""
        view = state.view
        with self._lock:
            pos = self._pos.get(state.unit_id)
            if pos is not None:
                old = self._states[pos]
                if old.version >= state.version:
                    return False
                if old.view.name != view.name:
                    self._rank = None
                self._states[pos] = state
            else:
                pos = len(self._states)
                if pos == len(self._form):
                    self._grow()
                self._pos[state.unit_id] = pos
                self._states.append(state)
                self._rank = None
            self.changes += 1
            self._form[pos] = _FORM_CODE[view.care_form]
            self._place[pos] = _PLACE_CODE[view.municipality]
            self._region[pos] = view.municipality.in_region
            self._age_min[pos] = view.age_min
            self._age_max[pos] = view.age_max
            self._mask[pos] = capability_mask(view.capabilities)
            closed = view.status is UnitStatus.CLOSED
            self._now_free[pos] = _CLOSED if closed else view.places - view.occupied
            if state.hold_expiries:
                self._with_holds.add(pos)
            else:
                self._with_holds.discard(pos)
            self._stale_rows.add(pos)
        return True

    def apply_event(self, change: ChangeEvent) -> bool:
        """Take in a change event from another process."""
        return self.put(change.state)

    def state(self, unit_id: str) -> UnitState | None:
        """The held state of one unit."""
        with self._lock:
            pos = self._pos.get(unit_id)
            return None if pos is None else self._states[pos]

    def views(self, *, now: datetime) -> list[UnitView]:
        """All unit views at `now` (hold counts as of `now`)."""
        with self._lock:
            states = list(self._states)
        return [s.view_at(now) for s in states]

    def _refresh_rows(self, today: date) -> None:
        if self._base is None or not 0 <= (today - self._base).days < REBASE_AFTER_DAYS:
            self._base = today
            self._stale_rows = set(range(len(self._states)))
        for pos in self._stale_rows:
            self._by_day[pos] = _free_row(self._states[pos].view, self._base)
        self._stale_rows = set()

    def _held(self, n: int, now: datetime) -> IntArray:
        held = np.zeros(n, dtype=np.int64)
        for pos in self._with_holds:
            held[pos] = self._states[pos].held_at(now)
        return held

    def _free(self, n: int, by: date | None, now: datetime) -> IntArray:
        """Free places of every unit now or on `by` (lock held)."""
        held = self._held(n, now)
        if by is None:
            now_free: IntArray = np.maximum(self._now_free[:n] - held, 0)
            return now_free
        self._refresh_rows(now.astimezone(_TZ).date())
        assert self._base is not None
        column = (by - self._base).days
        if 0 <= column < HORIZON_DAYS:
            by_day: IntArray = np.maximum(self._by_day[:n, column] - held, 0)
            return by_day
        views = (s.view_at(now) for s in self._states)
        return np.fromiter((v.free_by(by) for v in views), dtype=np.int64, count=n)

    def find(self, query: AvailabilityQuery, *, now: datetime) -> AvailabilityAnswer:
        """Units with a free place now (or expected on query.by) matching every filter."""
        with self._lock:
            n = len(self._states)
            ok = np.ones(n, dtype=bool)
            if query.care_forms is not None:
                wanted = np.zeros(len(_FORMS), dtype=bool)
                wanted[[_FORM_CODE[f] for f in query.care_forms]] = True
                ok &= wanted[self._form[:n]]
            if query.municipality is not None:
                ok &= self._place[:n] == _PLACE_CODE[query.municipality]
            if query.region_only:
                ok &= self._region[:n]
            if query.age is not None:
                ok &= (self._age_min[:n] <= query.age) & (query.age <= self._age_max[:n])
            need = capability_mask(query.capabilities)
            if need:
                ok &= (self._mask[:n] & need) == need
            free = self._free(n, query.by, now)
            hits = np.flatnonzero(ok & (free > 0))
            states = self._states
            if self._rank is None:
                # Ties in free places are listed by name, then id: a stable, readable order.
                by_name = sorted(range(n), key=lambda i: (states[i].view.name, states[i].unit_id))
                self._rank = np.empty(n, dtype=np.int64)
                self._rank[by_name] = np.arange(n)
            order = hits[np.lexsort((self._rank[hits], -free[hits]))]
            if query.limit is not None:
                order = order[: max(0, query.limit)]
            units = [Availability(states[i].view_at(now), int(free[i])) for i in order]
            return AvailabilityAnswer(units, int(hits.size), int(free[hits].sum()))

    def aggregate(self, *, now: datetime, horizon: date) -> list[AggregateCell]:
        """Free now and coming free by `horizon`, per care form × municipality × age band.

        A unit counts in every age band its age range overlaps: its places are open to a
        child of each of those bands. Only counts leave here, never a unit or a child.
        """
        with self._lock:
            n = len(self._states)
            free_now = self._free(n, None, now)
            free_later = self._free(n, horizon, now)
            states = list(self._states)
        cells: dict[tuple[CareForm, Municipality, AgeBand], list[int]] = {}
        for pos, state in enumerate(states):
            view = state.view
            coming = max(0, int(free_later[pos]) - int(free_now[pos]))
            for band, (low, high) in BAND_RANGE.items():
                if view.age_min <= high and view.age_max >= low:
                    cell = cells.setdefault((view.care_form, view.municipality, band), [0, 0])
                    cell[0] += int(free_now[pos])
                    cell[1] += coming
        return [
            AggregateCell(form, place, band, totals[0], totals[1])
            for (form, place, band), totals in sorted(cells.items())
        ]
