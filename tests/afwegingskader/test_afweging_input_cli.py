"""Bad profiles get one clear error naming the field (never the child's values); the
`servicepunt advise` command and the Dutch text rendering."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from afwegingskader.engine import advise
from afwegingskader.models import Profile
from afwegingskader.text import render_advice
from api.cli import app
from domain.validation import describe, field_errors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
VALID: dict[str, Any] = {
    "age": 9,
    "reference_date": "2025-11-03",
    "sex": "v",
    "severity": "matig",
    "complexity": "meervoudig",
    "perspective": "terug_naar_huis",
    "home_municipality": "zeewolde",
}


@pytest.mark.parametrize(
    ("overrides", "field", "secret"),
    [
        ({"age": -1}, "age", "-1"),
        ({"age": 24}, "age", "24"),
        ({"birth_date": "2026-02-01", "age": None}, "reference_date", "2026"),
        ({"birth_date": "2015-03-07", "age": 3}, "age", "2015"),
        ({"capj": ["A201", "X123"]}, "capj[1]", "X123"),
        ({"home_municipality": "atlantis"}, "home_municipality", "atlantis"),
        ({"responsible_municipality": "GM9999"}, "responsible_municipality", "GM9999"),
        ({"earlier_placements": 1, "earlier_breakdowns": 2}, "earlier_breakdowns", "2"),
    ],
)
def test_bad_profile_names_the_field_without_echoing_it(
    overrides: dict[str, Any], field: str, secret: str
) -> None:
    data = {k: v for k, v in {**VALID, **overrides}.items() if v is not None}
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate(data)
    errors = field_errors(caught.value)
    assert [e.field for e in errors] == [field]
    assert secret not in errors[0].message
    assert describe(caught.value).startswith(f"{field}: ")


def test_example_profiles_are_valid_and_advised() -> None:
    files = sorted(EXAMPLES.glob("*.json"))
    assert len(files) >= 3
    for path in files:
        advice = advise(Profile.model_validate_json(path.read_text(encoding="utf-8")))
        assert advice.first_best not in {e.care_form for e in advice.excluded}


def test_text_rendering_is_dutch_and_complete() -> None:
    profile = Profile.model_validate({**VALID, "siblings": [{"id": "s1"}], "trauma": True})
    advice = advise(profile)
    text = render_advice(advice)
    assert f"Eerste keus: {advice.first_best.label}" in text
    assert "flevoland-standaard 2.0.0" in text
    for reason in advice.reasons:
        # Each rule once: with its text, or pointing to where its text was shown.
        assert reason.text in text
        assert text.count(f"  [{reason.rule_id}] ") == 1
        assert reason.source in text
    assert "Broers en zussen: samen plaatsen [SB-01]" in text
    assert "Plaats: Zeewolde." in text


runner = CliRunner()


def test_cli_advise_json() -> None:
    path = EXAMPLES / "kind-8-netwerk.json"
    result = runner.invoke(app, ["advise", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = advise(Profile.model_validate_json(path.read_text(encoding="utf-8")))
    assert data == expected.model_dump(mode="json")


def test_cli_advise_text() -> None:
    result = runner.invoke(app, ["advise", str(EXAMPLES / "crisis-15.json"), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "Eerste keus: crisisgroep 12+" in result.stdout


def test_cli_bad_profile_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "profiel.json"
    path.write_text(json.dumps({**VALID, "age": 31}), encoding="utf-8")
    result = runner.invoke(app, ["advise", str(path)])
    assert result.exit_code == 2
    assert "fout: age: " in result.stderr
    assert "31" not in result.stderr
    assert "Traceback" not in result.output


def test_cli_bad_rule_file_exits_2_naming_file_and_rule(tmp_path: Path) -> None:
    rules = tmp_path / "regels.yaml"
    rules.write_text(
        "name: x\nversion: '1'\norder: [gezinshuis]\nfallback: [gezinshuis]\n"
        "breakdown_risk: {medium: 1, high: 2}\n"
        "rules:\n  - {id: PZ-03, text: t, source: s, then: {exclude: pleegzorg_xx}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["advise", str(EXAMPLES / "kind-8-netwerk.json"), "--rules", str(rules)]
    )
    assert result.exit_code == 2
    assert f"{rules}: regel PZ-03: then.exclude: onbekende zorgvorm 'pleegzorg_xx'" in result.stderr
    assert "Traceback" not in result.output


def test_cli_unknown_format_and_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_text("{niet: json", encoding="utf-8")
    assert runner.invoke(app, ["advise", str(path)]).exit_code == 2
    result = runner.invoke(
        app, ["advise", str(EXAMPLES / "kind-8-netwerk.json"), "--format", "pdf"]
    )
    assert result.exit_code == 2
    assert "--format" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"treatment_need": "heel_veel"}, "treatment_need"),
        ({"suicidality": "soms"}, "suicidality"),
        ({"network_safety": "misschien"}, "network_safety"),
        ({"current_care_form": "kostschool"}, "current_care_form"),
        ({"capj": ["Q999"]}, "capj[0]"),
    ],
)
def test_a_level_or_factor_outside_its_list_names_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate({**VALID, **overrides})
    assert [e.field for e in field_errors(caught.value)] == [field]


@pytest.mark.parametrize(("old", "level"), [(True, "residentieel"), (False, "geen")])
def test_the_old_yes_no_treatment_need_still_loads(old: bool, level: str) -> None:
    # Profiles stored (and API clients) before rule set 2.0.0 send treatment_need as a bool.
    profile = Profile.model_validate({**VALID, "treatment_need": old})
    assert profile.treatment_need == level
    assert Profile.model_validate_json(profile.model_dump_json()) == profile
