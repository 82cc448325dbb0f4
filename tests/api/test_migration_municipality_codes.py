"""Migration 0007 on both databases, with the demo region loaded: the old municipality names
become CBS codes, 'buiten_regio' stays, the deviation log learns where each child was placed,
and the downgrade gives the old version values it knows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from api.demo import seed_demo
from capacity import db as capacity_db
from tests.capacity.capacity_support import alembic_config, empty_database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OLD_NAMES = {"almere", "dronten", "lelystad", "noordoostpolder", "urk", "zeewolde"}
REGION_CODES = {"GM0034", "GM0303", "GM0995", "GM0171", "GM0184", "GM0050"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    with empty_database(request.param, tmp_path, "codes_migrate") as url:
        yield url


def _values(engine: Engine) -> dict[str, set[str]]:
    """Every municipality value per column."""
    columns = {
        "location": "SELECT municipality FROM capacity_location",
        "home": "SELECT home_municipality FROM workflow_referral",
        "responsible": "SELECT responsible_municipality FROM workflow_referral",
        "placed": "SELECT placed_municipality FROM workflow_referral",
    }
    with engine.connect() as conn:
        return {
            key: {row[0] for row in conn.execute(text(sql)) if row[0] is not None}
            for key, sql in columns.items()
        }


def _as_before_0007(engine: Engine) -> str:
    """What the old version wrote: names, 'buiten_regio', and a placed child's deviation."""
    with engine.begin() as conn:
        rid = conn.execute(text("SELECT id FROM workflow_referral ORDER BY id")).first()
        assert rid is not None
        conn.execute(
            text("UPDATE workflow_referral SET placed_municipality = 'urk' WHERE id = :id"),
            {"id": rid[0]},
        )
        conn.execute(
            text(
                "INSERT INTO workflow_deviation (id, referral_id, recorded_at, placed_on, "
                "advised_form, placed_form, form_deviates, chosen_unit_id, place_deviates, "
                "reason_code, rule_set) VALUES ('d1', :rid, '2026-11-23 09:00:00', "
                "'2026-11-23', 'behandelgroep', 'gezinshuis', :yes, 'u', :no, 'anders', 'r')"
            ),
            {"rid": rid[0], "yes": True, "no": False},
        )
        conn.execute(
            text(
                "INSERT INTO capacity_location (id, provider_id, name, municipality) "
                "SELECT 'elders', id, 'Elders', 'buiten_regio' FROM capacity_provider "
                "ORDER BY id LIMIT 1"
            )
        )
    return str(rid[0])


@pytest.mark.region("flevoland")
def test_names_become_codes_and_back(url: str) -> None:
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    try:
        seed_demo(engine, now=NOW, secret_key="test", history_days=60)
        at_head = _values(engine)
        assert at_head["location"] >= REGION_CODES
        assert "GM0243" in at_head["location"]  # the demo's groups outside the region

        command.downgrade(alembic_config(url), "0006_advice_judgement")
        before = _values(engine)
        assert before["location"] == OLD_NAMES | {"buiten_regio"}
        assert before["home"] <= OLD_NAMES and before["home"]
        assert before["responsible"] <= OLD_NAMES and before["responsible"]
        rid = _as_before_0007(engine)

        capacity_db.migrate(url)
        after = _values(engine)
        # Every old name maps to its code; the unrecorded place outside the region stays.
        assert after["location"] == REGION_CODES | {"buiten_regio"}
        assert after["home"] == at_head["home"]
        assert after["responsible"] == at_head["responsible"]
        # The demo's placements map back to codes; the one moved to Urk above too.
        assert "GM0184" in after["placed"]
        assert after["placed"] <= REGION_CODES | {"buiten_regio"}
        with engine.connect() as conn:
            placed = conn.execute(
                text("SELECT referral_id, placed_municipality FROM workflow_deviation")
            ).all()
        assert (rid, "GM0184") in [tuple(row) for row in placed]
        assert {row[1] for row in placed} <= REGION_CODES | {"buiten_regio"}
    finally:
        engine.dispose()
