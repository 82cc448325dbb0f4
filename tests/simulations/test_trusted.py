"""Models built without validation (domain.trusted: a simulation's profiles, referrals and
advice) equal validated ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel, Field

from afwegingskader.models import Profile
from domain.trusted import check, replaced
from matcher.models import MatchRequest
from simulations.children import ChildCase, ProfileSource
from simulations.scenario import load_scenario

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
            assert type(again) in (Profile, MatchRequest) and again == model
            assert again.model_fields_set == model.model_fields_set
            checked += 1
    assert checked == 900


def test_models_trusted_cannot_build_are_refused() -> None:
    class Aliased(BaseModel):
        value: int = Field(alias="waarde")

    with pytest.raises(TypeError, match="aliases"):
        check(Aliased)


def test_a_replaced_model_is_what_model_copy_makes() -> None:
    source = load_scenario(BASELINE).scenario.demand
    assert isinstance(source, ProfileSource)
    case = source.draw(np.random.default_rng(3), 0, 0.0).payload
    assert isinstance(case, ChildCase)
    update = {"alternatives": (), "first_best": case.advice.first_best}
    copy, ours = case.advice.model_copy(update=update), replaced(case.advice, update)
    assert ours == copy and ours.model_fields_set == copy.model_fields_set
    assert ours.alternatives == () and case.advice.alternatives  # the original is untouched
    profile = replaced(case.profile, {"trauma": not case.profile.trauma})
    assert profile == _validated(profile)


def test_models_that_store_their_fields_set_elsewhere_are_refused() -> None:
    # trusted sets the slots of BaseModel itself; a model with its own would not see them.
    class Elsewhere(BaseModel):
        value: int = 0

    type.__setattr__(Elsewhere, "__pydantic_fields_set__", property(lambda self: set()))
    with pytest.raises(TypeError, match="its own __pydantic_fields_set__"):
        check(Elsewhere)
