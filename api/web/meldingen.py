"""The notifications page of verwijzers and providers (api.notifications); opening it marks
everything up to now as read."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api import notifications
from api.deps import NowDep, SessionDep
from api.web.auth import VerwijzerOrProvider
from api.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/meldingen")
def notices_page(web: VerwijzerOrProvider, session: SessionDep, now: NowDep) -> HTMLResponse:
    """The user's notifications, newest first, the new ones marked."""
    items = notifications.notices(session, web.user)
    notifications.mark_seen(session, web.user, now)
    session.commit()
    return page("meldingen.html", web, items=items)
