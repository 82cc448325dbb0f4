"""One referral against every unit of a UnitTable: the vectorised twin of matcher.scoring.

`score_units` gives, for one referral against every unit, the same feasibility and the same
integer terms as scoring.check_pair / scoring.score_pair, in microseconds per unit; it is
what `propose` and the batch candidate builder use. A property test keeps both equal.

It is put together from parts, each a pure function of the table, the weights and a few
referral fields passed in explicitly (so it cannot read any other):
- `form_part(acceptable)`: the care-form check and the care-form term;
- `profile_part(ProfileKey)`: the other checks before capacity (age, sex, expertise, open,
  excluded) and the other terms that need neither the date nor the units' places; it is
  `child_part` (age, sex, required capabilities) and `situation_part` (the rest) together;
- `with_capacity`: the capacity check and the terms that do (waiting, availability and the
  family's wish about the number of children).
A caller that scores many referrals against one table (matcher.session) can therefore cache
a part by exactly the fields it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from domain.care import CareForm
from domain.people import capability_mask
from domain.places import Municipality, neighbour_matrix
from domain.places import region_mask as region_mask_of_places
from domain.profile_vocabulary import Sex
from matcher.models import MatchRequest
from matcher.scoring import CHECKS
from matcher.table import (
    FORM_INDEX,
    FORMS,
    KM,
    MUNI_INDEX,
    SEX_INDEX,
    BoolArray,
    IntArray,
    UnitTable,
)
from matcher.weights import TERMS, Weights

COL = {t: i for i, t in enumerate(TERMS)}  # column of each term in the terms matrices


class ProfileKey(NamedTuple):
    """Every referral field `profile_part` reads (the capabilities as a mask)."""

    age: int
    sex: Sex
    required: int
    excluded: tuple[str, ...]
    anchor: Municipality | None
    school: Municipality | None
    network: tuple[Municipality, ...]
    crisis: bool


def profile_key(referral: MatchRequest, required: int | None = None) -> ProfileKey:
    """The referral's ProfileKey (`required`: its advice's capability_mask, if known already)."""
    return ProfileKey(
        referral.age,
        referral.sex,
        capability_mask(referral.advice.required_capabilities) if required is None else required,
        referral.excluded_units,
        referral.anchor[0],
        referral.school_municipality,
        referral.network_municipalities,
        referral.crisis,
    )


@dataclass(frozen=True, slots=True)
class Part:
    """Checks (None: every unit passes) and term columns (an int: the same for every unit)."""

    checks: tuple[BoolArray | None, ...]
    columns: dict[str, IntArray | int]


@dataclass(frozen=True, slots=True)
class StaticScores:
    """One referral against every unit of a table, before capacity and the date.

    Waiting, availability and the family's wish about the number of children are still 0
    in `terms`; `with_capacity` adds them.
    """

    index: IntArray  # units passing every check before capacity (table rows), ascending
    terms: npt.NDArray[np.int64]  # shape (len(index), len(TERMS)), columns in TERMS order
    furthest_check: int  # how many of those checks the best unit passed


@dataclass(frozen=True, slots=True)
class UnitScores:
    """One referral against a table: feasible unit indices, their terms and availability."""

    index: IntArray  # feasible units (table rows), ascending
    terms: npt.NDArray[np.int64]  # shape (len(index), len(TERMS)), columns in TERMS order
    total: IntArray
    level: IntArray  # availability level of the referral's deadline in each unit
    available_ord: IntArray  # first day (ordinal) a place is available
    furthest_check: int  # how many hard checks the best unit passed (len(CHECKS) if feasible)


def score_units(referral: MatchRequest, table: UnitTable, weights: Weights) -> UnitScores:
    """Feasibility and integer score terms of one referral against every unit in the table."""
    return with_capacity(referral, table, weights, static_scores(referral, table, weights))


def static_scores(referral: MatchRequest, table: UnitTable, weights: Weights) -> StaticScores:
    """The hard checks before capacity and the static terms of one referral (all units)."""
    form = form_part(table, weights, referral.advice.acceptable)
    return combine(len(table.units), form, profile_part(table, weights, profile_key(referral)))


def combine(n: int, form: Part, profile: Part) -> StaticScores:
    """Both parts together: the checks in CHECKS order, then the terms of the passing units."""
    checks = (*form.checks, *profile.checks)
    assert len(checks) == len(CHECKS) - 1  # capacity is checked in with_capacity
    passing = np.ones(n, dtype=np.bool_)
    furthest = 0
    for k, check in enumerate(checks):
        if check is not None:
            passing &= check
        if passing.any():
            furthest = k + 1
        else:
            break
    index = np.flatnonzero(passing).astype(np.int64, copy=False)
    terms = np.zeros((len(index), len(TERMS)), dtype=np.int64)
    for part in (form, profile):
        for term, column in part.columns.items():
            terms[:, COL[term]] = column if isinstance(column, int) else column[index]
    return StaticScores(index=index, terms=terms, furthest_check=furthest)


@cache
def _rank_lookup(acceptable: tuple[CareForm, ...]) -> IntArray:
    """Rank of every care form in the advice (-1: not acceptable); read-only, shared."""
    rank = np.full(len(FORMS), -1, dtype=np.int64)
    for r, form in enumerate(acceptable):
        rank[FORM_INDEX[form]] = r
    rank.flags.writeable = False
    return rank


def form_part(table: UnitTable, weights: Weights, acceptable: tuple[CareForm, ...]) -> Part:
    """The care-form check and term, from the advice's acceptable care forms only."""
    rank = _rank_lookup(acceptable)[table.form]
    cf = weights["care_form"]
    points = np.maximum(0, cf["first_best"] - cf["per_rank_lower"] * rank)
    return Part((rank >= 0,), {"care_form": points})


def profile_part(table: UnitTable, weights: Weights, key: ProfileKey) -> Part:
    """The other checks before capacity and the other static terms, from `key` only: the
    `child_part` and the `situation_part` together (checks in CHECKS order)."""
    child = child_part(table, weights, key.age, key.sex, key.required)
    situation = situation_part(
        table, weights, key.excluded, key.anchor, key.school, key.network, key.crisis
    )
    return Part((*child.checks, *situation.checks), {**child.columns, **situation.columns})


def child_part(table: UnitTable, weights: Weights, age: int, sex: Sex, required: int) -> Part:
    """Of `profile_part`, what reads the child's age, sex and required capabilities (mask):
    the checks on age, sex, capabilities and open, and the base and family-wish terms."""
    checks = (
        (table.age_min <= age) & (age <= table.age_max),
        (table.policy_sex < 0) | (table.policy_sex == SEX_INDEX[sex]),
        None if required == 0 else (table.caps & required) == required,
        table.open,
    )
    columns: dict[str, IntArray | int] = {"base": weights["base"]["points"]}
    if table.prefs_stated:
        columns["preferences"] = _preference_points(age, sex, required, table, weights)
    return Part(checks, columns)


def situation_part(
    table: UnitTable,
    weights: Weights,
    excluded: tuple[str, ...],
    anchor: Municipality | None,
    school: Municipality | None,
    network: tuple[Municipality, ...],
    crisis: bool,
) -> Part:
    """Of `profile_part`, the rest: the excluded units, and the distance, school, network
    and urgency terms."""
    check = None
    if excluded:
        wanted = set(excluded)
        check = np.asarray([u.unit_id not in wanted for u in table.units], dtype=np.bool_)
    columns: dict[str, IntArray | int] = {}
    if anchor is not None:
        columns["distance"] = weights["distance"]["per_km"] * KM[MUNI_INDEX[anchor], table.muni]
    if school is not None:
        columns["school"] = _nearness([school], table.muni, weights["school"])
    if network:
        columns["network"] = _nearness(list(network), table.muni, weights["network"])
    columns["urgency"] = weights["urgency"]["crisis"] if crisis else 0
    region = weights["region"]
    if region["in_region"]:
        columns["region"] = region["in_region"] * region_mask(anchor, table.muni, region)
    return Part((check,), columns)


def region_mask(anchor: Municipality | None, muni: IntArray, region: dict[str, int]) -> IntArray:
    """1 for a unit in the region (within radius_km of the anchor when that is set), else 0."""
    inside = np.asarray(region_mask_of_places()[muni], dtype=np.int64)
    if region["radius_km"] > 0 and anchor is not None:
        near = KM[MUNI_INDEX[anchor], muni] <= region["radius_km"]
        inside = inside * near
    return np.asarray(inside, dtype=np.int64)


def with_capacity(
    referral: MatchRequest, table: UnitTable, weights: Weights, static: StaticScores
) -> UnitScores:
    """The last hard check (a place by the deadline) and the terms that need the date."""
    candidates = static.index
    level = table.level_of(referral.deadline)[candidates]
    keep = table.level_caps[candidates, level] > 0
    index = candidates[keep]
    terms = static.terms[keep]
    terms[:, COL["preferences"]] += room_points(
        table.pref_room_set[index], table.pref_room[index], weights
    )
    terms[:, COL["waiting"]] = waiting_points(referral, table.today, weights)
    available_ord = table.first_free_ord[index]
    terms[:, COL["availability"]] = availability_points(
        available_ord - table.today.toordinal(), weights
    )
    return UnitScores(
        index=index,
        terms=terms,
        total=terms.sum(axis=1),
        level=level[keep],
        available_ord=available_ord,
        furthest_check=static.furthest_check + int(bool(keep.any())),
    )


def waiting_points(referral: MatchRequest, today: date, weights: Weights) -> int:
    """Points for the whole weeks waited (capped): the same for every unit."""
    return waited_points((today - referral.waiting_since).days, weights)


def waited_points(days: int, weights: Weights) -> int:
    """`waiting_points` for a child that has waited `days` days (0 or less: none)."""
    return weights.waited_points(days)


def availability_points(days: IntArray, weights: Weights) -> IntArray:
    """Points for the days until a place is available (capped), per unit."""
    a = weights["availability"]
    return np.asarray(a["per_day"] * np.minimum(days, a["max_days"]), dtype=np.int64)


def room_points(stated: BoolArray, room: IntArray, weights: Weights) -> IntArray:
    """Points for the family's wish about the number of children: met when room is left."""
    w = weights["preferences"]
    return np.where(stated, np.where(room >= 1, w["per_match"], w["per_mismatch"]), 0)


def _nearness(wanted: list[Municipality], muni: IntArray, w: dict[str, int]) -> IntArray:
    same = np.zeros(len(muni), dtype=np.bool_)
    near = np.zeros(len(muni), dtype=np.bool_)
    for m in wanted:
        r = MUNI_INDEX[m]
        same |= muni == r
        near |= neighbour_matrix()[r, muni]
    return np.where(same, w["same_municipality"], np.where(near, w["neighbouring"], 0))


def _preference_points(
    age: int, sex: Sex, required: int, table: UnitTable, weights: Weights
) -> IntArray:
    """The family's wishes about age, sex and expertise (the number of children: room_points)."""
    stated = [table.pref_age_set, table.pref_sex >= 0, table.pref_caps_set]
    met = [
        (table.pref_age_min <= age) & (age <= table.pref_age_max),
        table.pref_sex == SEX_INDEX[sex],
        (table.pref_caps & required) == required,
    ]
    matches = sum((s & m).astype(np.int64) for s, m in zip(stated, met, strict=True))
    misses = sum((s & ~m).astype(np.int64) for s, m in zip(stated, met, strict=True))
    w = weights["preferences"]
    return np.asarray(w["per_match"] * matches + w["per_mismatch"] * misses, dtype=np.int64)
