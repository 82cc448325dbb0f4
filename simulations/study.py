"""Run scenario files: one scenario, or two compared on common random numbers.

`run_study(scenario_path, compare_path=..., replications=..., progress=...)` is what the
`servicepunt simulate` command and a background job behind the planner page call. A
comparison runs both scenarios with the first file's run settings and seed, so replication
r of both sees the same arrivals, profiles and stay quantiles; the confidence intervals are
on the paired differences (second minus first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from simulations.montecarlo import Comparison, Executor, MonteCarloResult, Progress, compare, run
from simulations.outputs import canonical_json
from simulations.scenario import LoadedScenario, load_scenario

# The totals a planner reads first, with their Dutch labels (charts, CSV, CLI output).
KEY_METRICS: dict[str, str] = {
    # CBS counts a region's youth in jeugdhulp met verblijf wherever they stay: in_care.
    "in_care": "gemiddeld aantal jeugdigen in zorg (in en buiten de regio)",
    "occupancy": "gemiddeld aantal jeugdigen in zorg in de regio",
    "in_care_out_of_region": "gemiddeld aantal jeugdigen in zorg buiten de regio",
    "first_best_rate": "aandeel first-best geplaatst",
    "mean_wait_days": "gemiddelde wachttijd (dagen)",
    "p90_wait_days": "90e percentiel wachttijd (dagen)",
    "out_of_region": "buiten de regio geplaatst (aantal)",
    "blocked_fraction": "aandeel buiten de regio",
    "mean_km_out_of_region": "gemiddelde afstand buiten de regio (km)",
    "norm_compliance": "binnen 14 dagen geplaatst (aandeel)",
    "mean_waiting": "gemiddeld aantal wachtenden",
    "arrivals": "aanmeldingen in de meetperiode",
}


@dataclass(frozen=True)
class StudyResult:
    """The outcome of a study: one Monte Carlo result, or a paired comparison."""

    first: LoadedScenario
    second: LoadedScenario | None
    single: MonteCarloResult | None
    comparison: Comparison | None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON, naming the files that shaped it."""
        body = self.comparison.to_dict() if self.comparison else self.single_result.to_dict()
        files = [self.first.source] + ([self.second.source] if self.second else [])
        return {"format": "servicepunt-simulatie/1", "files": files, **body}

    def to_json(self) -> str:
        """Canonical JSON: the same seed gives the same bytes on any number of processes."""
        return canonical_json(self.to_dict())

    @property
    def single_result(self) -> MonteCarloResult:
        """The result of a run without comparison (or the first scenario of a comparison)."""
        if self.comparison is not None:
            return self.comparison.base
        assert self.single is not None
        return self.single

    @property
    def results(self) -> list[MonteCarloResult]:
        """The scenario results side by side, first scenario first."""
        if self.comparison is not None:
            return [self.comparison.base, self.comparison.alternative]
        return [self.single_result]


def run_study(
    scenario: Path | str,
    *,
    compare_with: Path | str | None = None,
    replications: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    executor: Executor = "local",
    ray_address: str | None = None,
) -> StudyResult:
    """Run a scenario file (or compare two on the same random numbers) with progress."""
    first = load_scenario(scenario)
    second = load_scenario(compare_with) if compare_with is not None else None
    reps = first.replications if replications is None else replications
    if reps < 1:
        raise InvalidInput(f"moet minstens 1 zijn, niet {reps}", field="replications")
    if second is None:
        result = run(
            first.scenario, first.settings, seed=first.seed, replications=reps,
            workers=workers, progress=progress, executor=executor, ray_address=ray_address,
        )  # fmt: skip
        return StudyResult(first, None, result, None)
    comparison = compare(
        first.scenario, second.scenario, first.settings, seed=first.seed, replications=reps,
        workers=workers, progress=progress, executor=executor, ray_address=ray_address,
    )  # fmt: skip
    return StudyResult(first, second, None, comparison)
