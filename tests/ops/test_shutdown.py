"""Graceful shutdown: SIGTERM to the service lets requests already in flight finish."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.ops.checks import eventually, half_written_placements
from tests.ops.conftest import Template
from tests.ops.flows import held_referral
from tests.ops.service import database, running

pytestmark = pytest.mark.integration
IN_FLIGHT = 4


def test_sigterm_finishes_requests_in_flight(tmp_path: Path, template: Template) -> None:
    with (
        database(template=template.name) as url,
        running(url, template.tokens, log_dir=tmp_path) as service,
    ):
        headers = service.headers()
        with httpx.Client(base_url=service.base_url, timeout=10) as client:
            rids = [
                held_referral(client, headers, f"kind-stop-{i}", age=10 + i)
                for i in range(IN_FLIGHT)
            ]
        locker = create_engine(url, poolclass=NullPool)
        monitor = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        blocked = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )

        def waiting() -> int:
            with monitor.connect() as conn:
                return int(conn.execute(blocked).scalar_one())

        def place(rid: str) -> int:
            answer = httpx.post(
                f"{service.base_url}/api/v1/referrals/{rid}/decision",
                json={"outcome": "accept", "reason_code": "voorkeur_ouders"},
                headers=headers,
                timeout=30,
            )
            return answer.status_code

        try:
            with locker.connect() as conn, ThreadPoolExecutor(IN_FLIGHT) as pool:
                trans = conn.begin()
                # The placements block on the audit insert until the lock is released.
                conn.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
                futures = [pool.submit(place, rid) for rid in rids]
                assert eventually(lambda: waiting() == IN_FLIGHT)
                service.process.send_signal(signal.SIGTERM)
                time.sleep(1.0)
                assert service.process.poll() is None  # still draining
                trans.commit()
                statuses = [f.result() for f in futures]
            assert statuses == [200] * IN_FLIGHT
            assert service.process.wait(timeout=30) == 0
        finally:
            locker.dispose()
            monitor.dispose()
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                placed = conn.execute(
                    text(
                        "SELECT count(*) FROM workflow_referral "
                        "WHERE status = 'geplaatst' AND id = ANY(:ids)"
                    ),
                    {"ids": rids},
                ).scalar_one()
            assert placed == IN_FLIGHT
            assert half_written_placements(engine) == []
        finally:
            engine.dispose()
