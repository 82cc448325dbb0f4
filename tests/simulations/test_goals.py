"""Distance to issue 19's goals: a policy beats the reference only with the whole paired
interval on the better side of zero; relative goals for first-best and out of region."""

from __future__ import annotations

from simulations.goals import BETTER, goal_lines, measures
from simulations.model import RunSettings
from simulations.montecarlo import Comparison, MonteCarloResult
from simulations.stats import Estimate

SETTINGS = RunSettings(horizon_days=10.0)


def _result(values: dict[str, float]) -> MonteCarloResult:
    totals = {k: Estimate(v, 0.0, 0.0, 20) for k, v in values.items()}
    return MonteCarloResult({}, SETTINGS, 1, 0.95, (), totals, (), {})


def _comparison(policy: dict[str, float], reference: dict[str, float], half: float) -> Comparison:
    # Differences are second minus first: reference - policy.
    diffs = {k: Estimate(reference[k] - policy[k], half, 1.0, 20) for k in BETTER}
    return Comparison(_result(policy), _result(reference), diffs)


REFERENCE = {"first_best_rate": 0.70, "out_of_region": 500.0, "mean_wait_days": 70.0,
             "p90_wait_days": 180.0, "norm_compliance": 0.40}  # fmt: skip


def test_every_measure_better_with_a_clear_interval() -> None:
    policy = {"first_best_rate": 0.84, "out_of_region": 350.0, "mean_wait_days": 30.0,
              "p90_wait_days": 120.0, "norm_compliance": 0.70}  # fmt: skip
    found = {m.key: m for m in measures(_comparison(policy, REFERENCE, 0.001))}
    assert all(m.beats for m in found.values())
    assert abs(found["first_best_rate"].relative - 0.20) < 1e-9
    lines = goal_lines(_comparison(policy, REFERENCE, 0.001))
    assert lines[-1] == "Beter dan de referentie op alle vijf maten."
    assert sum("gehaald" in line for line in lines) == 2  # +20 % and -30 % both met


def test_an_interval_that_reaches_zero_is_not_better_and_the_gap_is_named() -> None:
    policy = {**REFERENCE, "first_best_rate": 0.77, "out_of_region": 490.0}
    comparison = _comparison(policy, REFERENCE, 15.0)  # wide: out of region reaches zero
    found = {m.key: m for m in measures(comparison)}
    assert not found["out_of_region"].beats
    assert not found["mean_wait_days"].beats  # no difference at all
    lines = goal_lines(comparison)
    assert "doel ≥ +20,0 %: nog 10,0 procentpunt" in "\n".join(lines)
    assert "doel ≤ -30,0 %: nog 28,0 procentpunt" in "\n".join(lines)
    assert lines[-1].startswith("Niet aantoonbaar beter op: ")
    assert "buiten de regio geplaatst (aantal)" in lines[-1]
