"""`servicepunt intake CASE.json`: JSON and text output, bad input without a stack trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
CRISIS_EXAMPLE = EXAMPLES / "crisis_kerst_lelystad.json"

runner = CliRunner()


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CRISIS_EXAMPLE.read_text(encoding="utf-8"))
    return data


@pytest.mark.region("flevoland")
def test_json_output() -> None:
    result = runner.invoke(app, ["intake", str(CRISIS_EXAMPLE)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["municipality"]["municipality"] == "GM0995"  # Lelystad, as its CBS code
    assert data["wlz"]["outcome"] == "geen_aanwijzing"
    assert data["regisseur"]["team"] == "jeugd- en gezinsteams"
    due = {d["kind"]: d["due"] for d in data["deadlines"]}
    assert due == {"startafspraken": "2026-12-28", "perspectiefplan": "2027-01-07"}


@pytest.mark.region("flevoland")
def test_text_output() -> None:
    result = runner.invoke(app, ["intake", str(CRISIS_EXAMPLE), "--format", "text"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Verantwoordelijke gemeente: Lelystad" in out
    assert "Wlz: geen aanwijzing voor Wlz" in out
    assert "Perspectiefregisseur: jeugd- en gezinsteams" in out
    assert "uiterlijk maandag 28 december 2026" in out


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_example_runs(path: Path) -> None:
    result = runner.invoke(app, ["intake", str(path), "--format", "text"])
    assert result.exit_code == 0, result.output


# (change to the example, field the error must name)
BAD: list[tuple[dict[str, Any], str]] = [
    ({"future_municipality": "atlantis"}, "future_municipality"),
    ({"crisis_placement_date": None}, "crisis_placement_date"),
    ({"case_start_date": "2026-12-31"}, "crisis_placement_date"),
    ({"woonplaats": {"stay": "pleegouder"}}, "woonplaats.brp_residence_before_stay"),
    ({"woonplaats": {"stay": "geen", "brp_residence": "atlantis"}}, "woonplaats.brp_residence"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_exits_2_naming_the_field(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    path = _write(tmp_path, {**_example(), **change})
    result = runner.invoke(app, ["intake", str(path)])
    assert result.exit_code == 2
    assert f"fout: {field}: " in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_invalid_json_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text("{ not json", encoding="utf-8")
    result = runner.invoke(app, ["intake", str(path)])
    assert result.exit_code == 2
    assert "geen geldige JSON" in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = runner.invoke(app, ["intake", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "kan bestand niet lezen" in result.output


def test_unknown_format_is_rejected() -> None:
    result = runner.invoke(app, ["intake", str(CRISIS_EXAMPLE), "--format", "xml"])
    assert result.exit_code == 2
    assert "--format" in result.output
