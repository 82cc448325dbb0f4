"""Demo data: the Flevoland landscape, a user for every role, and about two years of history.

The history (api.demo_history) is the simulator's arrivals and departures acted out through
the real workflow. Every name, child and family here is invented. Seeding is idempotent:
an existing landscape is kept with its history; the demo users get fresh tokens every run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from api import accounts
from api.accounts import Role
from api.demo_history import HISTORY_DAYS, Actors, load_history, load_landscape
from capacity import db as capacity_db
from capacity.models import Unit
from domain.people import VerwijzerType
from placements.models import Referral

DEMO_USERS: list[tuple[str, Role, dict[str, Any]]] = [
    ("demo-servicepunt", Role.SERVICEPUNT, {}),
    ("demo-verwijzer", Role.VERWIJZER, {"verwijzer_type": VerwijzerType.GEMEENTE}),
    ("demo-aanbieder", Role.AANBIEDER, {"provider_id": "triade"}),
    ("demo-planner", Role.PLANNER, {}),
    ("demo-admin", Role.ADMIN, {}),
    ("demo-gedragswetenschapper", Role.GEDRAGSWETENSCHAPPER, {}),
    ("demo-gedragswetenschapper-2", Role.GEDRAGSWETENSCHAPPER, {}),
]


def _count(session: Session, model: type[Unit] | type[Referral]) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def seed_demo(
    engine: Engine,
    *,
    now: datetime,
    secret_key: str,
    seed: int = 2016,
    history_days: int = HISTORY_DAYS,
) -> dict[str, str]:
    """Fill an empty database with the demo region and its history (api.demo_history);
    returns fresh tokens of the demo users."""
    tokens: dict[str, str] = {}
    with capacity_db.transaction(engine) as session:
        empty = _count(session, Unit) == 0
        if empty:
            load_landscape(session, now=now, seed=seed, days=history_days)
        for username, role, extra in DEMO_USERS:
            exists = session.exec(
                select(accounts.User).where(accounts.User.username == username)
            ).first()
            if exists is None:
                accounts.create_user(session, username=username, role=role, now=now, **extra)
            accounts.revoke_tokens(session, username=username, now=now)
            tokens[username] = accounts.issue_token(
                session, username=username, now=now, label="demo", days=30
            )
        actors = Actors(
            verwijzer=accounts.get_user(session, username="demo-verwijzer").id,
            servicepunt=accounts.get_user(session, username="demo-servicepunt").id,
            judges=(
                accounts.get_user(session, username="demo-gedragswetenschapper").id,
                accounts.get_user(session, username="demo-gedragswetenschapper-2").id,
            ),
        )
    if empty:
        load_history(engine, now=now, actors=actors, seed=seed, days=history_days)
    return tokens


def region_summary(engine: Engine) -> str:
    """One line on what the demo database holds."""
    with Session(engine) as session:
        units = _count(session, Unit)
        referrals = _count(session, Referral)
    return f"{units} eenheden, {referrals} aanmeldingen"
