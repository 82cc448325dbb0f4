"""`servicepunt worker`: run queued simulation jobs outside the API process.

For deployments that set SERVICEPUNT_SIMULATION_RUNNER=external on the API: the worker
claims jobs from the same database and writes results to the same directory
(SERVICEPUNT_SIMULATION_DIR, shared with the API). `--executor ray --ray-address auto`
fans each job's replications out over the Ray cluster the worker runs on. SIGTERM and
SIGINT stop it; a job it was running goes back to the queue at its next replication.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from api.cli_simulate import ExecutorOption, RayAddressOption, check_executor
from api.jobs.runner import JobRunner, RunnerConfig
from api.logs import configure_logging
from api.settings import get_settings
from capacity import db as capacity_db
from domain.errors import DomainError


def worker(
    executor: ExecutorOption = "local",
    ray_address: RayAddressOption = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="processen bij local (standaard: alle kernen)")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="hoogstens één opdracht verwerken en stoppen")
    ] = False,
) -> None:
    """Run queued simulation jobs until stopped (or one job with --once)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        chosen = check_executor(executor)
        if workers is not None and workers < 1:
            raise DomainError("moet minstens 1 zijn", field="--workers")
    except DomainError as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(code=2) from None
    capacity_db.migrate(settings.database_url)
    engine = capacity_db.make_engine(settings.database_url)
    overrides: dict[str, object] = {"executor": chosen, "ray_address": ray_address}
    if workers is not None:
        overrides["workers"] = workers
    runner = JobRunner(engine, RunnerConfig.from_settings(settings, **overrides))
    stop = threading.Event()
    try:
        if once:
            job_id = runner.run_once(stop)
            typer.echo(f"opdracht {job_id} verwerkt" if job_id else "geen opdracht in de wachtrij")
            return
        _stop_on_signals(stop)
        typer.echo(f"servicepunt worker: wacht op simulatieopdrachten (executor {chosen})")
        runner.serve(stop)
    finally:
        engine.dispose()


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
