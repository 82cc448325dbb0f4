"""Simulation jobs over HTTP: the shipped scenarios, queue a run, follow it, download results.

Planners queue runs; planners and the servicepunt (who read the planner reports too) read
every job and its results: a simulation holds synthetic data and aggregates only. The API
only inserts and reads rows; a runner does the simulating (api.jobs.runner).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import FileResponse

from api import idempotency
from api.deps import NowDep, PlannerUser, ReportReader, SessionDep, StateDep
from api.errors import ERROR_RESPONSES
from api.jobs import catalogue
from api.jobs import service as jobs
from api.jobs.models import (
    OUTPUT_FILES,
    ScenarioInfo,
    SimulationJob,
    SimulationJobPublic,
    SimulationRequest,
)
from api.schemas import Limit, Offset, Page
from domain.errors import NotFound
from domain.vocabulary import JobStatus

router = APIRouter(prefix="/api/v1/simulations", tags=["simulaties"], responses=ERROR_RESPONSES)
# Served reports hold no scripts; the policy makes sure none would run.
FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
REQUEST_EXAMPLES: dict[str, Any] = {
    "snelle demo": {
        "summary": "de snelle demo, in enkele seconden",
        "value": {"scenario": "snel", "compare_with": "snel-greedy", "replications": 4},
    },
    "behandelgroepen halveren": {
        "summary": "Flevoland met en zonder halvering van de behandelgroepen",
        "value": {"scenario": "flevoland", "compare_with": "behandelgroep-halvering"},
    },
}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "het bestand",
        "content": {media.split(";")[0]: {} for media in OUTPUT_FILES.values()},
    }
}


def output_file(job: SimulationJob, name: str, directory: Path, *, inline: bool) -> FileResponse:
    """One output file of a finished job; NotFound for any other name (no paths)."""
    media_type = OUTPUT_FILES.get(name)
    public = SimulationJobPublic.of(job)
    if media_type is None or job.status != JobStatus.KLAAR.value or name not in public.files:
        raise NotFound("onbekend bestand van deze simulatie", field="name")
    path = directory / job.id / name
    if not path.is_file():
        raise NotFound("het bestand is niet (meer) beschikbaar", field="name")
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        headers=FILE_HEADERS,
    )


@router.get("/scenarios")
def list_scenarios(user: ReportReader) -> list[ScenarioInfo]:
    """The shipped scenarios a planner may run ('snel' is a quick demo of seconds)."""
    return catalogue.scenarios()


@router.post("", status_code=201, response_model=SimulationJobPublic)
def create_simulation(
    data: Annotated[SimulationRequest, Body(openapi_examples=REQUEST_EXAMPLES)],
    user: PlannerUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    retry: idempotency.RetryDep,
) -> Any:
    """Queue a simulation of a shipped scenario; a retry with the same key is not queued twice."""
    attempt, stored = retry.begin(session, user.id, "POST /api/v1/simulations", data)
    if stored is not None:
        return stored
    job = jobs.create_job(session, request=data, user_id=user.id, now=now)
    body = SimulationJobPublic.of(job).model_dump(mode="json")
    answer = retry.finish(session, attempt, status_code=201, body=body, now=now)
    state.simulation_wake.set()
    return answer


@router.get("", response_model=Page[SimulationJobPublic])
def list_simulations(
    user: ReportReader,
    session: SessionDep,
    mine: Annotated[bool, Query(description="alleen mijn eigen opdrachten")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[SimulationJobPublic]:
    """Every planner's simulations, newest first (or only the caller's with mine=true)."""
    rows, total = jobs.list_jobs(
        session, created_by=user.id if mine else None, limit=limit, offset=offset
    )
    items = [SimulationJobPublic.of(r) for r in rows]
    return Page[SimulationJobPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=SimulationJobPublic)
def get_simulation(job_id: str, user: ReportReader, session: SessionDep) -> SimulationJobPublic:
    """One simulation: status, progress and, when done, the key metrics with intervals."""
    return SimulationJobPublic.of(jobs.get_job(session, job_id))


@router.get("/{job_id}/files/{name}", response_class=FileResponse, responses=FILE_RESPONSES)
def get_simulation_file(
    job_id: str, name: str, user: ReportReader, session: SessionDep, state: StateDep
) -> FileResponse:
    """An output file: rapport.html, resultaat.json, totalen.csv, verschillen.csv,
    reeksen.csv, kerncijfers.png or verloop.png."""
    job = jobs.get_job(session, job_id)
    return output_file(job, name, state.settings.simulation_dir, inline=False)
