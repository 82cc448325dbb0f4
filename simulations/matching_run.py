"""The state `simulations.matching.MatcherPolicy` keeps through one engine run.

What the previous call left (free places after its assignments, the children left with an
open pair), what each waiting child may take (its static fits, from the matcher's session),
and the units as the matcher sees them; `RunState.refresh` brings the units up to date at
the start of a call and `RunState.remember` keeps what the call left. See
simulations.matching for how it is used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not
from typing import Any

from capacity.snapshot import UnitView
from matcher.session import Session
from simulations.children import ChildCase
from simulations.model import SimAssignment, SimUnit, WaitingChild


@dataclass(slots=True)
class ChildFits:
    """A waiting child's case and the units that pass its static hard rules in its first-best
    care form and in any acceptable one, as ints: bit j for the unit in row j of the
    session's static table (`RunState.bit` gives an engine unit's bit). Each is worked out
    when first needed (-1 until then), from the referral the matcher gets in that case
    (`case.first_best_only`, `case.referral`), so that referral's static row is the one
    the session already has."""

    case: ChildCase
    first: int = -1
    every: int = -1


@dataclass
class RunState:
    """One engine run as the previous call left it (the engine's units list marks the run)."""

    units: Sequence[SimUnit]
    day: float
    seen: list[SimUnit | None]  # each unit's state as the previous call saw it
    free_after: list[int]  # its free places once that call's assignments are applied
    bit: list[int]  # each unit's bit: 1 << its row in the session's static table
    unit_at: list[int]  # per static-table row, the unit's index
    time_free: bool  # no unit's free places depend on the date
    views: list[UnitView]  # each unit as the matcher sees it (as `seen`)
    index: dict[str, int]  # each unit's index, by unit id
    free: int = 0  # the bits of the units with a free place now
    # By child id: the WaitingChild the previous call saw and the bits of the units it may
    # take (ChildFits.first or .every).
    known: dict[int, WaitingChild] = field(default_factory=dict)
    allowed: dict[int, int] = field(default_factory=dict)
    unstable: set[int] = field(default_factory=set)  # children left with an open pair
    children: dict[int, ChildFits] = field(default_factory=dict)  # by child id
    groups: bool = False  # some child so far was in a sibling group
    scanned: bool = False  # the units have been compared once with `seen`
    compared: bool = False  # the waiting children have been compared once with `known`
    unit_lists: dict[int, list[int]] = field(default_factory=dict)  # bits -> unit indices

    def units_of(self, bits: int) -> list[int]:
        """The units with these bits, in index order."""
        out = self._rows(bits)
        out.sort()
        return out

    def units_by_row(self, bits: int) -> list[int]:
        """The units with these bits, lowest bit first (static-table row order), cached."""
        out = self.unit_lists.get(bits)
        if out is None:
            out = self._rows(bits)
            if len(self.unit_lists) > 10_000:
                self.unit_lists.clear()
            self.unit_lists[bits] = out
        return out

    def _rows(self, bits: int) -> list[int]:
        """The units with these bits, lowest bit first."""
        unit_at, out = self.unit_at, []
        while bits:
            low = bits & -bits
            out.append(unit_at[low.bit_length() - 1])
            bits ^= low
        return out

    def refresh(
        self,
        units: Sequence[SimUnit],
        changed: set[int] | None,
        cache: dict[tuple[str, int, int, int], UnitView],
    ) -> set[int]:
        """Bring the free places and views up to date (`changed`: the units that may have
        changed, None: compare them all with `seen`; `cache`: for `unit_view`); the units
        with more free places than the last call left."""
        opened: set[int] = set()
        if changed is None or not self.scanned:
            changed = set(compress(range(len(units)), map(is_not, units, self.seen)))
            self.scanned = True
        for i in changed:
            unit = units[i]
            free = unit.free
            if free > self.free_after[i]:
                opened.add(i)
            self.free_after[i] = free
            self.seen[i] = unit
            self.views[i] = unit_view(unit, cache)
            if free > 0:
                self.free |= self.bit[i]
            else:
                self.free &= ~self.bit[i]
        return opened

    def remember(
        self, out: Sequence[SimAssignment], used: set[int], open_units: dict[int, list[int]]
    ) -> None:
        """What the next call needs: free places after these assignments (`out`, made with
        the units `used`), and who kept an open pair (`open_units`: each child's)."""
        free_after, index = self.free_after, self.index
        placed = set()
        for a in out:
            free_after[index[a.unit_id]] -= 1
            placed.add(a.child_id)
        room = {i for i in used if free_after[i] > 0}
        self.unstable = (
            {c for c, fits in open_units.items() if c not in placed and not room.isdisjoint(fits)}
            if room
            else set()
        )

    def forget_gone(self, waiting: Sequence[WaitingChild]) -> None:
        """Forget the children who left, once they are many (memory only)."""
        known = self.known
        if len(known) > 2 * len(waiting) + 64:
            ids = {child.child_id for child in waiting}
            tables: tuple[dict[int, Any], ...] = (known, self.allowed, self.children)
            for table in tables:
                for cid in [cid for cid in table if cid not in ids]:
                    del table[cid]

    def allowed_for(self, child: WaitingChild, session: Session) -> tuple[ChildFits, int]:
        """The child's case and fits, and the bits of the units of a care form it may take
        now that pass its static hard rules."""
        info = self.child(child)
        if child.alternatives_allowed:
            bits = info.every
            if bits < 0:
                bits = info.every = session.fits(info.case.referral)
        else:
            bits = info.first
            if bits < 0:
                bits = info.first = session.fits(info.case.first_best_only)
        return info, bits

    def child(self, child: WaitingChild) -> ChildFits:
        """The child's case and static fits, cached per run."""
        info = self.children.get(child.child_id)
        case = child.need.payload
        if info is None or info.case is not case:
            assert isinstance(case, ChildCase)  # ProfileSource puts it there
            info = ChildFits(case)
            self.groups = self.groups or case.referral.sibling_group is not None
            self.children[child.child_id] = info
        return info


def group_of(child: WaitingChild) -> str | None:
    """The child's sibling group (None: none)."""
    case = child.need.payload
    return case.referral.sibling_group if isinstance(case, ChildCase) else None


def with_siblings(
    chosen: list[tuple[WaitingChild, list[int] | None]], waiting: Sequence[WaitingChild]
) -> list[tuple[WaitingChild, list[int] | None]]:
    """The chosen children and every waiting sibling of theirs, in waiting order."""
    groups = {g for c, _ in chosen if (g := group_of(c)) is not None}
    if not groups:
        return chosen
    known = {c.child_id: k for c, k in chosen}
    return [
        (c, known.get(c.child_id)) for c in waiting if c.child_id in known or group_of(c) in groups
    ]


def together_waits(
    chosen: list[tuple[WaitingChild, list[int] | None]],
) -> list[tuple[WaitingChild, list[int] | None]]:
    """The chosen children, each sibling group taking an alternative care form only when
    every waiting member of it may: the matcher plans a group with one advice, and the
    members' first-best waits can differ (each is estimated on its own)."""
    waits = {g for c, _ in chosen if not c.alternatives_allowed and (g := group_of(c))}
    if not waits:
        return chosen
    return [
        (dataclasses.replace(c, alternatives_allowed=False), k)
        if c.alternatives_allowed and group_of(c) in waits
        else (c, k)
        for c, k in chosen
    ]


def template(unit: SimUnit) -> UnitView:
    """The unit's UnitView as the scenario loader made it (its static fields)."""
    view = unit.payload
    assert isinstance(view, UnitView)  # the scenario loader puts it there
    return view


def unit_view(unit: SimUnit, cache: dict[tuple[str, int, int, int], UnitView]) -> UnitView:
    """The unit as the matcher sees it now (kept in `cache` per capacity state)."""
    key = (unit.unit_id, unit.places, unit.occupied, unit.held)
    view = cache.get(key)
    if view is None:
        view = dataclasses.replace(
            template(unit), places=unit.places, occupied=unit.occupied, held=unit.held
        )
        if len(cache) > 100_000:
            cache.clear()
        cache[key] = view
    return view
