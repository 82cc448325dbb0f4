"""Fixtures for the capacity tests: the embedded backend and the real PostgreSQL + Redis.

Every test that takes `backend` runs twice: on SQLite with the in-process live view, and
on PostgreSQL with Redis. The real services are required: if they cannot be reached the
PostgreSQL/Redis variants fail (they are never skipped). Each xdist worker gets its own
PostgreSQL database; each test its own Redis key prefix, removed afterwards.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import redis
from sqlalchemy import Engine, text

from capacity import db as capacity_db
from capacity.live import MemoryLiveView
from capacity.live_redis import RedisLiveView
from tests.capacity.capacity_support import (
    REDIS_URL,
    TABLE_NAMES,
    Backend,
    sqlite_engine,
    temporary_pg_database,
)


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> Iterator[str]:
    """A private PostgreSQL database for this xdist worker, migrated to head."""
    with temporary_pg_database(f"capacity_{worker_id}") as url:
        capacity_db.migrate(url)
        yield url


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """An engine on the worker's database, emptied before the test."""
    engine = capacity_db.make_engine(pg_url, pool_size=10, max_overflow=20)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLE_NAMES)} CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    """A client of the shared Redis (fails, never skips, when Redis is down)."""
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A key prefix of this test only; its keys are deleted afterwards."""
    prefix = f"test:capacity:{uuid4().hex}:"
    yield prefix
    keys = list(redis_client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture(params=["embedded", "postgres_redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Both backends in turn: SQLite + in-process, and PostgreSQL + Redis."""
    if request.param == "embedded":
        engine = sqlite_engine(tmp_path / "capacity.db")
        yield Backend("embedded", engine, str(engine.url), MemoryLiveView())
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_engine")
    client = request.getfixturevalue("redis_client")
    prefix = request.getfixturevalue("redis_prefix")
    live = RedisLiveView(client, prefix=prefix)
    yield Backend(
        "postgres_redis", engine, engine.url.render_as_string(False), live, REDIS_URL, prefix
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_redis() -> Iterator[str]:
    """A Redis server of this test alone, so FLUSHALL harms nobody else's data."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is required for the flush test"
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.ping()
        client.close()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
