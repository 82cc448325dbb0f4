"""The request guard: authentication, size and NUL characters, checked before the body is read.

FastAPI reads and parses a request body before it resolves a route's dependencies, so the
route's own checks come too late: an anonymous 24 MB body would be read (and a malformed one
answered 400 or 422) before the 401. This pure ASGI middleware runs first, in this order:

1. /api/v1: a valid bearer token, or 401. The user is left in the request state, so
   `api.deps.current_user` does not look it up again.
2. A declared Content-Length over the limit: 413 before a byte is read.
3. A NUL character in a path or query parameter: 422 naming the parameter. PostgreSQL
   stores no NUL in text, and no field of this service has a use for one.
4. The body is received and counted (chunked bodies too): over the limit, 413; a NUL in a
   JSON string or a form field, 422 naming the field.

The app then gets the body exactly as it was sent. Refusals have the API's error shape; a
browser on the web pages (Accept: text/html) gets the same as a Dutch error page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi.routing import iter_route_contexts
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.asgi import HttpMiddleware
from api.deps import AUTHENTICATED_USER, ServiceState, authenticate
from api.errors import NotAuthenticated
from api.web.auth import SESSION_COOKIE, unsign, web_session
from api.web.render import error_page
from domain.validation import FieldError, short_field

API_PREFIX = "/api/v1"
NUL = "\x00"
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


class TooLarge(Exception):
    """The body grew past the limit while it was received."""


class RequestGuard(HttpMiddleware):
    """Pure ASGI middleware: 401, 413 and 422 (NUL) before the app reads a request body."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        super().__init__(app)
        self.max_body_bytes = max_body_bytes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = await self._refuse_before_body(scope)
        if refusal is None and _has_body(scope):
            try:
                body = await self._receive_body(receive)
            except TooLarge:
                refusal = _too_large(self.max_body_bytes)
            else:
                refusal = _nul_in_body(scope, body)
                receive = _replay(body, receive)
        if refusal is not None:
            await _for_browsers(scope, refusal)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _refuse_before_body(self, scope: Scope) -> JSONResponse | None:
        path: str = scope["path"]
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            refusal = await _authenticate(scope)
            if refusal is not None:
                return refusal
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            if not length.isdigit():
                return errors.error_response("BadRequest", "Content-Length is geen getal", [], 400)
            return _too_large(self.max_body_bytes)
        if NUL in path:
            return _nul_refusal(scope, _path_field(scope))
        query: bytes = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            text = query.decode("latin-1")
            pairs = parse_qsl(text, keep_blank_values=True, encoding="latin-1")
            names = [name for name, value in pairs if NUL in name or NUL in value]
            return _nul_refusal(scope, names[0] if names else "-")
        return None

    async def _receive_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app sees what arrived
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


_NUL_MESSAGE = "mag geen NUL-teken bevatten"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


def _has_body(scope: Scope) -> bool:
    if scope["method"] not in _BODYLESS:
        return True
    return _header(scope, b"content-length") not in (None, "0") or (
        _header(scope, b"transfer-encoding") is not None
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _authenticate(scope: Scope) -> JSONResponse | None:
    state: ServiceState = scope["app"].state.servicepunt
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("inloggen vereist: Authorization: Bearer <token>")
        user = await authenticate(state, state.clock(), token.strip())
    except NotAuthenticated as exc:
        return errors.error_response(exc.kind, str(exc), [], 401)
    except Exception as exc:  # the database is down: the same answers as inside the app
        return errors.unexpected_response(exc)
    scope.setdefault("state", {})[AUTHENTICATED_USER] = user
    return None


def _too_large(limit: int) -> JSONResponse:
    return errors.error_response(
        "PayloadTooLarge", f"het verzoek is te groot (hoogstens {limit} bytes)", [], 413
    )


def _nul_refusal(scope: Scope, field: str) -> JSONResponse | None:
    """422 naming the field, unless a page that needs a session has none: the page sends
    the visitor to the log-in page, as it would without the NUL (nothing is read first)."""
    if _needs_session(scope) and not _signed_session(scope):
        return None
    found = [FieldError(short_field(field), _NUL_MESSAGE)]
    return errors.invalid_response(found, errors.labels_of(scope["app"]))


def _signed_session(scope: Scope) -> bool:
    settings = scope["app"].state.servicepunt.settings
    return unsign(settings, HTTPConnection(scope).cookies.get(SESSION_COOKIE)) is not None


def _needs_session(scope: Scope) -> bool:
    """Whether the page this request is for takes a signed-in user (api.web.auth)."""
    if scope["path"].startswith("/api/"):
        return False  # authenticated by token above
    for route in iter_route_contexts(scope["app"].routes):
        pattern: re.Pattern[str] | None = getattr(route, "path_regex", None)
        methods: set[str] | None = getattr(route, "methods", None)
        if pattern is None or not pattern.match(scope["path"]):
            continue
        if methods is None or scope["method"] in methods:
            dependant = getattr(route, "dependant", None)
            return dependant is not None and _depends_on(dependant, web_session)
    return False


def _depends_on(dependant: Any, call: Any) -> bool:
    return dependant.call is call or any(_depends_on(d, call) for d in dependant.dependencies)


def _for_browsers(scope: Scope, refusal: JSONResponse) -> Response:
    """The refusal as a Dutch error page for a browser on the web pages, else as it is."""
    path: str = scope["path"]
    if path.startswith("/api/") or "text/html" not in (_header(scope, b"accept") or ""):
        return refusal
    body = json.loads(bytes(refusal.body))
    # The detail names a field by the pages' own label ("Pseudoniem van het kind").
    why = f"{body['detail']}. Er is niets opgeslagen. Ga terug en probeer het opnieuw."
    return error_page(None, refusal.status_code, "Verzoek niet verwerkt", why)


def _path_field(scope: Scope) -> str:
    """The name of the path parameter that holds the NUL (or 'pad' outside any route)."""
    for route in iter_route_contexts(scope["app"].routes):
        pattern: re.Pattern[str] | None = getattr(route, "path_regex", None)
        found = pattern.match(scope["path"]) if pattern is not None else None
        if found is not None:
            for name, value in found.groupdict().items():
                if NUL in value:
                    return short_field(name)
    return "pad"


def _nul_in_body(scope: Scope, body: bytes) -> JSONResponse | None:
    kind = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded" and (b"%00" in body or b"\x00" in body):
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=500)
        except (UnicodeDecodeError, ValueError):
            return None  # the page's own form reader refuses it
        names = [name for name, value in pairs if NUL in name or NUL in value]
        return _nul_refusal(scope, names[0]) if names else None
    json_kind = kind in ("", "application/json") or kind.endswith("+json")
    if (b"\\u0000" in body or b"\x00" in body) and json_kind:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None  # not JSON, or nested too deep: the app answers it (400)
        found = next(_nul_paths(data), None)
        if found is not None:
            return _nul_refusal(scope, ".".join(str(part) for part in found) or "-")
    return None


def _nul_paths(data: Any) -> Iterator[tuple[str | int, ...]]:
    """Where in a parsed JSON document a string (or key) holds a NUL (no recursion: any depth)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                yield at
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if NUL in key:
                    yield (*at, "(veldnaam)")
                stack.append(((*at, key), item))
        elif isinstance(value, list):
            stack.extend(((*at, n), item) for n, item in reversed(list(enumerate(value))))
