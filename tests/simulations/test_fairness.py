"""Results per municipality and age band, and the fairness table against greedy FCFS."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from api.cli_simulate import app
from simulations import fairness
from simulations.stats import Estimate, estimate
from tests.simulations.scenario_helpers import small

runner = CliRunner()
NAN = math.nan


def test_group_totals_count_timeouts_out_of_region_and_p90_per_group() -> None:
    # Children: 0 placed after 10 days, 1 out of region at the limit (a time-out), 2 out of
    # region at once (no time-out), 3 still waiting past the limit, 4 still waiting under
    # it, 5 arrived before the window (not counted).
    wait = np.array([10.0, 182.0, 0.0, NAN, NAN, 5.0])
    resolved = ~np.isnan(wait)
    out = np.array([False, True, True, False, False, False])
    totals = fairness.group_totals(
        home=["almere", "urk", "urk", "urk", "almere", "almere"],
        age=np.array([3, 15, 15, 19, 8, 3], dtype=np.int16),
        window=np.array([True, True, True, True, True, False]),
        wait=wait, resolved=resolved, out=out, limit=182.0,
        horizon_left=np.array([500.0, 400.0, 300.0, 200.0, 100.0, 900.0]),
    )  # fmt: skip
    assert totals["timeouts"] == 2
    assert totals["group.gemeente.urk.arrivals"] == 3
    assert totals["group.gemeente.urk.timeouts"] == 2
    assert totals["group.gemeente.urk.out_of_region"] == 2
    assert totals["group.gemeente.almere.arrivals"] == 2
    assert totals["group.gemeente.almere.timeouts"] == 0
    assert totals["group.gemeente.almere.p90_wait_days"] == 10.0
    assert totals["group.leeftijd.0-11.arrivals"] == 2
    assert totals["group.leeftijd.12-17.p90_wait_days"] == pytest.approx(0.9 * 182.0)
    assert totals["group.leeftijd.18+.timeouts"] == 1
    # Without a waiting limit nobody times out.
    none = fairness.group_totals(
        home=["a"] * 6, age=np.zeros(6, dtype=np.int16), window=np.ones(6, dtype=bool),
        wait=wait, resolved=resolved, out=out, limit=None, horizon_left=np.full(6, 999.0),
    )  # fmt: skip
    assert none["timeouts"] == 0


def _totals(values: dict[str, list[float]]) -> dict[str, Estimate]:
    return {k: estimate(v) for k, v in values.items()}


def _rows(
    policy_out: list[float], greedy_out: list[float], reference: int, threshold: int = 5
) -> list[fairness.FairnessRow]:
    key = "group.gemeente.GM0184."  # Urk, by its CBS code as the simulation keeps it
    greedy = {key + "arrivals": [50.0] * 4, key + "out_of_region": greedy_out,
              key + "p90_wait_days": [30.0] * 4, key + "timeouts": [0.0] * 4}  # fmt: skip
    policy = {**greedy, key + "out_of_region": policy_out}
    first, second = (greedy, policy) if reference == 0 else (policy, greedy)
    diffs = {k: estimate([b - a for a, b in zip(first[k], second[k], strict=True)]) for k in first}
    return fairness.fairness_rows(
        _totals(first), _totals(second), diffs, reference=reference, threshold=threshold
    )


@pytest.mark.parametrize("reference", [0, 1])
def test_a_group_doing_systematically_worse_than_greedy_is_flagged(reference: int) -> None:
    rows = _rows([20.0, 22.0, 21.0, 23.0], [10.0, 11.0, 12.0, 10.0], reference)
    out = next(r for r in rows if r.measure == "out_of_region")
    assert out.difference.mean == pytest.approx(10.75)  # policy minus greedy, either side
    assert out.worse and not out.better
    cells = fairness.row_cells(out, 5)
    assert cells[0] == "gemeente Urk" and cells[-1] == "SLECHTER dan referentie"
    note = fairness.fairness_note(rows)
    assert note.startswith("Systematisch slechter") and "gemeente Urk" in note


def test_an_interval_that_crosses_zero_is_not_flagged() -> None:
    rows = _rows([10.0, 14.0, 9.0, 12.0], [11.0, 10.0, 12.0, 11.0], reference=1)
    out = next(r for r in rows if r.measure == "out_of_region")
    assert out.difference.low < 0 < out.difference.high
    assert not out.worse and not out.better
    assert fairness.fairness_note(rows).startswith("Geen groep")


def test_small_counts_are_hidden_from_the_planner_but_the_verdict_stays() -> None:
    rows = _rows([3.0, 4.0, 3.0, 4.0], [1.0, 1.0, 2.0, 1.0], reference=1)
    out = next(r for r in rows if r.measure == "out_of_region")
    assert out.hidden and out.worse
    cells = fairness.row_cells(out, 5)
    assert cells[2:5] == ["<5", "<5", fairness.HIDDEN]
    assert cells[-1] == "SLECHTER dan referentie"
    # A lower threshold shows them.
    shown = next(
        r for r in _rows([3.0, 4.0, 3.0, 4.0], [1.0] * 4, 1, 2) if r.measure == "out_of_region"
    )
    assert fairness.row_cells(shown, 2)[2] == "3,5"


def test_greedy_is_the_reference_on_either_side() -> None:
    assert fairness.reference_side(("greedy_fcfs", "optimizer")) == 0
    assert fairness.reference_side(("optimizer", "greedy_fcfs")) == 1
    assert fairness.reference_side(("optimizer", "optimizer")) == 1


def test_compare_prints_and_writes_the_fairness_table(tmp_path: Path) -> None:
    data = small()
    paths = []
    for name, allocation in (("a", "optimizer"), ("b", "greedy_fcfs")):
        data["policy"] = {**data["policy"], "allocation": allocation}
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        paths.append(path)
    out = tmp_path / "uit"
    result = runner.invoke(
        app, [str(paths[0]), "--compare", str(paths[1]), "--replications", "3", "--workers",
              "1", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "eerlijkheid per groep" in result.output
    assert "90e percentiel wachttijd (dagen)" in result.output
    page = (out / "rapport.html").read_text(encoding="utf-8")
    assert "Eerlijkheid: beleid tegen referentie" in page
    assert "Per gemeente en leeftijdsgroep" in page
    totals = json.loads((out / "resultaat.json").read_text(encoding="utf-8"))["base"]["totals"]
    munis = [k for k in totals if k.startswith("group.gemeente.") and k.endswith(".arrivals")]
    bands = [k for k in totals if k.startswith("group.leeftijd.") and k.endswith(".arrivals")]
    assert munis and bands
    # Every arrival belongs to one municipality and one age band.
    assert sum(totals[k]["mean"] for k in munis) == pytest.approx(totals["arrivals"]["mean"])
    assert sum(totals[k]["mean"] for k in bands) == pytest.approx(totals["arrivals"]["mean"])
    assert "timeouts" in totals
