"""Log-in for the web pages: a signed, short-lived session cookie and CSRF tokens.

A user signs in with their username and personal token (the same `sp_...` token the API
takes). The cookie holds only pseudonymous ids (user, token row, web session row), a CSRF
secret and an expiry, signed with HMAC-SHA256 under a key derived from settings.secret_key.
Every request checks the web session row and the token row again in the database, so
signing out, revoking a user's tokens or deactivating the user ends the session on the
server, in every worker process, even for a copied cookie. Every POST form carries the
session's CSRF token in a hidden field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response
from sqlmodel import Session

from api import notifications
from api.accounts import ApiToken, User, web_session_live
from api.deps import NowDep, StateDep
from api.settings import Settings
from domain.vocabulary import Role

SESSION_COOKIE = "sp_sessie"
LOGIN_COOKIE = "sp_inlog"
SESSION_SECONDS = 2 * 3600
MAX_FORM_BYTES = 64 * 1024

HOME: dict[str, str] = {
    Role.VERWIJZER.value: "/verwijzer",
    Role.SERVICEPUNT.value: "/servicepunt",
    Role.PLANNER.value: "/planner",
    Role.AANBIEDER.value: "/aanbieder",
    Role.ADMIN.value: "/beheer",
    Role.GEDRAGSWETENSCHAPPER.value: "/gedragswetenschapper",
    Role.PERSPECTIEFREGISSEUR.value: "/regisseur",
}


class LoginRequired(Exception):
    """No valid session: the visitor is sent to the log-in page."""


class PageForbidden(Exception):
    """The role may not see this page (answered with a readable 403 page)."""

    def __init__(self, message: str = "Deze pagina is niet beschikbaar voor uw rol.") -> None:
        super().__init__(message)
        self.message = message


class PageNotFound(Exception):
    """The page or record does not exist (or is not revealed): a readable 404 page."""


class BadForm(Exception):
    """A form without a valid CSRF token, or too large to read."""


def _key(settings: Settings) -> bytes:
    # A key of its own, so the session signature never equals another use of the secret.
    return hashlib.sha256(b"servicepunt-web-session\x00" + settings.secret_key.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(settings: Settings, payload: dict[str, str | int]) -> str:
    """A payload as `base64(json).hmac`."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(_key(settings), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unsign(settings: Settings, value: str | None) -> dict[str, str | int] | None:
    """The payload of a signed value, or None when it is missing, forged or malformed."""
    if not value or "." not in value:
        return None
    body, _, mac = value.rpartition(".")
    good = hmac.new(_key(settings), body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, good):
        return None
    try:
        data = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class WebSession:
    """The signed-in user of one request and the CSRF token of their session."""

    user: User
    csrf: str
    session_id: str
    unread: int = 0  # notifications since the user last opened them (api.notifications)

    @property
    def role(self) -> str:
        """The user's role value."""
        return self.user.role


def new_session_cookie(settings: Settings, *, user: User, token_id: str, session_id: str) -> str:
    """A fresh signed session value for a user who just signed in with a token."""
    payload: dict[str, str | int] = {
        "u": user.id,
        "t": token_id,
        "s": session_id,
        "c": secrets.token_urlsafe(24),
        "e": int(time.time()) + SESSION_SECONDS,
    }
    return sign(settings, payload)


def set_cookie(
    response: Response, settings: Settings, name: str, value: str, *, max_age: int
) -> None:
    """Set a cookie HttpOnly, SameSite=Strict, Secure in production, for the whole site."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
        path="/",
    )


def _token_live(token: ApiToken | None, user_id: str, now: datetime) -> bool:
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        return False
    return token.expires_at is None or token.expires_at > now


def session_user(request: Request, session: Session, now: datetime) -> WebSession | None:
    """The session of this request, or None when there is no valid one."""
    settings: Settings = request.app.state.servicepunt.settings
    data = unsign(settings, request.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    user_id, token_id, csrf, expires = data.get("u"), data.get("t"), data.get("c"), data.get("e")
    session_id = data.get("s")
    if not (isinstance(user_id, str) and isinstance(token_id, str) and isinstance(csrf, str)):
        return None
    if not isinstance(session_id, str):
        return None
    if not isinstance(expires, int) or expires <= time.time():
        return None
    if not web_session_live(session, session_id=session_id, user_id=user_id, now=now):
        return None
    if not _token_live(session.get(ApiToken, token_id), user_id, now):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return WebSession(user=user, csrf=csrf, session_id=session_id)


def web_session(request: Request, state: StateDep, now: NowDep) -> WebSession:
    """The signed-in user; visitors without a valid session go to the log-in page."""
    # A session of its own, closed before the page's hop: see api.deps.current_user.
    with Session(state.engine, expire_on_commit=False) as session:
        found = session_user(request, session, now)
        if found is None:
            raise LoginRequired
        count = notifications.unread(session, found.user)
        session.expunge(found.user)
    return replace(found, unread=count) if count else found


WebSessionDep = Annotated[WebSession, Depends(web_session)]


def page_for(*roles: Role) -> Callable[[WebSession], WebSession]:
    """A dependency that lets only these roles see the page (403 page otherwise)."""
    allowed = {r.value for r in roles}

    def check(web: WebSessionDep) -> WebSession:
        if web.role not in allowed:
            raise PageForbidden
        return web

    return check


# Who may open which pages, in one place as the API's roles are in api.deps.
# The servicepunt's pages (the work list, the referral page and its print, the lists).
Staff = Annotated[WebSession, Depends(page_for(Role.SERVICEPUNT))]
Referrer = Annotated[WebSession, Depends(page_for(Role.SERVICEPUNT, Role.VERWIJZER))]
Verwijzer = Annotated[WebSession, Depends(page_for(Role.VERWIJZER))]
Provider = Annotated[WebSession, Depends(page_for(Role.AANBIEDER))]
VerwijzerOrProvider = Annotated[WebSession, Depends(page_for(Role.VERWIJZER, Role.AANBIEDER))]
Judge = Annotated[WebSession, Depends(page_for(Role.GEDRAGSWETENSCHAPPER))]
Regisseur = Annotated[WebSession, Depends(page_for(Role.PERSPECTIEFREGISSEUR))]
Planner = Annotated[WebSession, Depends(page_for(Role.PLANNER))]
PlannerOrStaff = Annotated[WebSession, Depends(page_for(Role.PLANNER, Role.SERVICEPUNT))]
Admin = Annotated[WebSession, Depends(page_for(Role.ADMIN))]


async def form_fields(request: Request) -> dict[str, list[str]]:
    """The url-encoded form body as field -> values (bounded in size)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadForm("formulier te groot")
    fields: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=500)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadForm("formulier onleesbaar") from exc
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


@dataclass(frozen=True)
class Form:
    """A posted form whose CSRF token matched the session."""

    fields: dict[str, list[str]]

    def get(self, name: str) -> str:
        """The first value of a field, stripped; '' when absent."""
        values = self.fields.get(name)
        return values[0].strip() if values else ""

    def all(self, name: str) -> list[str]:
        """Every non-empty value of a field."""
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]


def checked_form(
    web: WebSessionDep, fields: Annotated[dict[str, list[str]], Depends(form_fields)]
) -> Form:
    """The posted form, once its CSRF token matches the session's."""
    sent = (fields.get("csrf") or [""])[0]
    if not hmac.compare_digest(sent.encode(), web.csrf.encode()):
        raise BadForm("formulier verlopen")
    return Form(fields)


FormDep = Annotated[Form, Depends(checked_form)]
