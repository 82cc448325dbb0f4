"""Notifications in the app: what changed for a verwijzer's referrals and a provider's units.

Read from what the service already records, so no workflow step has to remember to notify:
- a verwijzer hears of every change of its own referrals that someone else made (the audit
  log's changes, named as on the child's timeline);
- a provider hears when one of its units is proposed (a proposal step whose proposals name
  the unit), held (a hold on the unit) or chosen (an accepted decision for the unit). Until
  a child is placed with it, the provider does not see which child.
`NoticeSeen` keeps, per user, when they last opened their notifications: what came later
is unread, and the header shows how many.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Field, Session, SQLModel, col, select

from api.accounts import User
from api.audit import AuditAction, AuditEntry
from api.steps import step_label
from capacity.models import Hold, Location, Unit, UTCDateTime
from domain import nl_format
from placements.models import Decision, Referral
from placements.transitions import Actor

LIMIT = 50
ROLE_STEP = {"verwijzer", "aanbieder"}  # the roles that get notifications
_PROPOSE = ("/voorstellen", "/proposals")


class NoticeSeen(SQLModel, table=True):
    """When a user last opened their notifications."""

    __tablename__ = "notice_seen"

    user_id: str = Field(primary_key=True, max_length=64)
    seen_at: datetime = Field(sa_type=UTCDateTime)


@dataclass(frozen=True)
class Notice:
    """One notification: when, what, and whether it came after the last visit."""

    at: datetime
    text: str
    unread: bool = False

    @property
    def when(self) -> str:
        """The moment in the region's time."""
        return nl_format.moment(self.at)


def _verwijzer(session: Session, user: User) -> list[tuple[datetime, str]]:
    rows = session.exec(
        select(AuditEntry, Referral.child_ref)
        .where(
            col(AuditEntry.entity) == "referral",
            col(AuditEntry.entity_id) == col(Referral.id),
            col(Referral.verwijzer_user_id) == user.id,
            col(AuditEntry.user_id) != user.id,
            col(AuditEntry.action).in_([AuditAction.CREATE.value, AuditAction.UPDATE.value]),
        )
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(LIMIT)
    ).all()
    return [(e.at, f"Aanmelding {child}: {step_label(e.via)}.") for e, child in rows]


def _provider(session: Session, user: User) -> list[tuple[datetime, str]]:
    units = dict(
        session.exec(
            select(Unit.id, Unit.name)
            .join(Location)
            .where(Location.provider_id == user.provider_id)
        ).all()
    )
    if not units:
        return []
    found: list[tuple[datetime, str]] = []
    holds = session.exec(
        select(Hold)
        .where(col(Hold.unit_id).in_(list(units)))
        .order_by(col(Hold.created_at).desc())
        .limit(LIMIT)
    ).all()
    found += [(h.created_at, f"{units[h.unit_id]} is vastgehouden voor een aanmelding.")
              for h in holds]  # fmt: skip
    chosen = session.exec(
        select(Decision, Referral.child_ref)
        .where(
            col(Decision.referral_id) == col(Referral.id),
            col(Decision.unit_id).in_(list(units)),
            col(Decision.outcome) == "accept",
        )
        .order_by(col(Decision.decided_at).desc())
        .limit(LIMIT)
    ).all()
    found += [(d.decided_at, f"{units[d.unit_id]} is gekozen: {child} wordt geplaatst.")
              for d, child in chosen]  # fmt: skip
    proposed = session.exec(
        select(AuditEntry, Referral.proposals_json)
        .where(
            col(AuditEntry.entity) == "referral",
            col(AuditEntry.entity_id) == col(Referral.id),
            col(AuditEntry.action) == AuditAction.UPDATE.value,
            or_(*(col(AuditEntry.via).endswith(step) for step in _PROPOSE)),
            col(Referral.proposals_json).is_not(None),
        )
        .order_by(col(AuditEntry.at).desc())
        .limit(LIMIT)
    ).all()
    for entry, proposals in proposed:
        for unit_id, name in units.items():
            if f'"{unit_id}"' in (proposals or ""):
                found.append((entry.at, f"{name} is voorgesteld voor een aanmelding."))
    return found


def notices(session: Session, user: User) -> list[Notice]:
    """The user's notifications, newest first, the unread ones marked."""
    if user.role == Actor.VERWIJZER.value:
        raw = _verwijzer(session, user)
    elif user.role == Actor.AANBIEDER.value and user.provider_id:
        raw = _provider(session, user)
    else:
        return []
    seen = session.get(NoticeSeen, user.id)
    last = seen.seen_at if seen else None
    ordered = sorted(raw, key=lambda pair: pair[0], reverse=True)[:LIMIT]
    return [Notice(at, text, last is None or at > last) for at, text in ordered]


def unread(session: Session, user: User) -> int:
    """How many notifications came after the user's last visit."""
    if user.role not in ROLE_STEP:
        return 0
    return sum(n.unread for n in notices(session, user))


def mark_seen(session: Session, user: User, now: datetime) -> None:
    """Everything up to now counts as read (the caller commits)."""
    seen = session.get(NoticeSeen, user.id) or NoticeSeen(user_id=user.id, seen_at=now)
    seen.seen_at = now
    session.add(seen)
