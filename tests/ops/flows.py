"""Requests the ops tests send: a referral taken from intake up to a held place."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.api_support import referral_payload


def new_referral(child_ref: str, **profile: Any) -> dict[str, Any]:
    """A referral body the servicepunt may submit (it must name the verwijzer type)."""
    return referral_payload(child_ref, **profile) | {"verwijzer_type": "01"}


def held_referral(
    client: httpx.Client, headers: dict[str, str], child_ref: str, **profile: Any
) -> str:
    """Create, advise, propose and hold the first proposed place that is free; the id."""
    body = new_referral(child_ref, **profile)
    created = client.post("/api/v1/referrals", json=body, headers=headers)
    assert created.status_code == 201, created.text
    rid = str(created.json()["id"])
    assert client.post(f"/api/v1/referrals/{rid}/advice", headers=headers).status_code == 200
    proposals = client.post(f"/api/v1/referrals/{rid}/proposals", headers=headers)
    assert proposals.status_code == 200, proposals.text
    for proposal in proposals.json()["proposals"]:
        if proposal["unit_id"] is None:
            continue
        body = {"unit_id": proposal["unit_id"]}
        held = client.post(f"/api/v1/referrals/{rid}/hold", json=body, headers=headers)
        if held.status_code == 201:
            return rid
        assert held.status_code == 409, held.text
    summary = [
        (p["kind"], p["unit_id"], p["available_from"]) for p in proposals.json()["proposals"]
    ]
    raise AssertionError(f"no proposed place could be held: {summary}")
