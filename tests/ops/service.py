"""Run the service as real uvicorn processes (one master, N workers) for the ops tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from api.demo import seed_demo
from benchmarks.harness import free_port
from capacity import db as capacity_db

ROOT = Path(__file__).resolve().parents[2]
SHARED_PG = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "ops-test-secret"


@dataclass
class Service:
    """A running multi-worker service and what a test needs to talk to it."""

    base_url: str
    tokens: dict[str, str]
    database_url: str
    redis_url: str
    prefix: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def headers(self, user: str = "demo-servicepunt") -> dict[str, str]:
        """Bearer header of a demo user."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def workers(self) -> list[int]:
        """Process ids of the uvicorn workers (children of the master)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid and b"spawn_main" in cmdline:
                found.append(int(entry.name))
        return sorted(found)

    def engine(self) -> Engine:
        """A fresh engine on the service's database (dispose it after use)."""
        return capacity_db.make_engine(self.database_url)


@contextmanager
def database(admin_url: str = SHARED_PG, *, template: str | None = None) -> Iterator[str]:
    """A new database on a PostgreSQL server (empty, or a copy of `template`), dropped on exit."""
    name = f"ops_{uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


def seed(database_url: str) -> dict[str, str]:
    """Migrate and load the demo region; the demo users' tokens."""
    capacity_db.migrate(database_url)
    engine = capacity_db.make_engine(database_url)
    try:
        return seed_demo(engine, now=datetime.now(UTC), secret_key=SECRET, history_days=30)
    finally:
        engine.dispose()


@contextmanager
def running(
    database_url: str,
    tokens: dict[str, str],
    *,
    redis_url: str = SHARED_REDIS,
    workers: int = 2,
    env: dict[str, str] | None = None,
    log_dir: Path,
) -> Iterator[Service]:
    """uvicorn --workers N on the database and Redis; terminated (and keys removed) on exit."""
    prefix = f"test:ops:{uuid4().hex}:"
    port = free_port()
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SERVICEPUNT_REDIS_PREFIX": prefix,
        "SERVICEPUNT_SECRET_KEY": SECRET,
        "SERVICEPUNT_SWEEP_SECONDS": "1",
    }
    environment |= env or {}
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--timeout-graceful-shutdown", "20", "--log-config", "api/log_config.json"]
    log_path = log_dir / f"uvicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    service = Service(
        f"http://127.0.0.1:{port}", tokens, database_url, redis_url, prefix, process, log_path
    )
    try:
        wait_ready(service, workers=workers)
        yield service
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _drop_keys(redis_url, prefix)


def _drop_keys(redis_url: str, prefix: str) -> None:
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # a private Redis that is already gone


def wait_ready(service: Service, *, workers: int, timeout: float = 60.0) -> None:
    """Wait until every worker runs and /health answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(service.log_path.read_text(errors="replace")[-3000:])
        try:
            ok = httpx.get(f"{service.base_url}/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok and len(service.workers()) == workers:
            return
        time.sleep(0.2)
    raise RuntimeError("service did not come up")


def add_places(database_url: str, places: int) -> None:
    """Give every open unit more places (before the service starts), so tests can place."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE capacity_unit SET places = places + :n"), {"n": places})
    finally:
        engine.dispose()


def copy_database(source_url: str, target_url: str) -> None:
    """Copy a database to another server (pg_dump | psql), e.g. into a private cluster."""
    plain = [u.replace("+psycopg", "") for u in (source_url, target_url)]
    dump = subprocess.run(
        ["pg_dump", "--no-owner", plain[0]], check=True, capture_output=True
    ).stdout
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", plain[1]],
        input=dump,
        check=True,
        capture_output=True,
    )
