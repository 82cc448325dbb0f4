"""Columnar (numpy) view of many units: what matcher.score_table scores referrals against.

`build_table` sorts the units by id and turns them into columns; `unit_capacity` is the
availability chain of one unit (also used on its own by matcher.session).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from capacity.snapshot import FamilyPreferences, UnitView
from domain.care import CareCategory, CareForm
from domain.people import capability_mask
from domain.places import all_municipalities, distance_matrix_km, municipality_index
from domain.profile_vocabulary import Sex, SexPolicy
from matcher.scoring import available, change_dates, is_open

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

FORMS = list(CareForm)
# Every municipality of the national list (region-independent, fixed order).
MUNIS = all_municipalities()
SEXES = list(Sex)
FORM_INDEX = {f: i for i, f in enumerate(FORMS)}
MUNI_INDEX = municipality_index()
SEX_INDEX = {s: i for i, s in enumerate(SEXES)}
POLICY_SEX = {SexPolicy.GEMENGD: -1, SexPolicy.JONGENS: SEXES.index(Sex.M)}
POLICY_SEX[SexPolicy.MEISJES] = SEXES.index(Sex.V)
NEVER = 2**40  # an ordinal later than any date
# Whole km (rounded half up), as matcher.scoring counts them. Whether a municipality is in
# the region and which ones are neighbours depend on the selected region:
# domain.places.region_mask() and neighbour_matrix().
KM = np.floor(distance_matrix_km() + 0.5).astype(np.int64)


@dataclass(frozen=True, slots=True)
class UnitTable:
    """Units sorted by id, as arrays; `levels` hold the monotone availability per unit."""

    today: date
    units: tuple[UnitView, ...]
    form: IntArray
    muni: IntArray
    age_min: IntArray
    age_max: IntArray
    policy_sex: IntArray
    caps: IntArray
    open: BoolArray
    foster: BoolArray
    # change_ords[u, k]: k-th date (ordinal) on which availability rises; NEVER as padding.
    change_ords: IntArray
    # level_caps[u, k]: places available to a child whose deadline has passed k such dates.
    level_caps: IntArray
    first_free_ord: IntArray
    pref_age_set: BoolArray
    pref_age_min: IntArray
    pref_age_max: IntArray
    pref_sex: IntArray
    pref_room_set: BoolArray
    pref_room: IntArray
    pref_caps_set: BoolArray
    pref_caps: IntArray
    # Whether any unit states a wish about age, sex or expertise (else those points are 0).
    prefs_stated: bool = True

    @property
    def ids(self) -> list[str]:
        """Unit ids in table order."""
        return [u.unit_id for u in self.units]

    def level_of(self, deadline: date) -> IntArray:
        """For every unit, how many availability rises fall on or before `deadline`."""
        ordinal = max(deadline, self.today).toordinal()
        return np.asarray((self.change_ords <= ordinal).sum(axis=1), dtype=np.int64)


def availability_levels(unit: UnitView, today: date) -> tuple[list[date], list[int]]:
    """The dates on which availability rises, and the places available from each level on."""
    caps = [available(unit, today, today)]
    rises: list[date] = []
    for day in change_dates(unit, today):
        value = available(unit, day, today)
        if value > caps[-1]:
            rises.append(day)
            caps.append(value)
    return rises, caps


def unit_capacity(unit: UnitView, today: date) -> tuple[list[int], list[int], int]:
    """The ordinals on which availability rises, the places from each level on, and the
    first day (ordinal) a place is available (NEVER when none is)."""
    rises, caps = availability_levels(unit, today)
    k = next((k for k, c in enumerate(caps) if c > 0), None)
    first_free = NEVER
    if k is not None:
        first_free = today.toordinal() if k == 0 else rises[k - 1].toordinal()
    return [d.toordinal() for d in rises], caps, first_free


def room_left(unit: UnitView) -> int:
    """Room left under the family's own maximum number of children (0 when not stated)."""
    p = unit.preferences
    if p is None or p.max_children is None:
        return 0
    return p.max_children - unit.occupied - unit.held


def build_table(units: Sequence[UnitView], today: date) -> UnitTable:
    """Columnar view of the units (sorted by unit id, so input order never matters)."""
    ordered = tuple(sorted(units, key=lambda u: u.unit_id))
    levels = [unit_capacity(u, today) for u in ordered]
    width = max((len(r) for r, _, _ in levels), default=0)
    n = len(ordered)
    change_ords = np.full((n, width), NEVER, dtype=np.int64)
    level_caps = np.zeros((n, width + 1), dtype=np.int64)
    first_free = np.full(n, NEVER, dtype=np.int64)
    for i, (rises, caps, first) in enumerate(levels):
        change_ords[i, : len(rises)] = rises
        level_caps[i, : len(caps)] = caps
        level_caps[i, len(caps) :] = caps[-1]
        first_free[i] = first

    def col(values: Sequence[int]) -> IntArray:
        return np.asarray(values, dtype=np.int64)

    prefs = [u.preferences for u in ordered]
    return UnitTable(
        today=today,
        units=ordered,
        form=col([FORMS.index(u.care_form) for u in ordered]),
        muni=col([MUNI_INDEX[u.municipality] for u in ordered]),
        age_min=col([u.age_min for u in ordered]),
        age_max=col([u.age_max for u in ordered]),
        policy_sex=col([POLICY_SEX[u.sex_policy] for u in ordered]),
        caps=col([capability_mask(u.capabilities) for u in ordered]),
        open=np.asarray([is_open(u) for u in ordered], dtype=np.bool_),
        foster=np.asarray(
            [u.care_form.category is CareCategory.PLEEGZORG for u in ordered], dtype=np.bool_
        ),
        change_ords=change_ords,
        level_caps=level_caps,
        first_free_ord=first_free,
        pref_age_set=np.asarray(
            [p is not None and (p.age_min is not None or p.age_max is not None) for p in prefs],
            dtype=np.bool_,
        ),
        pref_age_min=col([p.age_min if p and p.age_min is not None else 0 for p in prefs]),
        pref_age_max=col([p.age_max if p and p.age_max is not None else 99 for p in prefs]),
        pref_sex=col([SEXES.index(p.sex) if p and p.sex is not None else -1 for p in prefs]),
        pref_room_set=np.asarray(
            [p is not None and p.max_children is not None for p in prefs], dtype=np.bool_
        ),
        pref_room=col([room_left(u) for u in ordered]),
        pref_caps_set=np.asarray([bool(p and p.capabilities) for p in prefs], dtype=np.bool_),
        pref_caps=col([capability_mask(p.capabilities) if p else 0 for p in prefs]),
        prefs_stated=any(p is not None and _states_a_wish(p) for p in prefs),
    )


def _states_a_wish(p: FamilyPreferences) -> bool:
    """A wish about age, sex or expertise (the number of children is scored separately)."""
    return (
        p.age_min is not None or p.age_max is not None or p.sex is not None or bool(p.capabilities)
    )
