"""A hold that ends by itself (expiry, or its unit closing) puts the referral back to
'voorgesteld' with a note the servicepunt sees: by the sweep, by the closure itself, or at
the latest by the next step on the referral. Over HTTP on both backends (see conftest)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api import hold_endings
from api.app import create_app
from api.settings import Settings
from capacity import db as capacity_db
from capacity.models import Hold
from domain.vocabulary import HoldState
from placements import hold_endings as hold_endings_service
from placements.models import Referral
from tests.api.api_support import T0, Api, Clock, seed_region
from tests.api.workflow_support import audit_of, hold, proposed, referral, state_of


def test_expired_hold_puts_the_referral_back_when_the_sweep_runs(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid, hours=1).status_code == 201
    api.clock.advance(hours=1, minutes=1)
    expired, _, moved = hold_endings.sweep(state_of(api), now=api.clock())
    assert (expired, moved) == (1, [rid])
    after = referral(api, rid)
    assert after["status"] == "voorgesteld"
    assert "verlopen" in after["status_note"] and "groep lely" in after["status_note"]
    assert ("update", "systeem", "systeem", hold_endings.VIA_SWEEP) in audit_of(api, rid)
    # A second sweep (another process) finds nothing left to move.
    assert hold_endings.sweep(state_of(api), now=api.clock())[2] == []
    # Not a dead end: a new hold, then a decision, work; the note is answered.
    assert hold(api, rid).status_code == 201
    assert referral(api, rid)["status_note"] is None
    placed = api.call("POST", f"/api/v1/referrals/{rid}/decision", "sp", json={"outcome": "accept"})
    assert placed.status_code == 200 and placed.json()["status"] == "geplaatst"


STEPS: dict[str, tuple[str, dict[str, Any] | None, int, str]] = {
    "accept": ("decision", {"outcome": "accept"}, 409, "voorgesteld"),
    "decline": ("decision", {"outcome": "decline", "reason_code": "afstand"}, 409, "voorgesteld"),
    "withdraw": ("withdraw", {"withdrawal_reason": "alternatief"}, 200, "ingetrokken"),
    "new_hold": ("hold", {}, 201, "vastgehouden"),
    "proposals": ("proposals", None, 200, "voorgesteld"),
    "bridging": ("bridging", {"bridging_care": "ambulant"}, 200, "voorgesteld"),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_step_on_an_expired_hold_before_the_sweep_is_never_a_dead_end(
    api: Api, step: str
) -> None:
    path, body, code, status = STEPS[step]
    rid = proposed(api)
    assert hold(api, rid, hours=1).status_code == 201
    api.clock.advance(hours=2)  # expired; no sweep has run
    if path == "hold":
        body = {"unit_id": api.units["gezinshuis_alm"]}
    answer = api.call("POST", f"/api/v1/referrals/{rid}/{path}", "sp", json=body)
    assert answer.status_code == code, answer.text
    after = referral(api, rid)
    assert after["status"] == status
    if code == 409:
        # Refused, but committed back to 'voorgesteld', with the reason in the note.
        assert "verlopen" in answer.json()["detail"]
        assert "verlopen" in after["status_note"]
    if status == "voorgesteld":
        assert hold(api, rid).status_code == 201  # ...and from there it moves on
    vias = [via for _, role, _, via in audit_of(api, rid) if role == "servicepunt"]
    assert any(via.endswith("(hold ended)") for via in vias)


def test_unit_closure_today_puts_the_held_referral_back_at_once(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid).status_code == 201
    closed = api.call(
        "POST",
        f"/api/v1/units/{api.units['groep_lely']}/capacity-changes",
        "aanbieder",
        json={"kind": "unit_closing", "effective_on": "2026-11-23"},
    )
    assert closed.status_code == 201, closed.text
    after = referral(api, rid)
    assert after["status"] == "voorgesteld"
    assert "eenheid sluit" in after["status_note"]
    assert any(role == "aanbieder" for _, role, _, _ in audit_of(api, rid))
    assert hold(api, rid, unit="gezinshuis_alm").status_code == 201


def test_scheduled_unit_closure_puts_the_held_referral_back_when_the_sweep_applies_it(
    api: Api,
) -> None:
    rid = proposed(api)
    assert hold(api, rid, hours=72).status_code == 201
    planned = api.call(
        "POST",
        f"/api/v1/units/{api.units['groep_lely']}/capacity-changes",
        "aanbieder",
        json={"kind": "unit_closing", "effective_on": "2026-11-24"},
    )
    assert planned.status_code == 201, planned.text
    assert referral(api, rid)["status"] == "vastgehouden"  # the hold still stands today
    api.clock.advance(days=1)
    _, applied, moved = hold_endings.sweep(state_of(api), now=api.clock())
    assert (applied, moved) == (1, [rid])
    after = referral(api, rid)
    assert after["status"] == "voorgesteld" and "eenheid sluit" in after["status_note"]
    with Session(state_of(api).engine) as session:
        holds = session.exec(select(Hold).where(Hold.referral_ref == rid)).all()
        assert [h.state for h in holds] == [HoldState.RELEASED.value]


def _stale_copy(api: Api, rid: str) -> tuple[Session, Referral, Hold]:
    """A session that read the referral and its hold (as a sweep in another process does)."""
    session = Session(state_of(api).engine, expire_on_commit=False)
    stale = session.get(Referral, rid)
    assert stale is not None and stale.hold_id is not None
    stale_hold = session.get(Hold, stale.hold_id)
    assert stale_hold is not None
    session.commit()  # keeps its copies; SQLite would otherwise hold its lock from the read
    return session, stale, stale_hold


def test_a_late_settle_never_undoes_a_decision_committed_meanwhile(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid, hours=1).status_code == 201
    session, stale, stale_hold = _stale_copy(api, rid)
    declined = api.call(
        "POST",
        f"/api/v1/referrals/{rid}/decision",
        "sp",
        json={"outcome": "decline", "reason_code": "afstand"},
    )
    assert declined.status_code == 200, declined.text
    later = api.clock() + timedelta(hours=2)
    with session:
        assert not hold_endings_service.settle(session, stale, stale_hold, later)
        session.commit()
    after = referral(api, rid)
    assert (after["status"], after["status_note"]) == ("voorgesteld", None)


def test_a_late_settle_never_ends_the_new_hold_placed_meanwhile(api: Api) -> None:
    rid = proposed(api)
    assert hold(api, rid, hours=1).status_code == 201
    session, stale, stale_hold = _stale_copy(api, rid)
    api.clock.advance(hours=2)
    # Another process moved it on and a new hold was placed...
    assert hold(api, rid, unit="gezinshuis_alm").status_code == 201
    # ...so the stale sweep's move finds nothing to do.
    with session:
        assert not hold_endings_service.settle(session, stale, stale_hold, api.clock())
        session.commit()
    after = referral(api, rid)
    assert after["status"] == "vastgehouden"
    with Session(state_of(api).engine) as check:
        current = check.get(Referral, rid)
        assert current is not None and current.hold_id != stale_hold.id


def test_sweeps_of_two_processes_at_once_move_the_referral_once(api: Api) -> None:
    rids = [proposed(api, f"kind-000{n}") for n in range(3)]
    for rid in rids:
        assert hold(api, rid, hours=1).status_code == 201
    api.clock.advance(hours=2)
    state, now = state_of(api), api.clock()
    start = threading.Barrier(2)

    def sweep() -> list[str]:
        start.wait()
        return hold_endings.sweep(state, now=now)[2]

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: sweep(), range(2)))
    assert sorted(results[0] + results[1]) == sorted(rids)
    for rid in rids:
        assert referral(api, rid)["status"] == "voorgesteld"
        entries = [e for e in audit_of(api, rid) if e[1] == "systeem"]
        assert len(entries) == 1, entries


def test_the_background_sweep_of_a_running_app_moves_the_referral(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'sweep.db'}",
        secret_key="test-secret",
        sweep_seconds=0.05,
        simulation_runner="external",
    )
    capacity_db.migrate(settings.database_url)
    engine = capacity_db.make_engine(settings.database_url)
    region = seed_region(engine)
    engine.dispose()
    clock = Clock(T0)
    app = create_app(settings, clock=clock, background=True)
    with TestClient(app) as client:
        running = Api(
            client=client,
            clock=clock,
            backend="embedded",
            tokens=region.tokens,
            units=region.units,
            providers=region.providers,
        )
        rid = proposed(running)
        assert hold(running, rid, hours=1).status_code == 201
        clock.advance(hours=2)
        deadline = time.monotonic() + 10
        while referral(running, rid)["status"] != "voorgesteld":
            assert time.monotonic() < deadline, "the background sweep did not move it"
            time.sleep(0.05)
        assert "verlopen" in referral(running, rid)["status_note"]
