"""A child whose responsible municipality lies outside the region: the intake says so, the
referral carries it, and the servicepunt's page shows it by name, never by code alone."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.web_support import Site, login, referral_payload


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


def test_a_child_of_the_region_is_not_flagged(client: TestClient, site: Site) -> None:
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    answer = client.post("/api/v1/referrals", json=referral_payload("kind-0002"), headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["responsible_outside_region"] is False
    login(client, site, "sp")
    page = client.get(f"/servicepunt/aanmeldingen/{answer.json()['id']}").text
    assert "stem af met deze gemeente" not in page
    assert "Lelystad" in page
