"""The referral's statuses and the moves between them: one table every workflow step consults.

Each action names the statuses it may start from, the status it leads to (None: the status
stays) and the roles that may take it. A status that no action leaves is final; every other
status must be left by some action (tests walk the table), so no referral is stuck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import Conflict
from domain.vocabulary import ReferralStatus
from placements.models import OPEN_STATUSES, Referral


class Action(StrEnum):
    """A step in a referral's life."""

    ADVISE = "advise"
    PROPOSE = "propose"
    HOLD = "hold"
    ACCEPT = "accept"
    DECLINE = "decline"
    HOLD_ENDED = "hold_ended"
    BRIDGING = "bridging"
    WITHDRAW = "withdraw"
    DISCHARGE = "discharge"
    CONFIRM_ADVICE = "confirm_advice"
    CHANGE_ADVICE = "change_advice"
    PROVIDER_ACCEPT = "provider_accept"
    PROVIDER_REFUSE = "provider_refuse"
    TRANSFER = "transfer"
    CONTINUE = "continue"
    EDIT = "edit"


class Actor(StrEnum):
    """Who takes an action: a role, or the service itself."""

    SERVICEPUNT = "servicepunt"
    VERWIJZER = "verwijzer"
    AANBIEDER = "aanbieder"
    GEDRAGSWETENSCHAPPER = "gedragswetenschapper"
    SYSTEEM = "systeem"


@dataclass(frozen=True)
class Transition:
    """From which statuses an action may start, where it leads, and who takes it."""

    sources: frozenset[ReferralStatus]
    target: ReferralStatus | None
    actors: frozenset[Actor]


S = ReferralStatus
_STAFF = frozenset({Actor.SERVICEPUNT})
_JUDGES = frozenset({Actor.GEDRAGSWETENSCHAPPER})
_JUDGEABLE = frozenset({S.GEADVISEERD, S.VOORGESTELD})
_PROVIDERS = frozenset({Actor.AANBIEDER})

TRANSITIONS: dict[Action, Transition] = {
    Action.ADVISE: Transition(frozenset({S.AANGEMELD, S.GEADVISEERD}), S.GEADVISEERD, _STAFF),
    Action.PROPOSE: Transition(frozenset({S.GEADVISEERD, S.VOORGESTELD}), S.VOORGESTELD, _STAFF),
    Action.HOLD: Transition(frozenset({S.VOORGESTELD}), S.VASTGEHOUDEN, _STAFF),
    Action.ACCEPT: Transition(frozenset({S.VASTGEHOUDEN}), S.GEPLAATST, _STAFF),
    Action.DECLINE: Transition(frozenset({S.VASTGEHOUDEN}), S.VOORGESTELD, _STAFF),
    # The hold expired, or was released because its unit closed: propose or hold again.
    Action.HOLD_ENDED: Transition(
        frozenset({S.VASTGEHOUDEN}), S.VOORGESTELD, frozenset({Actor.SYSTEEM})
    ),
    Action.BRIDGING: Transition(OPEN_STATUSES, None, _STAFF),
    Action.WITHDRAW: Transition(
        OPEN_STATUSES, S.INGETROKKEN, frozenset({Actor.SERVICEPUNT, Actor.VERWIJZER})
    ),
    # The servicepunt records it, or the provider records the child's departure.
    Action.DISCHARGE: Transition(
        frozenset({S.GEPLAATST}), S.UITGESTROOMD, frozenset({Actor.SERVICEPUNT, Actor.AANBIEDER})
    ),
    # Professional judgement runs beside the status (placements.judgement): a confirmation
    # keeps it; a change makes the proposals of the old advice void, so the referral goes
    # back to 'geadviseerd' and the servicepunt proposes again for the changed advice.
    Action.CONFIRM_ADVICE: Transition(_JUDGEABLE, None, _JUDGES),
    Action.CHANGE_ADVICE: Transition(_JUDGEABLE, S.GEADVISEERD, _JUDGES),
    # The provider answers the request for the held place: an acceptance keeps the hold for
    # the servicepunt's decision; a refusal releases it, so the servicepunt proposes again.
    Action.PROVIDER_ACCEPT: Transition(frozenset({S.VASTGEHOUDEN}), None, _PROVIDERS),
    Action.PROVIDER_REFUSE: Transition(frozenset({S.VASTGEHOUDEN}), S.VOORGESTELD, _PROVIDERS),
    # A move to another form or place starts a follow-up referral; the placement stays until
    # the follow-up is placed, which ends it (placements.transfers).
    Action.TRANSFER: Transition(frozenset({S.GEPLAATST}), None, _STAFF),
    # Foster care or a gezinshuis continues after 18 as the same placement (placements.regie).
    Action.CONTINUE: Transition(frozenset({S.GEPLAATST}), None, _STAFF),
    # Staff correct the child's profile before places are proposed (placements.edits): the
    # old profile is kept, and a changed profile gets a new advice (ADVISE, same sources).
    Action.EDIT: Transition(frozenset({S.AANGEMELD, S.GEADVISEERD}), None, _STAFF),
}

FINAL_STATUSES = frozenset(
    status
    for status in ReferralStatus
    if not any(status in t.sources and t.target not in (None, status) for t in TRANSITIONS.values())
)


def exits(status: ReferralStatus) -> dict[Action, ReferralStatus]:
    """The actions that move a referral out of `status`, and where each leads."""
    return {
        action: t.target
        for action, t in TRANSITIONS.items()
        if status in t.sources and t.target is not None and t.target != status
    }


def require(status: str, action: Action, *, note: str | None = None) -> None:
    """Conflict unless `action` may start from `status` (the note says why it moved)."""
    transition = TRANSITIONS[action]
    if status in transition.sources:
        return
    wanted = ", ".join(sorted(s.value for s in transition.sources))
    message = f"aanmelding heeft status {status}; nodig: {wanted}"
    raise Conflict(f"{message}. {note}" if note else message, field="status")


def target(action: Action) -> ReferralStatus | None:
    """Where the action leads (None: the status stays)."""
    return TRANSITIONS[action].target


def changes(referral: Referral, action: Action, *, now: datetime) -> dict[str, Any]:
    """The table applied to a referral: Conflict unless allowed, else the columns it sets.

    A move sets the target status and answers the service's note (a person took the next
    step); an action that keeps the status only stamps the time. The referral itself is not
    changed, so a conditional UPDATE can carry these values (see `advance` for the rest).
    """
    require(referral.status, action, note=referral.status_note)
    moved_to = TRANSITIONS[action].target
    if moved_to is None:
        return {"updated_at": now}
    return {"status": moved_to, "status_note": None, "updated_at": now}


def advance(referral: Referral, action: Action, *, now: datetime) -> None:
    """Take `action` on the referral as the table says: check, set the target, stamp the time."""
    for name, value in changes(referral, action, now=now).items():
        setattr(referral, name, value)


def offered(status: ReferralStatus, actor: Actor) -> frozenset[Action]:
    """The actions this actor may take on a referral with this status (what a page offers)."""
    return frozenset(
        action for action, t in TRANSITIONS.items() if status in t.sources and actor in t.actors
    )
