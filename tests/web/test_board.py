"""The availability board: counts per cell, the capability filter, expected free dates, and
the server-sent stream (pushes after a change, stops when the client goes away)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.web.board import build_board, feed_of
from capacity import service as capacity_service
from domain.profile_vocabulary import Capability
from tests.web.web_support import T0, Site, csrf_of, login


def _rows(site: Site, caps: tuple[Capability, ...] = ()) -> dict[str, Any]:
    board = build_board(site.app.state.servicepunt, now=T0, capabilities=caps)
    return {row.key: row for row in board.rows}


def _commit(site: Site, change: Any) -> None:
    state = site.app.state.servicepunt
    with state.sync.transaction(state.engine) as session:
        change(session)


def test_board_counts_filter_and_expected_dates(client: TestClient, site: Site) -> None:
    rows = _rows(site)
    assert rows["behandelgroep|GM0995|12-17"].free_now == 8
    assert rows["gezinshuis|GM0034|0-11"].free_now == 4  # 4-17 overlaps both bands
    crisis_only = _rows(site, (Capability.CRISIS,))
    assert set(crisis_only) == {"crisisgroep_12plus|GM0995|12-17"}
    unit = site.units["pleeg_lely"]
    _commit(
        site,
        lambda s: capacity_service.record_admission(
            s,
            unit_id=unit,
            child_ref="kind-0100",
            since=T0.date(),
            expected_end=T0.date().replace(day=30),
            now=T0,
        ),
    )
    row = _rows(site)["pleegzorg_bestand|GM0995|0-11"]
    assert (row.free_now, row.coming_free) == (0, 1)
    assert row.expected == T0.date().replace(day=30)
    page = login(client, site, "verwijzer").text
    assert 'data-cel="pleegzorg_bestand|GM0995|0-11"' in page and "30-11-2026" in page
    # The cell is keyed by code; the reader sees the municipality's name.
    assert ">Lelystad</td>" in page and ">GM0995</td>" not in page


def _next_board(lines: Iterator[str]) -> float:
    """Read until the next board event; returns when it arrived."""
    for line in lines:
        if line.startswith("event: bord"):
            return time.monotonic()
    raise AssertionError("stream ended without a board")


def test_stream_pushes_the_board_after_a_change_and_stops_on_disconnect(live: Site) -> None:
    client = httpx.Client(base_url=live.base_url, timeout=5)
    form = client.get("/inloggen")
    client.post(
        "/inloggen",
        data={
            "csrf": csrf_of(form.text),
            "gebruikersnaam": "planner",
            "token": live.tokens["planner"],
        },
    )
    feed = feed_of(SimpleNamespace(app=live.app))  # type: ignore[arg-type]
    with client.stream("GET", "/bord/stream") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        _next_board(lines)  # the board is sent at once
        assert feed.listeners == 1
        changed = time.monotonic()
        _commit(
            live,
            lambda s: capacity_service.record_admission(
                s, unit_id=live.units["pleeg_lely"], child_ref="kind-0200", since=T0.date(), now=T0
            ),
        )
        assert _next_board(lines) - changed < 2.0, "a committed change is pushed within 2 s"
    client.close()
    deadline = time.monotonic() + 3
    while feed.listeners and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed.listeners == 0, "a closed connection ends its stream"


def test_stream_refuses_roles_without_a_board(client: TestClient, site: Site) -> None:
    login(client, site, "admin")
    assert client.get("/bord/stream").status_code == 403
