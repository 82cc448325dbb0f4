"""Shared pieces of the HTTP benchmarks: a seeded PostgreSQL + Redis service with N workers,
and an open-loop load generator that keeps its request rate whatever the latency."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import redis
from sqlalchemy import create_engine, text

from api.demo import seed_demo
from capacity import db as capacity_db

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """A running service: its base URL, demo tokens and database URL."""

    base_url: str
    tokens: dict[str, str]
    database_url: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_service(
    *,
    workers: int = 2,
    prepare: Callable[[str], None] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Service]:
    """A fresh database seeded with the demo region, served by uvicorn with `workers`.

    `prepare` gets the database URL after seeding and before the service starts; `env`
    adds settings to the service's environment.
    """
    name = f"bench_{uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    prefix = f"bench:{name}:"
    capacity_db.migrate(url)
    engine = capacity_db.make_engine(url)
    tokens = seed_demo(engine, now=datetime.now(UTC), secret_key="bench-secret")
    engine.dispose()
    if prepare is not None:
        prepare(url)
    port = free_port()
    env = (
        os.environ
        | {
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "SERVICEPUNT_REDIS_PREFIX": prefix,
            "SERVICEPUNT_SECRET_KEY": "bench-secret",
        }
        | (env or {})
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        yield Service(base, tokens, url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait_ready(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("service did not come up")


Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclass
class Tally:
    """Latencies (ms) and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self) -> dict[str, float | int]:
        """Count, errors, p50 and p99 in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return {"count": 0, "errors": self.errors}
        return {
            "count": len(ordered),
            "errors": self.errors,
            "p50_ms": round(statistics.median(ordered), 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
            "max_ms": round(ordered[-1], 2),
        }


async def _open_loop(
    base: str, mix: Sequence[tuple[str, float, Request]], rate: float, seconds: float, seed: int
) -> dict[str, Tally]:
    rng = random.Random(seed)
    names = [name for name, _, _ in mix]
    weights = [weight for _, weight, _ in mix]
    by_name = {name: request for name, _, request in mix}
    tallies = {name: Tally() for name in names}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=10.0, limits=limits) as client:

        async def one(name: str) -> None:
            start = time.perf_counter()
            try:
                response = await by_name[name](client)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            elapsed = (time.perf_counter() - start) * 1000
            tally = tallies[name]
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if status == 0 or status >= 500:
                tally.errors += 1
            else:
                tally.latencies.append(elapsed)

        tasks = []
        begin = time.perf_counter()
        total = int(rate * seconds)
        for i in range(total):
            # Open loop: the i-th request is sent at i / rate, late answers do not slow it.
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(rng.choices(names, weights)[0])))
        await asyncio.gather(*tasks)
    return tallies


def run_load(
    base: str,
    mix: Sequence[tuple[str, float, Request]],
    *,
    rate: float,
    seconds: float,
    seed: int = 1,
) -> dict[str, Tally]:
    """Send `rate` requests a second for `seconds`, picking kinds by weight."""
    return asyncio.run(_open_loop(base, mix, rate, seconds, seed))


def write_results(name: str, data: dict[str, object]) -> Path:
    """Print the figures and store them as JSON under benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=2, sort_keys=True))
    return path
