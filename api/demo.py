"""Demo data: the selected region's landscape, a user for every role, and its history.

A region with a shipped scenario (Flevoland) gets about two years of history: the
simulator's arrivals and departures acted out through the real workflow (api.demo_history).
Another region gets a small waiting list of invented children. Every name, child and family
here is invented. Seeding is idempotent: an existing landscape is kept with its history and
referrals; the demo users get fresh tokens on every run.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from afwegingskader.intake_models import IntakeCase
from afwegingskader.models import Profile
from api import accounts
from api.demo_draws import history_scenario
from api.demo_history import HISTORY_DAYS, Actors, first_day, load_history
from capacity import db as capacity_db
from capacity.demo import demo_shares, region_landscape
from capacity.demo_load import load_with_services
from capacity.models import Unit
from domain.places import region_name
from domain.profile_vocabulary import VerwijzerType
from domain.vocabulary import BridgingCare, Role
from placements import service as workflow
from placements.models import Referral
from placements.schemas import ReferralCreate

DEMO_USERS: list[tuple[str, Role, dict[str, Any]]] = [
    ("demo-servicepunt", Role.SERVICEPUNT, {}),
    ("demo-verwijzer", Role.VERWIJZER, {"verwijzer_type": VerwijzerType.GEMEENTE}),
    ("demo-aanbieder", Role.AANBIEDER, {"provider_id": "triade"}),
    ("demo-planner", Role.PLANNER, {}),
    ("demo-admin", Role.ADMIN, {}),
    ("demo-gedragswetenschapper", Role.GEDRAGSWETENSCHAPPER, {}),
    ("demo-gedragswetenschapper-2", Role.GEDRAGSWETENSCHAPPER, {}),
    ("demo-regisseur", Role.PERSPECTIEFREGISSEUR, {}),
]
WAITING = 14


def _count(session: Session, model: type[Unit] | type[Referral]) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def _demo_referral(rng: random.Random, n: int, today: date) -> ReferralCreate:
    """A fictitious waiting child, with plausible profile and intake facts."""
    shares = demo_shares(region_name())
    municipality = rng.choices(list(shares), weights=list(shares.values()))[0]
    crisis = rng.random() < 0.2
    age = rng.choice([3, 6, 8, 10, 12, 13, 14, 15, 16, 17])
    start = today - timedelta(days=rng.randint(2, 40))
    perspective = rng.choice(["terug_naar_huis", "terug_naar_huis", "zelfstandig_wonen"])
    if age < 12 and perspective == "zelfstandig_wonen":
        perspective = "langdurig_verblijf"
    severe = rng.random() < 0.4
    profile = Profile.model_validate(
        {
            "age": age,
            "reference_date": today,
            "sex": rng.choice(["m", "v"]),
            "capj": rng.sample(["A200", "A100", "D100", "C100"], k=rng.randint(0, 2)),
            "severity": "ernstig" if severe else rng.choice(["licht", "matig"]),
            "complexity": rng.choice(["enkelvoudig", "meervoudig", "complex"]),
            "externalising": rng.choice(["geen", "licht", "matig", "ernstig"]),
            "treatment_need": rng.choice(["residentieel", "intensief_gezin"])
            if severe
            else rng.choice(["geen", "ambulant"]),
            "psychiatric": rng.random() < 0.15,
            "earlier_ambulant_help": rng.random() < 0.7,
            "parents_problems": rng.random() < 0.4,
            "trauma": rng.random() < 0.4,
            "lvb": rng.random() < 0.15,
            "earlier_placements": (placements := rng.randint(0, 3)),
            "earlier_breakdowns": rng.randint(0, placements),
            "parents_view": rng.choice(["steunend", "ambivalent", "afwijzend"]),
            "child_agrees": rng.random() < 0.6,
            "network_family_available": rng.random() < 0.3,
            "perspective": perspective,
            "crisis": crisis,
            "home_municipality": municipality,
        }
    )
    intake = IntakeCase.model_validate(
        {
            "case_start_date": start,
            "beschikking_date": start + timedelta(days=rng.randint(0, 2)),
            "crisis": crisis,
            "crisis_placement_date": start if crisis else None,
            "age": age,
            "perspective": perspective,
            "future_municipality": municipality if perspective != "langdurig_verblijf" else None,
            "woonplaats": {"stay": "geen", "brp_residence": municipality},
        }
    )
    bridging = rng.choice([BridgingCare.GEEN, BridgingCare.AMBULANT, BridgingCare.GEEN])
    return ReferralCreate(
        child_ref=f"demo-kind-{n:03d}", bridging_care=bridging, profile=profile, intake=intake
    )


def seed_demo(
    engine: Engine,
    *,
    now: datetime,
    secret_key: str,
    seed: int = 2016,
    history_days: int = HISTORY_DAYS,
) -> dict[str, str]:
    """Fill an empty database with the demo region and its history (or, for a region
    without a scenario, a waiting list); returns fresh tokens of the demo users."""
    tokens: dict[str, str] = {}
    scenario = history_scenario(region_name())
    start = first_day(now, history_days) if scenario is not None else now.date()
    with capacity_db.transaction(engine) as session:
        land = region_landscape(region_name(), seed=seed, today=start)
        empty = _count(session, Unit) == 0
        if empty:
            load_with_services(session, land, now=datetime.combine(start, time(8), tzinfo=UTC))
        for username, role, given in DEMO_USERS:
            extra = dict(given)
            if "provider_id" in extra and extra["provider_id"] not in land.providers:
                # Another region's demo has other providers: the demo provider is its first.
                extra["provider_id"] = next(iter(land.providers))
            exists = session.exec(
                select(accounts.User).where(accounts.User.username == username)
            ).first()
            if exists is None:
                accounts.create_user(session, username=username, role=role, now=now, **extra)
            accounts.revoke_tokens(session, username=username, now=now)
            tokens[username] = accounts.issue_token(
                session, username=username, now=now, label="demo", days=30
            )
        if scenario is None and _count(session, Referral) == 0:
            _waiting_list(session, now=now, secret_key=secret_key, seed=seed)
        actors = Actors(
            verwijzer=accounts.get_user(session, username="demo-verwijzer").id,
            servicepunt=accounts.get_user(session, username="demo-servicepunt").id,
            provider=accounts.get_user(session, username="demo-aanbieder").id,
            judges=(
                accounts.get_user(session, username="demo-gedragswetenschapper").id,
                accounts.get_user(session, username="demo-gedragswetenschapper-2").id,
            ),
        )
    if empty and scenario is not None:
        load_history(engine, land, scenario, now=now, actors=actors, seed=seed, days=history_days)
    return tokens


def _waiting_list(session: Session, *, now: datetime, secret_key: str, seed: int) -> None:
    """Invented waiting children, for a region without a scenario to draw a history from."""
    rng = random.Random(seed)
    verwijzer = accounts.get_user(session, username="demo-verwijzer")
    for n in range(WAITING):
        data = _demo_referral(rng, n, now.date())
        # Registered when the case started, so the waiting list shows real waits.
        registered = datetime.combine(data.intake.case_start_date, time(9), tzinfo=UTC)
        referral = workflow.create_referral(
            session,
            data=data,
            verwijzer_user_id=verwijzer.id,
            verwijzer_type=VerwijzerType.GEMEENTE,
            bsn_key=secret_key,
            now=min(registered, now),
        )
        workflow.advise(session, referral_id=referral.id, now=now)


def region_summary(engine: Engine) -> str:
    """One line on what the demo database holds."""
    with Session(engine) as session:
        units = _count(session, Unit)
        referrals = _count(session, Referral)
    return f"{units} eenheden, {referrals} aanmeldingen"
