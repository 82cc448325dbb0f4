"""Profiles and referrals a simulation builds without validation equal validated ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, Field

from afwegingskader.models import Profile
from matcher.models import Referral
from simulations.children import ChildCase, ProfileSource
from simulations.scenario import load_scenario
from simulations.trusted import check

BASELINE = Path(__file__).parents[2] / "simulations" / "scenarios" / "flevoland.yaml"


def _validated(model: BaseModel) -> BaseModel:
    """The same model through the validating constructor, with the fields that were set."""
    given: dict[str, Any] = {name: getattr(model, name) for name in model.model_fields_set}
    return type(model)(**given)


def test_drawn_profiles_and_referrals_equal_validated_ones() -> None:
    source = load_scenario(BASELINE).scenario.demand
    assert isinstance(source, ProfileSource)
    rng = np.random.default_rng(7)
    checked = 0
    for index in range(300):
        case = source.draw(rng, index, float(index)).payload
        assert isinstance(case, ChildCase)
        for model in (case.profile, case.referral, case.first_best_only):
            again = _validated(model)
            assert type(again) in (Profile, Referral) and again == model
            assert again.model_fields_set == model.model_fields_set
            checked += 1
    assert checked == 900


def test_models_trusted_cannot_build_are_refused() -> None:
    class Aliased(BaseModel):
        value: int = Field(alias="waarde")

    with pytest.raises(TypeError, match="aliases"):
        check(Aliased)
