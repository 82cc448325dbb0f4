"""Helpers shared by the capacity tests (constants, the Backend pair, table dumps)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, SQLModel

from capacity import db as capacity_db
from capacity import service as capacity_service
from capacity.live import LiveView
from capacity.models import TABLES, Unit, capacity_tables
from capacity.queries import AvailabilityIndex
from capacity.sync import CapacitySync
from domain.care import CareForm
from domain.places import Municipality
from domain.profile_vocabulary import Capability

PG_ADMIN_URL = os.environ.get(
    "CAPACITY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CAPACITY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# A fixed, timezone-aware test clock: the service never reads the wall clock.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
TABLE_NAMES = [model.__tablename__ for model in TABLES]


LELYSTAD = Municipality("lelystad")


@contextmanager
def temporary_pg_database(prefix: str, admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A fresh, empty PostgreSQL database named `prefix_<random>`, dropped afterwards."""
    name = f"{prefix}_{uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def empty_database(kind: str, tmp_path: Path, prefix: str) -> Iterator[str]:
    """The URL of an empty database of `kind` ('sqlite' or 'postgresql'), for migration tests."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{prefix}.db'}"
        return
    with temporary_pg_database(prefix) as url:
        yield url


def alembic_config(url: str) -> Config:
    """The project's Alembic configuration, pointed at `url`."""
    config = Config(str(capacity_db.ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    return config


def sqlite_engine(path: Path) -> Engine:
    """An SQLite engine on a file with the capacity tables."""
    engine = capacity_db.make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine, tables=capacity_tables())
    return engine


@dataclass
class Backend:
    """One ledger + live view pair under test, with small helpers to build units."""

    name: str
    engine: Engine
    url: str
    live: LiveView
    redis_url: str | None = None
    prefix: str | None = None
    index: AvailabilityIndex = field(default_factory=AvailabilityIndex)

    def __post_init__(self) -> None:
        self.sync = CapacitySync(self.live, index=self.index, clock=lambda: T0)

    def session(self) -> Session:
        """A plain session (not mirrored)."""
        return Session(self.engine, expire_on_commit=False)

    def unit(
        self,
        *,
        places: int = 6,
        care_form: CareForm = CareForm.BEHANDELGROEP,
        municipality: Municipality = LELYSTAD,
        age: tuple[int, int] = (12, 17),
        capabilities: tuple[Capability, ...] = (),
        occupied: int = 0,
    ) -> str:
        """Create a unit (with its provider and location) and `occupied` children in it."""
        with self.sync.transaction(self.engine) as session:
            tag = uuid4().hex[:10]
            provider = capacity_service.create_provider(session, name=f"Aanbieder {tag}")
            location = capacity_service.create_location(
                session, provider_id=provider.id, name=f"Locatie {tag}", municipality=municipality
            )
            unit = capacity_service.create_unit(
                session,
                location_id=location.id,
                name=f"Eenheid {tag}",
                care_form=care_form,
                places=places,
                age_min=age[0],
                age_max=age[1],
                capabilities=capabilities,
            )
            for i in range(occupied):
                capacity_service.record_admission(
                    session,
                    unit_id=unit.id,
                    child_ref=f"k-{tag}-{i}",
                    since=TODAY - timedelta(days=30 + i),
                    now=T0,
                )
            return unit.id

    def places(self, unit_id: str) -> int:
        """The unit's places in the ledger."""
        with self.session() as session:
            unit = session.get(Unit, unit_id)
            assert unit is not None
            return unit.places


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every capacity table, sorted: to prove that nothing changed."""
    out = {}
    with engine.connect() as conn:
        for name in TABLE_NAMES:
            rows = conn.execute(text(f"SELECT * FROM {name}")).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out
