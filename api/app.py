"""The FastAPI application factory and its background threads (capacity, simulation jobs)."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI
from sqlmodel import Session

from afwegingskader import engine, intake
from afwegingskader.models import Advice, Profile
from api import docs, errors, hold_endings, ops, web
from api.deps import AnyUser, ServicepuntUser, ServiceState, TokenCache
from api.embedded import SecondProcess, SingleProcess
from api.guard import RequestGuard
from api.hsts import HSTSMiddleware
from api.jobs.runner import JobRunner, RunnerConfig
from api.logs import configure_logging
from api.routes import beschikkingen as beschikking_routes
from api.routes import capacity as capacity_routes
from api.routes import judgements as judgement_routes
from api.routes import provider_requests as provider_request_routes
from api.routes import referrals as referral_routes
from api.routes import regie as regie_routes
from api.routes import reports as report_routes
from api.routes import simulations as simulation_routes
from api.settings import Settings, get_settings
from capacity import db as capacity_db
from capacity.live import LiveViewUnavailable
from capacity.queries import AvailabilityIndex
from capacity.sync import CapacitySync, follow_changes, make_live_view
from capacity.views import load_states
from domain.places import region, select_region

log = logging.getLogger("servicepunt.api")

PROFILE_EXAMPLE: dict[str, Any] = {
    "birth_date": "2015-05-04",
    "reference_date": "2026-11-23",
    "sex": "v",
    "capj": ["A200", "D"],
    "severity": "matig",
    "complexity": "meervoudig",
    "externalising": "licht",
    "trauma": True,
    "earlier_placements": 1,
    "parents_view": "ambivalent",
    "child_agrees": True,
    "perspective": "terug_naar_huis",
}


class Background:
    """The threads of one API process: follow other processes' changes, sweep expired holds
    (and move their referrals on), and (Settings.simulation_runner = "inline") run queued
    simulation jobs."""

    def __init__(self, state: ServiceState) -> None:
        self.state = state
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._follow, name="capacity-follow", daemon=True),
            threading.Thread(target=self._sweep, name="capacity-sweep", daemon=True),
        ]
        if state.settings.simulation_runner == "inline":
            self.threads.append(
                threading.Thread(target=self._simulate, name="simulation-runner", daemon=True)
            )

    def start(self) -> None:
        """Start the threads."""
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        """Stop the threads and wait for them (a running simulation goes back to the queue
        at its next replication; the wait is bounded, the thread is a daemon)."""
        self.stop.set()
        self.state.simulation_wake.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _simulate(self) -> None:
        runner = JobRunner(
            self.state.engine,
            RunnerConfig.from_settings(self.state.settings),
            clock=self.state.clock,
        )
        runner.serve(self.stop, wake=self.state.simulation_wake)

    def _follow(self) -> None:
        # follow_changes needs a reachable live view to subscribe; retry while it is down,
        # and meanwhile keep the index current from the ledger (reads follow the database).
        while not self.stop.is_set():
            try:
                follow_changes(
                    self.state.sync.live, self.state.index, self.stop, resync=self._resync
                )
            except LiveViewUnavailable:
                try:
                    self._resync()
                except Exception as exc:  # database down as well: the next round retries
                    log.warning("capacity resync failed", extra={"error_type": type(exc).__name__})
                self.stop.wait(1.0)

    def _resync(self) -> None:
        """Rebuild the live view if it came back empty or stale, and reload the index."""
        _load_capacity(self.state)

    def _sweep(self) -> None:
        while not self.stop.wait(self.state.settings.sweep_seconds):
            try:
                hold_endings.sweep(self.state, now=self.state.clock())
            except Exception as exc:  # the thread must outlive a failed sweep; the next retries
                log.warning("capacity sweep failed", extra={"error_type": type(exc).__name__})


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    migrate: bool = True,
    background: bool = True,
) -> FastAPI:
    """Build the app for the given settings (the environment's when omitted)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    select_region(settings.region)
    state = ServiceState(
        settings=settings,
        # A connection for every request thread, plus a few for the background threads.
        engine=capacity_db.make_engine(
            settings.database_url, pool_size=settings.request_threads, max_overflow=4
        ),
        sync=CapacitySync(make_live_view(settings.redis_url, prefix=settings.redis_prefix)),
        index=AvailabilityIndex(),
        tokens=TokenCache(seconds=settings.auth_cache_seconds),
    )
    state.sync.index = state.index
    if clock is not None:
        state.clock = clock
        state.sync.clock = clock

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Synchronous endpoints run in this limiter's threads; more threads than database
        # connections would only queue on the pool, inside a request's latency.
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        state.close_limiter = CapacityLimiter(4)
        # The embedded default serves one process (api.embedded); Redis shares the live view.
        single = SingleProcess(settings.database_url if not settings.redis_url else None)
        try:
            single.acquire()
        except SecondProcess as exc:
            log.error(str(exc))
            raise
        threads: Background | None = None
        try:
            if migrate:
                capacity_db.migrate(settings.database_url)
            _load_capacity(state)
            threads = Background(state) if background else None
            if threads is not None:
                threads.start()
            _freeze_start_up()
            yield
        finally:
            if threads is not None:
                threads.close()
            state.engine.dispose()
            single.release()

    app = FastAPI(
        title="Servicepunt jeugdhulp met verblijf",
        version="0.1.0",
        description="Afwegingskader, live capaciteit, matching en scenario's.",
        lifespan=lifespan,
        # Served by api.docs from local assets: FastAPI's own pages load them from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.servicepunt = state
    errors.install(app, labels=web.FIELD_LABELS)
    # Inside the metrics middleware (ops), so refused requests are counted too.
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    ops.install(app)
    if settings.environment == "production":
        app.add_middleware(HSTSMiddleware)
    app.include_router(referral_routes.router)
    app.include_router(judgement_routes.router)
    app.include_router(provider_request_routes.router)
    app.include_router(beschikking_routes.router)
    app.include_router(regie_routes.router)
    app.include_router(capacity_routes.router)
    app.include_router(report_routes.router)
    app.include_router(simulation_routes.router)
    web.install(app)
    docs.install(app)

    @app.get("/health", tags=["beheer"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    # The example child lives in the served region (its first municipality).
    example = PROFILE_EXAMPLE | {"home_municipality": region().municipalities[0].code}
    examples = {"examples": {"kind": {"value": example}}}

    @app.post(
        "/api/v1/advice",
        tags=["afwegingskader"],
        responses=errors.ERROR_RESPONSES,
        openapi_extra={"requestBody": {"content": {"application/json": examples}}},
    )
    def advise(user: ServicepuntUser, profile: Profile) -> Advice:
        """The afwegingskader advice for one child profile (nothing is stored)."""
        return engine.advise(profile)

    @app.post("/api/v1/intake", tags=["afwegingskader"], responses=errors.ERROR_RESPONSES)
    def assess_intake(user: ServicepuntUser, case: intake.IntakeCase) -> intake.IntakeResult:
        """Responsible municipality, Wlz flag, perspectiefregisseur and deadlines."""
        return intake.assess(case)

    @app.get("/api/v1/me", tags=["beheer"], responses=errors.ERROR_RESPONSES)
    def me(user: AnyUser) -> dict[str, str | None]:
        """Who the token belongs to, and its role."""
        return {"username": user.username, "role": user.role, "provider_id": user.provider_id}

    errors.document_errors(app)
    return app


def _freeze_start_up() -> None:
    """Leave what start-up built out of the garbage collector's full passes, once a process.

    It lives as long as the process anyway. Over the ~250,000 objects of a started worker
    a full pass stalled every request of the process for 100 ms and more, several times a
    minute under load: most of the API benchmark's p99. A process that builds several
    apps (the tests) freezes after the first only.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def _load_capacity(state: ServiceState) -> None:
    """Rebuild the live view if it is stale or lost, and fill this process's index."""
    now = state.clock()
    state.sync.ensure_current(state.engine, now=now)
    with Session(state.engine) as session:
        state.index.load(load_states(session, now=now))
