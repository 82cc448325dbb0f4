"""Append-only audit log: who read or changed which child's record, when, and in which role.

Entries name the record by its pseudonymous id only. Migration 0002 adds triggers that
refuse UPDATE and DELETE on this table, so even the service cannot rewrite history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Table, insert
from sqlmodel import Field, Session, SQLModel, col, select

from capacity.models import UTCDateTime

if TYPE_CHECKING:
    from api.accounts import User


class AuditAction(StrEnum):
    """What was done to the record."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"


class AuditEntry(SQLModel, table=True):
    """One read or change of a child's record."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    user_id: str = Field(max_length=64, index=True)
    role: str = Field(max_length=32)
    action: str = Field(max_length=16)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64, index=True)
    via: str = Field(max_length=200, description="route template or CLI command, never a URL")


# What the entries name: a referral (a child's record), or a beschikking.
REFERRAL = "referral"
BESCHIKKING = "beschikking"
AUDIT_TABLE: Table = SQLModel.metadata.tables["audit_log"]
_INSERT = insert(AUDIT_TABLE)


def record(
    session: Session,
    *,
    user_id: str,
    role: str,
    action: AuditAction,
    entity: str,
    entity_ids: Sequence[str],
    via: str,
    at: datetime,
) -> None:
    """Append one entry per record in the caller's transaction (a rollback leaves none).

    One plain INSERT for all of them, sent at once: every request that touches a child's
    record writes here, and the ORM's unit of work (fetching each new id back) cost more
    than the rows.
    """
    rows = [
        {
            "at": at,
            "user_id": user_id,
            "role": role,
            "action": action.value,
            "entity": entity,
            "entity_id": entity_id,
            "via": via,
        }
        for entity_id in entity_ids
    ]
    if rows:
        # One fixed statement with the rows as parameters: compiled once per process (rows
        # inlined with .values() made SQLAlchemy compile it again for every request).
        session.execute(_INSERT, rows)


def record_by(
    session: Session,
    user: User,
    action: AuditAction,
    ids: Sequence[str],
    via: str,
    now: datetime,
    *,
    entity: str = REFERRAL,
    commit: bool = False,
) -> None:
    """The user's action on these records (referrals unless `entity` says otherwise), in the
    caller's transaction; `commit` ends a step with it (the idempotent routes commit it with
    their answer instead)."""
    record(
        session,
        user_id=user.id,
        role=user.role,
        action=action,
        entity=entity,
        entity_ids=ids,
        via=via,
        at=now,
    )
    if commit:
        session.commit()


def record_referrals(
    session: Session,
    user: User,
    action: AuditAction,
    referral_ids: list[str],
    via: str,
    now: datetime,
    *,
    commit: bool = False,
) -> None:
    """The user's action on these referrals: `record_by` for the most common record."""
    record_by(session, user, action, referral_ids, via, now, commit=commit)


def record_reads(
    session: Session, user: User, referral_ids: list[str], via: str, now: datetime
) -> None:
    """How a read of referrals ends: the user's read of each, committed."""
    record_by(session, user, AuditAction.READ, referral_ids, via, now, commit=True)


def entries_for(session: Session, *, entity: str, entity_id: str) -> list[AuditEntry]:
    """The audit trail of one record, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(col(AuditEntry.id))
    )
    return list(session.exec(query).all())
