"""The provider answers a request for a held place on its page, and the servicepunt sees the
open requests on its own: a refusal without a reason is refused beside the field with
nothing saved; an answer needs CSRF, is audited, and another provider's request stays
hidden."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.audit import AuditEntry
from placements.lifecycle_models import ProviderRequest
from placements.models import Referral
from tests.web.web_support import Site, csrf_of, login, referral_payload

FIELD_ERROR = re.compile(r'<p class="veldfout" id="fout-([^"]+)">')


def _held(client: TestClient, site: Site) -> tuple[str, str]:
    """A referral held in groep_lely (provider p1) by the servicepunt; its request id."""
    headers = {"Authorization": f"Bearer {site.tokens['verwijzer']}"}
    created = client.post("/api/v1/referrals", json=referral_payload("kind-0001"), headers=headers)
    rid = str(created.json()["id"])
    token = csrf_of(login(client, site, "sp").text)
    base = f"/servicepunt/aanmeldingen/{rid}"
    for step, data in (
        ("/advies", {}),
        ("/voorstellen", {}),
        ("/vasthouden", {"unit_id": site.units["groep_lely"]}),
    ):
        assert client.post(base + step, data={"csrf": token} | data).status_code == 200
    with Session(site.app.state.servicepunt.engine) as session:
        asked = session.exec(select(ProviderRequest)).one()
    return rid, asked.id


def _status(site: Site, rid: str) -> str:
    with Session(site.app.state.servicepunt.engine) as session:
        referral = session.get(Referral, rid)
        assert referral is not None
        return str(referral.status)


def test_the_servicepunt_sees_the_open_requests(client: TestClient, site: Site) -> None:
    _, request_id = _held(client, site)
    page = client.get("/servicepunt/verzoeken")
    assert page.status_code == 200
    assert f'data-verzoek="{request_id}"' in page.text and "kind-0001" in page.text
    assert 'href="/servicepunt/verzoeken"' in client.get("/servicepunt").text


def test_the_provider_refuses_with_a_reason_and_the_place_comes_free(
    client: TestClient, site: Site
) -> None:
    rid, request_id = _held(client, site)
    home = login(client, site, "aanbieder")
    assert 'href="/aanbieder/verzoeken"' in home.text
    page = client.get("/aanbieder/verzoeken")
    assert f"/aanbieder/verzoeken/{request_id}/antwoord" in page.text
    token = csrf_of(page.text)
    url = f"/aanbieder/verzoeken/{request_id}/antwoord"
    refused = client.post(url, data={"csrf": token, "answer": "refuse"})
    assert refused.status_code == 422
    assert f"verzoek-{request_id}-refusal_reason" in FIELD_ERROR.findall(refused.text)
    assert _status(site, rid) == "vastgehouden"
    # Without the CSRF token nothing happens either.
    assert client.post(url, data={"answer": "accept"}).status_code in (400, 403)
    done = client.post(url, data={"csrf": token, "answer": "refuse", "refusal_reason": "leeftijd"})
    assert done.status_code == 200 and "Opgeslagen: geweigerd" in done.text
    assert "leeftijd past niet bij de groep" in done.text
    assert _status(site, rid) == "voorgesteld"
    with Session(site.app.state.servicepunt.engine) as session:
        vias = session.exec(select(AuditEntry.via).where(AuditEntry.entity_id == rid)).all()
    assert "POST /aanbieder/verzoeken/{request_id}/antwoord" in vias


def test_another_provider_cannot_see_or_answer_the_request(client: TestClient, site: Site) -> None:
    rid, request_id = _held(client, site)
    login(client, site, "aanbieder2")
    page = client.get("/aanbieder/verzoeken")
    assert request_id not in page.text
    token = csrf_of(page.text)
    url = f"/aanbieder/verzoeken/{request_id}/antwoord"
    assert client.post(url, data={"csrf": token, "answer": "accept"}).status_code == 404
    assert _status(site, rid) == "vastgehouden"
