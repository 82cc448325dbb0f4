"""An unknown CAP-J code in a referral: refused with 422, naming the field by its Dutch
label, never repeating the code (even a mistyped code may be health data)."""

from __future__ import annotations

from typing import Any

from tests.api.api_support import Api, referral_payload


def _referrals(api: Api) -> int:
    total: int = api.call("GET", "/api/v1/referrals", "sp").json()["total"]
    return total


def test_an_unknown_capj_code_is_refused_naming_the_field_not_the_code(api: Api) -> None:
    before = _referrals(api)
    answer = api.call(
        "POST", "/api/v1/referrals", "sp", json=referral_payload("kind-0001", capj=["A201", "Q987"])
    )
    assert answer.status_code == 422, answer.text
    body: dict[str, Any] = answer.json()
    assert body["error"] == "InvalidInput"
    assert [f["field"] for f in body["fields"]] == ["profile.capj[1]"]
    assert body["detail"].startswith("CAP-J-codes (nr. 2): ")
    assert "onbekende code in classificatie CAP-J 2016" in body["detail"]
    assert "Q987" not in answer.text
    assert _referrals(api) == before
