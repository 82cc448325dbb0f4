"""An API worker is SIGKILLed in the middle of placements: each placement is either fully
there (referral placed, stay open, hold confirmed) or not there at all."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.ops.checks import eventually, half_written_placements, overbooked_units
from tests.ops.conftest import Template
from tests.ops.flows import held_referral
from tests.ops.procs import local_ports
from tests.ops.service import database, running

# Eight placements at once need the free places of the Flevoland demo (about 150 units).
pytestmark = [pytest.mark.integration, pytest.mark.region("flevoland")]
PLACEMENTS = 8
AGES = (9, 11, 13, 14, 15, 16, 10, 12)


def _ports(monitor: Engine, sql: str) -> set[int]:
    # pg_stat_activity is a snapshot per transaction: ask from a fresh autocommit connection.
    with monitor.connect() as conn:
        return {int(row[0]) for row in conn.execute(text(sql))}


def test_worker_killed_mid_placement(tmp_path: Path, template: Template) -> None:
    with database(template=template.name) as url:
        tokens = template.tokens
        with running(url, tokens, log_dir=tmp_path) as service:
            headers = service.headers()
            with httpx.Client(base_url=service.base_url, timeout=10) as client:
                rids = [
                    held_referral(client, headers, f"kind-kill-{i}", age=AGES[i % len(AGES)])
                    for i in range(PLACEMENTS)
                ]
            locker = create_engine(url)
            monitor = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            conn = locker.connect()
            try:
                # Every placement writes its stay, hold and referral, then blocks on the audit
                # insert: the worker dies with its transaction half done.
                trans = conn.begin()
                conn.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))

                def place(rid: str) -> int:
                    try:
                        answer = httpx.post(
                            f"{service.base_url}/api/v1/referrals/{rid}/decision",
                            json={"outcome": "accept", "reason_code": "voorkeur_ouders"},
                            headers=headers,
                            timeout=30,
                        )
                    except httpx.HTTPError:
                        return 0  # the connection died with the worker
                    return answer.status_code

                with ThreadPoolExecutor(max_workers=PLACEMENTS) as pool:
                    futures = [pool.submit(place, rid) for rid in rids]
                    blocked = f"""
                        SELECT client_port FROM pg_stat_activity
                        WHERE datname = '{url.rsplit("/", 1)[1]}' AND wait_event_type = 'Lock'"""
                    assert eventually(lambda: len(_ports(monitor, blocked)) == PLACEMENTS), (
                        "not blocked"
                    )
                    ports = _ports(monitor, blocked)
                    # The kernel hands connections to whichever worker accepts first, so one
                    # worker may hold them all; kill the one with the fewest, to keep survivors.
                    in_flight = {pid: len(local_ports(pid) & ports) for pid in service.workers()}
                    busy = {pid: n for pid, n in in_flight.items() if n > 0}
                    assert busy, "no placement in flight on a worker"
                    victim = min(busy, key=lambda pid: busy[pid])
                    os.kill(victim, signal.SIGKILL)
                    time.sleep(0.5)
                    trans.commit()  # release the lock: the survivor's placements finish
                    statuses = [f.result() for f in futures]
            finally:
                conn.close()
                locker.dispose()
                monitor.dispose()
            # Exactly the victim's placements lost their connection; every other one finished.
            assert statuses.count(0) == busy[victim], statuses
            assert statuses.count(200) == PLACEMENTS - busy[victim], statuses
            engine = service.engine()
            try:
                assert half_written_placements(engine) == []
                assert overbooked_units(engine) == []
                placed = text(
                    "SELECT count(*) FROM workflow_referral "
                    "WHERE status = 'geplaatst' AND id = ANY(:ids)"
                )
                with engine.connect() as check:
                    count = check.execute(placed, {"ids": rids}).scalar_one()
                assert count == statuses.count(200)
                # uvicorn replaces the dead worker; the service answers again.
                assert eventually(lambda: len(service.workers()) == 2)
                retry = [rid for rid, status in zip(rids, statuses, strict=True) if status != 200]
                with httpx.Client(base_url=service.base_url, timeout=10) as client:
                    for rid in retry:  # the lost placements can simply be sent again
                        again = client.post(
                            f"/api/v1/referrals/{rid}/decision",
                            json={"outcome": "accept", "reason_code": "voorkeur_ouders"},
                            headers=headers,
                        )
                        assert again.status_code == 200, again.text
                assert half_written_placements(engine) == []
            finally:
                engine.dispose()
