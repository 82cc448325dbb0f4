"""Schemathesis against the published OpenAPI schema: no 500, no answer that breaks it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar
from uuid import uuid4

import pytest
import redis
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from api.app import create_app
from api.settings import Settings
from capacity import db as capacity_db
from domain.fields import EARLIEST_DATE, LATEST_DATE
from tests.api.api_support import T0, Api, Clock, referral_payload, seed_region
from tests.api.conftest import REDIS_URL, reset_pg


@pytest.fixture(scope="module", params=["embedded", "postgres_redis"])
def running(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A seeded app with a few referrals on one backend, kept up for the module.

    PostgreSQL is where a NUL used to end in a 500; SQLite stores one without complaint."""
    prefix = f"test:schemathesis:{uuid4().hex}:"
    if request.param == "embedded":
        url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.db'}"
        settings = Settings(database_url=url, secret_key="test")
    else:
        url = request.getfixturevalue("pg_database")
        reset_pg(url)
        settings = Settings(
            database_url=url, redis_url=REDIS_URL, redis_prefix=prefix, secret_key="test"
        )
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    region = seed_region(engine)
    engine.dispose()
    clock = Clock(T0)
    app = create_app(settings, clock=clock, background=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(
            client=client,
            clock=clock,
            backend=request.param,
            tokens=region.tokens,
            units=region.units,
            providers=region.providers,
        )
        for n in range(3):
            payload = referral_payload(f"kind-{n:04d}")
            api.call("POST", "/api/v1/referrals", "verwijzer", json=payload)
        yield api
    if settings.redis_url:
        keys = redis.Redis.from_url(settings.redis_url)
        found = list(keys.scan_iter(match=f"{prefix}*", count=1000))
        if found:
            keys.delete(*found)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


# What an error may legitimately say: the schema's own words (enum choices, filled in by
# _operations) and any text of the code and its data files (fixed messages, error kinds,
# limits). Anything else in an error answer that was also in the request was repeated.
SCHEMA_WORDS: set[str] = set()
ROOT = Path(__file__).resolve().parents[2]
VOCABULARY = (
    "\n".join(
        path.read_text(encoding="utf-8", errors="ignore")
        for package in ("afwegingskader", "api", "capacity", "domain", "matcher")
        for path in sorted((ROOT / package).rglob("*"))
        if path.suffix in {".py", ".yaml", ".yml", ".json", ".csv"}
    )
    + f"\n{EARLIEST_DATE.isoformat()}\n{LATEST_DATE.isoformat()}"
)


@schemathesis.check
def error_repeats_no_value(ctx: Any, response: Any, case: Any) -> bool | None:
    """An error answer never repeats a submitted value (they may be about a child)."""
    if response.status_code < 400 or "json" not in response.headers.get("content-type", [""])[0]:
        return None
    told = list(_strings(response.json()))
    sent = _strings([case.body, case.query, case.path_parameters])
    for value in sent:
        if len(value) < 6 or value.isdigit() or not value.strip():
            continue
        if value in SCHEMA_WORDS or value in VOCABULARY:
            continue
        repeated = [text for text in told if value in text]
        assert not repeated, f"error repeats a submitted value: {repeated[:1]}"
    return None


ROLES = ("sp", "verwijzer", "aanbieder", "planner", "admin", "gw")
# Every default check but positive_data_acceptance (see below); these above all.
REQUIRED = [not_a_server_error, status_code_conformance, error_repeats_no_value]
NUL = "a\x00b"
OVERSIZE = "x" * (1024 * 1024 + 1)


def _operations(running: Api) -> list[Any]:
    SCHEMA_WORDS.update(_strings(running.client.get("/openapi.json").json()))
    schema = schemathesis.openapi.from_asgi("/openapi.json", running.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 20
    return operations


def test_no_server_error_and_answers_match_the_schema(running: Api) -> None:
    # Driven by hand: schemathesis' pytest plugin does not support this pytest version.
    for operation in _operations(running):
        cases = operation.as_strategy() | operation.as_strategy(GenerationMode.NEGATIVE)

        @given(case=cases)
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            for user in ROLES:
                # Business rules beyond the schema (birth_date or age, dates in order) may
                # reject schema-valid data with a 4xx, and unknown query parameters are
                # ignored, not refused; every other default check applies, the status
                # code's documentation among them.
                case.call_and_validate(
                    headers=running.as_(user),
                    additional_checks=REQUIRED,
                    excluded_checks=[positive_data_acceptance, negative_data_rejection],
                )

        check()


def test_nul_and_oversize_are_refused_on_every_operation(running: Api) -> None:
    """A NUL in every path and query parameter: 422 naming it; an oversize body: 413."""
    refused = 0
    for operation in _operations(running):
        names = {
            p.name: str(p.location.value)
            for p in operation.iter_parameters()
            if str(p.location.value) in ("path", "query")
        }
        path = {name: "x" for name, where in names.items() if where == "path"}
        cases = [
            (operation.Case(path_parameters=path | {name: NUL}), 422, name)
            if where == "path"
            else (operation.Case(path_parameters=path, query={name: NUL}), 422, name)
            for name, where in names.items()
        ]
        if operation.method.upper() in ("POST", "PUT", "PATCH"):
            body = operation.Case(
                path_parameters=path, body={"x": OVERSIZE}, media_type="application/json"
            )
            cases.append((body, 413, None))
        for case, status, field in cases:
            for user in ROLES:
                response = case.call(headers=running.as_(user))
                assert response.status_code == status, (operation.label, field, user)
                if field is not None:
                    fields = [f["field"] for f in response.json()["fields"]]
                    assert fields == [field], (operation.label, fields)
                case.validate_response(response, checks=REQUIRED)
                refused += 1
    assert refused > 100


def test_the_repeat_check_sees_a_repeated_value() -> None:
    class Answer:
        status_code = 422
        # As schemathesis keeps them: lowercase names, a list of values each.
        headers: ClassVar[dict[str, list[str]]] = {"content-type": ["application/json"]}

        def json(self) -> Any:
            return {"error": "InvalidInput", "detail": "bsn: 'geheim-123' is fout", "fields": []}

    sent = SimpleNamespace(body={"bsn": "geheim-123"}, query=None, path_parameters={"id": "x"})
    with pytest.raises(AssertionError, match="repeats a submitted value"):
        error_repeats_no_value(None, Answer(), sent)
    quiet = SimpleNamespace(body={"bsn": "anders-456"}, query=None, path_parameters=None)
    assert error_repeats_no_value(None, Answer(), quiet) is None
