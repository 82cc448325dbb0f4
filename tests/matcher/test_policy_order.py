"""The ordered policy keeps its levels' order over a whole batch (matcher.policies.order).

Per level: random small batches in which only that level and the levels below it vary,
with the lower levels at their extremes. The plan with the highest rescaled score sum must
be the lexicographically best plan (brute force over every plan). Each test also checks that
the per-pair units alone (the compiled weights, no batch factor) pick a worse plan in some
of those batches: so a lower level really could outweigh the level under test, and the
test fails when `rescale` stops guarding against it.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from matcher.policies import shipped_policy
from matcher.policies.order import LevelOrder, PolicyOrderError, level_values, rescale
from matcher.score_table import COL
from matcher.weights import TERMS

Pairs = list[tuple[int, int]]
Values = list[dict[str, int]]
LEVELS = ("urgentie", "plaatsing", "regio", "zorgvorm", "nabijheid")


def _order() -> LevelOrder:
    order = shipped_policy().weights.order
    assert isinstance(order, LevelOrder)
    return order


def _terms(order: LevelOrder, values: list[dict[str, int]]) -> np.ndarray:
    """A terms matrix whose pairs have these level values (per-pair units, as compiled)."""
    units = order.pair_units()
    terms = np.zeros((len(values), len(TERMS)), dtype=np.int64)
    for row, v in enumerate(values):
        terms[row, COL["waiting"]] = v["urgentie"] * units["urgentie"]
        terms[row, COL["region"]] = v["regio"] * units["regio"]
        terms[row, COL["care_form"]] = v["zorgvorm"] * units["zorgvorm"]
        terms[row, COL["distance"]] = (v["nabijheid"] - order.offset) * units["nabijheid"]
        terms[row, COL["base"]] = units["plaatsing"] + order.offset * units["nabijheid"]
    return terms


def _plans(pairs: list[tuple[int, int]]) -> list[tuple[int, ...]]:
    """Every set of pairs with each child and each unit (one place) at most once."""
    out = []
    for size in range(len(pairs) + 1):
        for combo in itertools.combinations(range(len(pairs)), size):
            kids = [pairs[p][0] for p in combo]
            units = [pairs[p][1] for p in combo]
            if len(set(kids)) == len(kids) and len(set(units)) == len(units):
                out.append(combo)
    return out


def _batch(level: str, rng: random.Random, order: LevelOrder) -> tuple[Pairs, Values]:
    """Pairs of 3 children x 3 units and their level values: `level` and below vary."""
    varying = LEVELS[LEVELS.index(level) :]
    top = {
        "regio": 1,
        "zorgvorm": order.spreads["zorgvorm"],
        "nabijheid": order.spreads["nabijheid"],
    }
    urgency = [rng.choice((0, 1)) if "urgentie" in varying else 0 for _ in range(3)]
    pairs: Pairs = []
    values: Values = []
    for child, unit in itertools.product(range(3), range(3)):
        if rng.random() < 0.6:
            pairs.append((child, unit))
            v = {"urgentie": urgency[child]}
            for name, high in top.items():
                v[name] = rng.choice((0, 1, high)) if name in varying else 0
            values.append(v)
    return pairs, values


def _best_lexicographic(order: LevelOrder, pairs: Pairs, values: Values) -> tuple[int, ...]:
    def key(plan: tuple[int, ...]) -> tuple[int, ...]:
        sums = [sum(values[p][name] for p in plan) for name in ("urgentie",)]
        sums.append(len(plan))
        sums += [sum(values[p][name] for p in plan) for name in order.levels]
        return tuple(sums)

    plans = _plans(pairs)
    best = max(key(p) for p in plans)
    return best


def _best_by_scores(
    scores: np.ndarray, pairs: Pairs, order: LevelOrder, values: Values
) -> tuple[int, ...]:
    plans = _plans(pairs)
    top = max(plans, key=lambda plan: int(sum(int(scores[p]) for p in plan)))
    sums = [sum(values[p]["urgentie"] for p in top), len(top)]
    sums += [sum(values[p][name] for p in top) for name in order.levels]
    return tuple(sums)


@pytest.mark.parametrize("level", LEVELS)
def test_no_lower_level_outweighs_a_higher_one_over_a_batch(level: str) -> None:
    order = _order()
    rng = random.Random(f"policy-order-{level}")
    per_pair_wrong = 0
    for _ in range(150):
        pairs, values = _batch(level, rng, order)
        if not pairs:
            continue
        terms = _terms(order, values)
        found = level_values(order, terms, COL)
        for name in ("urgentie", *order.levels):
            assert found[name].tolist() == [v[name] for v in values]
        best = _best_lexicographic(order, pairs, values)
        placements = min(len({c for c, _ in pairs}), len({u for _, u in pairs}))
        scores = rescale(order, terms, COL, placements, scale=4096 * 3)
        assert _best_by_scores(scores, pairs, order, values) == best
        per_pair = terms.sum(axis=1)
        per_pair_wrong += _best_by_scores(per_pair, pairs, order, values) != best
    if level != "nabijheid":  # the lowest level has nothing below it to outweigh it
        assert per_pair_wrong > 0, "no batch where the lower levels could outweigh " + level


def test_a_batch_too_large_for_int64_is_refused() -> None:
    order = _order()
    wide = order.spreads["nabijheid"]
    values = [
        {"urgentie": 10**6, "regio": 1, "zorgvorm": 8, "nabijheid": 0},
        {"urgentie": 0, "regio": 0, "zorgvorm": 0, "nabijheid": wide},
    ]
    terms = _terms(order, values)
    with pytest.raises(PolicyOrderError):
        rescale(order, terms, COL, placements=5000, scale=4096 * 5000)


def test_urgency_outweighs_a_whole_sibling_group_placed_instead() -> None:
    """One urgent child against a "together" group of three that needs the same unit's three
    places: the plan with the urgent child (1 placed) must beat the group (3 placed). With
    single-place units a step of urgency never costs more than one placement (two plans
    differ by alternating paths), so only a group can show that the urgency unit needs
    the factor n over the count level: without it the group's plan wins here."""
    order = _order()
    lower = {"regio": 0, "zorgvorm": 0, "nabijheid": order.spreads["nabijheid"]}
    urgent = {"urgentie": 1, "regio": 0, "zorgvorm": 0, "nabijheid": 0}
    sibling = {"urgentie": 0, **lower}
    low_sibling = {"urgentie": 0, "regio": 0, "zorgvorm": 0, "nabijheid": 0}
    values = [urgent, sibling, sibling, sibling, low_sibling]  # the last pair widens spreads
    terms = _terms(order, values)
    scores = [int(s) for s in rescale(order, terms, COL, placements=3, scale=4096 * 3)]
    assert scores[0] > scores[1] + scores[2] + scores[3]
    # The same check with the urgency unit one above the count unit and the lower levels
    # (the factor n left out) fails: so this test catches that mistake.
    count_unit = scores[4]  # the widening pair: every level at its low, so only the count
    without_n = scores[0] - (2 * count_unit)  # urgency unit (n=3) minus (n-1) count units
    assert without_n <= scores[1] + scores[2] + scores[3]
