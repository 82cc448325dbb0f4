"""POST proposals: the answer is exactly what is stored, and a late proposal never undoes a
decision committed meanwhile. Runs on both backends (see conftest)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from domain.errors import Conflict
from domain.vocabulary import ReferralStatus, WithdrawalReason
from placements import proposals as placement_proposals
from placements import service as workflow
from placements.models import Referral
from placements.schemas import ProposalList, WithdrawRequest
from tests.api.api_support import Api, referral_payload

WITHDRAWN = WithdrawRequest(withdrawal_reason=WithdrawalReason.ALTERNATIEF)


def _advised(api: Api) -> str:
    created = api.call("POST", "/api/v1/referrals", "verwijzer", json=referral_payload())
    rid: str = created.json()["id"]
    assert api.call("POST", f"/api/v1/referrals/{rid}/advice", "sp").status_code == 200
    return rid


def test_proposals_answer_is_the_stored_list(api: Api) -> None:
    rid = _advised(api)
    answer = api.call("POST", f"/api/v1/referrals/{rid}/proposals", "sp")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    listed = ProposalList.model_validate_json(answer.content)
    assert listed.referral_id == rid and listed.weights_version
    assert listed.proposals and all(
        p.weights_version == listed.weights_version for p in listed.proposals
    )

    engine = api.client.app.state.servicepunt.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        stored = session.get(Referral, rid)
        assert stored is not None and stored.proposals_json is not None
        assert json.loads(stored.proposals_json) == answer.json()["proposals"]
        assert stored.top_unit_id == listed.proposals[0].unit_id
        assert (stored.status, stored.weights_version) == ("voorgesteld", listed.weights_version)


def test_late_proposal_does_not_undo_a_decision(api: Api) -> None:
    rid = _advised(api)
    state = api.client.app.state.servicepunt  # type: ignore[attr-defined]
    now = api.clock()
    with Session(state.engine, expire_on_commit=False) as stale:
        # This session read the referral while it could still get proposals (and keeps its
        # copy: SQLite would otherwise hold its write lock from the read on)...
        read = workflow.get_referral(stale, rid)
        assert read.status == ReferralStatus.GEADVISEERD.value
        stale.commit()
        # ...then someone else withdrew it and committed.
        with Session(state.engine) as other:
            workflow.withdraw(other, referral_id=rid, data=WITHDRAWN, now=now)
            other.commit()
        with pytest.raises(Conflict) as refused:
            placement_proposals.propose(
                stale, referral_id=rid, units=state.unit_table(now), wait_days=42, now=now
            )
        assert refused.value.field == "status"
        stale.rollback()
    with Session(state.engine) as session:
        after = session.get(Referral, rid)
        assert after is not None
        assert (after.status, after.proposals_json) == ("ingetrokken", None)
