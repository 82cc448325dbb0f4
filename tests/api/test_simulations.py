"""Simulation jobs over HTTP on both backends: queued, run by a runner to 'klaar' with progress
and a summary, files served by name only, bad input refused, failures in Dutch."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from api.deps import ServiceState
from api.jobs import service
from api.jobs.models import SimulationJob
from api.jobs.runner import UNEXPECTED, JobRunner, RunnerConfig
from domain.errors import ConfigError
from domain.vocabulary import JobStatus
from simulations.study import KEY_METRICS, StudyResult, run_study
from tests.api.api_support import Api

QUICK = {"scenario": "snel", "compare_with": "snel-greedy", "replications": 2}


def _state(api: Api) -> ServiceState:
    app: FastAPI = api.client.app  # type: ignore[assignment]
    state: ServiceState = app.state.servicepunt
    return state


def _runner(api: Api, study: Any = run_study, **config: Any) -> JobRunner:
    """A runner on the test's app and clock; no PNG charts (they take a second a job)."""
    state = _state(api)
    settings = RunnerConfig.from_settings(state.settings, **({"charts": False} | config))
    return JobRunner(state.engine, settings, clock=api.clock, study=study)


def _jobs(api: Api) -> list[SimulationJob]:
    with Session(_state(api).engine) as session:
        return list(session.exec(select(SimulationJob)).all())


def _submit(api: Api, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = api.call("POST", "/api/v1/simulations", "planner", json=body or QUICK)
    assert answer.status_code == 201, answer.text
    job: dict[str, Any] = answer.json()
    return job


def test_a_submitted_job_runs_to_klaar_with_progress_and_the_key_metrics(api: Api) -> None:
    job = _submit(api)
    assert job["status"] == "wachtend" and job["progress"] == 0 and job["summary"] is None
    seen: list[tuple[str, int, int]] = []

    def observed(*args: Any, progress: Any, **kwargs: Any) -> StudyResult:
        def spy(done: int, total: int) -> None:
            progress(done, total)
            row = next(j for j in _jobs(api) if j.id == job["id"])
            seen.append((row.status, row.progress_done, row.progress_total))

        return run_study(*args, progress=spy, **kwargs)

    assert _runner(api, observed, progress_seconds=0.0).run_once() == job["id"]
    # Every replication's progress reached the row while the job ran; 2 scenarios x 2.
    assert seen == [("bezig", n, 4) for n in range(1, 5)]
    done = api.call("GET", f"/api/v1/simulations/{job['id']}", "planner").json()
    assert done["status"] == "klaar" and done["progress"] == 1.0
    assert (done["progress_done"], done["progress_total"]) == (4, 4)
    summary = done["summary"]
    assert summary["scenarios"] == ["snel-demo", "snel-demo-greedy"]
    assert summary["replications"] == 2
    metrics = {m["key"]: m for m in summary["metrics"]}
    assert list(metrics) == list(KEY_METRICS)
    first_best = metrics["first_best_rate"]
    assert first_best["label"] == KEY_METRICS["first_best_rate"]
    for estimate in (*first_best["values"], first_best["difference"]):
        assert estimate["n"] == 2 and estimate["low"] <= estimate["mean"] <= estimate["high"]
    assert {"rapport.html", "resultaat.json", "totalen.csv", "verschillen.csv"} <= set(
        done["files"]
    )
    # A second look finds nothing more to do.
    assert _runner(api).run_once() is None


def test_output_files_are_served_by_known_name_only(api: Api) -> None:
    job = _submit(api, {"scenario": "snel", "replications": 1})
    base = f"/api/v1/simulations/{job['id']}/files"
    early = api.call("GET", f"{base}/totalen.csv", "planner")
    assert early.status_code == 404 and early.json()["fields"][0]["field"] == "name"
    _runner(api).run_once()
    csv = api.call("GET", f"{base}/totalen.csv", "sp")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("\ufeffscenario;maat;gemiddelde")  # the one CSV writer (#16)
    report = api.call("GET", f"{base}/rapport.html", "planner")
    assert report.status_code == 200 and "snel-demo" in report.text
    assert "default-src 'none'" in report.headers["content-security-policy"]
    (Path(_state(api).settings.simulation_dir) / "geheim.txt").write_text("x", encoding="utf-8")
    for name in ("geheim.txt", "..%2Fgeheim.txt", "...", "rapport.HTML", "api.db"):
        answer = api.call("GET", f"{base}/{name}", "planner")
        assert answer.status_code == 404, name
    unknown = api.call("GET", "/api/v1/simulations/bestaat-niet/files/totalen.csv", "planner")
    assert unknown.status_code == 404 and unknown.json()["error"] == "NotFound"


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"scenario": "bestaat-niet"}, "scenario"),
    ({"scenario": "../flevoland"}, "scenario"),
    ({"compare_with": "snel"}, "scenario"),
    ({"scenario": "snel", "replications": 0}, "replications"),
    ({"scenario": "snel", "replications": 10000}, "replications"),
    ({"scenario": "snel", "replications": "veel"}, "replications"),
    ({"scenario": "snel", "compare_with": "snel"}, "compare_with"),
    ({"scenario": "snel", "compare_with": "onzin"}, "compare_with"),
    ({"scenario": "snel", "yaml": "name: x"}, "yaml"),
]


def test_bad_input_gives_422_naming_the_field_and_queues_nothing(api: Api) -> None:
    for body, field in BAD_INPUT:
        answer = api.call("POST", "/api/v1/simulations", "planner", json=body)
        assert answer.status_code == 422, (body, answer.text)
        data = answer.json()
        assert data["error"] == "InvalidInput"
        assert field in {f["field"] for f in data["fields"]}, body
        for value in body.values():
            if isinstance(value, str) and value not in ("snel", "bestaat-niet"):
                assert value not in data["detail"], "input is never echoed"
    assert _jobs(api) == []


def test_an_idempotent_retry_queues_one_job(api: Api) -> None:
    headers = {**api.as_("planner"), "Idempotency-Key": "sim-1"}
    first = api.client.post("/api/v1/simulations", json=QUICK, headers=headers)
    again = api.client.post("/api/v1/simulations", json=QUICK, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = api.client.post(
        "/api/v1/simulations", json={"scenario": "snel"}, headers=headers
    ).json()
    assert other["error"] == "Conflict"
    assert len(_jobs(api)) == 1


def test_lists_are_paginated_and_the_servicepunt_reads_without_starting(api: Api) -> None:
    ids = [_submit(api, {"scenario": "snel", "replications": n})["id"] for n in (1, 2, 3)]
    page = api.call("GET", "/api/v1/simulations?limit=2&offset=0", "planner").json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = api.call("GET", "/api/v1/simulations?limit=2&offset=2", "sp").json()
    listed = [j["id"] for j in page["items"] + rest["items"]]
    assert sorted(listed) == sorted(ids)
    assert api.call("GET", "/api/v1/simulations?mine=true", "sp").json()["total"] == 0
    assert api.call("POST", "/api/v1/simulations", "sp", json=QUICK).status_code == 403
    scenarios = api.call("GET", "/api/v1/simulations/scenarios", "sp").json()
    names = [s["name"] for s in scenarios]
    assert names[:2] == ["snel", "snel-greedy"] and "flevoland" in names
    assert all(s["description"] and 1 <= s["replications"] <= 200 for s in scenarios)


def test_two_runners_never_take_the_same_job(api: Api) -> None:
    ids = {_submit(api, {"scenario": "snel", "replications": 1})["id"] for _ in range(8)}
    engine = _state(api).engine
    start = threading.Barrier(4)
    taken: list[list[str]] = [[] for _ in range(4)]

    def claim(slot: int) -> None:
        start.wait()
        while True:
            with Session(engine, expire_on_commit=False) as session:
                job = service.claim_next(session, worker=f"runner-{slot}", now=api.clock())
                session.commit()
            if job is None:
                return
            taken[slot].append(job.id)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    claimed = [job_id for slot in taken for job_id in slot]
    assert sorted(claimed) == sorted(ids), "each job taken exactly once"
    rows = _jobs(api)
    assert {r.status for r in rows} == {"bezig"} and all(r.attempts == 1 for r in rows)
    assert {r.id: r.claimed_by for r in rows} == {
        job_id: f"runner-{slot}" for slot, jobs in enumerate(taken) for job_id in jobs
    }


def test_a_failing_job_ends_mislukt_with_a_dutch_message_and_no_details(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    job = _submit(api)

    def broken(*args: Any, **kwargs: Any) -> StudyResult:
        raise RuntimeError("/srv/geheim/pad regel 12: kind-0001")

    with caplog.at_level(logging.INFO, logger="servicepunt.simulations"):
        _runner(api, broken).run_once()
    failed = api.call("GET", f"/api/v1/simulations/{job['id']}", "planner").json()
    assert failed["status"] == "mislukt" and failed["error"] == UNEXPECTED
    assert failed["summary"] is None and failed["files"] == []
    logged = [r for r in caplog.records if r.name == "servicepunt.simulations"]
    assert logged and all("geheim" not in r.getMessage() for r in logged)
    assert logged[-1].__dict__["error_type"] == "RuntimeError"

    second = _submit(api)

    def invalid(*args: Any, **kwargs: Any) -> StudyResult:
        raise ConfigError("moet groter zijn dan 0", file="/srv/x/snel.yaml", field="run.seed")

    _runner(api, invalid).run_once()
    message = api.call("GET", f"/api/v1/simulations/{second['id']}", "planner").json()["error"]
    assert message == "Het scenario is ongeldig (snel.yaml: run.seed: moet groter zijn dan 0)."


def test_a_job_of_a_dead_runner_is_retried_once_then_fails(api: Api) -> None:
    job = _submit(api)
    engine = _state(api).engine
    for attempt in (1, 2):
        with Session(engine, expire_on_commit=False) as session:
            claimed = service.claim_next(session, worker=f"dood-{attempt}", now=api.clock())
            session.commit()
        assert claimed is not None and claimed.attempts == attempt
        api.clock.advance(seconds=299)
        _runner(api).recover()  # still within the stale time: nothing happens
        assert _jobs(api)[0].status == "bezig"
        api.clock.advance(seconds=2)
        _runner(api).recover()
    row = _jobs(api)[0]
    assert row.status == JobStatus.MISLUKT.value and "opnieuw" in (row.error or "")
    # The first runner cannot overwrite what recovery decided.
    with Session(engine) as session:
        assert not service.heartbeat(session, job_id=job["id"], worker="dood-1", now=api.clock())


def test_a_stopping_runner_puts_its_job_back_in_the_queue(api: Api) -> None:
    job = _submit(api, {"scenario": "snel", "replications": 1})
    stop = threading.Event()

    def stopping(*args: Any, progress: Any, **kwargs: Any) -> StudyResult:
        stop.set()
        progress(1, 1)
        raise AssertionError("the progress callback stops the run")

    _runner(api, stopping).run_once(stop)
    row = _jobs(api)[0]
    assert row.id == job["id"] and row.status == "wachtend" and row.attempts == 0
    assert _runner(api).run_once() == job["id"]
    assert _jobs(api)[0].status == "klaar"
