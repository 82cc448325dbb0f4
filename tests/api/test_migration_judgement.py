"""Migration 0006 on both databases: the role columns take the gedragswetenschapper, the
audit log stays append-only and the users' foreign keys hold after SQLite's table copy,
advised referrals wait for a judgement, and older deviations name their original form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api import accounts, audit
from capacity import db as capacity_db
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import Role
from placements import service as workflow
from placements.models import Deviation, Referral
from placements.schemas import ReferralCreate
from tests.api.api_support import T0, referral_payload
from tests.capacity.capacity_support import alembic_config, empty_database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    with empty_database(request.param, tmp_path, "judgement_migrate") as url:
        yield url


def _seed_before_0006(engine: Engine) -> str:
    """At head: a user with an audit entry, an advised referral and a deviation."""
    with capacity_db.transaction(engine) as session:
        accounts.create_user(session, username="sp", role=Role.SERVICEPUNT, now=T0)
        accounts.issue_token(session, username="sp", now=T0)
        referral = workflow.create_referral(
            session,
            data=ReferralCreate.model_validate(referral_payload()),
            verwijzer_user_id="v",
            verwijzer_type=VerwijzerType.GEMEENTE,
            bsn_key="k",
            now=T0,
        )
        workflow.advise(session, referral_id=referral.id, now=T0)
        session.add(
            Deviation(
                referral_id=referral.id,
                recorded_at=T0,
                placed_on=date(2026, 11, 23),
                advised_form="behandelgroep",
                placed_form="gezinshuis",
                form_deviates=True,
                chosen_unit_id="u",
                place_deviates=False,
                reason_code="anders",
                rule_set="r 1",
            )
        )
        audit.record(
            session,
            user_id="sp",
            role="servicepunt",
            action=audit.AuditAction.READ,
            entity="referral",
            entity_ids=[referral.id],
            via="test",
            at=T0,
        )
        return referral.id


def test_upgrade_keeps_the_data_and_takes_the_long_role(url: str) -> None:
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    try:
        rid = _seed_before_0006(engine)
        command.downgrade(alembic_config(url), "0005_referral_status_note")
        capacity_db.migrate(url)
        with capacity_db.transaction(engine) as session:
            user = accounts.create_user(
                session, username="gw", role=Role.GEDRAGSWETENSCHAPPER, now=T0
            )
            audit.record(
                session,
                user_id=user.id,
                role=user.role,
                action=audit.AuditAction.UPDATE,
                entity="referral",
                entity_ids=[rid],
                via="test",
                at=T0,
            )
        with Session(engine) as session:
            referral = session.get(Referral, rid)
            assert referral is not None
            assert (referral.judgement, referral.advice_round) == ("open", 1)
            assert referral.judged_advice_json is None
            deviation = session.execute(text("SELECT original_form FROM workflow_deviation")).one()
            assert deviation[0] == "behandelgroep"
            roles = session.execute(text("SELECT role FROM audit_log ORDER BY id")).all()
            assert [r[0] for r in roles] == ["servicepunt", "gedragswetenschapper"]
    finally:
        engine.dispose()


def test_the_audit_log_stays_append_only_and_tokens_keep_their_user(url: str) -> None:
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    try:
        _seed_before_0006(engine)
        command.downgrade(alembic_config(url), "0005_referral_status_note")
        capacity_db.migrate(url)
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET role = 'admin'"))
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO api_token (id, user_id, token_hash, label, created_at) "
                    "VALUES ('t', 'no-such-user', 'h', '', '2026-11-23 09:00:00')"
                )
            )
    finally:
        engine.dispose()
