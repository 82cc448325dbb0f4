"""Proposals for one referral: the places the matcher ranks, written only while the
referral still stands as it was read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import CursorResult, and_, or_, update
from sqlalchemy.orm import load_only
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from capacity.snapshot import UnitView
from domain.errors import Conflict
from domain.vocabulary import ReferralStatus, Urgency
from matcher import propose as matcher_propose
from matcher.expected import more_urgent_since, priority
from matcher.models import MatchRequest, Proposal
from matcher.policies import shipped_policy
from matcher.table import UnitTable
from placements import judgement as judgements
from placements.match import match_referral
from placements.models import Referral
from placements.service import get_referral, settle_if_ended
from placements.transitions import TRANSITIONS, Action, changes

_PROPOSALS = TypeAdapter(list[Proposal])
_PROPOSABLE = sorted(TRANSITIONS[Action.PROPOSE].sources)


@dataclass(frozen=True)
class Proposed:
    """The ranked proposals and the weights version that scored them."""

    proposals: list[Proposal]
    weights_version: str


def propose(
    session: Session,
    *,
    referral_id: str,
    units: Sequence[UnitView] | UnitTable,
    wait_days: int,
    now: datetime,
) -> Proposed:
    """Rank the places for the referral; the top one is kept for the deviation log.

    The proposals are written with one UPDATE that only applies while the referral still
    has the status and the advice it was read with: a decision or a judgement committed
    meanwhile is never undone by a late proposal (Conflict instead). An advice that needs
    two gedragswetenschappers gets proposals only once they agree.
    """
    referral = get_referral(session, referral_id)
    settle_if_ended(session, referral, now)
    moved = changes(referral, Action.PROPOSE, now=now)
    judgements.require_for_proposals(referral)
    match = match_referral(referral, today=now.date(), wait_days=wait_days)
    waiting = _waiting_ahead(session, referral, match, today=now.date(), wait_days=wait_days)
    proposals = matcher_propose.propose(match, units, today=now.date(), waiting=waiting)
    version = proposals[0].weights_version if proposals else matcher_propose.weights_version()
    stored = _PROPOSALS.dump_json(proposals)
    values = {
        "proposals_json": stored.decode(),
        "top_unit_id": next((p.unit_id for p in proposals if p.unit_id is not None), None),
        "weights_version": version,
        **moved,
    }
    statement = (
        update(Referral)
        .where(
            col(Referral.id) == referral.id,
            col(Referral.status).in_(_PROPOSABLE),
            col(Referral.advice_round) == referral.advice_round,
            col(Referral.first_best) == referral.first_best,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], session.execute(statement)).rowcount != 1:
        raise Conflict(
            "aanmelding is intussen gewijzigd; vraag opnieuw voorstellen", field="status"
        )
    for name, value in values.items():
        set_committed_value(referral, name, value)  # the session's copy matches the row
    return Proposed(proposals, version)


# Children still waiting for a place once they have an advice (a held place is not yet taken).
_WAITING = (ReferralStatus.GEADVISEERD, ReferralStatus.VOORGESTELD, ReferralStatus.VASTGEHOUDEN)
# The columns match_referral reads: the children ahead are loaded with only these.
_MATCHED = tuple(
    getattr(Referral, name)
    for name in (
        "id",
        "created_at",
        "sibling_group",
        "profile_json",
        "responsible_municipality",
        "advice_json",
        "judged_advice_json",
        "excluded_units",
    )
)


def _waiting_ahead(
    session: Session, referral: Referral, match: MatchRequest, *, today: date, wait_days: int
) -> list[MatchRequest]:
    """The other waiting children with the same first-best care form and more urgency, as
    the matcher sees them: only they can be ahead of this child for a first-best place
    (matcher.expected, under the shipped policy that propose uses).

    More urgency is a bound on the day a child came in, per urgency (the urgency column is
    the profile's crisis flag, kept in step on every write), so the query returns only the
    children ahead, with only the columns the matcher reads: the others would count for
    nothing, and loading all of them made proposals scale with the waiting list."""
    crisis_days = shipped_policy().crisis_days
    mine = priority(match, today, crisis_days)
    more_urgent = []
    for urgency, bonus in ((Urgency.REGULIER, 0), (Urgency.CRISIS, crisis_days)):
        same = col(Referral.urgency) == urgency.value
        since = more_urgent_since(mine - bonus, today)
        if since is not None:  # created_at is UTC, as waiting_since reads it
            same = and_(same, col(Referral.created_at) < datetime.combine(since, time(), UTC))
        more_urgent.append(same)
    query = (
        select(Referral)
        .options(load_only(*_MATCHED))
        .where(
            col(Referral.status).in_(_WAITING),
            col(Referral.first_best) == referral.first_best,
            col(Referral.id) != referral.id,
            or_(*more_urgent),
        )
    )
    return [match_referral(o, today=today, wait_days=wait_days) for o in session.exec(query)]
