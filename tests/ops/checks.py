"""What the fault tests check in the ledger: no overbooking, placements all-or-nothing,
the availability every worker answers equals the ledger's."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine, text
from sqlmodel import Session

from capacity.queries import AvailabilityIndex, AvailabilityQuery
from capacity.views import load_states


def overbooked_units(engine: Engine) -> list[str]:
    """Units with more occupants and active holds than places, now."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        states = load_states(session, now=now)
    return [s.unit_id for s in states if s.view.occupied + s.held_at(now) > s.capacity]


def ledger_free_total(engine: Engine) -> int:
    """Total free places now by the ledger, as GET /availability (no filter) counts them."""
    now = datetime.now(UTC)
    index = AvailabilityIndex()
    with Session(engine) as session:
        index.load(load_states(session, now=now))
    return index.find(AvailabilityQuery(limit=500), now=now).total_free


def answered_free_totals(base_url: str, headers: dict[str, str], times: int = 12) -> set[int]:
    """total_free of GET /availability over several requests (both workers answer some)."""
    totals = set()
    for _ in range(times):
        # A new connection per request, so the kernel spreads them over the workers.
        answer = httpx.get(f"{base_url}/api/v1/availability?limit=500", headers=headers, timeout=5)
        assert answer.status_code == 200, answer.text
        totals.add(int(answer.json()["total_free"]))
    return totals


def eventually(check: Callable[[], bool], timeout: float = 15.0, step: float = 0.25) -> bool:
    """True as soon as `check` holds; False if it never did within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def half_written_placements(engine: Engine) -> list[str]:
    """Placements partly there (status, open stay, confirmed hold disagree), described."""
    sql = text(
        """
        SELECT 'referral ' || r.status || ' hold ' || coalesce(h.state, '-')
               || ' stay ' || coalesce(o.id, '-') FROM workflow_referral r
        LEFT JOIN capacity_occupancy o ON o.id = r.occupancy_id
        LEFT JOIN capacity_hold h ON h.id = coalesce(r.hold_id, o.hold_id)
        WHERE (r.status = 'geplaatst') <> (o.id IS NOT NULL AND o.ended_on IS NULL)
           OR (r.status = 'geplaatst' AND (h.state IS DISTINCT FROM 'confirmed'
                                           OR o.hold_id IS DISTINCT FROM h.id))
           OR (r.status = 'vastgehouden' AND h.state IS DISTINCT FROM 'active')
        UNION
        SELECT 'stay without referral ' || o.id FROM capacity_occupancy o
        WHERE o.hold_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM workflow_referral r WHERE r.occupancy_id = o.id)
        UNION
        SELECT 'confirmed hold without stay ' || h.id FROM capacity_hold h
        WHERE h.state = 'confirmed' AND NOT EXISTS (
            SELECT 1 FROM capacity_occupancy o WHERE o.hold_id = h.id)
        """
    )
    with engine.connect() as conn:
        return [str(row[0]) for row in conn.execute(sql)]
