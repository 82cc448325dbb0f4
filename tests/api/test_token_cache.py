"""Each API process remembers whom a token belongs to for a few seconds (the settings'
auth_cache_seconds): a revoked token or a deactivated user is refused once that has run
out, and never past the token's own expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from api import accounts
from api.deps import ServiceState, TokenCache
from tests.api.api_support import T0, Api

USER = accounts.User(id="u1", username="x", display_name="X", role="planner", created_at=T0)


def _state(api: Api) -> ServiceState:
    state: ServiceState = api.client.app.state.servicepunt  # type: ignore[attr-defined]
    return state


def test_a_revoked_token_is_refused_once_the_cache_time_has_run_out(api: Api) -> None:
    seconds = _state(api).settings.auth_cache_seconds
    assert 0 < seconds <= 60
    assert api.call("GET", "/api/v1/me", "planner").status_code == 200
    with Session(_state(api).engine) as session:
        accounts.revoke_tokens(session, username="planner", now=api.clock.now)
        session.commit()
    api.clock.advance(seconds=seconds)
    answer = api.call("GET", "/api/v1/me", "planner")
    assert answer.status_code == 401
    assert answer.json()["error"] == "NotAuthenticated"


def test_a_deactivated_user_is_refused_once_the_cache_time_has_run_out(api: Api) -> None:
    seconds = _state(api).settings.auth_cache_seconds
    assert api.call("GET", "/api/v1/availability", "sp").status_code == 200
    with Session(_state(api).engine) as session:
        accounts.deactivate_user(session, username="sp", now=api.clock.now)
        session.commit()
    api.clock.advance(seconds=seconds)
    assert api.call("GET", "/api/v1/availability", "sp").status_code == 401


def test_an_entry_never_outlives_the_token_or_the_cache_time() -> None:
    cache = TokenCache(seconds=5.0)
    user = USER
    cache.put("a", user, T0, None)
    cache.put("b", user, T0, T0 + timedelta(seconds=2))
    assert cache.get("a", T0 + timedelta(seconds=4.9)) is user
    assert cache.get("a", T0 + timedelta(seconds=5)) is None
    assert cache.get("b", T0 + timedelta(seconds=1.9)) is user
    assert cache.get("b", T0 + timedelta(seconds=2)) is None
    assert cache.get("c", T0) is None


def test_a_zero_cache_time_remembers_nothing() -> None:
    cache = TokenCache(seconds=0.0)
    user = USER
    cache.put("a", user, T0, None)
    assert cache.get("a", T0) is None


def test_the_cache_stays_bounded() -> None:
    cache = TokenCache(seconds=5.0, limit=3)
    user = USER
    for key in "abcd":
        cache.put(key, user, T0, None)
    assert cache.get("d", T0) is user
    assert sum(cache.get(k, T0) is not None for k in "abc") < 3
