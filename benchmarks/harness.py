"""Shared pieces of the HTTP benchmarks: a seeded PostgreSQL + Redis service with N workers,
and the JSON results (the load generator is benchmarks/loadgen.py)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import redis
from sqlalchemy import create_engine, text

from api.demo import seed_demo
from benchmarks.loadgen import Answer, RawClient, Request
from capacity import db as capacity_db
from domain.places import region_municipalities

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

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (the supervisor itself when it runs one worker)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children] or [pid]

    def cpu_seconds(self) -> float:
        """CPU time used so far by the uvicorn workers."""
        total = 0
        for child in self.worker_pids():
            stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(stat[11]) + int(stat[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")


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


MUNICIPALITIES = tuple(str(m) for m in region_municipalities())


def referral_payload(i: int, prefix: str) -> dict[str, Any]:
    """A regular referral (no personal data) that varies with i: age 4-17, the six
    municipalities, three severities, so that proposals spread over the region's units."""
    age = 4 + i % 14
    home = MUNICIPALITIES[i % len(MUNICIPALITIES)]
    profile = {
        "age": age,
        "reference_date": "2026-11-23",
        "sex": "m" if i % 2 else "v",
        "capj": ["A200"],
        "severity": ("licht", "matig", "ernstig")[i % 3],
        "complexity": ("enkelvoudig", "meervoudig")[i % 2],
        "externalising": "licht",
        "trauma": i % 4 == 0,
        "earlier_placements": i % 3,
        "parents_view": "ambivalent",
        "child_agrees": True,
        "perspective": "terug_naar_huis",
        "home_municipality": home,
    }
    intake = {
        "case_start_date": "2026-11-01",
        "beschikking_date": "2026-11-20",
        "age": age,
        "perspective": "terug_naar_huis",
        "future_municipality": home,
        "woonplaats": {"stay": "geen", "brp_residence": home},
    }
    return {"child_ref": f"{prefix}-{i:05d}", "verwijzer_type": "01", "profile": profile} | {
        "intake": intake
    }


def proposed_referrals(
    base: str, headers: dict[str, str], count: int, *, prefix: str
) -> list[tuple[str, list[str]]]:
    """Create, advise and propose `count` referrals (16 at a time): (id, units free now)."""

    async def all_of_them() -> list[tuple[str, list[str]]]:
        limit = asyncio.Semaphore(16)
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:

            async def one(i: int) -> tuple[str, list[str]]:
                async with limit:
                    made = await client.post("/api/v1/referrals", json=referral_payload(i, prefix))
                    rid = made.json()["id"]
                    await client.post(f"/api/v1/referrals/{rid}/advice")
                    answer = await client.post(f"/api/v1/referrals/{rid}/proposals")
                    units = [
                        p["unit_id"]
                        for p in answer.json()["proposals"]
                        if p["unit_id"] and p["kind"].endswith("_now")
                    ]
                    return rid, units

            return await asyncio.gather(*(one(i) for i in range(count)))

    return [(rid, units) for rid, units in asyncio.run(all_of_them()) if units]


def staff_requests(headers: dict[str, str], waiting: Sequence[str]) -> tuple[Request, Request]:
    """GET availability (a 14-year-old, in region) and POST proposals (waiting in turn)."""
    counter = itertools.count()

    def availability(client: RawClient) -> Awaitable[Answer]:
        return client.get("/api/v1/availability?age=14&region_only=true", headers=headers)

    def proposals(client: RawClient) -> Awaitable[Answer]:
        rid = waiting[next(counter) % len(waiting)]
        return client.post(f"/api/v1/referrals/{rid}/proposals", headers=headers)

    return availability, proposals


def write_results(name: str, data: dict[str, object]) -> Path:
    """Print the figures and store them as JSON under benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=2, sort_keys=True))
    return path
