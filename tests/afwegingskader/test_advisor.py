"""`Advisor` (the simulations' memoised afwegingskader) gives exactly `engine.advise`."""

from __future__ import annotations

from hypothesis import given, settings

from afwegingskader.advisor import Advisor
from afwegingskader.engine import advise
from afwegingskader.models import Profile
from tests.afwegingskader.test_afweging_properties import profiles

# One advisor over all examples, so that later profiles hit what earlier ones left; a tiny
# limit so that the memos are also emptied and filled again.
_SHARED = Advisor()
_TINY = Advisor(limit=3)


@settings(max_examples=300)
@given(profiles())
def test_the_advisor_gives_the_engines_advice(profile: Profile) -> None:
    expected = advise(profile)
    assert _SHARED.advise(profile) == expected
    assert _SHARED.advise(profile) == expected  # now from the memos
    assert _TINY.advise(profile) == expected


@given(profiles(), profiles())
def test_a_memo_never_leaks_one_profiles_advice_into_another(a: Profile, b: Profile) -> None:
    advisor = Advisor()
    advisor.advise(a)
    assert advisor.advise(b) == advise(b)
