"""The workflow steps at the service level, one behaviour per test (the HTTP scenario is
tests/api/test_referral_flow.py): every step goes through the status table, a refused step
changes nothing, a person's step answers the service's note, and a withdrawal or a
decline gives the held place back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from capacity import db as capacity_db
from capacity.models import Hold
from capacity.views import unit_views
from domain.errors import Conflict
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import (
    BridgingCare,
    DecisionOutcome,
    ReasonCode,
    ReferralStatus,
    WithdrawalReason,
)
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.schemas import DecisionCreate, ReferralCreate, WithdrawRequest
from tests.api.api_support import T0, referral_payload, seed_region

WITHDRAWN = WithdrawRequest(withdrawal_reason=WithdrawalReason.ALTERNATIEF)

S = ReferralStatus


@dataclass
class World:
    """A migrated SQLite database with the seeded region, and one of its units."""

    engine: Engine
    unit_id: str


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'steps.db'}"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    region = seed_region(engine)
    yield World(engine, region.units["groep_lely"])
    engine.dispose()


def _held(session: Session, world: World, now: datetime = T0) -> str:
    """A new referral, advised, proposed and holding a place for an hour."""
    data = ReferralCreate.model_validate(referral_payload())
    rid = workflow.create_referral(
        session,
        data=data,
        verwijzer_user_id="v",
        verwijzer_type=VerwijzerType.GEMEENTE,
        bsn_key="k",
        now=now,
    ).id
    workflow.advise(session, referral_id=rid, now=now)
    units = unit_views(session, now=now)
    placement_proposals.propose(session, referral_id=rid, units=units, wait_days=90, now=now)
    workflow.hold_place(
        session,
        referral_id=rid,
        unit_id=world.unit_id,
        ttl=timedelta(hours=1),
        user_id="sp",
        now=now,
    )
    session.commit()
    return rid


def test_each_step_stamps_the_time_it_was_taken(world: World) -> None:
    with Session(world.engine, expire_on_commit=False) as session:
        rid = _held(session, world)
        later = T0 + timedelta(minutes=5)
        workflow.withdraw(session, referral_id=rid, data=WITHDRAWN, now=later)
        assert workflow.get_referral(session, rid).updated_at == later


def test_a_step_the_table_refuses_changes_nothing(world: World) -> None:
    with Session(world.engine, expire_on_commit=False) as session:
        rid = _held(session, world)
        with pytest.raises(Conflict):
            workflow.advise(session, referral_id=rid, now=T0 + timedelta(minutes=5))
        session.rollback()
        referral = workflow.get_referral(session, rid)
        assert (referral.status, referral.updated_at) == (S.VASTGEHOUDEN, T0)


def test_withdrawing_gives_the_held_place_back(world: World) -> None:
    with Session(world.engine, expire_on_commit=False) as session:
        rid = _held(session, world)
        hold_id = workflow.get_referral(session, rid).hold_id
        workflow.withdraw(session, referral_id=rid, data=WITHDRAWN, now=T0)
        hold = session.get(Hold, hold_id)
        assert hold is not None and hold.state == "released"
        assert workflow.get_referral(session, rid).hold_id is None


def test_declining_gives_the_held_place_back_and_proposes_again(world: World) -> None:
    decline = DecisionCreate(outcome=DecisionOutcome.DECLINE, reason_code=ReasonCode.AFSTAND)
    with Session(world.engine, expire_on_commit=False) as session:
        rid = _held(session, world)
        workflow.decide(session, referral_id=rid, data=decline, user_id="sp", now=T0)
        referral = workflow.get_referral(session, rid)
        assert (referral.status, referral.hold_id) == (S.VOORGESTELD, None)


def test_a_persons_next_step_answers_the_note_of_an_ended_hold(world: World) -> None:
    later = T0 + timedelta(hours=2)
    with Session(world.engine, expire_on_commit=False) as session:
        rid = _held(session, world)
        assert workflow.settle_ended_holds(session, now=later) == [rid]
        assert workflow.get_referral(session, rid).status_note
        workflow.hold_place(
            session,
            referral_id=rid,
            unit_id=world.unit_id,
            ttl=timedelta(hours=1),
            user_id="sp",
            now=later,
        )
        referral = workflow.get_referral(session, rid)
        assert (referral.status, referral.status_note) == (S.VASTGEHOUDEN, None)


def test_bridging_keeps_the_status_and_is_refused_once_final(world: World) -> None:
    with Session(world.engine, expire_on_commit=False) as session:
        rid = _held(session, world)
        workflow.update_bridging(
            session, referral_id=rid, bridging_care=BridgingCare.AMBULANT, now=T0
        )
        assert workflow.get_referral(session, rid).status == S.VASTGEHOUDEN
        workflow.withdraw(session, referral_id=rid, data=WITHDRAWN, now=T0)
        with pytest.raises(Conflict):
            workflow.update_bridging(
                session, referral_id=rid, bridging_care=BridgingCare.GEEN, now=T0
            )


def test_proposals_weigh_the_children_already_waiting_for_the_same_form(world: World) -> None:
    """The wait-or-take reasoning counts the referrals that wait longer for the same
    first-best form: a second child with the same advice has one child ahead of it."""
    with Session(world.engine, expire_on_commit=False) as session:
        data = ReferralCreate.model_validate(referral_payload())
        ids = []
        for k in range(2):
            made = workflow.create_referral(
                session, data=data, verwijzer_user_id="v", verwijzer_type=VerwijzerType.GEMEENTE,
                bsn_key=f"k{k}", now=T0 + timedelta(days=k),
            )  # fmt: skip
            workflow.advise(session, referral_id=made.id, now=T0 + timedelta(days=k))
            ids.append(made.id)
        now = T0 + timedelta(days=2)
        units = unit_views(session, now=now)
        texts = [
            placement_proposals.propose(
                session, referral_id=rid, units=units, wait_days=90, now=now
            )
            .proposals[0]
            .wait_or_take
            for rid in ids
        ]
        first, second = texts
        assert first is not None and "(0 kinderen gaan voor)" in first
        assert second is not None and "(1 kind gaat voor)" in second
