"""Columnar (numpy) view of many units, and the vectorised twin of matcher.scoring.

`score_units` gives, for one referral against every unit, the same feasibility and the same
integer terms as scoring.check_pair / scoring.score_pair, in microseconds per unit; it is
what `propose` and the batch candidate builder use. A property test keeps both equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from capacity.snapshot import UnitView
from domain.care import CareCategory, CareForm
from domain.people import Capability, Sex, SexPolicy
from domain.places import DISTANCE_KM, Municipality, neighbours
from matcher.models import Referral
from matcher.scoring import CHECKS, available, change_dates, is_open
from matcher.weights import TERMS, Weights

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

FORMS = list(CareForm)
MUNIS = list(Municipality)
CAPS = list(Capability)
SEXES = list(Sex)
POLICY_SEX = {SexPolicy.GEMENGD: -1, SexPolicy.JONGENS: SEXES.index(Sex.M)}
POLICY_SEX[SexPolicy.MEISJES] = SEXES.index(Sex.V)
NEVER = 2**40  # an ordinal later than any date
NEIGHBOURS = np.array([[neighbours(a, b) for b in MUNIS] for a in MUNIS], dtype=np.bool_)
KM = np.array([[math.floor(DISTANCE_KM[(a, b)] + 0.5) for b in MUNIS] for a in MUNIS])


def cap_mask(caps: Sequence[Capability] | frozenset[Capability]) -> int:
    """Capabilities as a bit mask."""
    return sum(1 << CAPS.index(c) for c in set(caps))


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


def build_table(units: Sequence[UnitView], today: date) -> UnitTable:
    """Columnar view of the units (sorted by unit id, so input order never matters)."""
    ordered = tuple(sorted(units, key=lambda u: u.unit_id))
    levels = [availability_levels(u, today) for u in ordered]
    width = max((len(r) for r, _ in levels), default=0)
    n = len(ordered)
    change_ords = np.full((n, width), NEVER, dtype=np.int64)
    level_caps = np.zeros((n, width + 1), dtype=np.int64)
    first_free = np.full(n, NEVER, dtype=np.int64)
    for i, (rises, caps) in enumerate(levels):
        change_ords[i, : len(rises)] = [d.toordinal() for d in rises]
        level_caps[i, : len(caps)] = caps
        level_caps[i, len(caps) :] = caps[-1]
        k = next((k for k, c in enumerate(caps) if c > 0), None)
        if k is not None:
            first_free[i] = today.toordinal() if k == 0 else rises[k - 1].toordinal()

    def col(values: Sequence[int]) -> IntArray:
        return np.asarray(values, dtype=np.int64)

    prefs = [u.preferences for u in ordered]
    return UnitTable(
        today=today,
        units=ordered,
        form=col([FORMS.index(u.care_form) for u in ordered]),
        muni=col([MUNIS.index(u.municipality) for u in ordered]),
        age_min=col([u.age_min for u in ordered]),
        age_max=col([u.age_max for u in ordered]),
        policy_sex=col([POLICY_SEX[u.sex_policy] for u in ordered]),
        caps=col([cap_mask(u.capabilities) for u in ordered]),
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
        # Room left under the family's own maximum number of children.
        pref_room=col(
            [
                p.max_children - u.occupied - u.held if p and p.max_children is not None else 0
                for p, u in zip(prefs, ordered, strict=True)
            ]
        ),
        pref_caps_set=np.asarray([bool(p and p.capabilities) for p in prefs], dtype=np.bool_),
        pref_caps=col([cap_mask(p.capabilities) if p else 0 for p in prefs]),
    )


@dataclass(frozen=True, slots=True)
class UnitScores:
    """One referral against a table: feasible unit indices, their terms and availability."""

    index: IntArray  # feasible units (table rows), ascending
    terms: npt.NDArray[np.int64]  # shape (len(index), len(TERMS)), columns in TERMS order
    total: IntArray
    level: IntArray  # availability level of the referral's deadline in each unit
    available_ord: IntArray  # first day (ordinal) a place is available
    furthest_check: int  # how many hard checks the best unit passed (len(CHECKS) if feasible)


def _rank_lookup(referral: Referral) -> IntArray:
    rank = np.full(len(FORMS), -1, dtype=np.int64)
    for r, form in enumerate(referral.advice.acceptable):
        rank[FORMS.index(form)] = r
    return rank


def score_units(referral: Referral, table: UnitTable, weights: Weights) -> UnitScores:
    """Feasibility and integer score terms of one referral against every unit in the table."""
    rank = _rank_lookup(referral)[table.form]
    level = table.level_of(referral.deadline)
    n = len(table.units)
    cap_at_deadline = table.level_caps[np.arange(n), level] if n else np.zeros(0, np.int64)
    required = cap_mask(referral.advice.required_capabilities)
    sex = SEXES.index(referral.sex)
    excluded = np.zeros(n, dtype=np.bool_)
    if referral.excluded_units:
        wanted = set(referral.excluded_units)
        excluded = np.asarray([u.unit_id in wanted for u in table.units], dtype=np.bool_)
    checks: list[BoolArray] = [
        rank >= 0,
        (table.age_min <= referral.age) & (referral.age <= table.age_max),
        (table.policy_sex < 0) | (table.policy_sex == sex),
        (table.caps & required) == required,
        table.open,
        ~excluded,
        cap_at_deadline > 0,
    ]
    passing = np.ones(n, dtype=np.bool_)
    furthest = 0
    for k, check in enumerate(checks):
        passing &= check
        if passing.any():
            furthest = k + 1
        else:
            break
    assert len(checks) == len(CHECKS)
    index = np.flatnonzero(passing).astype(np.int64)
    terms = _terms(
        referral, table=table, weights=weights, index=index, rank=rank[index], required=required
    )
    return UnitScores(
        index=index,
        terms=terms,
        total=terms.sum(axis=1),
        level=level[index],
        available_ord=table.first_free_ord[index],
        furthest_check=furthest,
    )


def _terms(
    referral: Referral,
    *,
    table: UnitTable,
    weights: Weights,
    index: IntArray,
    rank: IntArray,
    required: int,
) -> npt.NDArray[np.int64]:
    today = table.today
    out = np.zeros((len(index), len(TERMS)), dtype=np.int64)
    col = {t: i for i, t in enumerate(TERMS)}
    muni = table.muni[index]
    out[:, col["base"]] = weights["base"]["points"]
    cf = weights["care_form"]
    out[:, col["care_form"]] = np.maximum(0, cf["first_best"] - cf["per_rank_lower"] * rank)
    anchor, _ = referral.anchor
    if anchor is not None:
        out[:, col["distance"]] = weights["distance"]["per_km"] * KM[MUNIS.index(anchor), muni]
    if referral.school_municipality is not None:
        out[:, col["school"]] = _nearness([referral.school_municipality], muni, weights["school"])
    if referral.network_municipalities:
        wanted = list(referral.network_municipalities)
        out[:, col["network"]] = _nearness(wanted, muni, weights["network"])
    out[:, col["preferences"]] = _preference_points(referral, table, weights, index, required)
    if referral.crisis:
        out[:, col["urgency"]] = weights["urgency"]["crisis"]
    w = weights["waiting"]
    weeks = min(max(0, (today - referral.waiting_since).days) // 7, w["max_weeks"])
    out[:, col["waiting"]] = w["per_week"] * weeks
    a = weights["availability"]
    days = np.minimum(table.first_free_ord[index] - today.toordinal(), a["max_days"])
    out[:, col["availability"]] = a["per_day"] * days
    return out


def _nearness(wanted: list[Municipality], muni: IntArray, w: dict[str, int]) -> IntArray:
    rows = [MUNIS.index(m) for m in wanted]
    same = np.zeros(len(muni), dtype=np.bool_)
    near = np.zeros(len(muni), dtype=np.bool_)
    for r in rows:
        same |= muni == r
        near |= NEIGHBOURS[r, muni]
    return np.where(same, w["same_municipality"], np.where(near, w["neighbouring"], 0))


def _preference_points(
    referral: Referral, table: UnitTable, weights: Weights, index: IntArray, required: int
) -> IntArray:
    age = referral.age
    stated = [
        table.pref_age_set[index],
        table.pref_sex[index] >= 0,
        table.pref_room_set[index],
        table.pref_caps_set[index],
    ]
    met = [
        (table.pref_age_min[index] <= age) & (age <= table.pref_age_max[index]),
        table.pref_sex[index] == SEXES.index(referral.sex),
        table.pref_room[index] >= 1,
        (table.pref_caps[index] & required) == required,
    ]
    matches = sum((s & m).astype(np.int64) for s, m in zip(stated, met, strict=True))
    misses = sum((s & ~m).astype(np.int64) for s, m in zip(stated, met, strict=True))
    w = weights["preferences"]
    return np.asarray(w["per_match"] * matches + w["per_mismatch"] * misses, dtype=np.int64)
