"""The referral status table: no dead ends. Every status that is not final can be left by
some action, every status is reachable, a final status is reachable from every status, and
a hold that ends by itself moves the referral on."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.vocabulary import ReferralStatus
from placements.models import OPEN_STATUSES
from placements.transitions import (
    FINAL_STATUSES,
    TRANSITIONS,
    Action,
    Actor,
    exits,
    require,
)

S = ReferralStatus


def _reachable(start: ReferralStatus) -> set[ReferralStatus]:
    seen = {start}
    todo = [start]
    while todo:
        for target in exits(todo.pop()).values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_only_discharged_and_withdrawn_are_final() -> None:
    assert {S.UITGESTROOMD, S.INGETROKKEN} == FINAL_STATUSES


@pytest.mark.parametrize("status", sorted(set(ReferralStatus) - FINAL_STATUSES))
def test_every_status_that_is_not_final_can_be_left(status: ReferralStatus) -> None:
    assert exits(status), f"{status} is a dead end"
    assert _reachable(status) & FINAL_STATUSES, f"no way to finish from {status}"


def test_every_status_is_reachable_from_a_new_referral() -> None:
    assert _reachable(S.AANGEMELD) == set(ReferralStatus)


def test_a_hold_that_ends_by_itself_moves_the_referral_on() -> None:
    ended = TRANSITIONS[Action.HOLD_ENDED]
    assert exits(S.VASTGEHOUDEN)[Action.HOLD_ENDED] == S.VOORGESTELD
    assert ended.actors == {Actor.SYSTEEM}
    # From 'voorgesteld' the servicepunt holds a place again.
    assert exits(S.VOORGESTELD)[Action.HOLD] == S.VASTGEHOUDEN


def test_a_placed_child_is_discharged_by_the_servicepunt_or_the_providers_departure() -> None:
    assert exits(S.GEPLAATST) == {Action.DISCHARGE: S.UITGESTROOMD}
    assert TRANSITIONS[Action.DISCHARGE].actors == {Actor.SERVICEPUNT, Actor.AANBIEDER}


def test_every_open_referral_can_be_withdrawn_by_servicepunt_and_verwijzer() -> None:
    withdraw = TRANSITIONS[Action.WITHDRAW]
    assert withdraw.sources == OPEN_STATUSES
    assert withdraw.actors == {Actor.SERVICEPUNT, Actor.VERWIJZER}


def test_require_refuses_a_step_the_table_does_not_allow_with_the_note() -> None:
    require(S.VASTGEHOUDEN.value, Action.ACCEPT)
    with pytest.raises(Conflict) as refused:
        require(S.VOORGESTELD.value, Action.ACCEPT, note="De plek is verlopen.")
    assert refused.value.field == "status"
    assert "nodig: vastgehouden" in str(refused.value) and "verlopen" in str(refused.value)


def test_a_gedragswetenschapper_judges_an_advice_until_a_place_is_held() -> None:
    advised = {S.GEADVISEERD, S.VOORGESTELD}
    for action in (Action.CONFIRM_ADVICE, Action.CHANGE_ADVICE):
        assert TRANSITIONS[action].sources == advised
        assert TRANSITIONS[action].actors == {Actor.GEDRAGSWETENSCHAPPER}
    # A confirmation keeps the status; a change voids the proposals of the old advice.
    assert TRANSITIONS[Action.CONFIRM_ADVICE].target is None
    assert exits(S.VOORGESTELD)[Action.CHANGE_ADVICE] == S.GEADVISEERD
