"""The summary of a finished study: the key metrics per scenario with their 95% intervals and
the paired differences, as `servicepunt simulate` prints them (cli_simulate.summary_lines)."""

from __future__ import annotations

import math

from api.jobs.models import MetricEstimate, MetricRow, SimulationSummary
from simulations.stats import Estimate, methods_used
from simulations.study import KEY_METRICS, StudyResult


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _estimate(e: Estimate | None) -> MetricEstimate | None:
    if e is None:
        return None
    return MetricEstimate(mean=_finite(e.mean), low=_finite(e.low), high=_finite(e.high), n=e.n)


def summarise(study: StudyResult, files: list[str]) -> SimulationSummary:
    """KEY_METRICS per scenario (first scenario first) and, for a comparison, the differences."""
    results = study.results
    rows = []
    for key, label in KEY_METRICS.items():
        difference = None
        if study.comparison is not None:
            difference = _estimate(study.comparison.differences.get(key))
        rows.append(
            MetricRow(
                key=key,
                label=label,
                values=[_estimate(r.totals.get(key)) for r in results],
                difference=difference,
            )
        )
    settings = study.first.settings
    diffs = study.comparison.differences if study.comparison is not None else {}
    return SimulationSummary(
        scenarios=[str(r.scenario["name"]) for r in results],
        replications=len(results[0].replications),
        seed=study.first.seed,
        horizon_days=settings.horizon_days,
        warmup_days=settings.warmup_days,
        metrics=rows,
        files=files,
        methods=methods_used(
            [e for r in results for k, e in r.totals.items() if k in KEY_METRICS]
            + [e for k, e in diffs.items() if k in KEY_METRICS]
        ),
    )
