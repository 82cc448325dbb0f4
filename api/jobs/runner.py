"""The job runner: claims queued simulation jobs one at a time and runs them.

It runs in a thread of the API process (Settings.simulation_runner = "inline", the embedded
default) or as `servicepunt worker` (external; with `--executor ray` on a Ray cluster). It
only talks to the database and the results directory, so any number of runners may share
one queue. While a job runs, the runner writes its progress (at most once a
`progress_seconds`) and a heartbeat. A runner that stops cleanly puts its job back in the
queue; a runner that dies leaves a job 'bezig' without heartbeat, and the next runner to
look (every poll) gives it one more try, then fails it (service.recover_stale).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine

from api.jobs import catalogue, service
from api.jobs.models import SimulationJob
from api.jobs.summary import summarise
from api.settings import Settings
from capacity.db import transaction
from domain.errors import ConfigError, DomainError
from simulations.montecarlo import Executor
from simulations.report import write_outputs
from simulations.study import StudyResult, run_study

log = logging.getLogger("servicepunt.simulations")
StudyFunction = Callable[..., StudyResult]
UNEXPECTED = (
    "De simulatie is onverwacht mislukt. Probeer het opnieuw; blijft het misgaan, geef dan "
    "het nummer van deze opdracht door aan beheer."
)


class JobInterrupted(Exception):
    """The runner is stopping: the job goes back to the queue."""


class JobLost(Exception):
    """Another runner took the job over (this runner was thought dead): drop the work."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunnerConfig:
    """Where results go and how simulations run."""

    output_dir: Path
    workers: int | None = None
    executor: Executor = "local"
    ray_address: str | None = None
    poll_seconds: float = 2.0
    stale_seconds: float = 300.0
    progress_seconds: float = 1.0
    scenario_dir: Path = catalogue.SCENARIO_DIR
    charts: bool = True  # the PNG charts take about a second per job

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> RunnerConfig:
        """The configuration the settings describe, with overrides (e.g. the executor)."""
        values: dict[str, Any] = {
            "output_dir": settings.simulation_dir,
            "workers": settings.simulation_workers,
            "poll_seconds": settings.simulation_poll_seconds,
            "stale_seconds": settings.simulation_stale_seconds,
        }
        return cls(**(values | overrides))


def failure_text(exc: BaseException) -> str:
    """What the planner reads when a job fails: Dutch, naming the field, no stack trace."""
    if isinstance(exc, ConfigError):
        where = f"{Path(exc.file).name}: {exc.field}" if exc.field else Path(exc.file).name
        return f"Het scenario is ongeldig ({where}: {exc.detail})."
    if isinstance(exc, DomainError):
        return f"De simulatie kon niet worden uitgevoerd: {exc}."
    return UNEXPECTED


class JobRunner:
    """Claims and runs simulation jobs from the database queue."""

    def __init__(
        self,
        engine: Engine,
        config: RunnerConfig,
        *,
        clock: Callable[[], datetime] = _utc_now,
        study: StudyFunction = run_study,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.study = study
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"

    def recover(self) -> None:
        """Requeue or fail the jobs of runners that died (no heartbeat for stale_seconds)."""
        with transaction(self.engine) as session:
            requeued, failed = service.recover_stale(
                session,
                now=self.clock(),
                stale_after=timedelta(seconds=self.config.stale_seconds),
            )
        if requeued or failed:
            log.warning("stale simulation jobs recovered", extra={"count": requeued + failed})

    def run_once(self, stop: threading.Event | None = None) -> str | None:
        """Recover stale jobs, then claim and run the oldest queued job; its id, or None."""
        self.recover()
        with transaction(self.engine) as session:
            job = service.claim_next(session, worker=self.name, now=self.clock())
        if job is None:
            return None
        self._run(job, stop or threading.Event())
        return job.id

    def serve(
        self,
        stop: threading.Event,
        *,
        wake: threading.Event | None = None,
        max_jobs: int | None = None,
    ) -> int:
        """Run jobs until `stop` is set (or `max_jobs` ran); `wake` cuts a poll short."""
        ran = 0
        while not stop.is_set() and (max_jobs is None or ran < max_jobs):
            try:
                job_id = self.run_once(stop)
            except Exception as exc:  # database down: the next poll retries
                log.warning("simulation runner poll failed", extra={"error_type": _name(exc)})
                job_id = None
            if job_id is not None:
                ran += 1
                continue
            if wake is not None:
                wake.wait(self.config.poll_seconds)
                wake.clear()
            else:
                stop.wait(self.config.poll_seconds)
        return ran

    def _run(self, job: SimulationJob, stop: threading.Event) -> None:
        total = job.replications * (2 if job.compare_with else 1)
        self._progress(job.id, 0, total)
        beating = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat, args=(job.id, beating), name="simulation-heartbeat"
        )
        beat.start()
        try:
            first = catalogue.path_of(job.scenario, self.config.scenario_dir)
            second = (
                catalogue.path_of(job.compare_with, self.config.scenario_dir)
                if job.compare_with
                else None
            )
            study = self.study(
                first,
                compare_with=second,
                replications=job.replications,
                workers=self.config.workers,
                progress=self._progress_callback(job.id, stop),
                executor=self.config.executor,
                ray_address=self.config.ray_address,
            )
            paths = write_outputs(study, self.config.output_dir / job.id, charts=self.config.charts)
            summary = summarise(study, [p.name for p in paths])
        except JobInterrupted:
            self._write(service.release, job_id=job.id, worker=self.name)
            log.info("simulation job returned to the queue", extra={"job": job.id})
            return
        except JobLost:
            log.warning("simulation job taken over by another runner", extra={"job": job.id})
            return
        except Exception as exc:
            log.error("simulation job failed", extra={"job": job.id, "error_type": _name(exc)})
            self._write(
                service.fail, job_id=job.id, worker=self.name, error=failure_text(exc),
                now=self.clock(),
            )  # fmt: skip
            return
        finally:
            beating.set()
            beat.join()
        finished = self._write(service.finish, job_id=job.id, worker=self.name,
                               summary=summary, now=self.clock())  # fmt: skip
        if finished:
            log.info("simulation job done", extra={"job": job.id})
        else:
            log.warning("simulation job taken over by another runner", extra={"job": job.id})

    def _write(self, change: Callable[..., bool], **kwargs: Any) -> bool:
        with transaction(self.engine) as session:
            return change(session, **kwargs)

    def _progress(self, job_id: str, done: int, total: int) -> None:
        ours = self._write(
            service.record_progress, job_id=job_id, worker=self.name, done=done, total=total,
            now=self.clock(),
        )  # fmt: skip
        if not ours:
            raise JobLost

    def _progress_callback(self, job_id: str, stop: threading.Event) -> Callable[[int, int], None]:
        last = -math.inf

        def report(done: int, total: int) -> None:
            nonlocal last
            if stop.is_set():
                raise JobInterrupted
            now = time.monotonic()
            if done < total and now - last < self.config.progress_seconds:
                return
            last = now
            try:
                self._progress(job_id, done, total)
            except JobLost:
                raise
            except Exception as exc:  # a missed progress write must not end the simulation
                log.warning("simulation progress not saved", extra={"error_type": _name(exc)})

        return report

    def _heartbeat(self, job_id: str, done: threading.Event) -> None:
        every = min(30.0, self.config.stale_seconds / 4)
        while not done.wait(every):
            try:
                self._write(service.heartbeat, job_id=job_id, worker=self.name, now=self.clock())
            except Exception as exc:  # the next beat retries
                log.warning("simulation heartbeat failed", extra={"error_type": _name(exc)})


def _name(exc: BaseException) -> str:
    return type(exc).__name__
