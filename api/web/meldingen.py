"""The notifications page of verwijzers and providers (api.notifications); opening it marks
everything up to now as read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from api import notifications
from api.accounts import Role
from api.deps import NowDep, SessionDep
from api.web.auth import WebSession, page_for
from api.web.render import page

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebSession, Depends(page_for(Role.VERWIJZER, Role.AANBIEDER))]


@router.get("/meldingen")
def notices_page(web: Reader, session: SessionDep, now: NowDep) -> HTMLResponse:
    """The user's notifications, newest first, the new ones marked."""
    items = notifications.notices(session, web.user)
    notifications.mark_seen(session, web.user, now)
    session.commit()
    return page("meldingen.html", web, items=items)
