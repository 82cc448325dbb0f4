"""Operations endpoints and failure mapping: /ready, /metrics, 503 for unreachable backends.

/health (in api.app) says the process answers. /ready says whether it can serve: the
database must answer (it is the authority; without it nothing can be decided) and Redis is
checked and reported. A replica whose Redis is down stays ready but says "degraded": writes
still go through the ledger and reads follow the database, and taking every replica out of
the load balancer because the shared Redis is down would turn a degraded service into an
outage.

/metrics is not public: it answers only a scraper that sends the bearer token of
SERVICEPUNT_METRICS_TOKEN (401 otherwise), and without that setting it does not exist
(404). The route templates and ledger counts it shows are no personal data, but request
rates and waiting-list sizes are the region's business, not the internet's.

A database that cannot be reached mid-request is answered with 503 and Retry-After, never
a bare 500: the client may retry, and nothing was half-written (the transaction rolled back).
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api import errors, metrics
from api.deps import StateDep
from api.errors import NotAuthenticated
from capacity.live import LiveViewUnavailable
from capacity.live_redis import RedisLiveView
from domain.errors import NotFound

log = logging.getLogger("servicepunt.ops")
router = APIRouter(tags=["beheer"])
RETRY_AFTER_SECONDS = errors.RETRY_AFTER_SECONDS


def _check_database(state: StateDep) -> str:
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readiness: database down", extra={"error_type": type(exc).__name__})
        return "down"
    return "ok"


def _check_redis(state: StateDep) -> str:
    live = state.sync.live
    if not isinstance(live, RedisLiveView):
        return "not_configured"
    try:
        live.client.ping()
        current = live.is_current()
    except Exception as exc:
        log.warning("readiness: redis down", extra={"error_type": type(exc).__name__})
        return "down"
    return "ok" if current else "rebuilding"


@router.get("/ready")
def ready(state: StateDep) -> JSONResponse:
    """Readiness: 200 when the database answers (Redis reported), 503 when it does not."""
    checks = {"database": _check_database(state), "redis": _check_redis(state)}
    if checks["database"] != "ok":
        status, code = "unavailable", 503
    elif checks["redis"] in ("ok", "not_configured"):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if code == 503 else None
    return JSONResponse({"status": status, "checks": checks}, status_code=code, headers=headers)


def _metrics_allowed(expected: str, authorization: str) -> bool:
    scheme, _, sent = authorization.partition(" ")
    if scheme.lower() != "bearer" or not sent:
        return False
    return hmac.compare_digest(sent.strip().encode(), expected.encode())


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(request: Request, state: StateDep) -> Response:
    """Prometheus exposition of this service, for the holder of the metrics token only."""
    # A SecretStr, so the token never shows in a repr of the settings or in a log line.
    secret = state.settings.metrics_token
    expected = secret.get_secret_value() if secret is not None else ""
    if not expected:
        raise NotFound("niet gevonden")
    if not _metrics_allowed(expected, request.headers.get("authorization", "")):
        raise NotAuthenticated("metrics: Authorization: Bearer <metrics-token> vereist")
    return Response(metrics.render(state.engine, state.clock), media_type=metrics.CONTENT_TYPE)


def _unavailable(detail: str) -> JSONResponse:
    return JSONResponse(
        {"error": "ServiceUnavailable", "detail": detail, "fields": []},
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def install(app: FastAPI) -> None:
    """Add /ready, /metrics, the metrics middleware and the 503 mapping to an app."""
    app.include_router(router)
    app.add_middleware(metrics.MetricsMiddleware)

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        if not errors.is_disconnect(exc):
            # Any other database error is a bug: answered like every unexpected error.
            return errors.unexpected_response(exc)
        log.warning("database unreachable", extra={"error_type": type(exc.orig).__name__})
        return _unavailable("database tijdelijk niet bereikbaar; probeer het opnieuw")

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("database pool exhausted", extra={"error_type": type(exc).__name__})
        return _unavailable("database tijdelijk overbelast; probeer het opnieuw")

    @app.exception_handler(LiveViewUnavailable)
    async def _live(_: Request, exc: LiveViewUnavailable) -> JSONResponse:
        log.warning("live view unreachable", extra={"error_type": type(exc).__name__})
        return _unavailable("capaciteitsoverzicht tijdelijk niet bereikbaar; probeer het opnieuw")
