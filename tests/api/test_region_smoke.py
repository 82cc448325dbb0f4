"""Every shipped region runs: its intake, teams, demo, availability and proposals.

The rest of the suite runs under the region the environment selects (tests/conftest.py;
tests about Flevoland's data pin it). These tests take each region file in turn and run the
paths that depend on the region, so a run under one region still covers every region.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from afwegingskader import intake
from afwegingskader.intake_models import IntakeCase
from afwegingskader.intake_text import render_text
from api.app import create_app
from api.cli import app as cli
from api.settings import Settings, get_settings
from domain.places import Municipality, region, region_municipalities, region_name, select_region
from domain.regions import load_region, shipped_regions
from domain.vocabulary import RegieAssignment

AMSTERDAM = "GM0363"  # in no shipped region
START = date(2026, 11, 20)


@pytest.fixture(params=sorted(shipped_regions()))
def selected(request: pytest.FixtureRequest) -> Iterator[str]:
    """One shipped region selected for the test; the one before restored afterwards."""
    before = region_name()
    select_region(request.param)
    try:
        yield request.param
    finally:
        select_region(before)


def _case(residence: str, future: str | None, perspective: str) -> IntakeCase:
    return IntakeCase.model_validate(
        {
            "case_start_date": START,
            "beschikking_date": START,
            "age": 14,
            "perspective": perspective,
            "future_municipality": future,
            "woonplaats": {"stay": "geen", "brp_residence": residence},
        }
    )


def test_every_municipality_of_the_region_has_its_team(selected: str) -> None:
    assert region_municipalities()
    for place in region_municipalities():
        result = intake.assess(_case(place, place, "terug_naar_huis"))
        assert result.municipality.municipality == place and result.municipality.in_region
        assert result.regisseur.assignment is RegieAssignment.LOKALE_TOEGANG
        assert result.regisseur.team == region().team_for(place)
        assert result.regisseur.basis == region().basis["perspectiefregie"]
        assert [d.basis for d in result.deadlines] == [region().basis["start_norm"]]


def test_a_crisis_intake_shows_the_region_s_crisis_desk_hours(selected: str) -> None:
    case = _case(region_municipalities()[0], None, "langdurig_verblijf")
    crisis = case.model_copy(update={"crisis": True, "crisis_placement_date": START})
    result = intake.assess(crisis)
    basis = {d.kind.value: d.basis for d in result.deadlines}
    assert basis["startafspraken"] == basis["perspectiefplan"] == region().basis["crisis"]
    text = render_text(result)
    assert f"Crisisdesk regio {region().name}: {region().crisis_desk_hours()}" in text
    assert "Crisisdesk" not in render_text(intake.assess(case))


def test_a_child_from_outside_the_region_is_flagged_for_coordination(selected: str) -> None:
    result = intake.assess(_case(AMSTERDAM, AMSTERDAM, "terug_naar_huis"))
    assert result.municipality.municipality == AMSTERDAM
    assert not result.municipality.in_region
    said = " ".join(result.municipality.explanation)
    assert "Amsterdam" in said and f"buiten de regio {region().name}" in said
    assert result.regisseur.assignment is RegieAssignment.BUITEN_REGIO
    text = render_text(result)
    assert f"Amsterdam (jeugdregio Amsterdam-Amstelland), buiten de regio {region().name}" in text


def test_the_region_demo_runs_with_units_outside_the_region(
    selected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        seeded = CliRunner().invoke(
            cli, ["seed", "--demo", "--region", selected, "--history-days", "30"]
        )
    finally:
        get_settings.cache_clear()
    assert seeded.exit_code == 0, seeded.output
    tokens = dict(
        line.split(": ", 1) for line in seeded.output.splitlines() if line.startswith("demo-")
    )
    settings = Settings(database_url=url, region=selected, secret_key="dev-only-change-me")
    now = datetime.now(UTC)
    app = create_app(settings, clock=lambda: now, background=False)
    sp = {"Authorization": f"Bearer {tokens['demo-servicepunt']}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        units = client.get("/api/v1/availability?limit=500", headers=sp).json()["units"]
        inside = {u["unit"]["municipality"] for u in units if u["unit"]["in_region"]}
        outside = [u["unit"] for u in units if not u["unit"]["in_region"]]
        assert inside <= set(region().codes)
        assert outside, "the demo has units outside the region"
        assert all(u["municipality_name"] and u["region"].startswith("jeugdregio") for u in outside)
        referrals = client.get("/api/v1/referrals", headers=sp).json()["items"]
        assert referrals
        for r in referrals:
            assert Municipality(r["responsible_municipality"]).in_region
            assert r["responsible_municipality_name"] and not r["responsible_outside_region"]
        rid = referrals[0]["id"]
        proposals = client.post(f"/api/v1/referrals/{rid}/proposals", headers=sp)
        assert proposals.status_code == 200, proposals.text
        assert proposals.json()["proposals"], "the demo region has places to propose"
        # Every page names the region it serves, never another.
        page = client.get("/inloggen")
        assert page.status_code == 200
        assert f"Servicepunt jeugdhulp met verblijf · {region().name}</span>" in page.text
        others = {load_region(p).name for p in shipped_regions().values()} - {region().name}
        assert not any(other in page.text for other in others)


def test_an_unknown_region_is_refused_by_name() -> None:
    refused = CliRunner().invoke(cli, ["seed", "--demo", "--region", "atlantis"])
    assert refused.exit_code != 0
    assert "region: kies uit flevoland, ijsselland" in refused.output
