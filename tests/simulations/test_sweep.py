"""Policy sweeps: the file's validation, the points, the Pareto frontier and its chart."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from api.cli_simulate import app
from domain.errors import ConfigError
from matcher.policies import load_policy
from simulations import frontier_chart
from simulations.sweep import load_sweep, pareto, points, policy_for
from tests.simulations.scenario_helpers import small

runner = CliRunner()
SHIPPED = Path("simulations/sweeps/flevoland-beleid.yaml")


def _sweep(tmp_path: Path, **fields: Any) -> Path:
    data = {"name": "t", "policy": "regio-volgorde",
            "parameters": {"first_best.max_wait_days": [0, 42]}} | fields  # fmt: skip
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"parameters": {"levels.regio.straal": [1]}}, "parameters.levels.regio.straal",
         "heeft deze parameter niet"),
        ({"parameters": {"levels.urgentie.deadlines.norm.lead_days": [30]}},
         "parameters.levels.urgentie.deadlines.norm.lead_days", "heeft deze parameter niet"),
        ({"parameters": {"levels.regio.wait_days": [91, -1]}},
         "parameters.levels.regio.wait_days[1]", "niet negatief"),
        ({"parameters": {"levels.regio.wait_days": 91}}, "parameters.levels.regio.wait_days",
         "lijst"),
        ({"parameters": {"first_best.expected": [1]}}, "parameters.first_best.expected",
         "geen getal"),
        ({"parameters": {}}, "parameters", "niet-lege"),
        ({"run": {"jaren": 3}}, "run.jaren", "onbekend veld"),
        ({"extra": 1}, "extra", "onbekend veld"),
    ],
)  # fmt: skip
def test_bad_sweep_files_name_the_field_in_dutch(
    tmp_path: Path, fields: dict[str, Any], field: str, text: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_sweep(_sweep(tmp_path, **fields))
    assert err.value.field == field and text in str(err.value)


def test_the_shipped_policy_is_point_zero_and_not_repeated() -> None:
    sweep = load_sweep(SHIPPED)
    found = points(sweep)
    assert found[0] == {}
    # regio-volgorde ships max_wait_days 42 and expected_days 182; neither grid has both.
    assert len(found) == 1 + 3 * 2 * 2
    shipped_twice = load_sweep(SHIPPED)
    object.__setattr__(shipped_twice, "parameters", {"first_best.max_wait_days": (0.0, 42.0)})
    assert points(shipped_twice) == [{}, {"first_best.max_wait_days": 0.0}]


def test_a_deadline_is_swept_by_its_name(tmp_path: Path) -> None:
    key = "levels.urgentie.deadlines.wachtgrens.lead_days"
    sweep = load_sweep(_sweep(tmp_path, parameters={key: [30, 60]}))
    # regio-volgorde ships a lead of 30 days before the waiting limit: point 0 has it.
    assert points(sweep) == [{}, {key: 60.0}]
    data = policy_for(sweep, {key: 60.0}, 1)
    (deadline,) = next(x["urgentie"] for x in data["levels"] if "urgentie" in x)["deadlines"]
    assert deadline["name"] == "wachtgrens" and deadline["lead_days"] == 60
    path = tmp_path / "punt.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    policy = load_policy(path)  # the point's policy is validated like any policy file
    assert policy.label.endswith("+punt-01")


def test_pareto_keeps_exactly_the_undominated_points() -> None:
    values = [
        (0.90, 0.01, 10.0),  # optimal
        (0.85, 0.01, 10.0),  # dominated by 0
        (0.80, 0.00, 12.0),  # optimal: least out of region
        (0.90, 0.01, 9.0),   # optimal, and dominates 0
        (0.95, 0.05, 30.0),  # optimal: most first-best
        (float("nan"), 0.0, 0.0),
    ]  # fmt: skip
    assert pareto(values) == [False, False, True, True, True, False]


def _data() -> dict[str, Any]:
    def m(fb: tuple[float, float, float], out: tuple[float, float, float], wait: float) -> Any:
        return {"first_best_rate": {"mean": fb[0], "low": fb[1], "high": fb[2]},
                "blocked_fraction": {"mean": out[0], "low": out[1], "high": out[2]},
                "out_of_region": {"mean": 10.0, "low": 8.0, "high": 12.0},
                "mean_wait_days": {"mean": wait, "low": wait, "high": wait}}  # fmt: skip

    return {
        "sweep": "t", "policy": "regio-volgorde 1", "replications": 3,
        "settings": {"horizon_days": 730.0, "warmup_days": 365.0},
        "points": [
            {"index": 0, "label": "huidig beleid", "parameters": {}, "pareto": True,
             "measures": m((0.95, 0.90, 1.04), (0.01, -0.02, 0.04), 5.0)},
            {"index": 1, "label": "punt 1", "parameters": {"x": 1}, "pareto": True,
             "measures": m((0.80, 0.70, 0.90), (0.0, -0.01, 0.01), 20.0)},
            {"index": 2, "label": "punt 2", "parameters": {"x": 2}, "pareto": False,
             "measures": m((0.70, 0.60, 0.80), (0.05, 0.03, 0.07), 25.0)},
        ],
    }  # fmt: skip


def test_chart_marks_the_current_policy_joins_the_frontier_and_clips_shares() -> None:
    svg = frontier_chart.frontier_svg(_data())
    assert svg.count('class="huidig-beleid"') == 1 and ">huidig beleid</text>" in svg
    assert svg.count('class="punt"') == 3 and 'class="pareto"' in svg
    assert "aandeel first-best geplaatst" in svg and "aandeel buiten de regio" in svg
    assert "gemiddelde wachttijd" in svg and "3 replicaties" in svg and "1 jaar" in svg
    # Intervals below 0 or above 1 stop at the axis ends: no tick beyond 0% or 100%.
    ticks = [float(t.replace(",", ".")) for t in re.findall(r">(-?[\d,]+)%</text>", svg)]
    assert min(ticks) >= 0 and max(ticks) <= 100
    top, bottom = frontier_chart.TOP, frontier_chart.H - frontier_chart.BOTTOM
    left, right = frontier_chart.LEFT, frontier_chart.W - frontier_chart.RIGHT
    for x1, y1, x2, y2 in re.findall(
        r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)" stroke="#bbb"/>', svg
    )[:-1]:  # the last one is the legend's
        assert left <= float(x1) <= right and left <= float(x2) <= right
        assert top <= float(y1) <= bottom and top <= float(y2) <= bottom


def test_cli_sweep_writes_json_and_svg(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(small()), encoding="utf-8")
    sweep = _sweep(tmp_path, run={"replications": 2})
    out = tmp_path / "uit"
    result = runner.invoke(
        app, [str(scenario), "--sweep", str(sweep), "--workers", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "huidig beleid" in result.output
    data = json.loads((out / "afweging.json").read_text(encoding="utf-8"))
    assert [p["index"] for p in data["points"]] == [0, 1]  # 42 is the shipped value
    assert data["points"][1]["policy"].endswith("+punt-01")
    assert data["replications"] == 2
    assert (out / "afweging.svg").read_text(encoding="utf-8").startswith("<svg")
    bad = runner.invoke(app, [str(scenario), "--sweep", str(_sweep(tmp_path, parameters={})),
                              "--out", str(out)])  # fmt: skip
    assert bad.exit_code == 2 and "parameters" in bad.output
