"""Users, roles and bearer tokens. Tokens are shown once and stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Field, Session, SQLModel, col, select

from capacity.models import Provider, UTCDateTime, new_id
from domain.errors import Conflict, InvalidInput, NotFound
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import Role

TOKEN_PREFIX = "sp_"


class User(SQLModel, table=True):
    """A person or system that calls the service."""

    __tablename__ = "app_user"

    id: str = Field(default_factory=new_id, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=128)
    role: str = Field(max_length=32)
    region: str = Field(default="flevoland", max_length=64)
    provider_id: str | None = Field(default=None, foreign_key="capacity_provider.id")
    verwijzer_type: str | None = Field(default=None, max_length=2)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token of a user; only its hash is kept."""

    __tablename__ = "api_token"

    id: str = Field(default_factory=new_id, primary_key=True)
    user_id: str = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    label: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSignIn(SQLModel, table=True):
    """One web session, kept on the server so that signing out ends it everywhere.

    The session cookie carries this row's id; a row that has ended or expired no longer
    lets the cookie in, in every worker process, even when someone kept a copy of it.
    """

    __tablename__ = "web_session"

    id: str = Field(default_factory=new_id, primary_key=True)
    user_id: str = Field(foreign_key="app_user.id", index=True)
    token_id: str = Field(foreign_key="api_token.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash(token: str) -> str:
    """The stored form of a token (its SHA-256 hex digest), e.g. to find its row."""
    return _hash(token)


def create_user(
    session: Session,
    *,
    username: str,
    role: Role,
    display_name: str = "",
    provider_id: str | None = None,
    verwijzer_type: VerwijzerType | None = None,
    now: datetime,
) -> User:
    """Add a user; an aanbieder needs its provider, a verwijzer its COD327 type."""
    if not username or len(username) > 64 or not username.replace("-", "").isalnum():
        raise InvalidInput("alleen letters, cijfers en '-', hoogstens 64 tekens", field="username")
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict("gebruikersnaam bestaat al", field="username")
    if role is Role.AANBIEDER:
        if provider_id is None or session.get(Provider, provider_id) is None:
            raise InvalidInput("een aanbieder hoort bij een bestaande aanbieder", field="provider")
    elif provider_id is not None:
        raise InvalidInput("alleen een aanbieder hoort bij een aanbieder", field="provider")
    if role is Role.VERWIJZER and verwijzer_type is None:
        raise InvalidInput(
            "een verwijzer heeft een verwijzerstype (COD327)", field="verwijzer_type"
        )
    user = User(
        username=username,
        display_name=display_name or username,
        role=role.value,
        provider_id=provider_id,
        verwijzer_type=verwijzer_type.value if verwijzer_type and role is Role.VERWIJZER else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, username: str) -> User:
    """The user with this name, or NotFound."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("onbekende gebruiker", field="username")
    return user


def issue_token(
    session: Session, *, username: str, now: datetime, label: str = "", days: int | None = 365
) -> str:
    """A new bearer token for the user; the plain token is returned once, never stored."""
    user = get_user(session, username=username)
    if not user.active:
        raise Conflict("gebruiker is gedeactiveerd", field="username")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(days=days) if days else None
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_hash(token),
            label=label,
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return token


def revoke_tokens(session: Session, *, username: str, now: datetime) -> int:
    """Revoke every live token of a user; returns how many."""
    user = get_user(session, username=username)
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at == None)  # noqa: E711
    ).all()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    session.flush()
    return len(tokens)


def deactivate_user(session: Session, *, username: str, now: datetime) -> None:
    """Deactivate a user and revoke its tokens."""
    user = get_user(session, username=username)
    user.active = False
    session.add(user)
    revoke_tokens(session, username=username, now=now)


def authenticate(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to, else None."""
    found = token_owner(session, token, now=now)
    return None if found is None else found[0]


def token_owner(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[User, datetime | None] | None:
    """The active user a live token belongs to and when the token expires, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = now or datetime.now(UTC)
    # One round trip: every request authenticates, so this query is on the hot path.
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        return None
    return (user, row.expires_at) if user.active else None


def start_web_session(
    session: Session, *, user_id: str, token_id: str, now: datetime, seconds: int
) -> WebSignIn:
    """Record a new web session (flushed, not committed); expired ones of the user go."""
    stale = select(WebSignIn).where(WebSignIn.user_id == user_id, col(WebSignIn.expires_at) <= now)
    for old in session.exec(stale).all():
        session.delete(old)
    row = WebSignIn(
        user_id=user_id,
        token_id=token_id,
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
    )
    session.add(row)
    session.flush()
    return row


def web_session_live(session: Session, *, session_id: str, user_id: str, now: datetime) -> bool:
    """True while the web session exists, belongs to the user, has not ended or expired."""
    row = session.get(WebSignIn, session_id)
    return (
        row is not None and row.user_id == user_id and row.ended_at is None and row.expires_at > now
    )


def end_web_session(session: Session, *, session_id: str, now: datetime) -> None:
    """Mark a web session ended (flushed, not committed); an unknown id changes nothing."""
    row = session.get(WebSignIn, session_id)
    if row is not None and row.ended_at is None:
        row.ended_at = now
        session.add(row)
        session.flush()
