"""`servicepunt simulate SCENARIO.yaml [--compare OTHER.yaml] --replications R --out DIR`
(`--executor ray --ray-address auto` runs the replications on a Ray cluster);
`--sweep SWEEP.yaml` runs a policy sweep (simulations.sweep) and draws its frontier.

Wire it into the main command line with `app.command("simulate")(simulate)` in api/cli.py;
`app` here is a standalone Typer app with the same command, for tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.settings import Settings
from domain import nl_format
from domain.errors import DomainError, InvalidInput
from simulations import fairness
from simulations.goals import goal_lines
from simulations.montecarlo import Executor, text_progress
from simulations.regions import region_label
from simulations.report import write_outputs
from simulations.study import KEY_METRICS, StudyResult, run_study
from simulations.sweep import frontier_lines, load_sweep, run_sweep, sweep_dict, write_sweep

_fmt = nl_format.number


def check_executor(value: str) -> Executor:
    """The --executor value; InvalidInput naming the option otherwise."""
    if value == "local":
        return "local"
    if value == "ray":
        return "ray"
    raise InvalidInput("kies local of ray", field="--executor")


def fairness_lines(study: StudyResult, threshold: int) -> list[str]:
    """The fairness table of a comparison (policy against greedy FCFS), as Dutch text."""
    rows = fairness.study_fairness(study, threshold)
    if not rows:
        return []
    lines = ["eerlijkheid per groep (beleid min referentie, gepaard 95%):",
             " | ".join(fairness.FAIRNESS_HEADER)]  # fmt: skip
    lines += [" | ".join(fairness.row_cells(row, threshold)) for row in rows]
    lines.append(fairness.fairness_note(rows))
    return lines


def summary_lines(study: StudyResult) -> list[str]:
    """The key metrics per scenario (and the paired differences), as Dutch text lines."""
    results = study.results
    names = [r.scenario["name"] for r in results]
    lines = ["maat: " + " | ".join(names) + (" | verschil [95%]" if study.comparison else "")]
    # A scenario over several regions also gives each region's figures.
    per_region = {k: text for k in results[0].totals if (text := region_label(k)) is not None}
    for key, label in {**KEY_METRICS, **per_region}.items():
        cells = []
        for r in results:
            e = r.totals.get(key)
            cells.append("-" if e is None else f"{_fmt(e.mean)} [{_fmt(e.low)}; {_fmt(e.high)}]")
        if study.comparison is not None:
            d = study.comparison.differences.get(key)
            cells.append("-" if d is None else f"{_fmt(d.mean)} [{_fmt(d.low)}; {_fmt(d.high)}]")
        lines.append(f"{label}: " + " | ".join(cells))
    return lines


# Shared with `servicepunt worker`.
ExecutorOption = Annotated[
    str, typer.Option("--executor", help="local (processen hier) of ray (een Ray-cluster)")
]
RayAddressOption = Annotated[
    str | None, typer.Option("--ray-address", help="adres voor ray.init, bijv. auto")
]


def simulate(
    scenario: Annotated[Path, typer.Argument(help="scenariobestand (YAML)")],
    out: Annotated[Path, typer.Option("--out", help="map voor de resultaten")],
    compare: Annotated[
        Path | None, typer.Option("--compare", help="tweede scenario, zelfde toevalsgetallen")
    ] = None,
    replications: Annotated[
        int | None, typer.Option("--replications", help="aantal replicaties (standaard: bestand)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="processen (standaard: alle kernen)")
    ] = None,
    executor: ExecutorOption = "local",
    ray_address: RayAddressOption = None,
    sweep: Annotated[
        Path | None, typer.Option("--sweep", help="sweepbestand: beleidsparameters variëren")
    ] = None,
) -> None:
    """Simulate a capacity scenario over years (optionally against a second one)."""
    if sweep is not None:
        _sweep(scenario, sweep, out, replications, workers, executor, ray_address)
        return
    try:
        study = run_study(
            scenario, compare_with=compare, replications=replications, workers=workers,
            progress=text_progress(), executor=check_executor(executor), ray_address=ray_address,
        )  # fmt: skip
        threshold = Settings().small_count_threshold
        paths = write_outputs(study, out, small_count_threshold=threshold)
    except DomainError as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(code=2) from None
    goals = goal_lines(study.comparison) if study.comparison is not None else []
    for line in summary_lines(study) + fairness_lines(study, threshold) + goals:
        typer.echo(line)
    typer.echo("geschreven: " + ", ".join(str(p) for p in paths))


def _sweep(
    scenario: Path, sweep_file: Path, out: Path, replications: int | None,
    workers: int | None, executor: str, ray_address: str | None,
) -> None:  # fmt: skip
    try:
        sweep = load_sweep(sweep_file)
        found = run_sweep(
            sweep, scenario, out, replications=replications, workers=workers,
            executor=check_executor(executor), progress=text_progress(), ray_address=ray_address,
        )  # fmt: skip
        paths = write_sweep(sweep, str(scenario), found, out)
    except DomainError as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(code=2) from None
    data = sweep_dict(sweep, str(scenario), found)
    for line in frontier_lines(data):
        typer.echo(line)
    typer.echo("geschreven: " + ", ".join(str(p) for p in paths))


app = typer.Typer(help="Scenario's simuleren", no_args_is_help=True)
app.command("simulate")(simulate)
