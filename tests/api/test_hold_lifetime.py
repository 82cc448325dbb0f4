"""The hold lifetime: SERVICEPUNT_HOLD_TTL_SECONDS when the request names none, within the
limits capacity defines. Over HTTP on both backends (see conftest)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from api.settings import Settings
from tests.api.api_support import Api
from tests.api.workflow_support import expires_at, hold, proposed, referral, state_of


def test_hold_lifetime_comes_from_the_setting_when_the_request_names_none(api: Api) -> None:
    state = state_of(api)
    state.settings = state.settings.model_copy(update={"hold_ttl_seconds": 600})
    first = proposed(api, "kind-0001")
    held = hold(api, first)
    assert held.status_code == 201, held.text
    assert expires_at(held) == api.clock() + timedelta(minutes=10)
    second = proposed(api, "kind-0002")
    named = hold(api, second, hours=2)
    assert named.status_code == 201, named.text
    assert expires_at(named) == api.clock() + timedelta(hours=2)


def test_hold_lifetime_limits_are_the_capacity_limits(api: Api) -> None:
    rid = proposed(api)
    too_long = hold(api, rid, hours=7 * 24 + 1)
    assert too_long.status_code == 422
    assert referral(api, rid)["status"] == "voorgesteld"
    assert hold(api, rid, hours=7 * 24).status_code == 201
    with pytest.raises(ValidationError):
        Settings(hold_ttl_seconds=7 * 24 * 3600 + 1)
