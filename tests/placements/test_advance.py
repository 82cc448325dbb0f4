"""The one function that applies the status table to a referral, at the service level:
it checks the current status, sets the target, answers the service's note and stamps the
time; a refused step changes nothing. The status is a ReferralStatus in Python and its
plain value in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from domain.errors import Conflict
from domain.vocabulary import ReferralStatus
from placements.models import OPEN_STATUSES, Referral
from placements.transitions import (
    FINAL_STATUSES,
    TRANSITIONS,
    Action,
    Actor,
    advance,
    changes,
    offered,
)
from tests.placements.placements_support import referral_row, sqlite_engine

S = ReferralStatus
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _referral(status: ReferralStatus, note: str | None = None) -> Referral:
    return referral_row(status, note=note)


def test_a_step_sets_the_tables_target_answers_the_note_and_stamps_the_time() -> None:
    referral = _referral(S.VOORGESTELD, note="De plek is verlopen.")
    advance(referral, Action.HOLD, now=T1)
    assert (referral.status, referral.status_note, referral.updated_at) == (
        S.VASTGEHOUDEN,
        None,
        T1,
    )


def test_a_step_the_table_refuses_is_a_conflict_and_changes_nothing() -> None:
    referral = _referral(S.AANGEMELD, note="een notitie")
    with pytest.raises(Conflict) as refused:
        advance(referral, Action.ACCEPT, now=T1)
    assert refused.value.field == "status" and "een notitie" in str(refused.value)
    assert (referral.status, referral.status_note, referral.updated_at) == (
        S.AANGEMELD,
        "een notitie",
        T0,
    )


def test_an_action_that_keeps_the_status_only_stamps_the_time() -> None:
    referral = _referral(S.VOORGESTELD, note="De plek is verlopen.")
    advance(referral, Action.BRIDGING, now=T1)
    assert (referral.status, referral.status_note, referral.updated_at) == (
        S.VOORGESTELD,
        "De plek is verlopen.",
        T1,
    )


def test_changes_names_the_columns_without_touching_the_referral() -> None:
    referral = _referral(S.GEADVISEERD)
    assert changes(referral, Action.PROPOSE, now=T1) == {
        "status": S.VOORGESTELD,
        "status_note": None,
        "updated_at": T1,
    }
    assert (referral.status, referral.updated_at) == (S.GEADVISEERD, T0)


@pytest.mark.parametrize("status", sorted(ReferralStatus))
def test_every_action_is_allowed_exactly_where_the_table_says(status: ReferralStatus) -> None:
    for action, transition in TRANSITIONS.items():
        referral = _referral(status)
        if status in transition.sources:
            advance(referral, action, now=T1)
            assert referral.status == (transition.target or status)
        else:
            with pytest.raises(Conflict):
                advance(referral, action, now=T1)


def test_pages_offer_a_verwijzer_only_the_withdrawal_of_an_open_referral() -> None:
    for status in ReferralStatus:
        wanted = {Action.WITHDRAW} if status in OPEN_STATUSES else set()
        assert offered(status, Actor.VERWIJZER) == wanted


def test_pages_offer_a_provider_its_answer_on_a_held_place_and_a_placed_childs_departure() -> None:
    for status in ReferralStatus:
        wanted = {
            S.VASTGEHOUDEN: {Action.PROVIDER_ACCEPT, Action.PROVIDER_REFUSE},
            S.GEPLAATST: {Action.DISCHARGE},
        }.get(status, set())
        assert offered(status, Actor.AANBIEDER) == wanted


def test_no_person_is_offered_anything_on_a_final_referral() -> None:
    for status in FINAL_STATUSES:
        for actor in Actor:
            assert offered(status, actor) == set()


def test_the_status_is_the_enum_in_python_and_its_value_in_the_database(tmp_path: Path) -> None:
    with sqlite_engine(tmp_path) as engine:
        with Session(engine) as session:
            referral = _referral(S.VASTGEHOUDEN)
            session.add(referral)
            session.commit()
            rid = referral.id
        with Session(engine) as session:
            stored = session.get(Referral, rid)
            assert stored is not None and stored.status is S.VASTGEHOUDEN
            raw = session.execute(text("SELECT status FROM workflow_referral")).scalar_one()
            assert raw == "vastgehouden" and type(raw) is str


def test_pages_offer_a_gedragswetenschapper_only_the_judgement_of_an_advised_referral() -> None:
    judging = {Action.CONFIRM_ADVICE, Action.CHANGE_ADVICE}
    for status in ReferralStatus:
        wanted = judging if status in (S.GEADVISEERD, S.VOORGESTELD) else set()
        assert offered(status, Actor.GEDRAGSWETENSCHAPPER) == wanted
