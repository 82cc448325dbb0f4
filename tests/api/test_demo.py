"""The demo region: believable, idempotent, and its users can sign in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from api import accounts
from api.demo import seed_demo
from capacity import db as capacity_db
from capacity.models import Provider, Unit
from placements.models import OPEN_STATUSES, Referral
from tests.api.api_support import T0


@pytest.mark.region("flevoland")
def test_demo_seed_builds_the_region_once_and_rotates_tokens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    first = seed_demo(engine, now=T0, secret_key="k", history_days=60)
    with Session(engine) as session:
        once = {r.id for r in session.exec(select(Referral)).all()}
    second = seed_demo(engine, now=T0, secret_key="k", history_days=60)
    with Session(engine) as session:
        units = session.exec(select(Unit)).all()
        providers = {p.name for p in session.exec(select(Provider)).all()}
        referrals = session.exec(select(Referral)).all()
        assert 120 <= len(units) <= 180
        forms = Counter(u.care_form for u in units)
        assert forms["crisisgroep_12min"] >= 1 and forms["crisisgroep_12plus"] >= 1
        assert {"Triade/Vitree", "'s Heeren Loo", "Intermetzo/Pluryn", "Omega Groep"} <= providers
        # The history is loaded once: a second run adds no referral.
        assert {r.id for r in referrals} == once and all(r.first_best for r in referrals)
        assert any(r.status in OPEN_STATUSES for r in referrals)
        # Fresh tokens each run; the old ones are revoked.
        assert first.keys() == second.keys() and first != second
        assert accounts.authenticate(session, first["demo-planner"], now=T0) is None
        user = accounts.authenticate(session, second["demo-planner"], now=T0)
        assert user is not None and user.role == "planner"
    engine.dispose()


def test_demo_has_two_gedragswetenschappers_to_judge_gesloten(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    tokens = seed_demo(engine, now=T0, secret_key="k", history_days=60)
    with Session(engine) as session:
        judges = [
            accounts.authenticate(session, tokens[name], now=T0)
            for name in ("demo-gedragswetenschapper", "demo-gedragswetenschapper-2")
        ]
        assert [u.role if u else None for u in judges] == ["gedragswetenschapper"] * 2
    engine.dispose()
