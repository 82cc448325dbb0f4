"""Typed domain errors and validation failures mapped to HTTP in one place.

Body: {"error": kind, "detail": text, "fields": [{"field", "message"}]}, for every error:
the domain's, validation failures, Starlette's own (unknown route 404, wrong method 405,
unreadable body 400), the request guard's (api.guard: 401, 413, 422) and unexpected ones
(500, or 503 when a backend is unreachable). Input values are never echoed back, so no
personal data leaks through an error. `document_errors` puts these answers in the schema.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    ConfigError,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    ServiceFailure,
)
from domain.validation import FieldError, errors_to_fields, field_errors

log = logging.getLogger("servicepunt.api")
RETRY_AFTER_SECONDS = "2"


class FieldProblem(BaseModel):
    """One field and what is wrong with it."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a kind, a Dutch detail and the fields concerned."""

    error: str
    detail: str
    fields: list[FieldProblem] = []


class NotAuthenticated(DomainError):
    """No valid bearer token."""

    kind = "NotAuthenticated"


class Forbidden(DomainError):
    """The role may not use this endpoint."""

    kind = "Forbidden"


DESCRIPTIONS: dict[int, str] = {
    401: "niet ingelogd of token ongeldig",
    403: "niet toegestaan voor deze rol",
    404: "niet gevonden",
    409: "conflict met de huidige toestand (bijv. geen plek vrij)",
    422: "ongeldige invoer; 'fields' noemt de velden",
}
BAD_BODY_TEXT = "de inhoud van het verzoek is niet leesbaar (geen geldige JSON)"
TOO_LARGE_TEXT = "het verzoek is groter dan de ingestelde grens"
INTERNAL_TEXT = "interne fout; er is niets half opgeslagen"
UNAVAILABLE_TEXT = "database of capaciteitsoverzicht tijdelijk niet bereikbaar; probeer opnieuw"

# For routers to pass as `responses=`; document_errors adds what every operation can answer.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in DESCRIPTIONS.items()
}

STATUS: list[tuple[type[DomainError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (ConfigError, 500),
    (ServiceFailure, 503),
]

# Starlette's own errors (unknown route, wrong method, unreadable body) in the same shape.
HTTP_KINDS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "het verzoek is niet leesbaar"),
    401: ("NotAuthenticated", "inloggen vereist"),
    403: ("Forbidden", "niet toegestaan"),
    404: ("NotFound", "deze pagina of dit adres bestaat niet"),
    405: ("MethodNotAllowed", "deze methode is hier niet toegestaan"),
    413: ("PayloadTooLarge", "het verzoek is te groot"),
}


def status_for(exc: DomainError) -> int:
    """HTTP status of a domain error: 404 not found, 409 conflicts, 422 invalid input."""
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def error_response(
    kind: str,
    detail: str,
    errors: list[FieldError],
    status: int,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error answer in the one shape: {"error", "detail", "fields"}."""
    fields = [{"field": e.field, "message": e.message} for e in errors]
    return JSONResponse(
        {"error": kind, "detail": detail, "fields": fields}, status_code=status, headers=headers
    )


def invalid_response(
    errors: list[FieldError], labels: Mapping[str, str] | None = None
) -> JSONResponse:
    """422 naming every field and what is wrong with it; the detail uses the Dutch label
    where the pages have one, `fields` the field's path."""
    labels = labels or {}
    detail = "; ".join(f"{field_label(e.field, labels)}: {e.message}" for e in errors)
    return error_response("InvalidInput", detail, errors, 422)


def field_label(field: str, labels: Mapping[str, str]) -> str:
    """The Dutch label of a field path; an item of a list field ("profile.capj[1]" or
    "profile.capj.1") is the list's label with its position: "CAP-J-codes (nr. 2)"."""
    if field in labels:
        return labels[field]
    found = re.fullmatch(r"(.+?)(?:\[(\d+)\]|\.(\d+))", field)
    if found and found.group(1) in labels:
        position = int(found.group(2) or found.group(3)) + 1
        return f"{labels[found.group(1)]} (nr. {position})"
    return field


def labels_of(app: Any) -> Mapping[str, str]:
    """The Dutch field labels install() gave this app."""
    found: Mapping[str, str] = getattr(app.state, "field_labels", {})
    return found


def unexpected_response(exc: Exception) -> JSONResponse:
    """500 (or 503 when a backend is unreachable); the message is never repeated."""
    if is_disconnect(exc):
        log.warning("database unreachable", extra={"error_type": type(exc).__name__})
        return error_response(
            "ServiceUnavailable",
            "database tijdelijk niet bereikbaar; probeer het opnieuw",
            [],
            503,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    # Log the type only: the message could carry input values.
    log.error("unexpected error", extra={"error_type": type(exc).__name__})
    return error_response("InternalError", "interne fout; probeer het later opnieuw", [], 500)


def is_disconnect(exc: Exception) -> bool:
    """Whether a database error means the database could not be reached (503, not 500)."""
    return isinstance(exc, OperationalError | PoolTimeout) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


def install(app: FastAPI, *, labels: Mapping[str, str] | None = None) -> None:
    """Register the handlers on an app; `labels` name fields in Dutch (path -> label)."""
    app.state.field_labels = dict(labels or {})

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.kind, str(exc), field_errors(exc), status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            kind, detail = HTTP_KINDS[400]
            # The parser's position is no field; the detail says what is wrong.
            return error_response(kind, detail + ": geen geldige JSON", [], 400)
        return invalid_response(errors_to_fields(exc.errors()), labels_of(request.app))

    @app.exception_handler(ValidationError)
    async def _model(request: Request, exc: ValidationError) -> JSONResponse:
        return invalid_response(field_errors(exc), labels_of(request.app))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        # Starlette's detail may quote the request (a body it could not parse): never used.
        kind, detail = HTTP_KINDS.get(exc.status_code, ("HTTPError", "het verzoek is mislukt"))
        return error_response(kind, detail, [], exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return unexpected_response(exc)


def document_errors(app: FastAPI) -> None:
    """Document on every operation the error answers it can give, in the published schema.

    Every operation can fail unexpectedly (500), find a backend down (503) or get a body
    that is too large (413); one that takes parameters can refuse them (422), one under
    /api/v1 needs a token (401) and a role (403), one with a path parameter names something
    that may not exist (404), and one that takes a body can get an unreadable one (400).
    What a router documents itself (409 for conflicts, say) stays as it is.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorBody", ErrorBody.model_json_schema(ref_template=_REF))
        components.setdefault("FieldProblem", FieldProblem.model_json_schema(ref_template=_REF))
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                _document(path, operation)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


_REF = "#/components/schemas/{model}"


def _document(path: str, operation: dict[str, Any]) -> None:
    params = {p.get("in") for p in operation.get("parameters", [])}
    body = "requestBody" in operation
    # Any request can carry a body, wanted or not; past the limit it gets 413 (api.guard).
    found: dict[int, str] = {413: TOO_LARGE_TEXT, 500: INTERNAL_TEXT, 503: UNAVAILABLE_TEXT}
    if path.startswith("/api/v1"):
        found |= {401: DESCRIPTIONS[401], 403: DESCRIPTIONS[403]}
    if "path" in params:
        found[404] = DESCRIPTIONS[404]
    if params & {"path", "query"} or body:
        found[422] = DESCRIPTIONS[422]
    if body:
        found[400] = BAD_BODY_TEXT
    answers = operation.setdefault("responses", {})
    for code, text in found.items():
        answers.setdefault(
            str(code),
            {
                "description": text,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                },
            },
        )
