"""A provider's departure of a placed child discharges the referral with that outcome.
Over HTTP on both backends (see conftest)."""

from __future__ import annotations

from sqlmodel import Session

from placements.models import Referral
from tests.api.api_support import Api
from tests.api.workflow_support import audit_of, hold, proposed, referral, state_of


def _placed(api: Api) -> tuple[str, str]:
    rid = proposed(api)
    assert hold(api, rid).status_code == 201
    placed = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json={"outcome": "accept"})
    assert placed.status_code == 200, placed.text
    with Session(state_of(api).engine) as session:
        referral = session.get(Referral, rid)
        assert referral is not None and referral.occupancy_id is not None
        return rid, referral.occupancy_id


def test_provider_departure_discharges_thereferral(api: Api) -> None:
    rid, stay = _placed(api)
    left = api.call(
        "POST",
        f"/api/v1/occupancies/{stay}/departure",
        "aanbieder",
        json={"left_on": "2027-01-15", "outcome": "pleegzorg"},
    )
    assert left.status_code == 204, left.text
    after = referral(api, rid)
    assert (after["status"], after["discharged_on"], after["discharge_outcome"]) == (
        "uitgestroomd",
        "2027-01-15",
        "pleegzorg",
    )
    assert ("update", "aanbieder") in [(a, r) for a, r, _, _ in audit_of(api, rid)]
    again = api.call(
        "POST",
        f"/api/v1/referrals/{rid}/discharge",
        "sp",
        json={"left_on": "2027-01-16", "outcome": "thuis_met_hulp", "planned": True},
    )
    assert again.status_code == 409
    assert referral(api, rid)["discharge_outcome"] == "pleegzorg"


def test_departure_of_a_stay_without_referral_only_frees_the_place(api: Api) -> None:
    admitted = api.call(
        "POST",
        f"/api/v1/units/{api.units['groep_lely']}/admissions",
        "aanbieder",
        json={"child_ref": "kind-0099", "since": "2026-11-20"},
    )
    assert admitted.status_code == 201, admitted.text
    left = api.call(
        "POST",
        f"/api/v1/occupancies/{admitted.json()['occupancy_id']}/departure",
        "aanbieder",
        json={"left_on": "2026-11-23", "outcome": "thuis_met_hulp"},
    )
    assert left.status_code == 204, left.text
