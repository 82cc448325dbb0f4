"""Where simulation jobs run: a thread of the API (inline, the embedded default), or
`servicepunt worker` (external), also with the Ray executor; and the CLI options."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from api import cli
from api.accounts import User
from api.app import create_app
from api.jobs import service
from api.jobs.models import SimulationJob, SimulationRequest
from api.settings import Settings, get_settings
from capacity import db as capacity_db
from tests.api.api_support import T0, seed_region

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A migrated, seeded SQLite database: its URL and the users' tokens."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    tokens = seed_region(engine).tokens
    engine.dispose()
    return url, tokens


@pytest.fixture
def environment(
    database: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The process settings point at the test database and results folder."""
    monkeypatch.setenv("DATABASE_URL", database[0])
    monkeypatch.setenv("SERVICEPUNT_SIMULATION_DIR", str(tmp_path / "uit"))
    get_settings.cache_clear()
    yield database[0]
    get_settings.cache_clear()


def _queue(url: str, minute: int = 0, **request: Any) -> str:
    """Queue a job as the planner, straight in the database."""
    engine = capacity_db.make_engine(url)
    try:
        with capacity_db.transaction(engine) as session:
            planner = session.exec(select(User.id).where(User.username == "planner")).one()
            job = service.create_job(
                session,
                request=SimulationRequest.model_validate(request),
                user_id=planner,
                now=T0 + timedelta(minutes=minute),
            )
            return job.id
    finally:
        engine.dispose()


def _job(url: str, job_id: str) -> SimulationJob:
    engine = capacity_db.make_engine(url)
    try:
        with capacity_db.transaction(engine) as session:
            return service.get_job(session, job_id)
    finally:
        engine.dispose()


def test_the_api_runs_queued_jobs_in_a_background_thread(
    database: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, tokens = database
    settings = Settings(
        database_url=url,
        secret_key="test",
        simulation_dir=tmp_path / "uit",
        simulation_workers=1,
        simulation_poll_seconds=30,  # the submit wakes the runner: no waiting for a poll
    )
    app = create_app(settings, background=True)
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    with TestClient(app) as client:
        job = client.post(
            "/api/v1/simulations", json={"scenario": "snel", "replications": 2}, headers=headers
        ).json()
        deadline = time.monotonic() + 20
        status = job["status"]
        while status != "klaar" and time.monotonic() < deadline:
            time.sleep(0.1)
            status = client.get(f"/api/v1/simulations/{job['id']}", headers=headers).json()[
                "status"
            ]
        assert status == "klaar"
    assert (tmp_path / "uit" / job["id"] / "rapport.html").is_file()


def test_an_external_api_leaves_jobs_to_the_worker(
    database: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, tokens = database
    settings = Settings(
        database_url=url,
        secret_key="test",
        simulation_dir=tmp_path / "uit",
        simulation_runner="external",
        simulation_poll_seconds=0.05,
    )
    headers = {"Authorization": f"Bearer {tokens['planner']}"}
    with TestClient(create_app(settings, background=True)) as client:
        job = client.post("/api/v1/simulations", json={"scenario": "snel"}, headers=headers)
        time.sleep(0.5)
        again = client.get(f"/api/v1/simulations/{job.json()['id']}", headers=headers)
        assert again.json()["status"] == "wachtend"


def test_worker_once_processes_one_job(environment: str) -> None:
    empty = runner.invoke(cli.app, ["worker", "--once"])
    assert empty.exit_code == 0 and "geen opdracht in de wachtrij" in empty.output
    first = _queue(environment, scenario="snel", replications=1)
    second = _queue(environment, minute=1, scenario="snel", replications=1)
    result = runner.invoke(cli.app, ["worker", "--once", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"opdracht {first} verwerkt" in result.output
    assert _job(environment, first).status == "klaar"
    assert _job(environment, second).status == "wachtend"


class _Ref:
    def __init__(self, value: Any) -> None:
        self.value = value


class _FakeRay:
    """Enough of Ray to see the worker hand its address to ray.init."""

    def __init__(self) -> None:
        self.init_args: dict[str, Any] | None = None

    def is_initialized(self) -> bool:
        return self.init_args is not None

    def init(self, **kwargs: Any) -> None:
        self.init_args = kwargs

    def remote(self, function: Callable[[Any], Any]) -> Any:
        class _Remote:
            def remote(self, task: Any) -> _Ref:
                return _Ref(function(task))

        return _Remote()

    def wait(self, pending: list[_Ref], num_returns: int) -> tuple[list[_Ref], list[_Ref]]:
        return pending[:num_returns], pending[num_returns:]

    def get(self, ref: _Ref) -> Any:
        return ref.value


def test_worker_with_ray_joins_the_given_cluster(
    environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _FakeRay()
    real_import = importlib.import_module
    monkeypatch.setattr(
        importlib, "import_module", lambda name: fake if name == "ray" else real_import(name)
    )
    job_id = _queue(environment, scenario="snel", compare_with="snel-greedy", replications=1)
    result = runner.invoke(
        cli.app, ["worker", "--once", "--executor", "ray", "--ray-address", "auto"]
    )
    assert result.exit_code == 0, result.output
    assert fake.init_args is not None and fake.init_args["address"] == "auto"
    job = _job(environment, job_id)
    assert job.status == "klaar" and (job.progress_done, job.progress_total) == (2, 2)


@pytest.mark.parametrize("command", ["worker", "simulate"])
def test_an_unknown_executor_is_refused_naming_the_option(
    environment: str, command: str, tmp_path: Path
) -> None:
    scenario = str(Path(__file__).parents[2] / "simulations" / "scenarios" / "snel.yaml")
    args = [command, "--executor", "dask"]
    if command == "simulate":
        args += [scenario, "--out", str(tmp_path / "uit")]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 2
    assert "--executor: kies local of ray" in result.output
