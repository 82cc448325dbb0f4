"""Request dependencies: the database session, the current user and role checks, the clock.

The session dependency opens and closes; write endpoints commit explicitly before they
answer, so a failed commit is an error response and never a false success.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from api.accounts import User, token_hash, token_owner
from api.errors import Forbidden, NotAuthenticated
from api.settings import Settings
from capacity.queries import AvailabilityIndex
from capacity.sync import CapacitySync
from domain.errors import NotFound
from domain.vocabulary import Role
from matcher.table import UnitTable, build_table
from placements import service as workflow
from placements.models import Referral


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TokenCache:
    """Whom a bearer token belongs to, remembered for a few seconds per process.

    Every API request authenticates; looking the token up each time cost more than
    most endpoints' own work. An entry lives `seconds` (and never past the token's
    expiry), so a revoked token or a deactivated user is refused everywhere within
    that time. Keys are token hashes; only users (no child data) are kept.
    """

    seconds: float
    limit: int = 10_000
    _entries: dict[str, tuple[datetime, User]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, key: str, now: datetime) -> User | None:
        """The remembered user, unless the entry has run out."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or now >= entry[0]:
            return None
        return entry[1]

    def put(self, key: str, user: User, now: datetime, expires_at: datetime | None) -> None:
        """Remember a (detached) user until `seconds` from now or the token's expiry."""
        if self.seconds <= 0:
            return
        until = now + timedelta(seconds=self.seconds)
        if expires_at is not None:
            until = min(until, expires_at)
        with self._lock:
            if len(self._entries) >= self.limit:
                self._entries.clear()
            self._entries[key] = (until, user)


@dataclass
class AnswerCache:
    """Serialised answers of the availability endpoints, per state of the index.

    Callers key an answer on the question and `ServiceState.capacity_moment`. Most
    requests ask the same few questions between changes; they get the stored bytes
    instead of building and serialising the same list again. Measured (benchmarks/api.py,
    2 interleaved A/B runs): without it GET availability p50 +45 % (3.0 -> 4.4 ms) and
    the server's CPU per request +10 %.
    """

    limit: int = 512
    _entries: OrderedDict[Hashable, bytes] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get_or_make(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The stored answer for key, or make, store and return it (least recently used go)."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        made = make()
        with self._lock:
            self._entries[key] = made
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)
        return made


@dataclass
class ServiceState:
    """What the app shares between requests."""

    settings: Settings
    engine: Engine
    sync: CapacitySync
    index: AvailabilityIndex
    # Threads that only close sessions (see get_session); made on the event loop at start-up.
    close_limiter: CapacityLimiter | None = None
    tokens: TokenCache = field(default_factory=lambda: TokenCache(seconds=0.0))
    answers: AnswerCache = field(default_factory=AnswerCache)
    clock: Callable[[], datetime] = field(default=_utc_now)
    # Set when a simulation job is queued, so an inline runner looks at once.
    simulation_wake: threading.Event = field(default_factory=threading.Event, repr=False)
    _table: tuple[tuple[int, datetime], UnitTable] | None = field(default=None, repr=False)
    _table_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def capacity_moment(self, now: datetime) -> tuple[int, datetime]:
        """A key for what is derived from the index at `now`: its change counter and minute.

        Every change through the ledger bumps the counter and shows at once; holds that
        expire by themselves show within a minute. Read the key before deriving, so a
        stored result is never older than its key.
        """
        return self.index.changes, now.replace(second=0, microsecond=0)

    def unit_table(self, now: datetime) -> UnitTable:
        """The matcher's unit table for `now`, rebuilt only after a capacity change."""
        key = self.capacity_moment(now)
        with self._table_lock:
            if self._table is None or self._table[0] != key:
                self._table = (key, build_table(self.index.views(now=now), now.date()))
            return self._table[1]


# Dependencies that do no IO are `async def`: FastAPI runs those on the event loop instead of
# handing each to the thread pool (a hop of a few hundred microseconds per dependency).
async def get_state(request: Request) -> ServiceState:
    """The app's shared state."""
    state: ServiceState = request.app.state.servicepunt
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[Session]:
    """A session mirrored to the live capacity view; rolled back unless committed.

    Opening it does no IO. Closing it returns its connection to the pool, and that must
    never wait for a request thread: with every request thread waiting for a connection
    and every connection held by a finished request whose close waits for a thread, the
    process would stall until the pool timed out. So the close has threads of its own.
    """
    session = Session(state.engine, expire_on_commit=False)
    state.sync.attach(session)
    try:
        yield session
    finally:
        if state.close_limiter is None or not session.in_transaction():
            session.close()  # no transaction, no connection: closing does no IO
        else:
            await to_thread.run_sync(session.close, limiter=state.close_limiter)


SessionDep = Annotated[Session, Depends(get_session)]


async def get_now(state: StateDep) -> datetime:
    """The current time (a test may replace the clock)."""
    return state.clock()


NowDep = Annotated[datetime, Depends(get_now)]

# Where the request guard leaves the user it authenticated (request.state).
AUTHENTICATED_USER = "servicepunt_user"
_bearer = HTTPBearer(auto_error=False, description="persoonlijk token: sp_...")


async def authenticate(state: ServiceState, now: datetime, token: str) -> User:
    """The user behind a bearer token; NotAuthenticated when it is unknown or no longer valid."""
    key = token_hash(token)
    user = state.tokens.get(key, now)
    if user is None:
        found = await to_thread.run_sync(_look_up, state.engine, token, now)
        if found is None:
            raise NotAuthenticated("token onbekend, verlopen of ingetrokken")
        user = found[0]
        state.tokens.put(key, user, now, found[1])
    return user


async def current_user(
    request: Request,
    state: StateDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token; 401 without a valid one."""
    # The request guard (api.guard) authenticates every /api/v1 request before its body
    # is read, and leaves the user here.
    known: User | None = getattr(request.state, AUTHENTICATED_USER, None)
    if known is not None:
        return known
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("inloggen vereist: Authorization: Bearer <token>")
    return await authenticate(state, now, credentials.credentials)


def _look_up(engine: Engine, token: str, now: datetime) -> tuple[User, datetime | None] | None:
    # A session of its own, closed before the endpoint runs. Each synchronous dependency
    # and the endpoint are separate trips to the thread pool; a connection held from one
    # into the next lets a burst take every connection while the endpoints wait for a
    # thread, and every thread while they wait for a connection.
    with Session(engine, expire_on_commit=False) as session:
        found = token_owner(session, token, now=now)
        if found is not None:
            session.expunge(found[0])
        return found


UserDep = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only these roles through (403 otherwise)."""
    allowed = {r.value for r in roles}

    async def check(user: UserDep) -> User:
        if user.role not in allowed:
            raise Forbidden("deze functie is niet beschikbaar voor uw rol")
        return user

    return check


ServicepuntUser = Annotated[User, Depends(require(Role.SERVICEPUNT))]
ReferrerOrStaff = Annotated[User, Depends(require(Role.SERVICEPUNT, Role.VERWIJZER))]
ProviderOrStaff = Annotated[User, Depends(require(Role.AANBIEDER, Role.SERVICEPUNT))]
ProviderUser = Annotated[User, Depends(require(Role.AANBIEDER))]
ReportReader = Annotated[User, Depends(require(Role.SERVICEPUNT, Role.PLANNER))]
PlannerUser = Annotated[User, Depends(require(Role.PLANNER))]
AnyUser = Annotated[User, Depends(require(*Role))]
JudgeUser = Annotated[User, Depends(require(Role.GEDRAGSWETENSCHAPPER))]
JudgeOrStaff = Annotated[User, Depends(require(Role.GEDRAGSWETENSCHAPPER, Role.SERVICEPUNT))]
AdminUser = Annotated[User, Depends(require(Role.ADMIN))]


def visible_referral(session: Session, user: User, referral_id: str) -> Referral:
    """The referral if this user may see it; NotFound otherwise (existence is not revealed).

    The servicepunt sees every referral, a verwijzer only its own.
    """
    referral = workflow.get_referral(session, referral_id)
    if user.role == Role.VERWIJZER.value and referral.verwijzer_user_id != user.id:
        raise NotFound("onbekende aanmelding", field="referral_id")
    return referral


def get_visible_referral(referral_id: str, user: ReferrerOrStaff, session: SessionDep) -> Referral:
    """The path's referral, loaded for a user who may see it (404 otherwise)."""
    return visible_referral(session, user, referral_id)


VisibleReferral = Annotated[Referral, Depends(get_visible_referral)]
