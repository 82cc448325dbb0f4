"""Migration 0005 discharges the referrals that a provider's departure left 'geplaatst'
before departures discharged them (no action could reach them), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from capacity import db as capacity_db
from capacity import service as capacity_service
from domain.profile_vocabulary import DepartureOutcome, VerwijzerType
from domain.vocabulary import ReferralStatus
from placements import service as workflow
from placements.models import Referral
from placements.schemas import ReferralCreate
from tests.api.api_support import T0, referral_payload
from tests.capacity.capacity_support import temporary_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'discharge.db'}"
        return
    with temporary_pg_database("discharge_migrate") as url:
        yield url


def _placed(session: Session, unit_id: str, child_ref: str) -> tuple[str, str]:
    data = ReferralCreate.model_validate(referral_payload(child_ref))
    referral = workflow.create_referral(
        session,
        data=data,
        verwijzer_user_id="verwijzer",
        verwijzer_type=VerwijzerType.GEMEENTE,
        bsn_key="test",
        now=T0,
    )
    stay = capacity_service.record_admission(
        session, unit_id=unit_id, child_ref=child_ref, since=date(2026, 11, 1), now=T0
    )
    referral.status, referral.occupancy_id = ReferralStatus.GEPLAATST, stay.id
    session.add(referral)
    session.flush()
    return referral.id, stay.id


def test_referrals_left_placed_by_an_earlier_departure_are_discharged(url: str) -> None:
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    try:
        with capacity_db.transaction(engine) as session:
            provider = capacity_service.create_provider(session, name="Triade", kind="x")
            location = capacity_service.create_location(
                session, provider_id=provider.id, name="Lelystad", municipality="lelystad"
            )
            unit = capacity_service.create_unit(
                session,
                location_id=location.id,
                name="groep",
                care_form="behandelgroep",
                places=8,
                age_min=12,
                age_max=17,
            )
            departed, departed_stay = _placed(session, unit.id, "kind-0001")
            staying, _ = _placed(session, unit.id, "kind-0002")
            # As the code before 0005 did: the stay ends, the referral stays 'geplaatst'.
            capacity_service.record_departure(
                session,
                occupancy_id=departed_stay,
                left_on=date(2027, 1, 15),
                outcome=DepartureOutcome.PLEEGZORG,
                now=T0,
            )
        config = Config(str(capacity_db.ROOT / "alembic.ini"))
        config.attributes["database_url"] = url
        command.downgrade(config, "0004_web_sessions")
        capacity_db.migrate(url)
        with Session(engine) as session:
            gone = session.get(Referral, departed)
            stays = session.get(Referral, staying)
            assert gone is not None and stays is not None
            assert (gone.status, gone.discharged_on, gone.discharge_outcome) == (
                "uitgestroomd",
                date(2027, 1, 15),
                "pleegzorg",
            )
            assert (stays.status, stays.discharged_on) == ("geplaatst", None)
    finally:
        engine.dispose()
