"""Prometheus metrics: requests, latencies and solver times per process; holds and the
waiting list read from the ledger at scrape time.

Counters and histograms live in each API process. With several uvicorn workers set
PROMETHEUS_MULTIPROC_DIR (an empty directory, shared by the workers) and a scrape of any
worker reports the sum over all of them. Gauges of the domain (active holds, the waiting
list) are read from the database when scraped, so every worker reports the same truth and
a restarted worker loses nothing. Labels are route templates, never raw paths, so no id
lands in a metric.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from starlette.types import Message, Receive, Scope, Send

from api.asgi import HttpMiddleware
from capacity.models import Hold
from domain.vocabulary import HoldState
from placements.models import OPEN_STATUSES, Referral

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "servicepunt_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "servicepunt_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
SOLVER = Histogram(
    "servicepunt_solver_seconds",
    "Time spent ranking proposals or solving a batch plan",
    ["kind"],
    buckets=(*_LATENCY_BUCKETS, 30.0, 60.0),
)
access_log = logging.getLogger("servicepunt.access")


@contextmanager
def solver_timer(kind: str) -> Iterator[None]:
    """Observe the duration of a matcher call under `kind` (proposals, batch)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        SOLVER.labels(kind).observe(time.perf_counter() - start)


class MetricsMiddleware(HttpMiddleware):
    """Counts and times every HTTP request by method, route template and status."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and record what came back."""
        start = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            if route != "/metrics":
                REQUESTS.labels(method, route, str(status)).inc()
                LATENCY.labels(method, route).observe(elapsed)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )


class LedgerCollector(Collector):
    """Active holds and the waiting list, counted in the database at scrape time."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        """One query per gauge; `servicepunt_ledger_up` 0 when the database is unreachable."""
        up = GaugeMetricFamily("servicepunt_ledger_up", "1 when the ledger could be read")
        now = self.clock()
        try:
            with Session(self.engine) as session:
                holds = session.exec(
                    select(func.count())
                    .select_from(Hold)
                    .where(col(Hold.state) == HoldState.ACTIVE.value, col(Hold.expires_at) > now)
                ).one()
                waiting = session.exec(
                    select(func.count())
                    .select_from(Referral)
                    .where(col(Referral.status).in_([s.value for s in OPEN_STATUSES]))
                ).one()
        except Exception as exc:  # a failed scrape must still say what is wrong
            access_log.warning(
                "ledger metrics unavailable", extra={"error_type": type(exc).__name__}
            )
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "servicepunt_holds_active", "Holds not yet confirmed, released or expired", int(holds)
        )
        yield GaugeMetricFamily(
            "servicepunt_waiting_list_size", "Open referrals (not yet placed)", int(waiting)
        )


class _ProcessCollector(Collector):
    """This process's own metrics (the default registry) when not in multiprocess mode."""

    def collect(self) -> Iterator[Metric]:
        """Everything the default registry holds."""
        yield from REGISTRY.collect()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def render(engine: Engine, clock: Callable[[], datetime] = _utc_now) -> bytes:
    """The exposition text: request and solver metrics plus the ledger gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ProcessCollector())
    registry.register(LedgerCollector(engine, clock))
    return generate_latest(registry)
