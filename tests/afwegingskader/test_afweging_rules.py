"""Table-driven tests: every rule of the default rule set, shown firing and doing its work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from afwegingskader.actions import ACTION_KEYS
from afwegingskader.conditions import FACTS
from afwegingskader.engine import advise
from afwegingskader.models import Advice, Profile, RiskLevel
from afwegingskader.ruleset import DEFAULT_RULES, default_rule_set
from domain.care import CareForm as F
from domain.people import Capability as Cap
from domain.places import Municipality as Place

# An 8-year-old without network, moderate multiple problems, long-term perspective: only
# GS-01, NW-01, BG-01 and LO-03 fire, and the advice is bestandspleegzorg then gezinshuis.
BASE: dict[str, Any] = {
    "age": 8,
    "reference_date": date(2025, 11, 3),
    "sex": "m",
    "severity": "matig",
    "complexity": "meervoudig",
    "perspective": "langdurig_verblijf",
}
BASE_FIRED = ("GS-01", "NW-01", "BG-01", "LO-03")


def profile(**overrides: Any) -> Profile:
    """A valid profile: BASE with overrides."""
    return Profile.model_validate({**BASE, **overrides})


def siblings(*contra: tuple[str, ...]) -> list[dict[str, Any]]:
    """Sibling links, one per tuple of contraindications."""
    return [{"id": f"s{i}", "contraindications": list(c)} for i, c in enumerate(contra)]


@dataclass(frozen=True)
class Case:
    """One row: a profile, the rule that must fire and what it must do."""

    rule: str
    profile: dict[str, Any]
    acceptable: tuple[F, ...] | None = None
    excluded_by: dict[F, str] = field(default_factory=dict)
    capabilities: tuple[Cap, ...] = ()
    no_capabilities: tuple[Cap, ...] = ()
    siblings: tuple[bool | None, str | None] | None = None
    risk: tuple[RiskLevel, float] | None = None
    factor: bool = False
    location: Place | str | None = "-"


CASES = [
    Case(
        "GS-01",
        {},
        acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
        excluded_by={F.GESLOTEN: "GS-01"},
    ),
    Case(
        "LT-01",
        {"age": 21},
        acceptable=(F.BEHANDELGROEP,),
        excluded_by={
            F.PLEEGZORG_BESTAND: "LT-01",
            F.PLEEGZORG_DEELTIJD: "LT-01",
            F.PLEEGZORG_CRISIS: "LT-01",
            F.GEZINSHUIS: "LT-01",
        },
    ),
    Case("LT-02", {"age": 18}, acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS)),
    Case("NW-01", {}, excluded_by={F.PLEEGZORG_NETWERK: "NW-01"}),
    Case(
        "NW-02",
        {"network_family_available": True},
        acceptable=(F.PLEEGZORG_NETWERK, F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
    ),
    Case(
        "CJ-01",
        {"network_family_available": True, "capj": ["D101"], "parents_view": "afwijzend"},
        acceptable=(F.PLEEGZORG_BESTAND, F.PLEEGZORG_NETWERK, F.GEZINSHUIS),
    ),
    Case("ZW-01", {"severity": "ernstig"}, acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND)),
    Case("BG-01", {}, excluded_by={F.BEHANDELGROEP: "BG-01"}),
    Case(
        "BG-02",
        {"severity": "ernstig", "complexity": "complex"},
        acceptable=(F.GEZINSHUIS, F.BEHANDELGROEP, F.PLEEGZORG_BESTAND),
    ),
    Case(
        "BG-03",
        {"treatment_need": True, "network_family_available": True},
        acceptable=(F.BEHANDELGROEP, F.GEZINSHUIS, F.PLEEGZORG_NETWERK, F.PLEEGZORG_BESTAND),
    ),
    Case("JK-01", {"age": 3}, capabilities=(Cap.JONGE_KINDEREN,)),
    Case(
        "JK-02",
        {"age": 3, "severity": "ernstig", "complexity": "complex"},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        excluded_by={F.BEHANDELGROEP: "JK-02"},
    ),
    Case(
        "JK-03",
        {"age": 3, "crisis": True},
        acceptable=(F.PLEEGZORG_CRISIS,),
        excluded_by={F.CRISISGROEP_12MIN: "JK-03"},
    ),
    Case(
        "DT-01",
        {"severity": "licht", "parents_view": "steunend", "perspective": "terug_naar_huis"},
        acceptable=(F.PLEEGZORG_DEELTIJD, F.PLEEGZORG_BESTAND, F.GEZINSHUIS),
    ),
    Case(
        "SB-01",
        {"siblings": siblings((), ())},
        siblings=(True, "SB-01"),
        capabilities=(Cap.SIBLING_GROUP_3,),
    ),
    Case(
        "SB-02",
        {"siblings": siblings(("threat",))},
        siblings=(False, "SB-02"),
        no_capabilities=(Cap.SIBLING_GROUP_2, Cap.SIBLING_GROUP_3, Cap.SIBLING_GROUP_4),
    ),
    Case(
        "SB-03",
        {"siblings": siblings((), ("heavy_conflict",))},
        siblings=(True, "SB-03"),
        capabilities=(Cap.SIBLING_GROUP_2,),
        no_capabilities=(Cap.SIBLING_GROUP_3,),
    ),
    Case(
        "SB-04",
        {"siblings": siblings((), (), ())},
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
        capabilities=(Cap.SIBLING_GROUP_4,),
    ),
    Case("TR-01", {"capj": ["A104"]}, capabilities=(Cap.TRAUMA,)),
    Case("LV-01", {"capj": ["C104"]}, capabilities=(Cap.LVB,)),
    Case("GP-01", {"externalising": "ernstig"}, capabilities=(Cap.GEDRAGSPROBLEMATIEK,)),
    Case(
        "ZS-01",
        {"age": 16, "perspective": "zelfstandig_wonen"},
        capabilities=(Cap.ZELFSTANDIGHEIDSTRAINING,),
    ),
    Case("BR-01", {"age": 11}, risk=(RiskLevel.MEDIUM, 3.0), factor=True),
    Case("BR-02", {"externalising": "ernstig"}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case(
        "BR-03",
        {"earlier_placements": 1, "earlier_breakdowns": 1},
        risk=(RiskLevel.LOW, 1.0),
        factor=True,
    ),
    Case("BR-04", {"earlier_placements": 3}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case("BR-05", {"trauma": True}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case("BR-06", {"age": 11, "child_agrees": True}, risk=(RiskLevel.MEDIUM, 2.0), factor=True),
    Case(
        "BR-07", {"age": 11, "parents_view": "steunend"}, risk=(RiskLevel.MEDIUM, 2.0), factor=True
    ),
    Case("BR-08", {"parents_view": "afwijzend"}, risk=(RiskLevel.LOW, 1.0), factor=True),
    Case(
        "BR-10",
        {"age": 11, "trauma": True},
        risk=(RiskLevel.HIGH, 4.0),
        acceptable=(F.GEZINSHUIS, F.PLEEGZORG_BESTAND),
    ),
    Case("KW-01", {"age": 11}, acceptable=(F.PLEEGZORG_BESTAND, F.GEZINSHUIS)),
    Case("CR-01", {"crisis": True}, capabilities=(Cap.CRISIS,)),
    Case(
        "CR-02",
        {"crisis": True},
        acceptable=(F.PLEEGZORG_CRISIS, F.CRISISGROEP_12MIN),
        excluded_by={F.CRISISGROEP_12PLUS: "CR-02"},
    ),
    Case(
        "CR-03",
        {"crisis": True, "age": 12},
        acceptable=(F.CRISISGROEP_12PLUS, F.PLEEGZORG_CRISIS),
        excluded_by={F.CRISISGROEP_12MIN: "CR-03"},
    ),
    Case(
        "CR-04",
        {"crisis": True, "age": 12, "network_family_available": True},
        acceptable=(F.PLEEGZORG_NETWERK, F.CRISISGROEP_12PLUS, F.PLEEGZORG_CRISIS),
    ),
    Case(
        "CR-05",
        {"crisis": True, "age": 13, "treatment_need": True},
        acceptable=(F.CRISISGROEP_12PLUS, F.PLEEGZORG_CRISIS),
    ),
    Case(
        "LO-01",
        {"perspective": "terug_naar_huis", "home_municipality": "lelystad"},
        location=Place.LELYSTAD,
    ),
    Case(
        "LO-02",
        {"home_municipality": "lelystad", "responsible_municipality": "almere"},
        location=Place.ALMERE,
    ),
    Case("LO-03", {}, location=None),
]


def _check(case: Case, advice: Advice) -> None:
    assert case.rule in [r.rule_id for r in advice.reasons]
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
        ("BR-01", {"age": 10}),
        ("ZS-01", {"age": 15, "perspective": "zelfstandig_wonen"}),
        ("CR-02", {"crisis": True, "age": 12}),
        ("CR-03", {"crisis": True, "age": 11}),
        ("DT-01", {"severity": "licht", "parents_view": "steunend", "crisis": True}),
        ("SB-01", {}),
        ("BG-01", {"treatment_need": True}),
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
    assert len(advice.breakdown_risk.factors) == 2


def test_reasons_name_rule_set_and_sources() -> None:
    advice = advise(profile())
    assert (advice.rule_set.name, advice.rule_set.version) == ("flevoland-standaard", "1.0.0")
    assert all(r.source for r in advice.reasons)


def test_every_rule_cites_a_source_or_says_local_choice() -> None:
    for rule in default_rule_set().rules:
        assert rule.source.strip() and rule.text.strip()


def test_rule_file_header_documents_every_fact_and_action() -> None:
    header = DEFAULT_RULES.read_text(encoding="utf-8").split("\nname:")[0]
    missing = [name for name in [*FACTS, *ACTION_KEYS] if name not in header]
    assert missing == []
