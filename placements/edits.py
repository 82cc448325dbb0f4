"""Editing a referral's profile: the old version is kept, and a changed profile is advised
again.

Staff may correct the child's profile while the referral waits for its advice or for
proposals (the transition table's EDIT). Each edit first stores the profile in force, with
the first-best and rule set that went with it, as the next ReferralVersion; then the new
profile replaces it. When the profile changed and an advice had been given, the
afwegingskader runs again (the same `advise` step as on the page), so the advice always
fits the profile it stands beside, and waits for its own professional judgement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from afwegingskader.models import Profile
from domain.vocabulary import Urgency
from placements import service
from placements.models import ReferralVersion
from placements.transitions import Action, advance

# Profile fields the edit form does not change: set at intake (they decided the
# responsible municipality, the urgency and the regisseur), or by the service.
KEPT = ("perspective", "crisis", "home_municipality", "responsible_municipality", "siblings")
# What does not count as a change: the date the profile was read on.
_NOT_A_CHANGE = ("reference_date", "age")


@dataclass(frozen=True)
class Edited:
    """The outcome of an edit: the version kept, and whether the profile was advised again."""

    version: int
    changed: bool
    advised_again: bool


def _comparable(profile_json: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(profile_json)
    return {k: v for k, v in data.items() if k not in _NOT_A_CHANGE}


def versions(session: Session, referral_id: str) -> list[ReferralVersion]:
    """The earlier versions of the referral's profile, oldest first."""
    return list(
        session.exec(
            select(ReferralVersion)
            .where(ReferralVersion.referral_id == referral_id)
            .order_by(col(ReferralVersion.version))
        ).all()
    )


def edit_profile(
    session: Session, *, referral_id: str, profile: Profile, user_id: str, now: datetime
) -> Edited:
    """Replace the referral's profile (keeping the intake fields in KEPT) and keep the old one."""
    referral = service.get_referral(session, referral_id)
    advance(referral, Action.EDIT, now=now)
    stored = json.loads(referral.profile_json)
    merged = Profile.model_validate(
        profile.model_dump(mode="json") | {k: stored[k] for k in KEPT if k in stored}
    )
    last = session.exec(
        select(func.max(ReferralVersion.version)).where(ReferralVersion.referral_id == referral_id)
    ).one()
    number = (last or 0) + 1
    session.add(
        ReferralVersion(
            referral_id=referral_id,
            version=number,
            profile_json=referral.profile_json,
            first_best=referral.first_best,
            rule_set=referral.rule_set,
            replaced_at=now,
            replaced_by=user_id,
        )
    )
    new_json = merged.model_dump_json()
    changed = _comparable(new_json) != _comparable(referral.profile_json)
    referral.profile_json = new_json
    referral.urgency = (Urgency.CRISIS if merged.crisis else Urgency.REGULIER).value
    session.add(referral)
    session.flush()
    advised_again = changed and referral.advice_json is not None
    if advised_again:
        service.advise(session, referral_id=referral_id, now=now)
    return Edited(number, changed, advised_again)
