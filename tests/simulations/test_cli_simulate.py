"""`simulate` command and study outputs: files, Dutch summary, errors, reproducibility."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from api.cli_simulate import app
from api.jobs.summary import summarise
from api.web.simulations import _cell
from simulations.report import write_outputs
from simulations.stats import METHODS, Method, is_share, methods_used
from simulations.study import KEY_METRICS, run_study
from tests.simulations.scenario_helpers import small

runner = CliRunner()


def _write(tmp_path: Path, name: str, **policy: object) -> Path:
    data = small()
    data["policy"] = {**data["policy"], **policy}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_compare_writes_json_csv_html_and_prints_dutch_summary(tmp_path: Path) -> None:
    first = _write(tmp_path, "a")
    second = _write(tmp_path, "b", allocation="greedy_fcfs")
    out = tmp_path / "uit"
    result = runner.invoke(
        app, [str(first), "--compare", str(second), "--replications", "2", "--workers", "1",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "aandeel first-best geplaatst" in result.output
    assert "verschil [95%]" in result.output
    data = json.loads((out / "resultaat.json").read_text(encoding="utf-8"))
    assert data["base"]["scenario"]["policy"] == "optimizer"
    assert data["alternative"]["scenario"]["policy"] == "greedy_fcfs"
    assert "first_best_rate" in data["differences"]
    # Issue #16: the one CSV writer (BOM, semicolons) and Dutch headers and metric names.
    with (out / "verschillen.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert {"maat", "verschil", "ondergrens 95%", "bovengrens 95%"} <= set(rows[0])
    assert "aandeel first-best geplaatst" in {row["maat"] for row in rows}
    page = (out / "rapport.html").read_text(encoding="utf-8")
    assert "Scenariovergelijking" in page and "gepaard" in page
    if importlib.util.find_spec("matplotlib") is not None:  # PNG charts are optional
        for png in ("kerncijfers.png", "verloop.png"):
            assert (out / png).read_bytes()[:4] == b"\x89PNG"
            assert f'src="{png}"' in page


def test_bad_scenario_exits_2_naming_the_field(tmp_path: Path) -> None:
    data = small()
    data["run"] = {**data["run"], "horizon_days": 10}
    path = tmp_path / "slecht.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, [str(path), "--out", str(tmp_path / "uit")])
    assert result.exit_code == 2
    assert "run.horizon_days" in result.output
    assert not (tmp_path / "uit").exists()


def test_same_seed_gives_identical_bytes_on_one_or_two_processes(tmp_path: Path) -> None:
    path = _write(tmp_path, "a")
    one = run_study(path, replications=2, workers=1)
    two = run_study(path, replications=2, workers=2)
    assert one.to_json() == two.to_json()
    write_outputs(one, tmp_path / "een", charts=False)
    write_outputs(two, tmp_path / "twee", charts=False)
    for name in ("resultaat.json", "totalen.csv", "reeksen.csv"):
        assert (tmp_path / "een" / name).read_bytes() == (tmp_path / "twee" / name).read_bytes()


def test_progress_is_reported_per_replication(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    run_study(_write(tmp_path, "a"), replications=3, workers=1,
              progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_simulation_csvs_neutralise_a_formula_in_the_scenario_name(tmp_path: Path) -> None:
    data = small()
    data["name"] = '=HYPERLINK("http://evil.example";"klik")'
    path = tmp_path / "formule.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    write_outputs(run_study(path, replications=1, workers=1), tmp_path / "uit", charts=False)
    for name in ("totalen.csv", "reeksen.csv"):
        text = (tmp_path / "uit" / name).read_text(encoding="utf-8")
        assert text.startswith("\ufeffscenario;"), name  # BOM: Excel reads UTF-8 (issue #16)
        rows = list(csv.reader(text.removeprefix("\ufeff").splitlines(), delimiter=";"))
        assert {row[0] for row in rows[1:]} == {"'" + data["name"]}, name


def _dutch(cell: str) -> float:
    return float(cell.replace(",", "."))


def test_report_intervals_respect_the_measure_and_read_as_on_the_page(tmp_path: Path) -> None:
    """Issue #22 item 6: shares in [0, 1], waits and counts at least 0, the method named,
    Dutch numbers (the same text as the planner's page) and the scenario's own name."""
    study = run_study(_write(tmp_path, "a"), replications=3, workers=1)
    write_outputs(study, tmp_path / "uit", charts=False)
    with (tmp_path / "uit" / "totalen.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    labels = {label: key for key, label in KEY_METRICS.items()}
    checked = 0
    for row in rows:
        if not row["ondergrens 95%"]:
            continue
        assert "." not in row["gemiddelde"] + row["ondergrens 95%"]  # decimal comma
        low, high = _dutch(row["ondergrens 95%"]), _dutch(row["bovengrens 95%"])
        assert 0.0 <= low <= _dutch(row["gemiddelde"]) <= high, row
        if is_share(labels.get(row["maat"], row["maat"])):
            assert high <= 1.0, row
            checked += 1
    assert checked >= 2  # first-best rate and share out of region at least
    page = (tmp_path / "uit" / "rapport.html").read_text(encoding="utf-8")
    name = study.results[0].scenario["name"]
    assert f"<h1>Scenario {name}</h1>" in page
    assert METHODS[Method.WILSON] in page and METHODS[Method.T_NONNEGATIVE] in page
    summary = summarise(study, [])
    measured = [m for m in summary.metrics if m.values[0] is not None]
    # A scenario without out-of-region destinations measures no distance out of region.
    assert {m.key for m in summary.metrics} - {m.key for m in measured} <= {"mean_km_out_of_region"}
    for metric in measured:
        cell = metric.values[0]
        assert cell is not None and cell.mean is not None
        shown = _cell(cell)  # what the planner's page shows for the same figure
        text = shown["mean"] + (f" <small>{shown['interval']}</small>" if shown["interval"] else "")
        assert f"<td>{text}</td>" in page, metric.key
    assert summary.methods == methods_used(
        [e for k, e in study.results[0].totals.items() if k in KEY_METRICS]
    )
