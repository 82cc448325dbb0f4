"""The placement bookkeeping of the simulator's general loop: what each unit holds now.

Per unit the policy's view of it (`SimUnit`, replaced, never changed, when the unit
changes), and kept in step with those views: the free and occupied places per unit, the
free places per care form, the care forms with a free place now, all free places, the
units with a free place as one bit mask, and the units changed since the policy's previous
call (simulations.policies.ChangeAware).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulations.model import SimUnit, UnitSpec


class Occupancy:
    """The units of one replication; `change` is the only way their state moves."""

    def __init__(self, units: Sequence[UnitSpec]) -> None:
        self.views = [
            SimUnit(u.unit_id, u.care_form, u.location, u.places, 0, 0, u.payload) for u in units
        ]
        self.unit_free = [v.free for v in self.views]
        self.unit_occupied = [v.occupied for v in self.views]
        self.form_free: dict[str, int] = {}
        for v in self.views:
            self.form_free[v.care_form] = self.form_free.get(v.care_form, 0) + v.free
        # The care forms with a free place now (kept in step with form_free).
        self.free_forms = {form for form, free in self.form_free.items() if free > 0}
        self.free = sum(self.unit_free)
        # The units with a free place: bit i for unit i (to test a set of units at once).
        self.free_mask = sum(1 << i for i, free in enumerate(self.unit_free) if free > 0)
        # The units whose view was replaced since the policy's previous call.
        self.changed: set[int] = set()

    def change(
        self, unit: int, *, places: int | None = None, occupied: int = 0, held: int = 0
    ) -> None:
        """Set the unit's places (None: unchanged) and add to its occupied and held places."""
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
        if free > 0:
            self.free_mask |= 1 << unit
        else:
            self.free_mask &= ~(1 << unit)
        form_free = self.form_free[new.care_form] + delta
        self.form_free[new.care_form] = form_free
        if form_free > 0:
            self.free_forms.add(new.care_form)
        else:
            self.free_forms.discard(new.care_form)
        self.free += delta
