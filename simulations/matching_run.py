"""The state `simulations.matching.MatcherPolicy` keeps through one engine run.

What the previous call left (free places after its assignments, the children left with an
open pair), what each waiting child may take (its static fits, from the matcher's session),
and the units as the matcher sees them. See simulations.matching for how it is used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from capacity.snapshot import UnitView
from matcher.session import Session
from simulations.children import ChildCase
from simulations.model import UnitState, WaitingChild


@dataclass(frozen=True, slots=True)
class ChildFits:
    """A waiting child's case and, per unit (engine index), whether it passes the static
    hard rules in the child's first-best care form and in any acceptable one (bytes of 0
    and 1: indexing one unit is cheap, and the garbage collector never scans them)."""

    case: ChildCase
    first: bytes
    every: bytes

    def allowed(self, child: WaitingChild) -> bytes:
        """Per unit: of a care form the child may take now and passing its static rules."""
        return self.every if child.alternatives_allowed else self.first


@dataclass
class RunState:
    """One engine run as the previous call left it (the engine's units list marks the run)."""

    units: Sequence[UnitState]
    day: float
    seen: list[UnitState | None]  # each unit's state as the previous call saw it
    free_after: list[int]  # its free places once that call's assignments are applied
    rows: np.ndarray  # each unit's row in the session's static table
    forms: np.ndarray  # each unit's care form, as a code of `codes`
    codes: dict[str, int]
    time_free: bool  # no unit's free places depend on the date
    views: list[UnitView]  # each unit as the matcher sees it (as `seen`)
    index: dict[str, int]  # each unit's index, by unit id
    free: set[int] = field(default_factory=set)  # units with a free place now
    free_sorted: list[int] | None = None  # `free` sorted (None: to be sorted again)
    # By child id: the WaitingChild the previous call saw and the units it may take.
    known: dict[int, WaitingChild] = field(default_factory=dict)
    allowed: dict[int, bytes] = field(default_factory=dict)
    unstable: set[int] = field(default_factory=set)  # children left with an open pair
    children: dict[int, ChildFits] = field(default_factory=dict)  # by child id
    # Per (static row, first-best form code): the row and its fits (first-best, every form).
    fits: dict[tuple[int, int], tuple[np.ndarray, bytes, bytes]] = field(default_factory=dict)
    groups: bool = False  # some child so far was in a sibling group
    scanned: bool = False  # the units have been compared once with `seen`
    compared: bool = False  # the waiting children have been compared once with `known`

    def sorted_free(self) -> list[int]:
        """The units with a free place now, in index order."""
        if self.free_sorted is None:
            self.free_sorted = sorted(self.free)
        return self.free_sorted

    def forget_gone(self, waiting: Sequence[WaitingChild]) -> None:
        """Forget the children who left, once they are many (memory only)."""
        known = self.known
        if len(known) > 2 * len(waiting) + 64:
            ids = {child.child_id for child in waiting}
            for table in (known, self.allowed, self.children):
                for cid in [cid for cid in table if cid not in ids]:
                    del table[cid]

    def child(self, child: WaitingChild, session: Session) -> ChildFits:
        """The child's case and static fits (from the matcher's session), cached per run;
        the fits are kept per static row and first-best care form (children share them)."""
        info = self.children.get(child.child_id)
        case = child.need.payload
        if info is None or info.case is not case:
            assert isinstance(case, ChildCase)  # ProfileSource puts it there
            row = session.static_row(case.referral)[0]
            code = self.codes.get(child.need.first_best, -1)
            fits = self.fits.get((id(row), code))
            if fits is None or fits[0] is not row:
                ok = row[self.rows]
                first = ok & (self.forms == code)
                fits = (row, first.tobytes(), ok.tobytes())
                if len(self.fits) >= 10_000:
                    self.fits.clear()
                self.fits[(id(row), code)] = fits
            info = ChildFits(case, fits[1], fits[2])
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


def template(unit: UnitState) -> UnitView:
    """The unit's UnitView as the scenario loader made it (its static fields)."""
    view = unit.payload
    assert isinstance(view, UnitView)  # the scenario loader puts it there
    return view


def unit_view(unit: UnitState, cache: dict[tuple[str, int, int, int], UnitView]) -> UnitView:
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
