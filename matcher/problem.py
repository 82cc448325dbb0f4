"""The batch assignment problem as plain arrays: feasible pairs, scores, capacity chains, groups.

Pure: built from domain data only, shared by the OR-Tools solvers (matcher.solver), the
independent checks in the tests and the benchmark peers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from domain.places import neighbours
from matcher.table import MUNIS

IntArray = npt.NDArray[np.int64]

# Tie-break values lie in [0, TIE_RANGE); see MatchProblem.perturbed.
TIE_RANGE = 4096


@dataclass(frozen=True, slots=True)
class SiblingGroup:
    """Referrals (indices) that are siblings; `together` comes from their common advice."""

    group_id: str
    members: tuple[int, ...]
    together: bool


@dataclass(frozen=True, slots=True)
class MatchProblem:
    """Referrals x units: only feasible pairs exist; everything sorted by (referral, unit) id.

    Capacity of unit u is a chain of levels: level_caps[u][k] is the number of places
    available to children whose deadline lies in level k or earlier (non-decreasing in k).
    A pair's `level` is the level of that child's deadline in that unit.
    """

    referral_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]
    pair_ref: IntArray
    pair_unit: IntArray
    pair_score: IntArray
    pair_level: IntArray
    level_caps: tuple[tuple[int, ...], ...]
    unit_muni: IntArray
    groups: tuple[SiblingGroup, ...]

    @property
    def n_pairs(self) -> int:
        """Number of feasible pairs."""
        return len(self.pair_ref)

    @property
    def scale(self) -> int:
        """Multiplier of the plain score in the perturbed objective."""
        return TIE_RANGE * max(1, len(self.referral_ids))

    def tiebreak(self) -> IntArray:
        """A fixed value per pair from hashes of the referral and unit ids, in [0, TIE_RANGE).

        Depends only on the ids, never on input order, so the same instance always gives
        the same plan.
        """
        ref_hash = np.asarray([_id_hash(r) for r in self.referral_ids], dtype=np.uint64)
        unit_hash = np.asarray([_id_hash(u) for u in self.unit_ids], dtype=np.uint64)
        mixed = _splitmix(ref_hash[self.pair_ref] ^ _splitmix(unit_hash[self.pair_unit]))
        return np.asarray(mixed % np.uint64(TIE_RANGE), dtype=np.int64)

    def perturbed(self) -> IntArray:
        """score * scale + tiebreak: any optimum of this is an optimum of the plain sum.

        At most one pair per referral is chosen, so the tie-breaks of a plan add up to less
        than `scale`, while plain sums differ by at least one (times `scale`).
        """
        return self.pair_score * self.scale + self.tiebreak()

    def violations(self, chosen: IntArray) -> list[str]:
        """Hard constraints the chosen pairs break (capacity, one place each, siblings)."""
        found: list[str] = []
        refs = self.pair_ref[chosen]
        if len(set(refs.tolist())) != len(refs):
            found.append("een kind staat meer dan eens in het plan")
        for u in sorted(set(self.pair_unit[chosen].tolist())):
            levels = self.pair_level[chosen][self.pair_unit[chosen] == u]
            for k, cap in enumerate(self.level_caps[u]):
                if int((levels <= k).sum()) > cap:
                    found.append(f"eenheid {self.unit_ids[u]} boven capaciteit")
                    break
        unit_of = dict(zip(refs.tolist(), self.pair_unit[chosen].tolist(), strict=True))
        for group in self.groups:
            problem = group_violation(group, unit_of, self.unit_muni)
            if problem:
                found.append(f"broer/zusgroep {group.group_id}: {problem}")
        return found


@lru_cache(maxsize=1 << 16)
def _id_hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


_MASK64 = (1 << 64) - 1


def _splitmix_int(x: int) -> int:
    """`_splitmix` on one Python int (the same wrapping 64-bit arithmetic)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def pair_tiebreak(referral_id: str, unit_id: str) -> int:
    """`MatchProblem.tiebreak` of one pair, without building a problem (the same value)."""
    return tiebreak_with(referral_id, unit_half(unit_id))


def unit_half(unit_id: str) -> int:
    """The unit's part of every tie-break it is in (for a caller that keeps it per unit)."""
    return _splitmix_int(_id_hash(unit_id))


def tiebreak_with(referral_id: str, half: int) -> int:
    """`pair_tiebreak` of the referral with the unit whose `unit_half` is `half`."""
    return _splitmix_int(_id_hash(referral_id) ^ half) % TIE_RANGE


def trivial_choice(problem: MatchProblem) -> IntArray | None:
    """The optimal pairs of an instance that needs no solver, or None.

    Without sibling groups, an instance with one referral, or whose pairs all use one unit
    with a single capacity level, is solved by taking the pairs with the highest perturbed
    score (at most one; at most that unit's places): every pair is feasible on its own and
    scores above 0, so that is the optimum of the perturbed sum. Exactly equal perturbed
    scores (equal score and equal tie-break) go to the lowest pair, i.e. in (referral id,
    unit id) order; a solver might pick either.
    """
    if any(len(g.members) >= 2 for g in problem.groups) or problem.n_pairs == 0:
        return None if problem.n_pairs else np.zeros(0, np.int64)
    units = np.unique(problem.pair_unit)
    if len(problem.referral_ids) == 1:
        room = 1
    elif len(units) == 1 and len(problem.level_caps[int(units[0])]) == 1:
        room = problem.level_caps[int(units[0])][0]
    else:
        return None
    order = np.argsort(-problem.perturbed(), kind="stable")
    return np.sort(order[:room]).astype(np.int64)


def _splitmix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The splitmix64 finaliser: a fixed, well-mixed 64-bit hash (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return np.asarray(x ^ (x >> np.uint64(31)), dtype=np.uint64)


def group_violation(
    group: SiblingGroup, unit_of: dict[int, int], unit_muni: IntArray
) -> str | None:
    """Why a sibling group's placement breaks the rules, or None."""
    placed = [unit_of[m] for m in group.members if m in unit_of]
    if group.together:
        if placed and (len(placed) != len(group.members) or len(set(placed)) != 1):
            return "niet samen geplaatst"
        return None
    munis = [MUNIS[int(unit_muni[u])] for u in placed]
    for i, a in enumerate(munis):
        for b in munis[i + 1 :]:
            if not neighbours(a, b):
                return "apart geplaatst in niet-aangrenzende gemeenten"
    return None


def usable_pairs(problem: MatchProblem) -> IntArray:
    """Pairs that some plan keeping every rule can use (exact preprocessing).

    A child of a group that goes together can only use a unit that is feasible for all
    the siblings and has room for all of them by their deadlines.
    """
    keep = np.ones(problem.n_pairs, np.bool_)
    starts = np.searchsorted(problem.pair_ref, np.arange(len(problem.referral_ids) + 1))
    for group in problem.groups:
        if not group.together or len(group.members) < 2:
            continue
        spans = [range(int(starts[m]), int(starts[m + 1])) for m in group.members]
        levels: dict[int, list[int]] = {}
        for span in spans:
            for p in span:
                levels.setdefault(int(problem.pair_unit[p]), []).append(int(problem.pair_level[p]))
        room = {
            u
            for u, lv in levels.items()
            if len(lv) == len(group.members)
            and all(
                sum(1 for x in lv if x <= k) <= cap for k, cap in enumerate(problem.level_caps[u])
            )
        }
        for span in spans:
            for p in span:
                keep[p] = int(problem.pair_unit[p]) in room
    return np.flatnonzero(keep).astype(np.int64)
