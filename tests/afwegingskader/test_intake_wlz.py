"""Possible-Wlz flag: all criteria met, each one missing, psychiatric-only, unknowns."""

from __future__ import annotations

from typing import Any

import pytest

from afwegingskader.wlz import WlzInput, flag_wlz
from domain.profile_vocabulary import Finding, WlzCriterion, WlzOutcome

ALL_MET: dict[str, Any] = {
    "grounds": ["verstandelijk"],
    "needs_24h_care_or_supervision": "ja",
    "lasting_need": "ja",
}

# (name, changes to ALL_MET, age, expected outcome, expected findings per criterion)
CASES: list[tuple[str, dict[str, Any], int, WlzOutcome, tuple[Finding, Finding, Finding]]] = [
    ("alle criteria", {}, 10, WlzOutcome.MOGELIJK_WLZ, (Finding.JA,) * 3),
    (
        "geen aandoening of beperking",
        {"grounds": []},
        10,
        WlzOutcome.GEEN_AANWIJZING,
        (Finding.NEE, Finding.JA, Finding.JA),
    ),
    (
        "geen 24-uurszorg of toezicht",
        {"needs_24h_care_or_supervision": "nee"},
        10,
        WlzOutcome.GEEN_AANWIJZING,
        (Finding.JA, Finding.NEE, Finding.JA),
    ),
    (
        "niet blijvend",
        {"lasting_need": "nee"},
        10,
        WlzOutcome.GEEN_AANWIJZING,
        (Finding.JA, Finding.JA, Finding.NEE),
    ),
    (
        "alleen psychiatrisch onder 18",
        {"grounds": ["psychiatrisch"]},
        17,
        WlzOutcome.GEEN_AANWIJZING,
        (Finding.NEE, Finding.JA, Finding.JA),
    ),
    (
        "alleen psychiatrisch vanaf 18",
        {"grounds": ["psychiatrisch"]},
        18,
        WlzOutcome.MOGELIJK_WLZ,
        (Finding.JA,) * 3,
    ),
    (
        "psychiatrisch plus lichamelijk onder 18",
        {"grounds": ["psychiatrisch", "lichamelijk"]},
        12,
        WlzOutcome.MOGELIJK_WLZ,
        (Finding.JA,) * 3,
    ),
    (
        "grondslag onbekend",
        {"grounds": None},
        10,
        WlzOutcome.ONVOLDOENDE_GEGEVENS,
        (Finding.ONBEKEND, Finding.JA, Finding.JA),
    ),
    (
        "blijvend onbekend",
        {"lasting_need": "onbekend"},
        10,
        WlzOutcome.ONVOLDOENDE_GEGEVENS,
        (Finding.JA, Finding.JA, Finding.ONBEKEND),
    ),
    (
        "een nee weegt zwaarder dan een onbekend",
        {"lasting_need": "onbekend", "needs_24h_care_or_supervision": "nee"},
        10,
        WlzOutcome.GEEN_AANWIJZING,
        (Finding.JA, Finding.NEE, Finding.ONBEKEND),
    ),
]


@pytest.mark.parametrize(
    ("name", "changes", "age", "outcome", "findings"), CASES, ids=[c[0] for c in CASES]
)
def test_flag(
    name: str,
    changes: dict[str, Any],
    age: int,
    outcome: WlzOutcome,
    findings: tuple[Finding, Finding, Finding],
) -> None:
    flag = flag_wlz(WlzInput.model_validate({**ALL_MET, **changes}), age=age)
    assert flag.outcome is outcome
    assert flag.possible_wlz is (outcome is WlzOutcome.MOGELIJK_WLZ)
    assert tuple(c.criterion for c in flag.criteria) == tuple(WlzCriterion)
    assert tuple(c.finding for c in flag.criteria) == findings


def test_nothing_known_is_not_enough_to_flag() -> None:
    flag = flag_wlz(WlzInput(), age=9)
    assert flag.outcome is WlzOutcome.ONVOLDOENDE_GEGEVENS
    assert all(c.finding is Finding.ONBEKEND for c in flag.criteria)


def test_possible_wlz_says_the_ciz_decides() -> None:
    flag = flag_wlz(WlzInput.model_validate(ALL_MET), age=10)
    assert flag.explanation.startswith("Mogelijk Wlz; het CIZ beslist")
    assert "CIZ" in flag.basis


def test_psychiatric_only_under_18_is_explained() -> None:
    flag = flag_wlz(WlzInput.model_validate({**ALL_MET, "grounds": ["psychiatrisch"]}), age=15)
    assert "psychische stoornis" in flag.criteria[0].explanation
    assert "onder 18 jaar" in flag.criteria[0].explanation


def test_unknown_criteria_are_listed_for_follow_up() -> None:
    flag = flag_wlz(WlzInput.model_validate({**ALL_MET, "lasting_need": "onbekend"}), age=10)
    assert "blijvend" in flag.explanation
    assert "24 uur" not in flag.explanation
