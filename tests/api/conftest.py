"""An API under test on both backends, with users of every role and a small region.

`api` runs each test twice: SQLite + in-process capacity store, and PostgreSQL + Redis.
The real services are required; if they are down these tests fail, never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from api.settings import Settings
from capacity import db as capacity_db
from tests.api.api_support import T0, Api, Clock, seed_region
from tests.capacity.capacity_support import temporary_pg_database

PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def pg_database(worker_id: str) -> Iterator[str]:
    """A private PostgreSQL database for this xdist worker."""
    with temporary_pg_database(f"api_{worker_id}", PG_ADMIN_URL) as url:
        yield url


def reset_pg(url: str) -> None:
    """Migrate a test database and empty every table."""
    capacity_db.migrate(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        # The audit log refuses DELETE row by row; TRUNCATE is the test's reset, not the app's.
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["embedded", "postgres_redis"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """The API on one backend, seeded; each test gets a clean database and key prefix."""
    clock = Clock(T0)
    prefix = f"test:api:{uuid4().hex}:"
    if request.param == "embedded":
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'api.db'}", secret_key="test-secret"
        )
    else:
        url = request.getfixturevalue("pg_database")
        reset_pg(url)
        redis.Redis.from_url(REDIS_URL).ping()
        settings = Settings(
            database_url=url, redis_url=REDIS_URL, redis_prefix=prefix, secret_key="test-secret"
        )
    # Simulation jobs: results under the test's folder, one process (tests run in xdist).
    settings = settings.model_copy(
        update={"simulation_dir": tmp_path / "simulaties", "simulation_workers": 1}
    )
    capacity_db.migrate(settings.database_url)
    engine = capacity_db.make_engine(settings.database_url)
    region = seed_region(engine)
    engine.dispose()
    app = create_app(settings, clock=clock, background=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(
            client=client,
            clock=clock,
            backend=request.param,
            tokens=region.tokens,
            units=region.units,
            providers=region.providers,
        )
    if settings.redis_url:
        r = redis.Redis.from_url(settings.redis_url)
        keys = list(r.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            r.delete(*keys)
