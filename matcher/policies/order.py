"""The order of a placement policy's levels, and how it is kept over a whole batch.

A policy (matcher.policies) ranks plans lexicographically: first the urgency of the children
placed (uncapped), then how many are placed, then its bounded levels in the policy's order
(regio, zorgvorm, nabijheid). The solvers maximise one integer, so the levels are weighted:

- Per pair (`LevelOrder.pair_units`, the compiled weights): each level's unit is one more
  than the largest spread all lower levels together can have on one pair (a mixed radix).
  So comparing two pair scores is comparing their level vectors: exact for a plan of one
  child (the best unit) and for one unit (its places to the best children: the best sets
  of a uniform matroid are the top ones by the same order).
- Per batch (`rescale`): a plan places at most n children (n = min(children, places)). The
  levels are read back from the terms and weighted again from the bottom up with each
  level's unit larger than n times the spread, in this batch, of every lower level:

      unit[k] = n * sum(spread[j] * unit[j] for j below k) + 1

  With lower levels shifted to start at 0, any two plans equal on the levels above k
  differ below k by less than unit[k], so a gain of one at level k outweighs it; the count
  level's spread is one per child, and urgency (never shifted: a child with urgency 0 adds
  nothing) sits on top. The rescaled scores must fit the solvers' int64 with the
  tie-break (`problem.scale`); otherwise the plan is refused (`PolicyOrderError`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from domain.errors import InvalidInput

IntArray = npt.NDArray[np.int64]
# The bounded levels and the score terms that make them up.
LEVEL_TERMS: dict[str, tuple[str, ...]] = {
    "regio": ("region",),
    "zorgvorm": ("care_form",),
    "nabijheid": ("distance", "school", "network", "preferences", "availability"),
}
URGENCY_TERMS = ("waiting", "urgency")
# int64 with room to spare: scores times the tie-break scale must stay below this.
SAFE = 2**62


class PolicyOrderError(InvalidInput):
    """The batch is too large to keep the policy's order in one int64 objective."""

    kind = "PolicyOrderError"


@dataclass(frozen=True, slots=True)
class LevelOrder:
    """The bounded levels (highest first), their per-pair units and nabijheid's offset."""

    levels: tuple[str, ...]  # bounded levels, highest first (urgency and count are above)
    spreads: dict[str, int]  # per pair, the largest spread of each bounded level
    offset: int  # added to the nabijheid terms so that level is never below 0

    def pair_units(self) -> dict[str, int]:
        """Per level (and "plaatsing", "urgentie"): its unit in a pair score."""
        units: dict[str, int] = {}
        below = 0
        for level in reversed(self.levels):
            units[level] = below + 1
            below += self.spreads[level] * units[level]
        units["plaatsing"] = below + 1
        units["urgentie"] = 2 * units["plaatsing"] + below
        return units


def level_values(
    order: LevelOrder, terms: IntArray, columns: dict[str, int]
) -> dict[str, IntArray]:
    """Per level, its value on each pair (rows of `terms`, per-pair-unit weighted)."""
    units = order.pair_units()
    values: dict[str, IntArray] = {}
    for level in order.levels:
        raw = terms[:, [columns[t] for t in LEVEL_TERMS[level]]].sum(axis=1)
        if level == "nabijheid":
            raw = raw + order.offset * units[level]
        values[level] = raw // units[level]
    urgency = terms[:, [columns[t] for t in URGENCY_TERMS]].sum(axis=1)
    values["urgentie"] = urgency // units["urgentie"]
    return values


def rescale(
    order: LevelOrder, terms: IntArray, columns: dict[str, int], placements: int, scale: int
) -> IntArray:
    """Pair scores that keep the policy's order over a plan of at most `placements` children."""
    if len(terms) == 0:
        return np.zeros(0, np.int64)
    values = level_values(order, terms, columns)
    n = max(1, placements)
    total = np.zeros(len(terms), dtype=object)  # Python ints: no silent overflow
    below = 0  # n * sum(spread * unit) of the levels so far
    for level in reversed(order.levels):
        v = values[level]
        low = int(v.min())
        spread = int(v.max()) - low
        unit = below + 1
        total = total + (v - low).astype(object) * unit
        below += n * spread * unit
    count_unit = below + 1
    total = total + count_unit
    urgency_unit = n * count_unit + below + 1
    total = total + values["urgentie"].astype(object) * urgency_unit
    top = int(total.max())
    if top * scale >= SAFE:
        raise PolicyOrderError(
            f"te veel kinderen in één plan ({n}) om de volgorde van het beleid te bewaren;"
            " splits de wachtlijst",
            field="referrals",
        )
    return np.asarray(total, dtype=np.int64)
