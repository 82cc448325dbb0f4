"""`Advisor` (the simulations' memoised afwegingskader) gives exactly `engine.advise`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from afwegingskader.advisor import Advisor
from afwegingskader.engine import advise
from afwegingskader.models import Profile
from afwegingskader.ruleset import default_rule_set
from simulations.children import ChildCase, ProfileSource
from simulations.scenario import load_scenario
from tests.afwegingskader.test_afweging_properties import profiles

BASELINE = Path(__file__).parents[2] / "simulations" / "scenarios" / "flevoland.yaml"

# One advisor over all examples, so that later profiles hit what earlier ones left; one
# planned early, so that most examples go through the joined groups; a tiny limit so that
# the memos are also emptied and filled again.
_SHARED = Advisor()
_PLANNED = Advisor(plan_after=25)
_TINY = Advisor(limit=3, plan_after=10)


@settings(max_examples=300)
@given(profiles())
def test_the_advisor_gives_the_engines_advice(profile: Profile) -> None:
    expected = advise(profile)
    assert _SHARED.advise(profile) == expected
    assert _SHARED.advise(profile) == expected  # now from the memos
    assert _PLANNED.advise(profile) == expected
    assert _TINY.advise(profile) == expected


@given(profiles(), profiles())
def test_a_memo_never_leaks_one_profiles_advice_into_another(a: Profile, b: Profile) -> None:
    advisor = Advisor()
    advisor.advise(a)
    assert advisor.advise(b) == advise(b)


def test_a_planned_advisor_looks_up_less_and_advises_the_same() -> None:
    # Simulated children: most facts hardly vary (CAP-J codes, earlier placements), so
    # after planning one look-up serves several groups of rules.
    source = load_scenario(BASELINE).scenario.demand
    assert isinstance(source, ProfileSource)
    rng = np.random.default_rng(11)
    advisor = Advisor(plan_after=200)
    unplanned = advisor.lookups
    for index in range(600):
        case = source.draw(rng, index, float(index)).payload
        assert isinstance(case, ChildCase)
        advice = advisor.advise(case.profile)
        assert advice == advise(case.profile)
        assert advice.model_fields_set == advise(case.profile).model_fields_set
    assert advisor.lookups < unplanned


def test_a_rule_with_a_step_of_an_unknown_kind_is_refused() -> None:
    # The advice is memoised per kind of step (care forms, siblings, risk, location); a new
    # kind of action must be given its part first, not silently share another's memo.
    rules = default_rule_set()
    first = rules.rules[0]
    odd = replace(first, steps=(*first.steps, lambda decision: None))
    changed = replace(rules, rules=(odd, *rules.rules[1:]))
    with pytest.raises(TypeError, match=first.id):
        Advisor(changed)
