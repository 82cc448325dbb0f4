"""The demo's history: its reports are non-empty and agree with the database, every run alike.

A shortened history (HISTORY days) keeps these fast; `make demo` loads about two years.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from api import audit
from api.app import create_app
from api.demo import seed_demo
from api.settings import Settings
from capacity import db as capacity_db
from capacity.models import Hold, Occupancy
from domain.vocabulary import ReferralStatus
from placements import reports
from placements.lifecycle_models import ProviderRequest
from placements.models import OPEN_STATUSES, AdviceJudgement, Decision, Deviation, Referral
from tests.api.api_support import T0, Clock

pytestmark = pytest.mark.region("flevoland")  # cases about Flevoland data

HISTORY = 120


def _seeded(path: Path) -> tuple[Engine, dict[str, str]]:
    url = f"sqlite:///{path}"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    return engine, seed_demo(engine, now=T0, secret_key="k", history_days=HISTORY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine, _ = _seeded(path)
    yield engine, path
    engine.dispose()


def _count(session: Session, query: Any) -> int:
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


def _rows(client: TestClient, url: str, token: str) -> list[dict[str, Any]]:
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def test_the_reports_show_the_history_and_match_the_database(
    demo: tuple[Engine, Path], tmp_path: Path
) -> None:
    engine, path = demo
    tokens = seed_demo(engine, now=T0, secret_key="k", history_days=HISTORY)  # idempotent
    settings = Settings(
        database_url=f"sqlite:///{path}",
        secret_key="k",
        simulation_dir=tmp_path / "simulaties",
        simulation_workers=1,
    )
    app = create_app(settings, clock=Clock(T0), background=False)
    token = tokens["demo-servicepunt"]
    with TestClient(app) as client:
        waiting = _rows(client, "/api/v1/waiting-list", token)
        first_best = _rows(client, "/api/v1/reports/first_best", token)
        reasons = _rows(client, "/api/v1/reports/afwijkingsredenen", token)
        per_month = _rows(client, "/api/v1/reports/afwijkingen", token)
        durations = _rows(client, "/api/v1/reports/doorlooptijd", token)
        judged = _rows(client, "/api/v1/reports/adviesoordelen", token)
    with Session(engine) as session:
        open_ = select(Referral).where(col(Referral.status).in_(sorted(OPEN_STATUSES)))
        placed = select(Referral).where(col(Referral.placed_on).is_not(None))
        in_first_best = placed.where(col(Referral.placed_form) == col(Referral.first_best))
        form_deviates = select(Deviation).where(col(Deviation.form_deviates))
        by_form = Counter(
            dict(
                session.exec(
                    select(Referral.placed_form, func.count())
                    .where(col(Referral.placed_on).is_not(None))
                    .group_by(col(Referral.placed_form))
                ).all()
            )
        )
        # Non-empty: children wait, are placed, deviate with a reason, and are judged.
        assert waiting and first_best and reasons and durations and judged
        assert len(waiting) == _count(session, open_)
        assert sum(r["plaatsingen"] for r in first_best) == _count(session, placed) > 0
        assert sum(r["first_best"] for r in first_best) == _count(session, in_first_best)
        assert sum(r["aantal"] for r in reasons) == _count(session, select(Deviation)) > 0
        assert sum(r["afwijking_zorgvorm"] for r in per_month) == _count(session, form_deviates)
        placements = Counter[str]()
        for row in durations:
            placements[row["zorgvorm"]] += row["plaatsingen"]
        assert placements == by_form and len(by_form) >= 3
        assert sum(r["oordelen"] for r in judged) == _count(session, select(AdviceJudgement))


def test_the_history_went_through_the_workflow(demo: tuple[Engine, Path]) -> None:
    engine, _ = demo
    with Session(engine) as session:
        statuses = Counter(session.exec(select(Referral.status)).all())
        # Every kind of ending a history has: placed, left again, withdrawn, still waiting.
        for status in ("geplaatst", "uitgestroomd", "ingetrokken"):
            assert statuses[ReferralStatus(status)] > 0, status
        assert any(statuses[s] for s in OPEN_STATUSES)
        outcomes = Counter(session.exec(select(Decision.outcome)).all())
        assert outcomes["accept"] == _count(
            session, select(Referral).where(col(Referral.placed_on).is_not(None))
        )
        # Providers answered every request for a held place, and refused some.
        answers = Counter(session.exec(select(ProviderRequest.state)).all())
        assert answers["geweigerd"] > 0 and answers["geaccepteerd"] >= outcomes["accept"]
        assert answers["open"] == 0
        # Each placement's stay came from its hold; the children of the first day left too.
        for referral in session.exec(select(Referral).where(col(Referral.placed_on).is_not(None))):
            stay = session.get(Occupancy, referral.occupancy_id)
            assert stay is not None and stay.hold_id is not None
            hold = session.get(Hold, stay.hold_id)
            assert hold is not None and hold.referral_ref == referral.id
        ended = select(Occupancy).where(col(Occupancy.ended_on).is_not(None))
        assert _count(session, ended.where(col(Occupancy.hold_id).is_(None))) > 0
        # A child's timeline: every step of a placed child in the audit log, in order.
        placed = session.exec(select(Referral).where(col(Referral.placed_on).is_not(None))).first()
        assert placed is not None
        steps = [e.via.rsplit(" ", 1)[1] for e in audit.entries_for(
            session, entity="referral", entity_id=placed.id)]  # fmt: skip
        assert steps[:3] == ["referrals", "advice", "judgements"]
        # ... then proposals, the hold, the provider's answer and the decision, perhaps a departure.
        tail = steps[-5:] if steps[-1] == "departure" else steps[-4:]
        assert tail[:4] == ["proposals", "hold", "answer", "decision"]
        # A deviation always has a reason; the created moments lie inside the history.
        assert all(d.reason_code for d in session.exec(select(Deviation)))
        first, last = session.exec(
            select(func.min(Referral.created_at), func.max(Referral.created_at))
        ).one()
        assert first is not None and last is not None
        assert (T0.date() - first.date()).days <= HISTORY and last.date() < T0.date()


def _figures(engine: Engine) -> dict[str, Any]:
    """What the pages show, without the generated ids."""
    with Session(engine) as session:
        tables = {
            "wachtlijst": [row[1:] for row in reports.waiting_list(session, today=T0.date()).rows],
            "first_best": reports.first_best_rate(session).rows,
            "afwijkingen": reports.deviations(session).rows,
            "redenen": reports.deviation_reasons(session).rows,
            "doorlooptijd": reports.time_to_placement(session).rows,
            "behoefte": reports.needed_vs_available(session, now=T0).rows,
        }
        referrals = sorted(
            (r.child_ref, r.status, r.first_best, r.placed_unit_id, r.placed_on, r.discharged_on)
            for r in session.exec(select(Referral))
        )
    return {"tables": tables, "referrals": referrals}


def test_the_history_is_the_same_every_run(demo: tuple[Engine, Path], tmp_path: Path) -> None:
    engine, _ = demo
    again, _ = _seeded(tmp_path / "again.db")
    try:
        first, second = _figures(engine), _figures(again)
    finally:
        again.dispose()
    assert first["referrals"] and first == second
