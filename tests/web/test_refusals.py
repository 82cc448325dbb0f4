"""The web pages refuse a NUL character and an oversize form before anything is read or saved."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from placements.models import Referral
from tests.web.web_support import Site, csrf_of, login

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


def _referrals(site: Site) -> int:
    with Session(site.app.state.servicepunt.engine) as session:
        return len(session.exec(select(Referral)).all())


def test_a_nul_in_a_form_field_is_refused_naming_the_field(client: TestClient, site: Site) -> None:
    login(client, site, "sp")
    form = client.get("/aanmeldingen/nieuw")
    data = {"csrf": csrf_of(form.text), "child_ref": "kind\x00-1", "profile.age": "14"}
    answer = client.post("/aanmeldingen/nieuw", data=data, headers=BROWSER)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "Pseudoniem van het kind: mag geen NUL-teken bevatten" in answer.text
    as_api = client.post("/aanmeldingen/nieuw", data=data)
    assert as_api.status_code == 422
    assert as_api.json()["fields"] == [
        {"field": "child_ref", "message": "mag geen NUL-teken bevatten"}
    ]
    assert _referrals(site) == 0


def test_a_nul_in_a_page_address_is_refused_naming_the_parameter(
    client: TestClient, site: Site
) -> None:
    login(client, site, "sp")
    answer = client.get("/servicepunt/aanmeldingen/a%00b", headers=BROWSER)
    assert answer.status_code == 422
    assert "referral_id: mag geen NUL-teken bevatten" in answer.text
    listed = client.get("/servicepunt?status=a%00b")
    assert listed.status_code == 422 and listed.json()["fields"][0]["field"] == "status"


def test_an_oversize_form_gets_413(client: TestClient, site: Site) -> None:
    login(client, site, "sp")
    form = client.get("/aanmeldingen/nieuw")
    data = {"csrf": csrf_of(form.text), "child_ref": "x" * (1024 * 1024 + 1)}
    answer = client.post("/aanmeldingen/nieuw", data=data, headers=BROWSER)
    assert answer.status_code == 413
    assert "te groot" in answer.text
    assert _referrals(site) == 0
