"""Simulation jobs in the database: create and read (the API), claim, progress, finish,
fail and recover (the runner). Functions flush; the caller owns the transaction.

Claiming is atomic on both databases: the oldest queued job is read (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, so concurrent runners pass each other's candidates by), then
taken with a conditional UPDATE (`... WHERE status = 'wachtend'`) whose row count says
whether this runner won it; SQLite serialises writers as well (BEGIN IMMEDIATE). Every
later write names the runner (`claimed_by`), so a runner that lost its job to recovery
cannot overwrite it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col, select

from api.jobs import catalogue
from api.jobs.models import SimulationJob, SimulationRequest, SimulationSummary
from capacity import db
from domain.errors import NotFound
from domain.vocabulary import JobStatus

INTERRUPTED = (
    "De verwerking is onderbroken (de rekenserver stopte) en is na een nieuwe poging "
    "opgegeven. Start de simulatie opnieuw."
)
MAX_ATTEMPTS = 2


def create_job(
    session: Session, *, request: SimulationRequest, user_id: str, now: datetime
) -> SimulationJob:
    """Queue a job (the request names shipped scenarios: SimulationRequest checks them)."""
    first = catalogue.find(request.scenario, field="scenario")
    job = SimulationJob(
        created_by=user_id,
        created_at=now,
        scenario=first.name,
        compare_with=request.compare_with,
        replications=request.replications or first.replications,
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: str) -> SimulationJob:
    """One job; NotFound when there is none."""
    job = session.get(SimulationJob, job_id) if len(job_id) <= 32 else None
    if job is None:
        raise NotFound("onbekende simulatie", field="job_id")
    return job


def list_jobs(
    session: Session, *, created_by: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[SimulationJob], int]:
    """Jobs newest first (only one user's when `created_by` is given), and their total."""
    query = select(SimulationJob)
    if created_by is not None:
        query = query.where(SimulationJob.created_by == created_by)
    order = (col(SimulationJob.created_at).desc(), col(SimulationJob.id))
    return db.page(session, query, *order, limit=limit, offset=offset)


def _update(session: Session, job_id: str, worker: str | None, **values: Any) -> bool:
    """Set values on a running job this runner holds; False when it is not (any more)."""
    stmt = update(SimulationJob).where(
        col(SimulationJob.id) == job_id, col(SimulationJob.status) == JobStatus.BEZIG.value
    )
    if worker is not None:
        stmt = stmt.where(col(SimulationJob.claimed_by) == worker)
    result: CursorResult[Any] = session.exec(stmt.values(**values))
    return result.rowcount == 1


def claim_next(session: Session, *, worker: str, now: datetime) -> SimulationJob | None:
    """Take the oldest queued job for this runner, or None when the queue is empty."""
    for _ in range(5):  # lost races to another runner: look again
        candidate = session.exec(
            select(SimulationJob.id)
            .where(SimulationJob.status == JobStatus.WACHTEND.value)
            .order_by(col(SimulationJob.created_at), col(SimulationJob.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            return None
        taken: CursorResult[Any] = session.exec(
            update(SimulationJob)
            .where(
                col(SimulationJob.id) == candidate,
                col(SimulationJob.status) == JobStatus.WACHTEND.value,
            )
            .values(
                status=JobStatus.BEZIG.value,
                claimed_by=worker,
                attempts=SimulationJob.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                progress_done=0,
                progress_total=0,
            )
        )
        if taken.rowcount == 1:
            session.flush()
            job = session.exec(
                select(SimulationJob)
                .where(SimulationJob.id == candidate)
                .execution_options(populate_existing=True)
            ).one()
            return job
    return None


def record_progress(
    session: Session, *, job_id: str, worker: str, done: int, total: int, now: datetime
) -> bool:
    """Store progress (and that the runner lives); False when the job is no longer ours."""
    return _update(
        session, job_id, worker, progress_done=done, progress_total=total, heartbeat_at=now
    )


def heartbeat(session: Session, *, job_id: str, worker: str, now: datetime) -> bool:
    """Say the runner still works on the job."""
    return _update(session, job_id, worker, heartbeat_at=now)


def finish(
    session: Session, *, job_id: str, worker: str, summary: SimulationSummary, now: datetime
) -> bool:
    """Mark the job done with its summary."""
    return _update(
        session,
        job_id,
        worker,
        status=JobStatus.KLAAR.value,
        summary_json=summary.model_dump_json(),
        finished_at=now,
        heartbeat_at=now,
        error=None,
    )


def fail(session: Session, *, job_id: str, worker: str, error: str, now: datetime) -> bool:
    """Mark the job failed with a Dutch message for the planner."""
    return _update(
        session,
        job_id,
        worker,
        status=JobStatus.MISLUKT.value,
        error=error[:500],
        finished_at=now,
        heartbeat_at=now,
    )


def release(session: Session, *, job_id: str, worker: str) -> bool:
    """Put a job back in the queue (the runner stops cleanly); the attempt does not count."""
    return _update(
        session,
        job_id,
        worker,
        status=JobStatus.WACHTEND.value,
        claimed_by=None,
        attempts=SimulationJob.attempts - 1,
        started_at=None,
        heartbeat_at=None,
        progress_done=0,
        progress_total=0,
    )


def recover_stale(session: Session, *, now: datetime, stale_after: timedelta) -> tuple[int, int]:
    """Jobs 'bezig' without a heartbeat for `stale_after`: their runner died.

    A job gets MAX_ATTEMPTS tries: after the first it goes back to the queue, after the
    last it fails with a message (a job that kills its runner must not loop forever).
    Returns (requeued, failed).
    """
    stale = (
        col(SimulationJob.status) == JobStatus.BEZIG.value,
        col(SimulationJob.heartbeat_at) < now - stale_after,
    )
    requeued: CursorResult[Any] = session.exec(
        update(SimulationJob)
        .where(*stale, col(SimulationJob.attempts) < MAX_ATTEMPTS)
        .values(
            status=JobStatus.WACHTEND.value,
            claimed_by=None,
            started_at=None,
            heartbeat_at=None,
            progress_done=0,
            progress_total=0,
        )
    )
    failed: CursorResult[Any] = session.exec(
        update(SimulationJob)
        .where(*stale, col(SimulationJob.attempts) >= MAX_ATTEMPTS)
        .values(status=JobStatus.MISLUKT.value, error=INTERRUPTED, finished_at=now)
    )
    session.flush()
    return requeued.rowcount, failed.rowcount
