"""Log-in, the session cookie, CSRF, log-out and which role may see which page."""

from __future__ import annotations

import time

import pytest
from fastapi import Response
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api import accounts
from api.settings import Settings
from api.web import auth
from api.web.auth import SESSION_COOKIE
from placements.models import Referral
from tests.web.web_support import T0, Site, csrf_of, login

HOMES = {
    "verwijzer": "/verwijzer",
    "sp": "/servicepunt",
    "planner": "/planner",
    "aanbieder": "/aanbieder",
    "admin": "/beheer",
    "gw": "/gedragswetenschapper",
}
PAGES = [
    "/verwijzer",
    "/servicepunt",
    "/servicepunt/wachtlijst",
    "/servicepunt/afwijkingen",
    "/servicepunt/adviesafwijkingen",
    "/servicepunt/capaciteit",
    "/aanmeldingen/nieuw",
    "/planner",
    "/planner/simulaties",
    "/aanbieder",
    "/beheer",
    "/gedragswetenschapper",
]
# Which signed-in user may see which page (everything else answers 403).
ALLOWED = {
    "verwijzer": {"/verwijzer", "/aanmeldingen/nieuw"},
    "sp": {
        "/servicepunt",
        "/servicepunt/wachtlijst",
        "/servicepunt/afwijkingen",
        "/servicepunt/adviesafwijkingen",
        "/servicepunt/capaciteit",
        "/aanmeldingen/nieuw",
        "/planner",
        "/planner/simulaties",
    },
    "planner": {"/planner", "/planner/simulaties"},
    "aanbieder": {"/aanbieder"},
    "admin": {"/beheer"},
    "gw": {"/gedragswetenschapper"},
}


@pytest.mark.parametrize("user", sorted(HOMES))
def test_each_role_lands_on_its_own_page(client: TestClient, site: Site, user: str) -> None:
    landed = login(client, site, user)
    assert landed.status_code == 200
    assert landed.url.path == HOMES[user]
    assert client.get("/").url.path == HOMES[user]


@pytest.mark.parametrize("user", sorted(ALLOWED))
def test_pages_another_role_may_not_see_answer_403_in_dutch(
    client: TestClient, site: Site, user: str
) -> None:
    login(client, site, user)
    for path in PAGES:
        answer = client.get(path)
        if path in ALLOWED[user]:
            assert answer.status_code == 200, path
        else:
            assert answer.status_code == 403, path
            assert "Geen toegang" in answer.text and '<html lang="nl">' in answer.text


def test_visitors_without_a_session_are_sent_to_the_log_in_page(client: TestClient) -> None:
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/inloggen", path
    assert client.get("/bord/stream").status_code == 401


def test_wrong_token_is_refused_without_saying_which_part(client: TestClient, site: Site) -> None:
    form = client.get("/inloggen")
    answer = client.post(
        "/inloggen",
        data={"csrf": csrf_of(form.text), "gebruikersnaam": "sp", "token": site.tokens["planner"]},
        follow_redirects=False,
    )
    assert answer.status_code == 401
    assert "Gebruikersnaam of token klopt niet" in answer.text
    assert SESSION_COOKIE not in answer.cookies


def test_log_in_needs_the_form_token(client: TestClient, site: Site) -> None:
    client.get("/inloggen")
    answer = client.post(
        "/inloggen",
        data={"csrf": "vervalst", "gebruikersnaam": "sp", "token": site.tokens["sp"]},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies


def test_session_cookie_is_httponly_strict_and_signed(client: TestClient, site: Site) -> None:
    form = client.get("/inloggen")
    answer = client.post(
        "/inloggen",
        data={"csrf": csrf_of(form.text), "gebruikersnaam": "sp", "token": site.tokens["sp"]},
        follow_redirects=False,
    )
    header = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in header and "SameSite=strict" in header
    assert f"Max-Age={auth.SESSION_SECONDS}" in header
    assert "Secure" not in header  # development; production sets Secure (next test)
    value = answer.cookies[SESSION_COOKIE]
    assert site.tokens["sp"] not in value
    # A changed byte breaks the signature: back to the log-in page.
    forged = value[:-1] + ("0" if value[-1] != "0" else "1")
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/servicepunt", follow_redirects=False).status_code == 303


def test_cookie_is_secure_in_production() -> None:
    response = Response()
    settings = Settings(environment="production", secret_key="een-echt-geheim")
    auth.set_cookie(response, settings, SESSION_COOKIE, "x", max_age=60)
    assert "Secure" in response.headers["set-cookie"]


def test_expired_session_is_refused(
    client: TestClient, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, site, "sp")
    assert client.get("/servicepunt").status_code == 200
    later = time.time() + auth.SESSION_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/servicepunt", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_the_web_session(client: TestClient, site: Site) -> None:
    login(client, site, "sp")
    assert client.get("/servicepunt").status_code == 200
    engine = site.app.state.servicepunt.engine
    with Session(engine) as session:
        accounts.revoke_tokens(session, username="sp", now=T0)
        session.commit()
    assert client.get("/servicepunt", follow_redirects=False).status_code == 303


def test_log_out_ends_the_session(client: TestClient, site: Site) -> None:
    page = login(client, site, "sp")
    out = client.post("/uitloggen", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/inloggen"
    assert client.get("/servicepunt", follow_redirects=False).status_code == 303


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(
    client: TestClient, site: Site
) -> None:
    page = login(client, site, "verwijzer")
    form = {"child_ref": "kind-0001", "profile.age": "14"}
    for csrf in (None, "vervalst"):
        data = form | ({"csrf": csrf} if csrf else {})
        answer = client.post("/aanmeldingen/nieuw", data=data)
        assert answer.status_code == 403
        assert "Er is niets opgeslagen" in answer.text
    # The token of another session does not work either.
    other = TestClient(site.app)
    other_page = login(other, site, "verwijzer2")
    assert csrf_of(other_page.text) != csrf_of(page.text)
    answer = client.post("/aanmeldingen/nieuw", data=form | {"csrf": csrf_of(other_page.text)})
    assert answer.status_code == 403
    with Session(site.app.state.servicepunt.engine) as session:
        assert session.exec(select(Referral)).all() == []
