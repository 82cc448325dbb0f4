"""Allocation policies that need no solver: `single_pool` (Erlang models) and `greedy_fcfs`.

The real matcher plugs in as another `AllocationPolicy` (simulations.model); the engine
checks every assignment, so a policy cannot overbook a unit or place a child in a care
form it does not accept. `ChangeAware` is the optional faster seam the engine offers a
policy that keeps state between calls (simulations.matching.MatcherPolicy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from domain.places import distance_matrix_km, municipality_index
from simulations.model import SimAssignment, SimUnit, WaitingChild


def municipal_distance(home: str, location: str) -> float:
    """Straight-line km between two municipalities (CBS codes); 0 when either is unknown."""
    index = municipality_index()
    if home not in index or location not in index:
        return 0.0
    return float(distance_matrix_km()[index[home], index[location]])


@runtime_checkable
class ChangeAware(Protocol):
    """An allocation policy that can also be told what changed since its previous call.

    `allocate_changed(now, waiting, units, units_changed, children_changed)` must return
    what `allocate(now, waiting, units)` returns. `units_changed` holds the index of every
    unit whose state object the engine replaced since the previous call in this run, and
    `children_changed` every waiting child (by id) whose WaitingChild object is new since
    then, so the policy need not compare them all. simulations.matching.MatcherPolicy is one.
    """

    def allocate_changed(
        self,
        now: float,
        waiting: Sequence[WaitingChild],
        units: Sequence[SimUnit],
        units_changed: set[int],
        children_changed: Mapping[int, WaitingChild],
    ) -> Sequence[SimAssignment]:
        """The same as allocate(now, waiting, units)."""
        ...


@dataclass(frozen=True, slots=True)
class SinglePool:
    """All places form one pool: children in order of arrival take the first free place."""

    name: str = "single_pool"

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        """Assign children in arrival order to the first unit of an acceptable form with room."""
        free = [u.free for u in units]
        out: list[SimAssignment] = []
        for child in waiting:
            forms = (
                child.need.acceptable if child.alternatives_allowed else (child.need.first_best,)
            )
            for i, unit in enumerate(units):
                if free[i] > 0 and unit.care_form in forms:
                    free[i] -= 1
                    out.append(SimAssignment(child.child_id, unit.unit_id))
                    break
            if not any(free):
                break
        return out


@dataclass(frozen=True, slots=True)
class GreedyFCFS:
    """In order of arrival, each child takes the first free place of an acceptable care form.

    Care forms are tried in the child's order of preference (first-best first); within a
    form the nearest unit to the child's home wins, ties broken by unit order. The waiting
    children of a sibling group (`ChildNeed.sibling_group`) go together, when the first of
    them comes up: to the nearest unit of the most preferred form with room for all of
    them, or, if there is none, they all wait.
    """

    distance: Callable[[str, str], float] = field(default=municipal_distance)
    name: str = "greedy_fcfs"

    def allocate(
        self, now: float, waiting: Sequence[WaitingChild], units: Sequence[SimUnit]
    ) -> list[SimAssignment]:
        """Assign children one by one (a group at once), in arrival order, nearest first."""
        free = [u.free for u in units]
        by_form: dict[str, list[int]] = {}
        for i, unit in enumerate(units):
            by_form.setdefault(unit.care_form, []).append(i)
        groups: dict[str, list[WaitingChild]] = {}
        for child in waiting:
            if child.need.sibling_group is not None:
                groups.setdefault(child.need.sibling_group, []).append(child)
        out: list[SimAssignment] = []
        for child in waiting:
            group = child.need.sibling_group
            members = [child] if group is None else groups[group]
            if members[0] is not child:
                continue  # placed, or left waiting, with the first of its group
            forms = (
                child.need.acceptable
                if all(m.alternatives_allowed for m in members)
                else (child.need.first_best,)
            )
            choice = self._choose(child, forms, units, free, by_form, len(members))
            if choice is not None:
                free[choice] -= len(members)
                out.extend(SimAssignment(m.child_id, units[choice].unit_id) for m in members)
        return out

    def _choose(
        self,
        child: WaitingChild,
        forms: tuple[str, ...],
        units: Sequence[SimUnit],
        free: list[int],
        by_form: dict[str, list[int]],
        room: int = 1,
    ) -> int | None:
        for form in forms:
            open_units = [i for i in by_form.get(form, ()) if free[i] >= room]
            if open_units:
                return min(
                    open_units, key=lambda i: (self.distance(child.need.home, units[i].location), i)
                )
        return None


def single_pool() -> SinglePool:
    """The single-pool policy of the Erlang models."""
    return SinglePool()


def greedy_fcfs(distance: Callable[[str, str], float] = municipal_distance) -> GreedyFCFS:
    """The first-come-first-served, nearest-place-first policy."""
    return GreedyFCFS(distance=distance)
