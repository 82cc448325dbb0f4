"""The vignette table (afwegingskader/vignettes.yaml): each example child gets the advice the
behavioural scientists wrote down for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from afwegingskader.engine import advise
from afwegingskader.models import Profile
from afwegingskader.ruleset import default_rule_set
from domain.care import CareForm

VIGNETTES = Path(__file__).parents[2] / "afwegingskader" / "vignettes.yaml"
TABLE: list[dict[str, Any]] = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
REFERENCE = date(2025, 11, 3)
EXPECTED_KEYS = {
    "eerste_keus",
    "alternatieven",
    "sleutelregel",
    "waarschuwing",
    "tweede_gedragswetenschapper",
    "voortzetting",
    "voorkomen",
    "eisen",
    "voorwaarde_bij",
}


def _yes(value: Any) -> bool:
    assert value in ("ja", "nee", True, False), value
    return value in ("ja", True)


def _profile(row: dict[str, Any]) -> Profile:
    return Profile.model_validate({"reference_date": REFERENCE, "sex": "m", **row["profiel"]})


@pytest.mark.parametrize("row", TABLE, ids=[f"{v['nr']}" for v in TABLE])
def test_vignette(row: dict[str, Any]) -> None:
    expected = row["verwacht"]
    assert set(expected) <= EXPECTED_KEYS
    advice = advise(_profile(row))
    assert advice.first_best is CareForm(expected["eerste_keus"])
    assert advice.alternatives == tuple(CareForm(f) for f in expected["alternatieven"])
    fired = [r.rule_id for r in advice.reasons] + [w.rule_id for w in advice.warnings]
    assert expected["sleutelregel"] in fired
    if "waarschuwing" in expected:
        assert expected["waarschuwing"] in [w.rule_id for w in advice.warnings]
    else:
        assert advice.warnings == ()
    opinion = _yes(expected.get("tweede_gedragswetenschapper", "nee"))
    assert (advice.second_opinion is not None) is opinion
    assert advice.continuation is _yes(expected.get("voortzetting", "nee"))
    checks = {c.option.value: c.could_prevent for c in advice.prevention}
    for option, value in (expected.get("voorkomen") or {}).items():
        assert checks[option] is _yes(value), option
    required = {str(c) for c in advice.required_capabilities}
    assert set(expected.get("eisen", ())) <= required
    if "voorwaarde_bij" in expected:
        assert expected["voorwaarde_bij"] in {str(c.care_form) for c in advice.conditions}


def test_the_table_is_large_and_broad_enough() -> None:
    assert len(TABLE) >= 40
    assert len({row["nr"] for row in TABLE}) == len(TABLE)
    ages = {_profile(row).years for row in TABLE}
    assert {0, 21} <= ages and len(ages) >= 18
    factors = set().union(*(row["profiel"] for row in TABLE))
    for factor in (
        "treatment_need", "psychiatric", "substance_use", "runaway_exploitation",
        "suicidality", "parents_problems", "earlier_ambulant_help", "network_safety",
        "religion_wish", "continuation_of_current_placement", "siblings", "crisis", "capj",
        "externalising", "trauma", "earlier_breakdowns", "parents_view", "child_agrees",
    ):  # fmt: skip
        assert factor in factors, factor
    levels = {row["profiel"].get("treatment_need", "geen") for row in TABLE}
    assert levels == {"geen", "ambulant", "intensief_gezin", "residentieel"}


def test_every_exception_rule_has_a_vignette() -> None:
    exceptions = {r.id for r in default_rule_set().rules if r.then.age_exception}
    keys = {row["verwacht"]["sleutelregel"] for row in TABLE}
    assert exceptions and exceptions <= keys
