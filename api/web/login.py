"""Log-in and log-out pages; each role lands on its own page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from api.accounts import (
    ApiToken,
    authenticate,
    end_web_session,
    start_web_session,
    token_hash,
)
from api.deps import NowDep, SessionDep, StateDep
from api.settings import Settings
from api.web.auth import (
    HOME,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    Admin,
    FormDep,
    WebSessionDep,
    form_fields,
    new_session_cookie,
    session_user,
    set_cookie,
)
from api.web.render import page

router = APIRouter(include_in_schema=False)
LOGIN_NONCE_SECONDS = 15 * 60


@router.get("/")
def start(request: Request, session: SessionDep, now: NowDep) -> RedirectResponse:
    """Signed-in users go to their role's page, others to the log-in page."""
    web = session_user(request, session, now)
    return RedirectResponse(HOME.get(web.role, "/inloggen") if web else "/inloggen", 303)


def _login_page(
    settings: Settings, *, status_code: int = 200, error: str = "", username: str = ""
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(24)
    response = page(
        "login.html", None, status_code=status_code, nonce=nonce, error=error, username=username
    )
    set_cookie(response, settings, LOGIN_COOKIE, nonce, max_age=LOGIN_NONCE_SECONDS)
    return response


@router.get("/inloggen")
def login_form(state: StateDep) -> HTMLResponse:
    """The log-in form (with a fresh double-submit token against log-in CSRF)."""
    return _login_page(state.settings)


@router.post("/inloggen")
def login(
    request: Request,
    state: StateDep,
    session: SessionDep,
    now: NowDep,
    fields: Annotated[dict[str, list[str]], Depends(form_fields)],
) -> Response:
    """Check username and personal token; start a session and go to the role's page."""
    username = (fields.get("gebruikersnaam") or [""])[0].strip()
    token = (fields.get("token") or [""])[0].strip()
    nonce_sent = (fields.get("csrf") or [""])[0]
    nonce_kept = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce_kept or not hmac.compare_digest(nonce_sent.encode(), nonce_kept.encode()):
        return _login_page(
            state.settings,
            status_code=403,
            error="Het formulier was verlopen. Probeer het opnieuw.",
            username=username,
        )
    user = authenticate(session, token, now=now) if token else None
    if user is None or not hmac.compare_digest(user.username.encode(), username.encode()):
        # One message for every failure: it does not tell which part was wrong.
        return _login_page(
            state.settings,
            status_code=401,
            error="Gebruikersnaam of token klopt niet, of het token is verlopen.",
            username=username,
        )
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).one()
    signed_in = start_web_session(
        session, user_id=user.id, token_id=row.id, now=now, seconds=SESSION_SECONDS
    )
    session.commit()
    response = RedirectResponse(HOME.get(user.role, "/"), status_code=303)
    value = new_session_cookie(state.settings, user=user, token_id=row.id, session_id=signed_in.id)
    set_cookie(response, state.settings, SESSION_COOKIE, value, max_age=SESSION_SECONDS)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/uitloggen")
def logout(form: FormDep, web: WebSessionDep, session: SessionDep, now: NowDep) -> RedirectResponse:
    """End the session on the server and remove the cookie; back to the log-in page.

    Ending the server's record is what counts: a copy of the cookie no longer gets in.
    """
    end_web_session(session, session_id=web.session_id, now=now)
    session.commit()
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/beheer")
def admin_home(web: Admin) -> HTMLResponse:
    """The administrator's page: users and tokens are managed from the command line."""
    return page("beheer.html", web)
