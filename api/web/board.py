"""The live availability board: anonymous counts, a capability filter and a server-sent stream.

One feed thread per process listens to the live view's change events (in-process or Redis
pub/sub) while at least one board is open, and wakes every open stream; each stream then
renders the board again in the thread pool. The event loop never waits on the live view.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from api.deps import NowDep, ServiceState, SessionDep, StateDep
from api.web.auth import LoginRequired, PageForbidden, Verwijzer, WebSession, session_user
from api.web.common import audit_reads
from api.web.render import SECURITY_HEADERS, page, render_text
from capacity.live import LiveViewUnavailable
from capacity.queries import BAND_RANGE, AvailabilityQuery
from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import AgeBand, Capability
from domain.vocabulary import Role
from placements.models import Referral
from placements.transitions import Action, Actor, offered

HORIZON_DAYS = 30
KEEPALIVE_SECONDS = 15.0
DISCONNECT_POLL_SECONDS = 1.0
router = APIRouter(include_in_schema=False)
BOARD_ROLES = frozenset(
    r.value for r in (Role.VERWIJZER, Role.SERVICEPUNT, Role.AANBIEDER, Role.PLANNER)
)
Capabilities = Annotated[
    list[Capability] | None, Query(alias="vaardigheid", max_length=len(Capability))
]


@dataclass
class BoardRow:
    """One care form × municipality × age band: counts only, never a unit or a child."""

    care_form: CareForm
    municipality: Municipality
    age_band: AgeBand
    free_now: int = 0
    coming_free: int = 0
    expected: date | None = None

    @property
    def key(self) -> str:
        """A stable key for the row (used by the page and its tests)."""
        return f"{self.care_form.value}|{self.municipality.value}|{self.age_band.value}"


@dataclass
class Board:
    """The board as shown: its rows, totals and the moment it was computed."""

    rows: list[BoardRow]
    capabilities: list[Capability]
    horizon: date
    at: datetime
    total_free: int = field(init=False)
    total_coming: int = field(init=False)

    def __post_init__(self) -> None:
        self.total_free = sum(r.free_now for r in self.rows)
        self.total_coming = sum(r.coming_free for r in self.rows)


def build_board(state: ServiceState, *, now: datetime, capabilities: Iterable[Capability]) -> Board:
    """Free and coming-free places per cell for units that offer every chosen capability."""
    caps = frozenset(capabilities)
    horizon = now.date() + timedelta(days=HORIZON_DAYS)
    free_now = state.index.find(AvailabilityQuery(capabilities=caps, limit=None), now=now)
    free_later = state.index.find(
        AvailabilityQuery(capabilities=caps, by=horizon, limit=None), now=now
    )
    now_by_unit = {a.view.unit_id: a.free for a in free_now.units}
    cells: dict[tuple[CareForm, Municipality, AgeBand], BoardRow] = {}
    for view in state.index.views(now=now):
        if not caps <= view.capabilities:
            continue
        for band, (low, high) in BAND_RANGE.items():
            if view.age_min <= high and view.age_max >= low:
                key = (view.care_form, view.municipality, band)
                cells.setdefault(key, BoardRow(*key))
    for answer in free_later.units:
        view = answer.view
        coming = max(0, answer.free - now_by_unit.get(view.unit_id, 0))
        upcoming = [d for d in view.expected_departures if now.date() < d <= horizon]
        for row in _rows_of(cells, view.care_form, view.municipality, view.age_min, view.age_max):
            row.coming_free += coming
            if coming and upcoming:
                first = upcoming[0]
                row.expected = first if row.expected is None else min(row.expected, first)
    for answer in free_now.units:
        view = answer.view
        for row in _rows_of(cells, view.care_form, view.municipality, view.age_min, view.age_max):
            row.free_now += answer.free
    rows = [cells[k] for k in sorted(cells)]
    return Board(rows=rows, capabilities=sorted(caps), horizon=horizon, at=now)


def _rows_of(
    cells: dict[tuple[CareForm, Municipality, AgeBand], BoardRow],
    form: CareForm,
    place: Municipality,
    age_min: int,
    age_max: int,
) -> list[BoardRow]:
    return [
        cells[(form, place, band)]
        for band, (low, high) in BAND_RANGE.items()
        if age_min <= high and age_max >= low and (form, place, band) in cells
    ]


class BoardFeed:
    """Wakes every open board when the live view publishes a capacity change."""

    def __init__(self, state: ServiceState, *, poll_seconds: float = 0.25) -> None:
        self.state = state
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._stop: threading.Event | None = None

    @property
    def listeners(self) -> int:
        """How many streams are open now."""
        with self._lock:
            return len(self._listeners)

    def listen(self) -> asyncio.Event:
        """Register the calling stream; starts the listening thread when it is the first."""
        wake = asyncio.Event()
        with self._lock:
            self._listeners.add((asyncio.get_running_loop(), wake))
            if self._stop is None:
                self._stop = threading.Event()
                threading.Thread(
                    target=self._run, args=(self._stop,), name="board-feed", daemon=True
                ).start()
        return wake

    def leave(self, wake: asyncio.Event) -> None:
        """Unregister a stream; the thread stops with the last one."""
        with self._lock:
            self._listeners = {item for item in self._listeners if item[1] is not wake}
            if not self._listeners and self._stop is not None:
                self._stop.set()
                self._stop = None

    def _wake_all(self) -> None:
        with self._lock:
            targets = list(self._listeners)
        for loop, wake in targets:
            if not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)

    def _run(self, stop: threading.Event) -> None:
        subscription = None
        lost = False
        while not stop.is_set():
            try:
                if subscription is None:
                    subscription = self.state.sync.live.subscribe()
                    if lost:  # changes may have been missed while unsubscribed
                        self._wake_all()
                    lost = False
                change = subscription.get(timeout=self.poll_seconds)
            except LiveViewUnavailable:
                subscription, lost = None, True
                stop.wait(1.0)
                continue
            if change is not None:
                # Idempotent (versioned): the index is current before the boards redraw,
                # even in a process whose capacity worker has not applied the event yet.
                self.state.index.apply_event(change)
                self._wake_all()
        if subscription is not None:
            with suppress(LiveViewUnavailable):
                subscription.close()


def feed_of(request: Request) -> BoardFeed:
    """The app's board feed (made on first use)."""
    feed: BoardFeed | None = getattr(request.app.state, "board_feed", None)
    if feed is None:
        feed = BoardFeed(request.app.state.servicepunt)
        request.app.state.board_feed = feed
    return feed


def _sse(event: str, html: str) -> str:
    lines = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


def _render_board(state: ServiceState, capabilities: list[Capability]) -> str:
    board = build_board(state, now=state.clock(), capabilities=capabilities)
    return render_text("_board.html", board=board)


def stream_viewer(request: Request, state: StateDep) -> WebSession:
    """The board's viewer, checked with a short database session of its own.

    A stream lasts long: it must not keep a database session (and its locks) open.
    """
    with Session(state.engine) as session:
        web = session_user(request, session, state.clock())
    if web is None:
        raise LoginRequired
    if web.role not in BOARD_ROLES:
        raise PageForbidden
    return web


def _still_signed_in(request: Request, state: ServiceState) -> bool:
    with Session(state.engine) as session:
        return session_user(request, session, state.clock()) is not None


@router.get("/bord/stream")
async def board_stream(
    request: Request,
    web: Annotated[WebSession, Depends(stream_viewer)],
    state: StateDep,
    capability: Capabilities = None,
) -> StreamingResponse:
    """Server-sent events: the board's table, again after every capacity change."""
    caps = sorted(set(capability or ()))
    feed = feed_of(request)

    async def events() -> AsyncIterator[str]:
        wake = feed.listen()
        try:
            yield "retry: 2000\n\n"
            yield _sse("bord", await run_in_threadpool(_render_board, state, caps))
            quiet_since = time.monotonic()
            while not await request.is_disconnected():
                try:
                    # Short waits, so a closed connection is noticed within a second.
                    await asyncio.wait_for(wake.wait(), timeout=DISCONNECT_POLL_SECONDS)
                except TimeoutError:
                    if time.monotonic() - quiet_since < KEEPALIVE_SECONDS:
                        continue
                    # A revoked token or an expired session ends the stream too.
                    if not await run_in_threadpool(_still_signed_in, request, state):
                        break
                    quiet_since = time.monotonic()
                    yield ": nog verbonden\n\n"
                    continue
                quiet_since = time.monotonic()
                wake.clear()
                yield _sse("bord", await run_in_threadpool(_render_board, state, caps))
        finally:
            feed.leave(wake)

    headers = SECURITY_HEADERS | {"X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/verwijzer")
def verwijzer_home(
    web: Verwijzer,
    state: StateDep,
    session: SessionDep,
    now: NowDep,
    capability: Capabilities = None,
    ingetrokken: str = "",
) -> HTMLResponse:
    """The verwijzer's page: the live board and their own referrals with their status."""
    caps = sorted(set(capability or ()))
    board = build_board(state, now=now, capabilities=caps)
    referrals = session.exec(
        select(Referral)
        .where(Referral.verwijzer_user_id == web.user.id)
        .order_by(col(Referral.created_at).desc())
        .limit(200)
    ).all()
    audit_reads(session, web, [r.id for r in referrals], via="GET /verwijzer", now=now)
    return page(
        "verwijzer.html",
        web,
        board=board,
        chosen=set(caps),
        referrals=referrals,
        # The table says which of them the verwijzer may still withdraw.
        withdrawable={
            r.id for r in referrals if Action.WITHDRAW in offered(r.status, Actor.VERWIJZER)
        },
        withdrawn=ingetrokken == "1",
        stream_query="&".join(f"vaardigheid={c.value}" for c in caps),
    )
