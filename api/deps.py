"""Request dependencies: the database session, the current user and role checks, the clock.

The session dependency opens and closes; write endpoints commit explicitly before they
answer, so a failed commit is an error response and never a false success.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from api.accounts import Role, User, authenticate
from api.settings import Settings
from capacity.queries import AvailabilityIndex
from capacity.sync import CapacitySync
from domain.errors import DomainError
from matcher.table import UnitTable, build_table


class NotAuthenticated(DomainError):
    """No valid bearer token."""

    kind = "NotAuthenticated"


class Forbidden(DomainError):
    """The role may not use this endpoint."""

    kind = "Forbidden"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceState:
    """What the app shares between requests."""

    settings: Settings
    engine: Engine
    sync: CapacitySync
    index: AvailabilityIndex
    clock: Callable[[], datetime] = field(default=_utc_now)
    _table: tuple[tuple[int, datetime], UnitTable] | None = field(default=None, repr=False)
    _table_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def unit_table(self, now: datetime) -> UnitTable:
        """The matcher's unit table for `now`, rebuilt only after a capacity change.

        Holds that expire by themselves show within a minute (the key's resolution);
        every change through the ledger bumps the index and shows at once.
        """
        key = (self.index.changes, now.replace(second=0, microsecond=0))
        with self._table_lock:
            if self._table is None or self._table[0] != key:
                self._table = (key, build_table(self.index.views(now=now), now.date()))
            return self._table[1]


def get_state(request: Request) -> ServiceState:
    """The app's shared state."""
    state: ServiceState = request.app.state.servicepunt
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A session mirrored to the live capacity view; rolled back unless committed."""
    with Session(state.engine, expire_on_commit=False) as session:
        state.sync.attach(session)
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_now(state: StateDep) -> datetime:
    """The current time (a test may replace the clock)."""
    return state.clock()


NowDep = Annotated[datetime, Depends(get_now)]

_bearer = HTTPBearer(auto_error=False, description="persoonlijk token: sp_...")


def current_user(
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("inloggen vereist: Authorization: Bearer <token>")
    user = authenticate(session, credentials.credentials, now=now)
    if user is None:
        raise NotAuthenticated("token onbekend, verlopen of ingetrokken")
    return user


UserDep = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only these roles through (403 otherwise)."""
    allowed = {r.value for r in roles}

    def check(user: UserDep) -> User:
        if user.role not in allowed:
            raise Forbidden("deze functie is niet beschikbaar voor uw rol")
        return user

    return check


ServicepuntUser = Annotated[User, Depends(require(Role.SERVICEPUNT))]
ReferrerOrStaff = Annotated[User, Depends(require(Role.SERVICEPUNT, Role.VERWIJZER))]
ProviderOrStaff = Annotated[User, Depends(require(Role.AANBIEDER, Role.SERVICEPUNT))]
ReportReader = Annotated[User, Depends(require(Role.SERVICEPUNT, Role.PLANNER))]
AnyUser = Annotated[
    User,
    Depends(require(Role.SERVICEPUNT, Role.VERWIJZER, Role.AANBIEDER, Role.PLANNER, Role.ADMIN)),
]
AdminUser = Annotated[User, Depends(require(Role.ADMIN))]
