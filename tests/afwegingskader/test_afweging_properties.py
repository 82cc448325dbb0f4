"""Property tests: every valid profile gets a consistent, deterministic advice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from afwegingskader.engine import FALLBACK_RULE_ID, advise
from afwegingskader.models import (
    Advice,
    Complexity,
    Contraindication,
    Externalising,
    ParentsView,
    Profile,
    Severity,
)
from afwegingskader.ruleset import DEFAULT_RULES, default_rule_set, load_rule_set
from domain.care import CareForm
from domain.codelist import default_codelist
from domain.people import MAX_AGE, Perspective, Sex
from domain.places import Municipality

CODES = [c.code for c in default_codelist().codes()]
REFERENCE = date(2025, 11, 3)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """Any valid profile: age given directly or through a birth date."""
    placements = draw(st.integers(0, 8))
    data: dict[str, Any] = {
        "reference_date": REFERENCE,
        "sex": draw(st.sampled_from(Sex)),
        "capj": draw(st.lists(st.sampled_from(CODES), max_size=4)),
        "severity": draw(st.sampled_from(Severity)),
        "complexity": draw(st.sampled_from(Complexity)),
        "externalising": draw(st.sampled_from(Externalising)),
        "treatment_need": draw(st.booleans()),
        "trauma": draw(st.booleans()),
        "lvb": draw(st.booleans()),
        "earlier_placements": placements,
        "earlier_breakdowns": draw(st.integers(0, placements)),
        "parents_view": draw(st.sampled_from(ParentsView)),
        "child_agrees": draw(st.booleans()),
        "network_family_available": draw(st.booleans()),
        "perspective": draw(st.sampled_from(Perspective)),
        "crisis": draw(st.booleans()),
        "siblings": [
            {"id": f"s{i}", "contraindications": contra}
            for i, contra in enumerate(
                draw(st.lists(st.lists(st.sampled_from(Contraindication), max_size=2), max_size=4))
            )
        ],
        "home_municipality": draw(st.none() | st.sampled_from(Municipality)),
        "responsible_municipality": draw(st.none() | st.sampled_from(Municipality)),
    }
    if draw(st.booleans()):
        data["age"] = draw(st.integers(0, MAX_AGE))
    else:
        # Birth dates from just after the 24th birthday window to the reference date itself.
        days = draw(st.integers(0, (MAX_AGE + 1) * 365 - 2))
        data["birth_date"] = REFERENCE - timedelta(days=days)
    return Profile.model_validate(data)


@settings(max_examples=400, deadline=None)
@given(profiles())
def test_every_valid_profile_gets_a_consistent_advice(profile: Profile) -> None:
    advice = advise(profile)
    excluded = {e.care_form for e in advice.excluded}
    assert advice.first_best not in excluded
    assert not excluded & set(advice.alternatives)
    assert advice.first_best not in advice.alternatives
    assert len(set(advice.alternatives)) == len(advice.alternatives)
    assert len({e.care_form for e in advice.excluded}) == len(advice.excluded)
    known = set(default_rule_set().rule_ids) | {FALLBACK_RULE_ID}
    assert {r.rule_id for r in advice.reasons} <= known
    # The advice built without validation must still be a valid Advice.
    assert Advice.model_validate(advice.model_dump()) == advice


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_same_input_same_advice(profile: Profile) -> None:
    again = Profile.model_validate(profile.model_dump())
    fresh_rules = load_rule_set(DEFAULT_RULES)
    assert advise(profile) == advise(again) == advise(profile, fresh_rules)


@settings(max_examples=300, deadline=None)
@given(profiles())
def test_default_set_respects_the_hard_limits(profile: Profile) -> None:
    advice = advise(profile)
    acceptable = set(advice.acceptable)
    assert CareForm.GESLOTEN not in acceptable
    if profile.years >= 12:
        assert CareForm.CRISISGROEP_12MIN not in acceptable
    else:
        assert CareForm.CRISISGROEP_12PLUS not in acceptable
    if profile.years >= 21:
        assert not acceptable & {
            CareForm.PLEEGZORG_NETWERK,
            CareForm.PLEEGZORG_BESTAND,
            CareForm.PLEEGZORG_DEELTIJD,
            CareForm.PLEEGZORG_CRISIS,
            CareForm.GEZINSHUIS,
        }
    if not profile.crisis:
        assert not any(form.is_crisis for form in acceptable)
    if not profile.siblings:
        assert advice.siblings.together is None
