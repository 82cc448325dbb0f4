"""A transfer on the servicepunt's referral page: refused beside its fields without a reason,
else the follow-up referral opens, linked to the placement before; both are audited."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit import AuditEntry
from placements.models import Referral
from tests.web.web_support import Site, csrf_of, login, referral_payload

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">')


def _placed(client: TestClient, site: Site) -> tuple[str, str]:
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    created = client.post("/api/v1/referrals", json=referral_payload("kind-0001"), headers=headers)
    rid = str(created.json()["id"])
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    held = {"unit_id": site.units["groep_lely"]}
    steps: tuple[tuple[str, dict[str, str]], ...] = (
        ("/advies", {}),
        ("/voorstellen", {}),
        ("/vasthouden", held),
    )
    for step, data in (*steps, ("/besluit", {"outcome": "accept"})):
        assert client.post(base + step, data={"csrf": token} | data).status_code == 200
    return rid, token


def test_a_transfer_on_the_page_opens_the_linked_follow_up(client: TestClient, site: Site) -> None:
    rid, token = _placed(client, site)
    url = f"/servicepunt/aanmeldingen/{rid}/overplaatsen"
    assert url in client.get(f"/servicepunt/aanmeldingen/{rid}").text
    refused = client.post(url, data={"csrf": token, "transfer_planned": "true"})
    assert refused.status_code == 422
    assert "transfer-transfer_reason" in FIELD_ERROR.findall(refused.text)
    done = client.post(
        url, data={"csrf": token, "transfer_reason": "na_crisis", "transfer_planned": "true"}
    )
    assert done.status_code == 200 and "Opgeslagen: overplaatsing" in done.text
    assert f'href="/servicepunt/aanmeldingen/{rid}"' in done.text
    with Session(site.app.state.servicepunt.engine) as session:
        follow_up = session.exec(select(Referral).where(Referral.previous_referral_id == rid)).one()
        vias = session.exec(
            select(AuditEntry.entity_id).where(
                AuditEntry.via == "POST /servicepunt/aanmeldingen/{referral_id}/overplaatsen"
            )
        ).all()
    assert follow_up.transfer_reason == "na_crisis" and sorted(vias) == sorted([rid, follow_up.id])


def test_a_transfer_for_another_reason_asks_its_explanation_on_the_page(
    client: TestClient, site: Site
) -> None:
    rid, token = _placed(client, site)
    url = f"/servicepunt/aanmeldingen/{rid}/overplaatsen"
    assert 'name="transfer_text"' in client.get(f"/servicepunt/aanmeldingen/{rid}").text
    form = {"csrf": token, "transfer_reason": "anders", "transfer_planned": "false"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert FIELD_ERROR.findall(refused.text) == ["transfer-transfer_text"]
    assert "Toelichting bij overplaatsing</a>: verplicht bij reden" in refused.text
    with Session(site.app.state.servicepunt.engine) as session:
        query = select(Referral).where(Referral.previous_referral_id == rid)
        assert session.exec(query).all() == []
    done = client.post(url, data=form | {"transfer_text": "het pleeggezin stopt"})
    assert done.status_code == 200 and "Opgeslagen: overplaatsing" in done.text
    assert "anders (het pleeggezin stopt)" in done.text  # the follow-up's page says why
    with Session(site.app.state.servicepunt.engine) as session:
        follow_up = session.exec(query).one()
    assert (follow_up.transfer_reason, follow_up.transfer_text) == (
        "anders",
        "het pleeggezin stopt",
    )
