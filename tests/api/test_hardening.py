"""No input gives a 500 or slips through: NUL characters, oversize bodies, authentication
before the body, implausible values, one error shape and documented status codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from afwegingskader import engine as advice_engine
from api.app import create_app
from api.guard import RequestGuard
from api.settings import Settings
from tests.api.api_support import Api, referral_payload

NUL = "a\x00b"


def _count_referrals(api: Api) -> int:
    listed = api.call("GET", "/api/v1/referrals", "sp").json()
    total: int = listed["total"]
    return total


def _refused(answer: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"error", "detail", "fields"}
    if field is not None:
        assert [f["field"] for f in body["fields"]] == [field], body
    return body


# -- NUL characters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("GET", "/api/v1/referrals/a%00b", {}, "referral_id"),
        ("GET", "/api/v1/referrals?status=a%00b", {}, "status"),
        ("GET", "/api/v1/reports/a%00b", {}, "name"),
        ("GET", "/api/v1/units/a%00b/occupancies", {}, "unit_id"),
        ("GET", "/api/v1/simulations/a%00b", {}, "job_id"),
        (
            "POST",
            "/api/v1/referrals/r-1/decision",
            {"json": {"outcome": "decline", "reason_code": "anders", "reason_text": NUL}},
            "reason_text",
        ),
        (
            "POST",
            "/api/v1/referrals",
            {"json": referral_payload("kind-0001", home_municipality=NUL)},
            "profile.home_municipality",
        ),
        (
            "POST",
            "/api/v1/referrals",
            {"json": referral_payload("kind-0001") | {"sibling_of": NUL}},
            "sibling_of",
        ),
        (
            "POST",
            "/api/v1/referrals",
            {"json": referral_payload("kind-0001", capj=["A200", NUL])},
            "profile.capj.1",
        ),
    ],
)
def test_a_nul_character_anywhere_is_refused_with_422_naming_the_field(
    api: Api, method: str, path: str, kwargs: dict[str, Any], field: str
) -> None:
    before = _count_referrals(api)
    body = _refused(api.call(method, path, "sp", **kwargs), 422, field)
    assert "NUL" in body["fields"][0]["message"]
    assert "\x00" not in api.client.get("/health").text
    assert _count_referrals(api) == before


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_a_deeply_nested_body_is_unreadable_not_a_server_error(api: Api, depth: int) -> None:
    body = b"[" * depth + b'"a\\u0000b"' + b"]" * depth
    headers = api.as_("verwijzer") | {"content-type": "application/json"}
    answer = api.client.post("/api/v1/referrals", content=body, headers=headers)
    assert _refused(answer, 400)["error"] == "BadRequest"


def test_a_nul_on_a_page_goes_to_the_log_in_without_a_session(api: Api) -> None:
    # As the API answers 401 before anything else, a page sends a visitor without a session
    # to the log-in page; signed in, the NUL gets its 422 (tests/web/test_refusals.py).
    answer = api.client.get("/servicepunt/aanmeldingen/a%00b", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/inloggen")
    posted = api.client.post(
        "/servicepunt/aanmeldingen/a%00b/besluit", data={"reden": NUL}, follow_redirects=False
    )
    assert (posted.status_code, posted.headers["location"]) == (303, "/inloggen")
    # The log-in form itself takes no session: there the NUL is refused, not looked up.
    login = api.client.post("/inloggen", data={"gebruikersnaam": NUL, "token": "x", "csrf": "x"})
    _refused(login, 422, "gebruikersnaam")


# -- Size and authentication before the body ---------------------------------------------


def _asgi(
    app: Any, method: str, path: str, headers: dict[str, str], chunks: list[bytes]
) -> tuple[int, int]:
    """Call the app at the ASGI level: its status and how many body messages it read."""
    read = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        if read <= len(chunks):
            return {
                "type": "http.request",
                "body": chunks[read - 1],
                "more_body": read < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }
    anyio.run(app, scope, receive, send)
    return status, read


def test_an_anonymous_large_body_gets_401_before_a_byte_is_read(api: Api) -> None:
    chunk = b"x" * (1024 * 1024)
    headers = {"content-type": "application/json", "content-length": str(24 * len(chunk))}
    status, read = _asgi(api.client.app, "POST", "/api/v1/referrals", headers, [chunk] * 24)
    assert (status, read) == (401, 0)
    bad = headers | {"authorization": "Bearer sp_not-a-token"}
    assert _asgi(api.client.app, "POST", "/api/v1/referrals", bad, [chunk] * 24) == (401, 0)


def test_a_declared_length_over_the_limit_gets_413_before_a_byte_is_read(api: Api) -> None:
    headers = api.as_("verwijzer") | {
        "content-type": "application/json",
        "content-length": str(2 * 1024 * 1024),
    }
    chunks = [b"x" * (1024 * 1024)] * 2
    assert _asgi(api.client.app, "POST", "/api/v1/referrals", headers, chunks) == (413, 0)


def test_a_streamed_body_is_counted_and_stopped_past_the_limit(api: Api) -> None:
    headers = api.as_("verwijzer") | {
        "content-type": "application/json",
        "transfer-encoding": "chunked",
    }
    chunks = [b"x" * (256 * 1024)] * 40
    status, read = _asgi(api.client.app, "POST", "/api/v1/referrals", headers, chunks)
    assert status == 413
    assert read == 5, "reading stops at the first chunk past 1 MiB"


def test_the_body_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SERVICEPUNT_MAX_BODY_BYTES", "4096")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", secret_key="t")
    app = create_app(settings, migrate=False, background=False)
    (guard,) = [m for m in app.user_middleware if m.cls is RequestGuard]  # type: ignore[comparison-overlap]
    assert guard.kwargs == {"max_body_bytes": 4096}

    async def never(*_: Any) -> None:
        raise AssertionError("the app must not be called")

    small = RequestGuard(never, max_body_bytes=4096)
    headers = {"content-type": "application/x-www-form-urlencoded", "content-length": "5000"}
    assert _asgi(small, "POST", "/inloggen", headers, [b"x" * 5000]) == (413, 0)
    chunked = {"content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked"}
    assert _asgi(small, "POST", "/inloggen", chunked, [b"x" * 3000] * 3)[0] == 413


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ({}, b"{not json"),
        ({}, b'{"unknown": 1}'),
        ({"Authorization": "Bearer sp_unknown"}, b"{not json"),
        ({"Authorization": "Basic abc"}, b'{"child_ref": 1}'),
    ],
)
def test_without_a_valid_token_the_answer_is_401_never_400_or_422(
    api: Api, headers: dict[str, str], content: bytes
) -> None:
    answer = api.client.post(
        "/api/v1/referrals", content=content, headers=headers | {"content-type": "application/json"}
    )
    _refused(answer, 401)


def test_a_big_list_is_refused_not_stored(api: Api) -> None:
    siblings = [{"id": f"broer-{n}"} for n in range(21)]
    answer = api.call(
        "POST", "/api/v1/referrals", "verwijzer", json=referral_payload(siblings=siblings)
    )
    _refused(answer, 422, "profile.siblings")
    assert _count_referrals(api) == 0


# -- Implausible values ------------------------------------------------------------------


def _unit(api: Api) -> str:
    return next(iter(api.units.values()))


@pytest.mark.parametrize("since", [0, "0001-01-01", "9999-12-31", "1970-01-01"])
def test_an_implausible_date_is_refused_naming_the_field(api: Api, since: Any) -> None:
    answer = api.call(
        "POST",
        f"/api/v1/units/{_unit(api)}/admissions",
        "sp",
        json={"child_ref": "kind-0042", "since": since},
    )
    _refused(answer, 422, "since")


def test_an_implausible_date_in_a_query_is_refused(api: Api) -> None:
    answer = api.call("GET", "/api/v1/reports/afwijkingen?since=0001-01-01", "sp")
    _refused(answer, 422, "since")


@pytest.mark.parametrize("places", [True, False, 1e30, "1e30"])
def test_a_boolean_or_huge_number_is_no_whole_number(api: Api, places: Any) -> None:
    answer = api.call(
        "POST",
        f"/api/v1/units/{_unit(api)}/capacity-changes",
        "sp",
        json={"kind": "places_opened", "effective_on": "2026-12-01", "places": places},
    )
    _refused(answer, 422, "places")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("earlier_placements", 1e30),
        ("earlier_placements", True),
        ("age", True),
        ("birth_date", "0001-01-01"),
        ("reference_date", "9999-12-31"),
    ],
)
def test_implausible_profile_values_are_refused(api: Api, field: str, value: Any) -> None:
    payload = referral_payload("kind-0001", **{field: value})
    answer = api.call("POST", "/api/v1/referrals", "verwijzer", json=payload)
    body = _refused(answer, 422)
    assert f"profile.{field}" in [f["field"] for f in body["fields"]]
    assert _count_referrals(api) == 0


def test_hold_hours_refuse_a_boolean(api: Api) -> None:
    answer = api.call(
        "POST", "/api/v1/referrals/r-1/hold", "sp", json={"unit_id": _unit(api), "hours": True}
    )
    _refused(answer, 422, "hours")


def test_replications_refuse_a_boolean(api: Api) -> None:
    answer = api.call(
        "POST", "/api/v1/simulations", "planner", json={"scenario": "snel", "replications": True}
    )
    _refused(answer, 422, "replications")


# -- One error shape ---------------------------------------------------------------------


def test_unknown_route_wrong_method_and_unreadable_body_have_the_error_shape(api: Api) -> None:
    assert _refused(api.client.get("/bestaat-niet"), 404)["error"] == "NotFound"
    assert _refused(api.client.delete("/health"), 405)["error"] == "MethodNotAllowed"
    secret = "geheim-bsn-123456782"
    unreadable = api.client.post(
        "/api/v1/referrals",
        content=b'{"bsn": "' + secret.encode() + b'", ',
        headers=api.as_("verwijzer") | {"content-type": "application/json"},
    )
    body = _refused(unreadable, 400)
    assert body["error"] == "BadRequest" and secret not in unreadable.text


def test_a_server_error_has_the_error_shape_and_repeats_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("kind-0001 geboren 2012-03-04")

    monkeypatch.setattr(advice_engine, "advise", broken)
    profile = referral_payload()["profile"]
    answer = api.call("POST", "/api/v1/advice", "sp", json=profile)
    body = _refused(answer, 500)
    assert body["error"] == "InternalError" and "2012" not in answer.text


def test_the_detail_names_a_field_by_its_dutch_label(api: Api) -> None:
    payload = referral_payload("x")
    answer = api.call("POST", "/api/v1/referrals", "verwijzer", json=payload)
    body = _refused(answer, 422, "child_ref")
    assert body["detail"] == "Pseudoniem van het kind: heeft niet de juiste vorm"


def test_an_unknown_field_is_named_short_and_no_value_is_repeated(api: Api) -> None:
    name = "veld_" + "x" * 200
    payload = referral_payload() | {name: "geheime-waarde"}
    answer = api.call("POST", "/api/v1/referrals", "verwijzer", json=payload)
    body = _refused(answer, 422)
    (field,) = [f["field"] for f in body["fields"]]
    assert field.startswith("veld_x") and len(field) <= 40
    assert "geheime-waarde" not in answer.text and name not in answer.text


# -- Documented status codes -------------------------------------------------------------


def test_every_operation_documents_the_errors_it_can_give(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            assert {"413", "500", "503"} <= codes, where
            if path.startswith("/api/v1"):
                assert {"401", "403"} <= codes, where
            params = {p["in"] for p in operation.get("parameters", [])}
            if "path" in params:
                assert "404" in codes, where
            if params & {"path", "query"} or "requestBody" in operation:
                assert "422" in codes, where
            if "requestBody" in operation:
                assert "400" in codes, where
            for code in codes - {"200", "201", "202", "204"}:
                content = operation["responses"][code].get("content", {})
                ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
                assert ref.endswith("/ErrorBody"), (where, code)
