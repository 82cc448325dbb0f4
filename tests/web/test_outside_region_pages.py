"""A child whose responsible municipality lies outside the region: the intake says so, the
referral carries it, and the servicepunt's page shows it by name, never by code alone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from capacity import service as capacity_service
from domain.profile_vocabulary import Capability
from tests.web.web_support import Site, login, referral_payload


@pytest.mark.region("flevoland")
def test_the_servicepunt_sees_a_responsible_municipality_outside_the_region(
    client: TestClient, site: Site
) -> None:
    payload = referral_payload("kind-0001")
    # Placed with a foster family here; the BRP address before that was in Amsterdam.
    payload["intake"]["woonplaats"] = {"stay": "pleegouder", "brp_residence_before_stay": "GM0363"}
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    answer = client.post("/api/v1/referrals", json=payload, headers=headers)
    assert answer.status_code == 201, answer.text
    referral = answer.json()
    assert referral["responsible_municipality"] == "GM0363"
    assert referral["responsible_municipality_name"] == "Amsterdam"
    assert referral["responsible_outside_region"] is True
    assert any(
        "buiten de regio Flevoland" in line for line in referral["responsibility_explanation"]
    )
    login(client, site, "sp")
    page = client.get(f"/servicepunt/aanmeldingen/{referral['id']}").text
    assert "Amsterdam" in page
    assert "buiten de regio, jeugdregio Amsterdam-Amstelland: stem af met deze gemeente" in page
    assert "GM0363" not in page


@pytest.mark.region("flevoland")
def test_a_child_of_the_region_is_not_flagged(client: TestClient, site: Site) -> None:
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    answer = client.post("/api/v1/referrals", json=referral_payload("kind-0002"), headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["responsible_outside_region"] is False
    login(client, site, "sp")
    page = client.get(f"/servicepunt/aanmeldingen/{answer.json()['id']}").text
    assert "stem af met deze gemeente" not in page
    assert "Lelystad" in page


@pytest.mark.region("flevoland")
def test_a_proposal_outside_the_region_says_where_it_is(client: TestClient, site: Site) -> None:
    state = site.app.state.servicepunt
    with state.sync.transaction(state.engine) as session:
        provider = capacity_service.create_provider(session, name="Aanbieder elders")
        location = capacity_service.create_location(
            session, provider_id=provider.id, name="Elders", municipality="GM0243"
        )
        capacity_service.create_unit(
            session,
            location_id=location.id,
            name="Behandelgroep Harderwijk",
            care_form="behandelgroep",
            places=8,
            age_min=12,
            age_max=17,
            capabilities=(Capability.TRAUMA, Capability.GEDRAGSPROBLEMATIEK),
        )
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    # Home is Harderwijk (perspective terug naar huis): the group there is the nearest.
    payload = referral_payload("kind-0003", home_municipality="Harderwijk")
    answer = client.post("/api/v1/referrals", json=payload, headers=headers)
    rid = answer.json()["id"]
    sp = {"Authorization": f"Bearer {site.tokens['sp']}"}
    assert client.post(f"/api/v1/referrals/{rid}/advice", headers=sp).status_code == 200
    proposals = client.post(f"/api/v1/referrals/{rid}/proposals", headers=sp).json()["proposals"]
    assert "Behandelgroep Harderwijk" in {p["unit_name"] for p in proposals}
    login(client, site, "sp")
    page = client.get(f"/servicepunt/aanmeldingen/{rid}").text
    assert "in Harderwijk (buiten de regio, jeugdregio Noord-Veluwe)" in page
    assert "in Lelystad (buiten de regio" not in page
    # Placed there: the planner's tables name the municipality and its region, no code.
    unit = next(p["unit_id"] for p in proposals if p["unit_name"] == "Behandelgroep Harderwijk")
    held = client.post(f"/api/v1/referrals/{rid}/hold", headers=sp, json={"unit_id": unit})
    assert held.status_code == 201, held.text
    decision = {"outcome": "accept", "reason_code": "geen_capaciteit"}
    placed = client.post(f"/api/v1/referrals/{rid}/decision", headers=sp, json=decision)
    assert placed.status_code == 200, placed.text
    login(client, site, "planner")
    planner = client.get("/planner").text
    assert "Harderwijk (jeugdregio Noord-Veluwe)" in planner
    assert "GM0243" not in planner and "GM0995" not in planner
