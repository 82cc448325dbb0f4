"""The batch assignment problem as plain arrays: feasible pairs, scores, capacity chains, groups.

Pure: built from domain data only, shared by the OR-Tools solvers (matcher.solver), the
independent checks in the tests and the benchmark peers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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


def _id_hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


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
