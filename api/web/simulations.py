"""The planner's simulation pages: queue a run of a shipped scenario, follow its progress,
read the key metrics with their intervals and open the charts and the report.

Planners queue runs and see their own; the servicepunt (who reads the planner reports)
sees every run, without the form. The progress bar is a <progress> element refreshed by a
small script (static/simulaties.js) polling the status as JSON; without scripts the page
has a link to refresh it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import NowDep, SessionDep, StateDep
from api.jobs import catalogue
from api.jobs import service as jobs
from api.jobs.models import (
    MAX_REPLICATIONS,
    MetricEstimate,
    SimulationJob,
    SimulationJobPublic,
    SimulationRequest,
)
from api.routes.simulations import output_file
from api.web.auth import FormDep, PageNotFound, Planner, PlannerOrStaff, WebSession
from api.web.common import api_action, errors_by_field
from api.web.render import NO_FORM, SECURITY_HEADERS, FormState, form_page, page
from domain import nl_format
from domain.errors import DomainError
from domain.vocabulary import JobStatus, Role

router = APIRouter(include_in_schema=False)
FIELD_LABELS = {
    "scenario": "Scenario",
    "compare_with": "Vergelijken met",
    "replications": "Replicaties",
}
FILE_LABELS = {
    "rapport.html": "rapport (HTML)",
    "kerncijfers.png": "grafiek kerncijfers (PNG)",
    "verloop.png": "grafiek verloop (PNG)",
    "totalen.csv": "totalen (CSV)",
    "verschillen.csv": "verschillen (CSV)",
    "reeksen.csv": "tijdreeksen (CSV)",
    "resultaat.json": "alle uitkomsten (JSON)",
}


_number = nl_format.number


def _cell(e: MetricEstimate | None) -> dict[str, str]:
    """A mean and its interval as text ('-' where undefined)."""
    if e is None or e.mean is None:
        return {"mean": "-", "interval": ""}
    if e.low is None or e.high is None:
        return {"mean": _number(e.mean), "interval": ""}
    return {"mean": _number(e.mean), "interval": f"[{_number(e.low)}; {_number(e.high)}]"}


_time = nl_format.moment


def _view(job: SimulationJob) -> dict[str, Any]:
    """What the templates show of a job: its public form, labels and formatted metrics."""
    public = SimulationJobPublic.of(job)
    rows = []
    if public.summary is not None:
        for metric in public.summary.metrics:
            rows.append(
                {
                    "label": metric.label,
                    "values": [_cell(v) for v in metric.values],
                    "difference": _cell(metric.difference) if public.compare_with else None,
                }
            )
    return {
        "job": public,
        "status_label": public.status.label,
        "percent": round(public.progress * 100),
        "rows": rows,
        "files": [(name, FILE_LABELS.get(name, name)) for name in public.files],
        "open": public.status in (JobStatus.WACHTEND, JobStatus.BEZIG),
        "created": _time(public.created_at),
        "finished": _time(public.finished_at) if public.finished_at else "",
    }


def _list_page(
    web: WebSession,
    session: Session,
    shown: FormState = NO_FORM,
) -> HTMLResponse:
    mine = web.role == Role.PLANNER.value
    rows, total = jobs.list_jobs(session, created_by=web.user.id if mine else None, limit=50)
    scenarios = catalogue.scenarios()
    options = [
        (s.name, f"{s.name} ({s.replications} replicaties, {s.horizon_days / 365:.1f} jaar)")
        for s in scenarios
    ]
    return form_page(
        "simulaties.html",
        web,
        shown,
        may_submit=mine,
        scenarios=scenarios,
        scenario_options=options,
        jobs=[_view(r) for r in rows],
        total=total,
        labels=FIELD_LABELS,
        max_replications=MAX_REPLICATIONS,
    )


@router.get("/planner/simulaties")
def simulations(web: PlannerOrStaff, session: SessionDep) -> HTMLResponse:
    """The form (planners) and the list of runs with their progress."""
    return _list_page(web, session)


@router.post("/planner/simulaties", openapi_extra=api_action("POST /api/v1/simulations"))
def submit(
    web: Planner, form: FormDep, session: SessionDep, state: StateDep, now: NowDep
) -> Response:
    """Queue a run; errors beside their fields, and nothing saved."""
    values = {name: form.get(name) for name in FIELD_LABELS}
    try:
        request = SimulationRequest.model_validate({k: v for k, v in values.items() if v != ""})
        job = jobs.create_job(session, request=request, user_id=web.user.id, now=now)
        session.commit()
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _list_page(web, session, FormState(errors_by_field(exc), values, 422))
    state.simulation_wake.set()
    return RedirectResponse(f"/planner/simulaties/{job.id}", status_code=303)


def _job(session: Session, job_id: str) -> SimulationJob:
    try:
        return jobs.get_job(session, job_id)
    except DomainError:
        raise PageNotFound from None


@router.get("/planner/simulaties/{job_id}")
def detail(job_id: str, web: PlannerOrStaff, session: SessionDep) -> HTMLResponse:
    """One run: progress, or the key metrics with intervals and the paired differences."""
    return page("simulatie.html", web, **_view(_job(session, job_id)))


@router.get("/planner/simulaties/{job_id}/status")
def status(job_id: str, web: PlannerOrStaff, session: SessionDep) -> JSONResponse:
    """The progress of a run, for the page's progress bar."""
    view = _view(_job(session, job_id))
    job: SimulationJobPublic = view["job"]
    body = {
        "status": job.status.value,
        "label": view["status_label"],
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": view["percent"],
    }
    return JSONResponse(body, headers=SECURITY_HEADERS)


@router.get("/planner/simulaties/{job_id}/bestanden/{name}")
def download(
    job_id: str, name: str, web: PlannerOrStaff, session: SessionDep, state: StateDep
) -> FileResponse:
    """An output file: the report and charts open in the browser, data files download."""
    job = _job(session, job_id)
    try:
        return output_file(
            job, name, state.settings.simulation_dir, inline=name.endswith((".html", ".png"))
        )
    except DomainError:
        raise PageNotFound from None
