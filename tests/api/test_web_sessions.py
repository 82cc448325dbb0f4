"""Signing out ends the web session on the server (issue #16), on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from api.app import create_app
from api.web.auth import SESSION_COOKIE
from tests.api.api_support import Api
from tests.web.web_support import csrf_of


def _sign_in(client: TestClient, api: Api, user: str) -> str:
    form = client.get("/inloggen")
    page = client.post(
        "/inloggen",
        data={"csrf": csrf_of(form.text), "gebruikersnaam": user, "token": api.tokens[user]},
    )
    assert page.status_code == 200, page.text
    return str(page.text)


def _status(client: TestClient, cookie: str) -> int:
    client.cookies.set(SESSION_COOKIE, cookie)
    return int(client.get("/servicepunt", follow_redirects=False).status_code)


def test_signing_out_ends_the_session_for_a_copied_cookie_in_every_worker(api: Api) -> None:
    client = api.client
    page = _sign_in(client, api, "sp")
    copied = client.cookies[SESSION_COOKIE]
    # The same user on a second device: a session of its own (a client with its own
    # cookies, on the app that is already running).
    device = TestClient(client.app)
    _sign_in(device, api, "sp")
    other_device = device.cookies[SESSION_COOKIE]
    with _another_worker(client, api) as worker:
        assert _status(worker, copied) == 200
        out = client.post("/uitloggen", data={"csrf": csrf_of(page)}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/inloggen"
        assert _status(client, copied) == 303
        assert _status(worker, copied) == 303
        # Signing out ends this session only, not the user's session elsewhere.
        assert _status(worker, other_device) == 200


@contextmanager
def _another_worker(client: TestClient, api: Api) -> Iterator[TestClient]:
    """A second app on the same database stands in for another worker process. The
    embedded default serves one process only (api.embedded): there, another client."""
    state = client.app.state.servicepunt  # type: ignore[attr-defined]
    if not state.settings.redis_url:
        yield TestClient(client.app)
        return
    second = create_app(state.settings, clock=api.clock, migrate=False, background=False)
    with TestClient(second) as worker:
        yield worker
