"""Table-driven tests: every rule of the default rule set, shown firing and doing its work."""

from __future__ import annotations

from typing import Any

import pytest

from afwegingskader.actions import ACTION_KEYS
from afwegingskader.conditions import FACTS
from afwegingskader.engine import advise
from afwegingskader.models import Advice
from afwegingskader.ruleset import DEFAULT_RULES, default_rule_set
from domain.profile_vocabulary import RiskLevel
from tests.afwegingskader.rule_cases import (
    BASE_FIRED,
    CASES,
    RESIDENTIAL,
    SAFE_NETWORK,
    Case,
    profile,
)


def _check(case: Case, advice: Advice) -> None:
    warnings = [w.rule_id for w in advice.warnings]
    assert case.rule in (warnings if case.warning else [r.rule_id for r in advice.reasons])
    if case.warning:  # a warning is shown to check, never among the reasons
        assert case.rule not in [r.rule_id for r in advice.reasons]
    checks = {c.option.value: c.could_prevent for c in advice.prevention}
    for option, could in case.prevention.items():
        assert checks[option] is could
    conditioned = {c.care_form for c in advice.conditions if c.rule_id == case.rule}
    assert set(case.conditions) <= conditioned
    if case.second_opinion is not None:
        assert (advice.second_opinion is not None) is case.second_opinion
    if case.continuation is not None:
        assert advice.continuation is case.continuation
    if case.acceptable is not None:
        assert advice.acceptable == case.acceptable
    excluded = {e.care_form: e.rule_id for e in advice.excluded}
    for form, rule in case.excluded_by.items():
        assert excluded.get(form) == rule
    for cap in case.capabilities:
        assert cap in advice.required_capabilities
    for cap in case.no_capabilities:
        assert cap not in advice.required_capabilities
    if case.siblings is not None:
        assert (advice.siblings.together, advice.siblings.rule_id) == case.siblings
    if case.risk is not None:
        assert (advice.breakdown_risk.level, advice.breakdown_risk.score) == case.risk
    if case.factor:
        text = next(r.text for r in advice.reasons if r.rule_id == case.rule)
        assert text in advice.breakdown_risk.factors
    if case.location != "-":
        assert advice.location.municipality == case.location


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule_fires_and_acts(case: Case) -> None:
    _check(case, advise(profile(**case.profile)))


def test_every_rule_of_the_default_set_has_a_case() -> None:
    assert {c.rule for c in CASES} == set(default_rule_set().rule_ids)


def test_base_profile_fires_only_the_base_rules() -> None:
    advice = advise(profile())
    assert tuple(r.rule_id for r in advice.reasons) == BASE_FIRED
    assert advice.breakdown_risk.level is RiskLevel.LOW


@pytest.mark.parametrize(
    ("rule", "overrides"),
    [
        ("LT-01", {"age": 20}),
        ("LT-02", {"age": 17}),
        ("JK-01", {"age": 5}),
        ("BR-01", {"age": 4}),
        ("ZS-01", {"age": 15, "perspective": "zelfstandig_wonen"}),
        ("CR-02", {"crisis": True, "age": 12}),
        ("CR-03", {"crisis": True, "age": 11}),
        ("DT-01", {"severity": "licht", "parents_view": "steunend", "crisis": True}),
        ("SB-01", {}),
        ("BG-01", {"treatment_need": "residentieel"}),
        ("UZ-01", {**RESIDENTIAL, "age": 12, "suicidality": "acuut"}),
        ("BH-05", {**RESIDENTIAL, "age": 12}),
        ("OJ-01", {"age": 18, "perspective": "zelfstandig_wonen"}),
        ("CO-01", {"age": 17, "continuation_of_current_placement": True}),
        ("KW-01", {"age": 11, **SAFE_NETWORK}),
        ("LO-01", {"perspective": "terug_naar_huis"}),
    ],
)
def test_rule_does_not_fire_just_outside_its_condition(
    rule: str, overrides: dict[str, Any]
) -> None:
    assert rule not in [r.rule_id for r in advise(profile(**overrides)).reasons]


def test_risk_factors_add_up_and_protective_factors_lower_the_score() -> None:
    risky = advise(profile(age=14, externalising="ernstig", trauma=True))
    assert (risky.breakdown_risk.level, risky.breakdown_risk.score) == (RiskLevel.HIGH, 5.0)
    calmer = advise(
        profile(
            age=14, externalising="ernstig", trauma=True, child_agrees=True, parents_view="steunend"
        )
    )
    assert (calmer.breakdown_risk.level, calmer.breakdown_risk.score) == (RiskLevel.MEDIUM, 3.0)


def test_score_never_goes_below_zero() -> None:
    advice = advise(profile(child_agrees=True, parents_view="steunend"))
    assert advice.breakdown_risk.score == 0.0
    assert len(advice.breakdown_risk.factors) == 3  # age (1.2), agrees (-1), parents (-1)


def test_reasons_name_rule_set_and_sources() -> None:
    advice = advise(profile())
    assert (advice.rule_set.name, advice.rule_set.version) == ("flevoland-standaard", "2.0.0")
    assert all(r.source for r in advice.reasons)


def test_every_rule_cites_a_source_or_says_local_choice() -> None:
    for rule in default_rule_set().rules:
        assert rule.source.strip() and rule.text.strip()
        # Users see these texts: public sources only, never a developer document or seed.
        for forbidden in ("DOMAIN", "seed", ".md", "lokale keuze (", "lokale keuze,"):
            assert forbidden not in rule.source and forbidden not in rule.text, rule.id


def test_rule_file_header_documents_every_fact_and_action() -> None:
    header = DEFAULT_RULES.read_text(encoding="utf-8").split("\nname:")[0]
    missing = [name for name in [*FACTS, *ACTION_KEYS] if name not in header]
    assert missing == []
