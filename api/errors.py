"""Typed domain errors and validation failures mapped to HTTP in one place.

Body: {"error": kind, "detail": text, "fields": [{"field", "message"}]}. Input values are
never echoed back, so no personal data leaks through an error.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from api.deps import Forbidden, NotAuthenticated
from domain.errors import ConfigError, Conflict, DomainError, InvalidInput, NotFound
from domain.validation import FieldError, errors_to_fields, field_errors

log = logging.getLogger("servicepunt.api")


class FieldProblem(BaseModel):
    """One field and what is wrong with it."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a kind, a Dutch detail and the fields concerned."""

    error: str
    detail: str
    fields: list[FieldProblem] = []


def _doc(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc("niet ingelogd of token ongeldig"),
    403: _doc("niet toegestaan voor deze rol"),
    404: _doc("niet gevonden"),
    409: _doc("conflict met de huidige toestand (bijv. geen plek vrij)"),
    422: _doc("ongeldige invoer; 'fields' noemt de velden"),
}

STATUS: list[tuple[type[DomainError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (ConfigError, 500),
]


def status_for(exc: DomainError) -> int:
    """HTTP status of a domain error: 404 not found, 409 conflicts, 422 invalid input."""
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def _response(kind: str, detail: str, errors: list[FieldError], status: int) -> JSONResponse:
    fields = [{"field": e.field, "message": e.message} for e in errors]
    return JSONResponse({"error": kind, "detail": detail, "fields": fields}, status_code=status)


def _invalid(errors: list[FieldError]) -> JSONResponse:
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return _response("InvalidInput", detail, errors, 422)


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return _response(exc.kind, str(exc), field_errors(exc), status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(errors_to_fields(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _model(_: Request, exc: ValidationError) -> JSONResponse:
        return _invalid(field_errors(exc))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Log the type only: the message could carry input values.
        log.error("unexpected error", extra={"error_type": type(exc).__name__})
        return JSONResponse(
            {"error": "InternalError", "detail": "interne fout; probeer het later opnieuw"},
            status_code=500,
        )
