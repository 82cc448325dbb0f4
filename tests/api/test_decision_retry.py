"""POST /decision honours an Idempotency-Key: a retry after a lost answer gets the first
answer, the same key with another body a 409. Over HTTP on both backends (see conftest)."""

from __future__ import annotations

from tests.api.api_support import Api
from tests.api.workflow_support import hold, proposed, referral


def test_decision_retry_with_the_same_key_gets_the_first_answer(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid).status_code == 201
    url = f"/api/v1/referrals/{rid}/decision"
    headers = api.as_("sp") | {"Idempotency-Key": "besluit-1"}
    first = api.client.post(url, json={"outcome": "accept"}, headers=headers)
    assert first.status_code == 200, first.text
    retry = api.client.post(url, json={"outcome": "accept"}, headers=headers)
    assert (retry.status_code, retry.json()) == (200, first.json())
    other = api.client.post(
        url, json={"outcome": "decline", "reason_code": "afstand"}, headers=headers
    )
    assert other.status_code == 409
    assert other.json()["error"] == "Conflict"
    assert other.json()["fields"][0]["field"] == "Idempotency-Key"
    # Without a key a repeat is a new request, refused as before.
    assert api.call("POST", url, "sp", json={"outcome": "accept"}).status_code == 409
    assert referral(api, rid)["status"] == "geplaatst"
