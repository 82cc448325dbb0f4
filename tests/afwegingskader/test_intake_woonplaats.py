"""Woonplaatsbeginsel under the 2022 rule and the pre-2022 rule, table-driven."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from afwegingskader.woonplaats import determine_municipality
from afwegingskader.woonplaats_models import WoonplaatsInput
from domain.errors import InvalidInput
from domain.places import Municipality
from domain.profile_vocabulary import WoonplaatsRule, WoonplaatsStep

NEW = date(2022, 1, 1)
OLD = date(2021, 12, 31)

# (name, facts, expected municipality, expected step)
RULE_2022: list[tuple[str, dict[str, Any], Municipality, WoonplaatsStep]] = [
    (
        "thuis: BRP-adres",
        {"stay": "geen", "brp_residence": "urk"},
        Municipality("urk"),
        WoonplaatsStep.BRP_ADRES,
    ),
    (
        "bij aanbieder: adres vóór verblijf, niet het adres van de instelling",
        {
            "stay": "jeugdhulpaanbieder",
            "brp_residence": "almere",
            "brp_residence_before_stay": "urk",
        },
        Municipality("urk"),
        WoonplaatsStep.ADRES_VOOR_VERBLIJF,
    ),
    (
        "bij pleegouder",
        {"stay": "pleegouder", "brp_residence_before_stay": "zeewolde"},
        Municipality("zeewolde"),
        WoonplaatsStep.ADRES_VOOR_VERBLIJF,
    ),
    (
        "in opvang of beschermd wonen",
        {"stay": "opvang_beschermd_wonen", "brp_residence_before_stay": "dronten"},
        Municipality("dronten"),
        WoonplaatsStep.ADRES_VOOR_VERBLIJF,
    ),
    (
        "in justitiële jeugdinrichting",
        {"stay": "justitiele_jeugdinrichting", "brp_residence_before_stay": "noordoostpolder"},
        Municipality("noordoostpolder"),
        WoonplaatsStep.ADRES_VOOR_VERBLIJF,
    ),
    (
        "art. 2.26-aantekening: moeder bij geboorte",
        {
            "stay": "geen",
            "brp_residence": "almere",
            "brp_annotation_2_26": True,
            "mother_residence_at_birth": "lelystad",
        },
        Municipality("lelystad"),
        WoonplaatsStep.MOEDER_BIJ_GEBOORTE,
    ),
    (
        "adres vóór verblijf onbekend: moeder bij geboorte",
        {
            "stay": "pleegouder",
            "brp_residence_before_stay": "onbekend",
            "mother_residence_at_birth": "dronten",
        },
        Municipality("dronten"),
        WoonplaatsStep.MOEDER_BIJ_GEBOORTE,
    ),
    (
        "moeder bij geboorte niet ingezetene: werkelijk verblijf",
        {
            "stay": "geen",
            "brp_residence": "onbekend",
            "mother_residence_at_birth": "buitenland",
            "actual_stay": "zeewolde",
        },
        Municipality("zeewolde"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "moeder bij geboorte onbekend: werkelijk verblijf",
        {
            "stay": "geen",
            "brp_annotation_2_26": True,
            "brp_residence": "urk",
            "mother_residence_at_birth": "onbekend",
            "actual_stay": "almere",
        },
        Municipality("almere"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "buitenland: werkelijk verblijf, niet de moeder",
        {
            "stay": "geen",
            "brp_residence": "buitenland",
            "mother_residence_at_birth": "urk",
            "actual_stay": "lelystad",
        },
        Municipality("lelystad"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "adres vóór verblijf in het buitenland: werkelijk verblijf",
        {
            "stay": "jeugdhulpaanbieder",
            "brp_residence_before_stay": "buitenland",
            "actual_stay": "dronten",
        },
        Municipality("dronten"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "gemeente buiten de regio",
        {"stay": "pleegouder", "brp_residence_before_stay": "buiten_regio"},
        Municipality.BUITEN_REGIO,
        WoonplaatsStep.ADRES_VOOR_VERBLIJF,
    ),
    (
        "gezag speelt geen rol meer vanaf 2022",
        {
            "stay": "geen",
            "brp_residence": "urk",
            "gezag": "voogd_gi",
            "actual_stay": "almere",
        },
        Municipality("urk"),
        WoonplaatsStep.BRP_ADRES,
    ),
]

RULE_PRE_2022: list[tuple[str, dict[str, Any], Municipality, WoonplaatsStep]] = [
    (
        "één gezagsdrager",
        {"gezag": "ouders", "gezag_residences": ["lelystad"]},
        Municipality("lelystad"),
        WoonplaatsStep.GEZAGSDRAGER,
    ),
    (
        "twee gezagsdragers, zelfde gemeente",
        {"gezag": "ouders", "gezag_residences": ["almere", "almere"]},
        Municipality("almere"),
        WoonplaatsStep.GEZAGSDRAGER,
    ),
    (
        "twee gezagsdragers in verschillende gemeenten: waar het kind vooral woonde",
        {
            "gezag": "ouders",
            "gezag_residences": ["almere", "dronten"],
            "mainly_lived_in": "dronten",
        },
        Municipality("dronten"),
        WoonplaatsStep.HOOFDVERBLIJF,
    ),
    (
        "gezag door derden (voogdij GI): werkelijk verblijf",
        {"gezag": "voogd_gi", "actual_stay": "noordoostpolder"},
        Municipality("noordoostpolder"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "voogd als persoon: woonplaats van de voogd",
        {"gezag": "voogd_persoon", "gezag_residences": ["zeewolde"], "actual_stay": "urk"},
        Municipality("zeewolde"),
        WoonplaatsStep.GEZAGSDRAGER,
    ),
    (
        "woonplaats gezagsdrager onbekend: werkelijk verblijf",
        {"gezag": "ouders", "gezag_residences": ["onbekend"], "actual_stay": "urk"},
        Municipality("urk"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "gezagsdrager in het buitenland: werkelijk verblijf",
        {"gezag": "ouders", "gezag_residences": ["buitenland"], "actual_stay": "almere"},
        Municipality("almere"),
        WoonplaatsStep.WERKELIJK_VERBLIJF,
    ),
    (
        "BRP-gegevens tellen niet vóór 2022",
        {
            "gezag": "ouders",
            "gezag_residences": ["urk"],
            "stay": "pleegouder",
            "brp_residence_before_stay": "almere",
        },
        Municipality("urk"),
        WoonplaatsStep.GEZAGSDRAGER,
    ),
]


@pytest.mark.parametrize(
    ("name", "facts", "expected", "step"), RULE_2022, ids=[c[0] for c in RULE_2022]
)
def test_rule_from_2022(
    name: str, facts: dict[str, Any], expected: Municipality, step: WoonplaatsStep
) -> None:
    result = determine_municipality(WoonplaatsInput.model_validate(facts), case_start_date=NEW)
    assert (result.municipality, result.step, result.rule) == (
        expected,
        step,
        WoonplaatsRule.VANAF_2022,
    )
    assert result.in_region is expected.in_region
    assert "2022" in result.basis


@pytest.mark.parametrize(
    ("name", "facts", "expected", "step"), RULE_PRE_2022, ids=[c[0] for c in RULE_PRE_2022]
)
def test_rule_before_2022(
    name: str, facts: dict[str, Any], expected: Municipality, step: WoonplaatsStep
) -> None:
    result = determine_municipality(WoonplaatsInput.model_validate(facts), case_start_date=OLD)
    assert (result.municipality, result.step, result.rule) == (
        expected,
        step,
        WoonplaatsRule.VOOR_2022,
    )
    assert any("overgangsrecht" in line for line in result.explanation)


def test_case_start_date_chooses_the_rule() -> None:
    facts = WoonplaatsInput.model_validate(
        {
            "stay": "pleegouder",
            "brp_residence_before_stay": "almere",
            "gezag": "ouders",
            "gezag_residences": ["urk"],
        }
    )
    assert determine_municipality(facts, case_start_date=OLD).municipality == Municipality("urk")
    assert determine_municipality(facts, case_start_date=NEW).municipality == Municipality("almere")


@pytest.mark.region("flevoland")
def test_explanation_names_the_steps_in_dutch() -> None:
    facts = WoonplaatsInput.model_validate(
        {
            "stay": "geen",
            "brp_residence": "urk",
            "brp_annotation_2_26": True,
            "mother_residence_at_birth": "lelystad",
        }
    )
    result = determine_municipality(facts, case_start_date=NEW)
    text = " ".join(result.explanation)
    assert "art. 2.26" in text
    assert "Onderdeel 3°" in text
    assert result.explanation[-1] == "Verantwoordelijke gemeente: Lelystad."
    assert result.basis.endswith("onder 3°")


@pytest.mark.region("flevoland")
def test_outside_region_is_said_in_the_explanation() -> None:
    facts = WoonplaatsInput.model_validate({"stay": "geen", "brp_residence": "buiten_regio"})
    result = determine_municipality(facts, case_start_date=NEW)
    assert result.in_region is False
    assert "buiten de regio Flevoland" in result.explanation[-1]


# Missing facts stop the determination with the field named; they never fall through.
MISSING: list[tuple[date, dict[str, Any], str]] = [
    (NEW, {}, "woonplaats.stay"),
    (NEW, {"stay": "geen"}, "woonplaats.brp_residence"),
    (
        NEW,
        {"stay": "pleegouder", "brp_residence": "almere"},
        "woonplaats.brp_residence_before_stay",
    ),
    (
        NEW,
        {"stay": "geen", "brp_residence": "almere", "brp_annotation_2_26": True},
        "woonplaats.mother_residence_at_birth",
    ),
    (
        NEW,
        {"stay": "geen", "brp_residence": "onbekend", "mother_residence_at_birth": "buitenland"},
        "woonplaats.actual_stay",
    ),
    (NEW, {"stay": "geen", "brp_residence": "buitenland"}, "woonplaats.actual_stay"),
    (
        NEW,
        {"stay": "geen", "brp_residence": "buitenland", "actual_stay": "onbekend"},
        "woonplaats.actual_stay",
    ),
    (OLD, {}, "woonplaats.gezag"),
    (OLD, {"gezag": "ouders"}, "woonplaats.gezag_residences"),
    (
        OLD,
        {"gezag": "ouders", "gezag_residences": ["almere", "urk"]},
        "woonplaats.mainly_lived_in",
    ),
    (OLD, {"gezag": "voogd_gi"}, "woonplaats.actual_stay"),
    (OLD, {"gezag": "ouders", "gezag_residences": ["buitenland"]}, "woonplaats.actual_stay"),
]


@pytest.mark.parametrize(("start", "facts", "field"), MISSING)
def test_missing_fact_names_the_field(start: date, facts: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        determine_municipality(WoonplaatsInput.model_validate(facts), case_start_date=start)
    assert caught.value.field == field


INCONSISTENT: list[tuple[dict[str, Any], str]] = [
    ({"stay": "geen", "brp_residence_before_stay": "almere"}, "brp_residence_before_stay"),
    ({"gezag": "voogd_gi", "gezag_residences": ["almere"]}, "gezag_residences"),
    ({"gezag": "voogd_persoon", "gezag_residences": ["almere", "urk"]}, "gezag_residences"),
    (
        {"gezag": "ouders", "gezag_residences": ["almere"], "mainly_lived_in": "urk"},
        "mainly_lived_in",
    ),
    ({"gezag_residences": ["almere", "urk", "dronten"]}, "gezag_residences"),
    ({"brp_residence": "atlantis"}, "brp_residence"),
]


@pytest.mark.parametrize(("facts", "field"), INCONSISTENT)
def test_inconsistent_facts_are_rejected_naming_the_field(
    facts: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        WoonplaatsInput.model_validate(facts)
    assert field in str(caught.value)


def test_municipality_names_are_case_insensitive() -> None:
    facts = WoonplaatsInput.model_validate({"stay": "geen", "brp_residence": " Noordoostpolder"})
    result = determine_municipality(facts, case_start_date=NEW)
    assert result.municipality == Municipality("noordoostpolder")


# (pre-2022 facts plus 2022 facts, expected 2022 municipality, phrase in the comparison)
COMPARISON: list[tuple[dict[str, Any], Municipality | None, str | None]] = [
    (
        {"gezag_residences": ["urk"], "stay": "pleegouder", "brp_residence_before_stay": "almere"},
        Municipality("almere"),
        "een overdracht verandert de verantwoordelijke gemeente",
    ),
    (
        {"gezag_residences": ["urk"], "stay": "geen", "brp_residence": "urk"},
        Municipality("urk"),
        "dezelfde gemeente (Urk)",
    ),
    (
        {"gezag_residences": ["buiten_regio"], "stay": "geen", "brp_residence": "buiten_regio"},
        Municipality.BUITEN_REGIO,
        "moet buiten de regio worden nagegaan",
    ),
    ({"gezag_residences": ["urk"]}, None, None),
]


@pytest.mark.parametrize(("facts", "newer", "phrase"), COMPARISON)
def test_old_case_is_compared_with_the_2022_rule(
    facts: dict[str, Any], newer: Municipality | None, phrase: str | None
) -> None:
    data = WoonplaatsInput.model_validate({"gezag": "ouders", **facts})
    result = determine_municipality(data, case_start_date=OLD)
    assert result.municipality_under_2022_rule == newer
    compared = [line for line in result.explanation if "regel vanaf 2022 zou" in line]
    if phrase is None:
        assert compared == []
    else:
        assert len(compared) == 1
        assert phrase in compared[0]


def test_new_case_has_no_comparison() -> None:
    data = WoonplaatsInput.model_validate({"stay": "geen", "brp_residence": "urk"})
    assert determine_municipality(data, case_start_date=NEW).municipality_under_2022_rule is None


# Any Dutch municipality can be responsible, not only the region's (issue #20).
ANYWHERE: list[tuple[dict[str, Any], str, str]] = [
    # A child from Amsterdam placed with a foster family in the region is Amsterdam's.
    ({"stay": "pleegouder", "brp_residence_before_stay": "GM0363"}, "GM0363", "Amsterdam"),
    # By name, and an address from before a merger resolves to its successor (Weesp).
    ({"stay": "geen", "brp_residence": "Weesp"}, "GM0363", "Amsterdam"),
    ({"stay": "geen", "brp_residence": "Harderwijk"}, "GM0243", "Harderwijk"),
    # Abroad: the place of actual stay, which may be outside the region too.
    ({"stay": "geen", "brp_residence": "buitenland", "actual_stay": "GM0193"}, "GM0193", "Zwolle"),
]


@pytest.mark.region("flevoland")
@pytest.mark.parametrize(("facts", "code", "name"), ANYWHERE)
def test_a_municipality_outside_the_region_is_named_and_flagged(
    facts: dict[str, Any], code: str, name: str
) -> None:
    result = determine_municipality(WoonplaatsInput.model_validate(facts), case_start_date=NEW)
    assert result.municipality == code
    assert not result.in_region
    assert f"Verantwoordelijke gemeente: {name} (jeugdregio" in result.explanation[-1]
    assert (
        "buiten de regio Flevoland: stem de jeugdhulp af met die gemeente"
        in (result.explanation[-1])
    )


def test_the_pre_2022_comparison_names_two_municipalities_outside_the_region() -> None:
    facts = {"gezag": "ouders", "gezag_residences": ["GM0363"], "stay": "geen"}
    result = determine_municipality(
        WoonplaatsInput.model_validate({**facts, "brp_residence": "GM0193"}), case_start_date=OLD
    )
    assert (result.municipality, result.municipality_under_2022_rule) == ("GM0363", "GM0193")
    assert "Zwolle verantwoordelijk zijn: een overdracht" in result.explanation[-1]
