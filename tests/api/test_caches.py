"""The API process's caches: whom a token belongs to, for a few seconds (the settings'
auth_cache_seconds; a revoked token or a deactivated user is refused once that has run
out, never past the token's own expiry), and availability answers per index state."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session

from api import accounts
from api.deps import AnswerCache, ServiceState, TokenCache
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


def test_answers_are_kept_per_key_and_the_least_recently_used_go_first() -> None:
    cache = AnswerCache(limit=2)
    made: list[str] = []

    def make(text: str) -> Callable[[], bytes]:
        def build() -> bytes:
            made.append(text)
            return text.encode()

        return build

    assert cache.get_or_make("a", make("a")) == b"a"
    assert cache.get_or_make("a", make("a2")) == b"a"  # stored: not made again
    cache.get_or_make("b", make("b"))
    cache.get_or_make("a", make("a3"))  # a is used again, so b is now the oldest
    cache.get_or_make("c", make("c"))  # over the limit: b goes
    assert cache.get_or_make("b", make("b2")) == b"b2"
    assert made == ["a", "b", "c", "b2"]


def test_availability_follows_every_change_at_once(api: Api) -> None:
    first = api.call("GET", "/api/v1/availability", "sp").json()
    assert api.call("GET", "/api/v1/availability", "sp").json() == first  # the stored answer
    unit = next(u for u in first["units"] if u["unit"]["unit_id"] == api.units["gezinshuis_alm"])
    answer = api.call(
        "POST",
        f"/api/v1/units/{api.units['gezinshuis_alm']}/capacity-changes",
        "aanbieder2",
        json={"kind": "places_opened", "effective_on": "2026-11-23", "places": 2},
    )
    assert answer.status_code in (200, 201), answer.text
    after = api.call("GET", "/api/v1/availability", "sp").json()
    changed = next(u for u in after["units"] if u["unit"]["unit_id"] == unit["unit"]["unit_id"])
    assert changed["free"] == unit["free"] + 2


def test_start_up_objects_are_left_out_of_full_collections(api: Api) -> None:
    # The app is started (the fixture's client ran the lifespan): what it built is frozen,
    # so a full garbage-collector pass no longer walks it on every request's time.
    assert gc.get_freeze_count() > 100_000
    assert api.call("GET", "/health", "sp").status_code == 200
