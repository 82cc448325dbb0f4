"""A referral whose hold ended by itself goes back to 'voorgesteld', with a note.

A hold ends without a decision when it expires, or when its unit closes (the closure
releases it). Capacity records that and knows nothing of referrals; this module moves the
referral on. It is state-based, not event-based: any referral still 'vastgehouden' on a
hold that no longer keeps a place is moved, whoever notices first. The periodic sweep of
every API process, a provider's closure and the next step on the referral itself all call
it, and the move is one conditional UPDATE, so two processes never move a referral twice
and a decision committed meanwhile is never undone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, or_, select

from capacity.models import Hold, Unit
from domain import nl_format
from domain.vocabulary import HoldState
from placements.models import Referral
from placements.transitions import TRANSITIONS, Action, changes


def has_ended(hold: Hold | None, now: datetime) -> bool:
    """True when the hold no longer keeps a place: not active any more, or past its expiry."""
    return hold is None or hold.state != HoldState.ACTIVE.value or hold.expires_at <= now


def note_for(session: Session, hold: Hold | None) -> str:
    """The Dutch note the servicepunt sees: which place, and why it was let go."""
    if hold is None:
        return "De vastgehouden plek bestaat niet meer; houd opnieuw een plek vast."
    unit = session.get(Unit, hold.unit_id)
    name = unit.name if unit is not None else hold.unit_id
    if hold.state == HoldState.RELEASED.value:
        why = "is vrijgegeven omdat de eenheid sluit"
    else:
        why = f"is verlopen op {nl_format.moment(hold.expires_at)}"
    return f"De vastgehouden plek in {name} {why}; kies opnieuw een plek."


def settle(session: Session, referral: Referral, hold: Hold | None, now: datetime) -> bool:
    """Move one referral whose hold ended back to 'voorgesteld'; False if it moved meanwhile."""
    # The service moves it, so the note says why (where a person's step would answer it).
    values = changes(referral, Action.HOLD_ENDED, now=now) | {
        "hold_id": None,
        "status_note": note_for(session, hold),
    }
    statement = (
        update(Referral)
        .where(
            col(Referral.id) == referral.id,
            col(Referral.status).in_(sorted(TRANSITIONS[Action.HOLD_ENDED].sources)),
            col(Referral.hold_id) == referral.hold_id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], session.execute(statement)).rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(referral, name, value)  # the session's copy matches the row
    return True


def held_on(session: Session, referral: Referral) -> Hold | None:
    """The referral's current hold, read fresh (another process may have ended it)."""
    if referral.hold_id is None:
        return None
    return session.get(Hold, referral.hold_id, populate_existing=True)


def settle_all(session: Session, *, now: datetime, unit_id: str | None = None) -> list[str]:
    """Move every referral whose hold ended (of one unit, if given); returns their ids."""
    stmt = (
        select(Referral, Hold)
        .join(Hold, col(Hold.id) == col(Referral.hold_id))
        .where(
            col(Referral.status).in_(sorted(TRANSITIONS[Action.HOLD_ENDED].sources)),
            or_(Hold.state != HoldState.ACTIVE.value, col(Hold.expires_at) <= now),
        )
        .order_by(col(Referral.id))
    )
    if unit_id is not None:
        stmt = stmt.where(Hold.unit_id == unit_id)
    moved = []
    for referral, hold in session.exec(stmt).all():
        if settle(session, referral, hold, now):
            moved.append(referral.id)
    session.flush()
    return moved
