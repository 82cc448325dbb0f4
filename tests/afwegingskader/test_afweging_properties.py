"""Property tests: every valid profile gets a consistent, deterministic advice."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from afwegingskader.engine import FALLBACK_RULE_ID, advise
from afwegingskader.models import Advice, Profile
from afwegingskader.ruleset import DEFAULT_RULES, default_rule_set, load_rule_set, parse_rule_set
from domain.care import RESIDENTIAL_FORMS, CareForm
from domain.codelist import default_codelist
from domain.people import MAX_AGE
from domain.places import Municipality, region_municipalities
from domain.profile_vocabulary import (
    Complexity,
    Contraindication,
    Externalising,
    NetworkSafety,
    ParentsView,
    Perspective,
    Severity,
    Sex,
    Suicidality,
    TreatmentNeed,
)

CODES = [c.code for c in default_codelist().codes()]
REFERENCE = date(2025, 11, 3)


# The region's municipalities, one outside it (Amsterdam) and the unrecorded catch-all.
PLACES = [*region_municipalities(), Municipality("GM0363"), Municipality.BUITEN_REGIO]


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
        "treatment_need": draw(st.sampled_from(TreatmentNeed)),
        "psychiatric": draw(st.booleans()),
        "substance_use": draw(st.booleans()),
        "runaway_exploitation": draw(st.booleans()),
        "suicidality": draw(st.sampled_from(Suicidality)),
        "parents_problems": draw(st.booleans()),
        "earlier_ambulant_help": draw(st.booleans()),
        "network_safety": draw(st.sampled_from(NetworkSafety)),
        "continuation_of_current_placement": draw(st.booleans()),
        "current_care_form": draw(st.none() | st.sampled_from(CareForm)),
        "religion_wish": draw(st.none() | st.just("protestants-christelijk")),
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
        "home_municipality": draw(st.none() | st.sampled_from(PLACES)),
        "responsible_municipality": draw(st.none() | st.sampled_from(PLACES)),
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


EXCEPTIONS = {r.id for r in default_rule_set().rules if r.then.age_exception}


@settings(max_examples=400, deadline=None)
@given(profiles())
def test_no_residential_first_best_below_the_age_threshold_without_an_exception(
    profile: Profile,
) -> None:
    advice = advise(profile)
    below = profile.years < default_rule_set().residential_min_age
    if below and advice.first_best in RESIDENTIAL_FORMS:
        fired = {r.rule_id for r in advice.reasons}
        assert fired & EXCEPTIONS
        assert advice.second_opinion is not None
    if advice.first_best in RESIDENTIAL_FORMS:
        # Residential first-best always says what makes a family setting impossible.
        assert advice.family_setting_impossible is not None


# Rules that may put a gezinshuis above a safe, available network, each naming the network.
NAMING_THE_NETWORK = {
    r.id for r in default_rule_set().rules if "netwerk" in r.text and r.then.first is not None
}


@settings(max_examples=400, deadline=None)
@given(profiles())
def test_a_safe_network_is_never_below_a_gezinshuis_without_a_named_reason(
    profile: Profile,
) -> None:
    advice = advise(profile)
    acceptable = list(advice.acceptable)
    safe = profile.network_family_available and profile.network_safety is NetworkSafety.VEILIG
    network, home = CareForm.PLEEGZORG_NETWERK, CareForm.GEZINSHUIS
    if not (safe and home in acceptable):
        return
    excluded = {e.care_form: e for e in advice.excluded}
    if network in excluded:
        assert excluded[network].reason  # a named reason
        return
    if acceptable.index(network) > acceptable.index(home):
        fired = {r.rule_id for r in advice.reasons}
        assert fired & NAMING_THE_NETWORK, fired


@settings(max_examples=300, deadline=None)
@given(profiles())
def test_every_care_form_is_acceptable_or_excluded_with_a_reason(profile: Profile) -> None:
    advice = advise(profile)
    excluded = {e.care_form for e in advice.excluded}
    assert excluded | set(advice.acceptable) == set(CareForm)
    assert all(e.reason and e.rule_id for e in advice.excluded)
    assert len({r.rule_id for r in advice.reasons}) == len(advice.reasons)  # no repeats


def test_below_the_threshold_the_engine_guards_even_when_a_rule_forgets() -> None:
    # A rule file that puts the behandelgroep first for everyone, without an exception.
    raw = {
        "name": "t", "version": "1", "order": ["behandelgroep", "gezinshuis"],
        "fallback": ["gezinshuis"], "breakdown_risk": {"medium": 2, "high": 4},
        "rules": [{"id": "X-01", "text": "altijd groep", "source": "test", "priority": 1,
                   "then": {"first": "behandelgroep"}}],
    }  # fmt: skip
    forgetful = parse_rule_set(raw, "test.yaml")
    child = Profile.model_validate(
        {"age": 9, "reference_date": REFERENCE, "sex": "m", "severity": "matig",
         "complexity": "meervoudig", "perspective": "terug_naar_huis"}
    )  # fmt: skip
    advice = advise(child, forgetful)
    assert advice.first_best is CareForm.GEZINSHUIS
    assert "LEEFTIJDSGRENS" in {r.rule_id for r in advice.reasons}
    older = advise(child.model_copy(update={"age": 12}), forgetful)
    assert older.first_best is CareForm.BEHANDELGROEP
    assert older.family_setting_impossible is not None
