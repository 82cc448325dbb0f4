"""The status table, walked through the workflow service on both backends (see conftest):
every move out of every status that is not final works from that status and lands where
the table says, including a hold that ends by expiry or by its unit's closure, and a
provider's departure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from capacity import service as capacity_service
from capacity.schemas import DepartureRequest
from domain.care import CareForm
from domain.profile_vocabulary import DepartureOutcome, VerwijzerType
from domain.vocabulary import (
    ChangeKind,
    DecisionOutcome,
    JudgementReason,
    ProviderAnswer,
    ReasonCode,
    ReferralStatus,
    RefusalReason,
    Verdict,
    WithdrawalReason,
)
from placements import departures, judgement, provider_requests
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.lifecycle_models import ProviderRequest
from placements.models import Referral
from placements.schemas import (
    AnswerCreate,
    DecisionCreate,
    JudgementCreate,
    ReferralCreate,
    WithdrawRequest,
)
from placements.transitions import FINAL_STATUSES, Action, exits
from tests.api.api_support import Api, referral_payload
from tests.api.workflow_support import state_of

WITHDRAWN = WithdrawRequest(withdrawal_reason=WithdrawalReason.ALTERNATIEF)

S = ReferralStatus
ORDER = [S.AANGEMELD, S.GEADVISEERD, S.VOORGESTELD, S.VASTGEHOUDEN, S.GEPLAATST]
Step = Callable[[Session, Api, str, datetime], object]


def _propose(session: Session, api: Api, rid: str, now: datetime) -> object:
    units = state_of(api).unit_table(now)
    return placement_proposals.propose(session, referral_id=rid, units=units, wait_days=90, now=now)


def _hold(session: Session, api: Api, rid: str, now: datetime) -> object:
    unit = api.units["groep_lely"]
    ttl = timedelta(hours=1)
    return workflow.hold_place(
        session, referral_id=rid, unit_id=unit, ttl=ttl, user_id="sp", now=now
    )


def _decide(data: DecisionCreate) -> Step:
    def step(session: Session, api: Api, rid: str, now: datetime) -> object:
        return workflow.decide(session, referral_id=rid, data=data, user_id="sp", now=now)

    return step


def _expire(session: Session, api: Api, rid: str, now: datetime) -> object:
    # An hour later the hold has expired: the sweep's settle moves the referral.
    return workflow.settle_ended_holds(session, now=now + timedelta(hours=1))


def _close_unit(session: Session, api: Api, rid: str, now: datetime) -> object:
    unit = api.units["groep_lely"]
    capacity_service.schedule_capacity_change(
        session, unit_id=unit, kind=ChangeKind.UNIT_CLOSING, effective_on=now.date(), now=now
    )
    return workflow.settle_ended_holds(session, now=now, unit_id=unit)


def _discharge(session: Session, api: Api, rid: str, now: datetime) -> object:
    return workflow.discharge(session, referral_id=rid, data=_left(now), now=now)


def _depart(session: Session, api: Api, rid: str, now: datetime) -> object:
    referral = workflow.get_referral(session, rid)
    assert referral.occupancy_id is not None
    return departures.record_departure(
        session, occupancy_id=referral.occupancy_id, data=_left(now), now=now
    )


def _left(now: datetime) -> DepartureRequest:
    """Leaving today for foster care, with the end's planning not said (as a provider may)."""
    return DepartureRequest(left_on=now.date(), outcome=DepartureOutcome.PLEEGZORG)


def _provider_refuse(session: Session, api: Api, rid: str, now: datetime) -> object:
    asked = session.exec(select(ProviderRequest).where(ProviderRequest.referral_id == rid)).one()
    refusal = AnswerCreate(answer=ProviderAnswer.REFUSE, refusal_reason=RefusalReason.VEILIGHEID)
    return provider_requests.answer(
        session,
        request_id=asked.id,
        provider_id=asked.provider_id,
        data=refusal,
        user_id="aanbieder",
        now=now,
    )


def _judge(data: JudgementCreate) -> Step:
    def step(session: Session, api: Api, rid: str, now: datetime) -> object:
        return judgement.judge(session, referral_id=rid, data=data, user_id="gw", now=now)

    return step


CONFIRM = JudgementCreate(verdict=Verdict.CONFIRM, reason_code=JudgementReason.ADVIES_PAST)
CHANGE = JudgementCreate(
    verdict=Verdict.CHANGE,
    chosen_first_best=CareForm.GEZINSHUIS,
    reason_code=JudgementReason.ZWAARTE,
    reason_text="minder zwaar dan ingeschat",
)
ACCEPT = DecisionCreate(outcome=DecisionOutcome.ACCEPT)
DECLINE = DecisionCreate(outcome=DecisionOutcome.DECLINE, reason_code=ReasonCode.AFSTAND)
ADVANCE: dict[ReferralStatus, Step] = {
    S.AANGEMELD: lambda session, api, rid, now: workflow.advise(session, referral_id=rid, now=now),
    S.GEADVISEERD: _propose,
    S.VOORGESTELD: _hold,
    S.VASTGEHOUDEN: _decide(ACCEPT),
}
# Every action, and the ways it happens; HOLD_ENDED and DISCHARGE happen in two ways each.
WAYS: dict[Action, dict[str, Step]] = {
    Action.ADVISE: {"advise": ADVANCE[S.AANGEMELD]},
    Action.PROPOSE: {"propose": _propose},
    Action.HOLD: {"hold": _hold},
    Action.ACCEPT: {"accept": _decide(ACCEPT)},
    Action.DECLINE: {"decline": _decide(DECLINE)},
    Action.HOLD_ENDED: {"expiry": _expire, "unit_closure": _close_unit},
    Action.WITHDRAW: {
        "withdraw": lambda session, api, rid, now: workflow.withdraw(
            session, referral_id=rid, data=WITHDRAWN, now=now
        )
    },
    Action.DISCHARGE: {"discharge": _discharge, "provider_departure": _depart},
    Action.CONFIRM_ADVICE: {"confirm_advice": _judge(CONFIRM)},
    Action.CHANGE_ADVICE: {"change_advice": _judge(CHANGE)},
    Action.PROVIDER_REFUSE: {"provider_refuse": _provider_refuse},
}
CASES = [
    pytest.param(status, action, way, id=f"{status.value}-{way}")
    for status in ORDER
    for action in exits(status)
    for way in WAYS[action]
]


def _referral_at(session: Session, api: Api, status: ReferralStatus, now: datetime) -> str:
    data = ReferralCreate.model_validate(referral_payload(f"kind-{status.value}"))
    created = workflow.create_referral(
        session,
        data=data,
        verwijzer_user_id="verwijzer",
        verwijzer_type=VerwijzerType.GEMEENTE,
        bsn_key="test",
        now=now,
    )
    session.commit()
    for before in ORDER[: ORDER.index(status)]:
        ADVANCE[before](session, api, created.id, now)
        session.commit()
    return created.id


def test_the_walk_covers_every_exit_of_every_status_that_is_not_final() -> None:
    assert set(ORDER) == set(ReferralStatus) - FINAL_STATUSES
    covered = {(status, action) for status, action, _ in (c.values for c in CASES)}
    assert covered == {(s, a) for s in ORDER for a in exits(s)}


@pytest.mark.parametrize(("status", "action", "way"), CASES)
def test_every_status_that_is_not_final_is_left_as_the_table_says(
    api: Api, status: ReferralStatus, action: Action, way: str
) -> None:
    now = api.clock()
    with Session(state_of(api).engine, expire_on_commit=False) as session:
        rid = _referral_at(session, api, status, now)
        assert workflow.get_referral(session, rid).status == status.value
        WAYS[action][way](session, api, rid, now)
        session.commit()
    with Session(state_of(api).engine) as session:
        after = session.get(Referral, rid)
        assert after is not None
        assert after.status == exits(status)[action].value
        if action is Action.HOLD_ENDED:
            assert after.hold_id is None and after.status_note
