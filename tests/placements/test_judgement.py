"""Professional judgement at the service level, one behaviour per test: a gedragswetenschapper
confirms or changes the advice with a reason; a change puts another advice in force and keeps
the original; gesloten jeugdhulp needs a second, different judge before proposals or a hold;
a refused judgement changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from capacity import db as capacity_db
from capacity import service as capacity_service
from capacity.views import unit_views
from domain.care import CareForm
from domain.errors import Conflict, InvalidInput
from domain.profile_vocabulary import VerwijzerType
from domain.validation import field_errors
from domain.vocabulary import (
    DecisionOutcome,
    JudgementReason,
    JudgementState,
    ReasonCode,
    ReferralStatus,
    Verdict,
)
from placements import judgement
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.match import advice_of, match_referral, original_advice_of
from placements.models import AdviceJudgement, Deviation, Referral
from placements.schemas import DecisionCreate, JudgementCreate, ReferralCreate
from tests.api.api_support import T0, referral_payload, seed_region

S = ReferralStatus
CONFIRM = JudgementCreate(verdict=Verdict.CONFIRM, reason_code=JudgementReason.ADVIES_PAST)


def change(form: CareForm, *alternatives: CareForm) -> JudgementCreate:
    """A change of the first-best (the alternatives in order, if given)."""
    return JudgementCreate(
        verdict=Verdict.CHANGE,
        chosen_first_best=form,
        chosen_alternatives=alternatives or None,
        reason_code=JudgementReason.NETWERK,
        reason_text="gezinshuisouders kennen het kind",
    )


@dataclass
class World:
    """A migrated SQLite database with the seeded region."""

    engine: Engine
    units: dict[str, str]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'judgement.db'}"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    region = seed_region(engine)
    yield World(engine, region.units)
    engine.dispose()


@pytest.fixture
def session(world: World) -> Iterator[Session]:
    with Session(world.engine, expire_on_commit=False) as session:
        yield session


def _advised(session: Session, **profile: Any) -> Referral:
    """A new referral (by default a 14-year-old: behandelgroep first, then the family forms)."""
    referral = workflow.create_referral(
        session,
        data=ReferralCreate.model_validate(referral_payload(**profile)),
        verwijzer_user_id="v",
        verwijzer_type=VerwijzerType.GEMEENTE,
        bsn_key="k",
        now=T0,
    )
    workflow.advise(session, referral_id=referral.id, now=T0)
    session.commit()
    return referral


def _judge(session: Session, referral: Referral, data: JudgementCreate, user: str) -> Any:
    row = judgement.judge(session, referral_id=referral.id, data=data, user_id=user, now=T0)
    session.commit()
    return row


def _propose(session: Session, referral: Referral) -> Any:
    units = unit_views(session, now=T0)
    return placement_proposals.propose(
        session, referral_id=referral.id, units=units, wait_days=90, now=T0
    )


def _closed_unit(session: Session) -> str:
    provider = capacity_service.create_provider(session, name="JeugdzorgPlus", kind="x")
    location = capacity_service.create_location(
        session, provider_id=provider.id, name="Almere", municipality="almere"
    )
    unit = capacity_service.create_unit(
        session,
        location_id=location.id,
        name="gesloten groep",
        care_form="gesloten",
        places=6,
        age_min=12,
        age_max=17,
    )
    session.commit()
    return unit.id


def test_a_new_advice_waits_for_its_judgement(session: Session) -> None:
    referral = _advised(session)
    assert (referral.judgement, referral.advice_round) == (JudgementState.OPEN.value, 1)
    assert judgement.awaiting(session) == [referral]


def test_one_confirmation_completes_an_ordinary_advice(session: Session) -> None:
    referral = _advised(session)
    row = _judge(session, referral, CONFIRM, "gw-1")
    assert (row.verdict, row.chosen_form) == ("confirm", "behandelgroep")
    assert row.state_after == "afgerond"
    assert referral.judgement == JudgementState.AFGEROND.value
    assert referral.judged_advice_json is None
    assert judgement.awaiting(session) == []


def test_a_change_puts_another_advice_in_force_and_keeps_the_original(session: Session) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GEZINSHUIS), "gw-1")
    in_force = advice_of(referral)
    assert in_force.first_best is CareForm.GEZINSHUIS
    # Left out, the alternatives are the old advice's forms in order, without the chosen one.
    assert in_force.alternatives == (CareForm.BEHANDELGROEP, CareForm.PLEEGZORG_BESTAND)
    assert in_force.reasons[-1].rule_id == judgement.JUDGED_RULE
    assert original_advice_of(referral).first_best is CareForm.BEHANDELGROEP
    assert referral.first_best == "gezinshuis"


def test_a_change_may_set_the_order_of_the_alternatives(session: Session) -> None:
    referral = _advised(session)
    data = change(CareForm.PLEEGZORG_NETWERK, CareForm.GEZINSHUIS)
    _judge(session, referral, data, "gw-1")
    in_force = advice_of(referral)
    assert in_force.acceptable == (CareForm.PLEEGZORG_NETWERK, CareForm.GEZINSHUIS)
    # The afwegingskader excluded netwerkpleegzorg; the judge's choice lifts that.
    assert CareForm.PLEEGZORG_NETWERK not in {e.care_form for e in in_force.excluded}


def test_a_change_is_logged_with_original_before_and_chosen_form(session: Session) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GEZINSHUIS), "gw-1")
    _judge(session, referral, change(CareForm.PLEEGZORG_BESTAND), "gw-2")
    rows = judgement.history(session, referral.id)
    assert [(r.original_form, r.judged_form, r.chosen_form) for r in rows] == [
        ("behandelgroep", "behandelgroep", "gezinshuis"),
        ("behandelgroep", "gezinshuis", "pleegzorg_bestand"),
    ]
    assert rows[0].reason_code == "netwerk" and rows[0].rule_set == referral.rule_set


def test_proposals_after_a_change_are_scored_for_the_changed_advice(session: Session) -> None:
    referral = _advised(session)
    _propose(session, referral)
    session.commit()
    _judge(session, referral, change(CareForm.GEZINSHUIS), "gw-1")
    # The old advice's proposals are void: back to 'geadviseerd', to propose again.
    assert (referral.status, referral.proposals_json, referral.top_unit_id) == (
        S.GEADVISEERD,
        None,
        None,
    )
    request = match_referral(referral, today=T0.date(), wait_days=90)
    assert request.advice.first_best is CareForm.GEZINSHUIS
    proposed = _propose(session, referral)
    assert proposed.proposals[0].care_form == "gezinshuis"


def test_the_same_person_cannot_judge_twice(session: Session) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GESLOTEN), "gw-1")
    with pytest.raises(Conflict) as refused:
        judgement.judge(session, referral_id=referral.id, data=CONFIRM, user_id="gw-1", now=T0)
    assert refused.value.field == "judged_by"
    session.rollback()
    assert len(judgement.history(session, referral.id)) == 1
    assert session.get(Referral, referral.id).judgement == "tweede_nodig"  # type: ignore[union-attr]


def test_a_change_must_choose_another_first_best(session: Session) -> None:
    referral = _advised(session)
    with pytest.raises(InvalidInput) as refused:
        judgement.judge(
            session,
            referral_id=referral.id,
            data=change(CareForm.BEHANDELGROEP),
            user_id="gw-1",
            now=T0,
        )
    assert refused.value.field == "chosen_first_best"
    session.rollback()
    assert judgement.history(session, referral.id) == []


def test_gesloten_waits_for_a_second_judge_before_proposals(session: Session) -> None:
    referral = _advised(session)
    row = _judge(session, referral, change(CareForm.GESLOTEN), "gw-1")
    assert row.state_after == JudgementState.TWEEDE_NODIG.value
    with pytest.raises(Conflict) as refused:
        _propose(session, referral)
    assert refused.value.field == "judgement" and "Jeugdwet art. 6.1.2" in str(refused.value)
    session.rollback()
    assert session.get(Referral, referral.id).status is S.GEADVISEERD  # type: ignore[union-attr]


def test_a_second_different_judge_completes_gesloten(session: Session) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GESLOTEN), "gw-1")
    _judge(session, referral, CONFIRM, "gw-2")
    assert referral.judgement == JudgementState.AFGEROND.value
    assert _propose(session, referral).proposals


def test_a_place_in_gesloten_needs_two_judges_even_as_an_alternative(session: Session) -> None:
    unit = _closed_unit(session)
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GEZINSHUIS, CareForm.GESLOTEN), "gw-1")
    _propose(session, referral)
    session.commit()
    with pytest.raises(Conflict) as refused:
        workflow.hold_place(
            session,
            referral_id=referral.id,
            unit_id=unit,
            ttl=timedelta(hours=1),
            user_id="sp",
            now=T0,
        )
    assert refused.value.field == "judgement"
    session.rollback()
    assert session.get(Referral, referral.id).status is S.VOORGESTELD  # type: ignore[union-attr]


def test_a_place_in_gesloten_is_held_once_two_judges_agree(session: Session) -> None:
    unit = _closed_unit(session)
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GESLOTEN), "gw-1")
    _judge(session, referral, CONFIRM, "gw-2")
    _propose(session, referral)
    hold = workflow.hold_place(
        session, referral_id=referral.id, unit_id=unit, ttl=timedelta(hours=1), user_id="sp", now=T0
    )
    assert hold.unit_id == unit and referral.status is S.VASTGEHOUDEN


def test_an_advice_that_asks_for_a_second_judge_waits_for_one(session: Session) -> None:
    # A 9-year-old with acute suicide risk: residential below the age threshold by the
    # exception rule, which asks for a second gedragswetenschapper.
    referral = _advised(session, age=9, treatment_need="residentieel", suicidality="acuut")
    assert advice_of(referral).second_opinion_required
    assert _judge(session, referral, CONFIRM, "gw-1").state_after == "tweede_nodig"
    assert _judge(session, referral, CONFIRM, "gw-2").state_after == "afgerond"


def test_an_ordinary_advice_needs_one_judge(session: Session) -> None:
    referral = _advised(session)
    assert not advice_of(referral).second_opinion_required
    assert _judge(session, referral, CONFIRM, "gw-1").state_after == "afgerond"


@pytest.mark.parametrize("status", [S.AANGEMELD, S.VASTGEHOUDEN])
def test_no_judgement_outside_the_advised_statuses(session: Session, status: S) -> None:
    referral = _advised(session)
    referral.status = status
    session.add(referral)
    session.commit()
    with pytest.raises(Conflict) as refused:
        judgement.judge(session, referral_id=referral.id, data=CONFIRM, user_id="gw-1", now=T0)
    assert refused.value.field == "status"


def test_a_new_advice_starts_a_new_round(session: Session) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GEZINSHUIS), "gw-1")
    workflow.advise(session, referral_id=referral.id, now=T0)
    session.commit()
    assert (referral.advice_round, referral.judgement, referral.first_best) == (
        2,
        "open",
        "behandelgroep",
    )
    assert referral.judged_advice_json is None
    # The same person judges the new advice: a new round, a new judgement.
    assert _judge(session, referral, CONFIRM, "gw-1").advice_round == 2


def test_a_judgement_that_came_second_is_refused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GESLOTEN), "gw-1")
    # As if gw-2 read the referral before gw-1's judgement was committed.
    monkeypatch.setattr(judgement, "judgements", lambda session, referral: [])
    with pytest.raises(Conflict) as refused:
        judgement.judge(session, referral_id=referral.id, data=CONFIRM, user_id="gw-2", now=T0)
    assert refused.value.field == "judgement"
    session.rollback()
    assert len(session.exec(select(AdviceJudgement)).all()) == 1


def test_a_placement_deviates_from_the_judged_advice_and_names_the_original(
    world: World, session: Session
) -> None:
    referral = _advised(session)
    _judge(session, referral, change(CareForm.GEZINSHUIS), "gw-1")
    _propose(session, referral)
    workflow.hold_place(
        session,
        referral_id=referral.id,
        unit_id=world.units["groep_lely"],
        ttl=timedelta(hours=1),
        user_id="sp",
        now=T0,
    )
    data = DecisionCreate(outcome=DecisionOutcome.ACCEPT, reason_code=ReasonCode.GEEN_CAPACITEIT)
    workflow.decide(session, referral_id=referral.id, data=data, user_id="sp", now=T0)
    session.commit()
    deviation = session.exec(select(Deviation)).one()
    assert (deviation.advised_form, deviation.original_form, deviation.placed_form) == (
        "gezinshuis",
        "behandelgroep",
        "behandelgroep",
    )
    assert deviation.form_deviates


A_CHANGE = {
    "verdict": "change",
    "chosen_first_best": "gezinshuis",
    "reason_code": "netwerk",
    "reason_text": "x",
}
A_CONFIRM = {"verdict": "confirm", "reason_code": "advies_past"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (A_CHANGE | {"chosen_first_best": None}, "chosen_first_best"),
        (A_CHANGE | {"chosen_first_best": "villa"}, "chosen_first_best"),
        (A_CHANGE | {"reason_text": None}, "reason_text"),
        (A_CHANGE | {"reason_code": "advies_past"}, "reason_code"),
        (A_CHANGE | {"chosen_alternatives": ["gezinshuis"]}, "chosen_alternatives"),
        (A_CHANGE | {"chosen_alternatives": ["gesloten", "gesloten"]}, "chosen_alternatives"),
        (A_CONFIRM | {"chosen_first_best": "gezinshuis"}, "chosen_first_best"),
        (A_CONFIRM | {"reason_code": "anders", "reason_text": " "}, "reason_text"),
        ({"verdict": "confirm"}, "reason_code"),
    ],
)
def test_a_judgement_without_what_it_needs_names_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        JudgementCreate.model_validate(fields)
    assert [e.field for e in field_errors(refused.value)] == [field]
