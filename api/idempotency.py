"""Idempotency keys on POSTs: a retried request returns the first answer instead of acting twice.

The record is written in the same transaction as the work, under a unique key per user, so
two concurrent copies of one request cannot both commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Response
from pydantic import BaseModel
from sqlalchemy import Text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from capacity.models import UTCDateTime
from domain.errors import Conflict, InvalidInput


class IdempotencyRecord(SQLModel, table=True):
    """The stored answer to a POST made with an Idempotency-Key."""

    __tablename__ = "idempotency_record"

    user_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=128)
    endpoint: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    response_json: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


def request_fingerprint(endpoint: str, payload: Any) -> str:
    """A stable hash of what was asked, so reuse of a key for another request is caught."""
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{endpoint}\n{body}".encode()).hexdigest()


def check_key(key: str) -> str:
    """Validate an Idempotency-Key header value."""
    if not key or len(key) > 128 or not all(c.isalnum() or c in "-_.:" for c in key):
        raise InvalidInput("1-128 tekens: letters, cijfers en - _ . :", field="Idempotency-Key")
    return key


@dataclass(frozen=True)
class Attempt:
    """One POST that may carry an Idempotency-Key: replay it, or finish it once."""

    user_id: str
    key: str | None
    endpoint: str
    fingerprint: str

    def stored(self, session: Session) -> tuple[int, Any] | None:
        """The stored (status, body) for this key, None if new; Conflict if reused differently."""
        row = session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == self.user_id, IdempotencyRecord.key == self.key
            )
        ).first()
        if row is None:
            return None
        if row.endpoint != self.endpoint or row.request_hash != self.fingerprint:
            raise Conflict("sleutel al gebruikt voor een ander verzoek", field="Idempotency-Key")
        return row.status_code, json.loads(row.response_json)

    def finish(
        self, session: Session, *, status_code: int, body: Any, now: datetime
    ) -> tuple[int, Any]:
        """Commit the work (remembering the answer under the key, if any): (status, body).

        Two copies of one request can pass `stored` at the same moment. The unique key lets
        only one commit; the loser rolls its whole transaction back (its work is undone) and
        answers what the winner stored, or 409 if the key was taken for another request.
        """
        if self.key is None:
            session.commit()
            return status_code, body
        session.add(
            IdempotencyRecord(
                user_id=self.user_id,
                key=self.key,
                endpoint=self.endpoint,
                request_hash=self.fingerprint,
                status_code=status_code,
                response_json=json.dumps(body, default=str),
                created_at=now,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            stored = self.stored(session)
            if stored is None:  # another unique rule refused the work: a clean conflict
                raise Conflict(
                    "gelijktijdig verzoek met dezelfde sleutel", field="Idempotency-Key"
                ) from None
            return stored
        return status_code, body


@dataclass(frozen=True)
class Retry:
    """A POST that may be retried: its Idempotency-Key, if any, and the response whose status
    code the answer sets (the first answer again, on a retry)."""

    key: str | None
    response: Response

    def begin(
        self, session: Session, user_id: str, endpoint: str, asked: BaseModel
    ) -> tuple[Attempt, Any | None]:
        """The attempt, and the stored body (its status set) when this key was answered before."""
        attempt = Attempt(
            user_id=user_id,
            key=None if self.key is None else check_key(self.key),
            endpoint=endpoint,
            fingerprint=request_fingerprint(endpoint, asked.model_dump(mode="json")),
        )
        stored = None if attempt.key is None else attempt.stored(session)
        if stored is None:
            return attempt, None
        self.response.status_code = stored[0]
        return attempt, stored[1]

    def finish(
        self, session: Session, attempt: Attempt, *, status_code: int, body: Any, now: datetime
    ) -> Any:
        """Commit the work with its answer (see Attempt.finish): the body, its status set."""
        self.response.status_code, answer = attempt.finish(
            session, status_code=status_code, body=body, now=now
        )
        return answer


def _retry(
    response: Response, key: Annotated[str | None, Header(alias="Idempotency-Key")] = None
) -> Retry:
    return Retry(key=key, response=response)


# The optional Idempotency-Key header of a POST that may be retried: the same key returns the
# first answer.
RetryDep = Annotated[Retry, Depends(_retry)]
