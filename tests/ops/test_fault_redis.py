"""Redis is killed during a burst of holds: no overbooking, the API keeps answering from the
database, and once Redis is back the live view is rebuilt and equals the ledger."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from capacity.live_redis import RedisLiveView
from capacity.sync import CapacitySync
from tests.ops.checks import answered_free_totals, eventually, ledger_free_total, overbooked_units
from tests.ops.conftest import Template
from tests.ops.flows import new_referral
from tests.ops.servers import private_redis
from tests.ops.service import database, running

pytestmark = pytest.mark.integration
BURST = 24


def _proposed(client: httpx.Client, headers: dict[str, str], child: str) -> tuple[str, str]:
    rid = client.post("/api/v1/referrals", json=new_referral(child), headers=headers).json()["id"]
    assert client.post(f"/api/v1/referrals/{rid}/advice", headers=headers).status_code == 200
    proposals = client.post(f"/api/v1/referrals/{rid}/proposals", headers=headers).json()
    unit = next(p["unit_id"] for p in proposals["proposals"] if p["unit_id"])
    return rid, unit


def test_redis_killed_during_a_burst_of_holds(tmp_path: Path, template: Template) -> None:
    with private_redis() as redis_server, database(template=template.name) as url:
        tokens = template.tokens
        with running(url, tokens, redis_url=redis_server.url, log_dir=tmp_path) as service:
            headers = service.headers()
            with httpx.Client(base_url=service.base_url, timeout=10) as client:
                targets = [_proposed(client, headers, f"kind-burst-{i}") for i in range(BURST)]
            reads: list[int] = []
            stop_reads = threading.Event()

            def read_loop() -> None:
                while not stop_reads.is_set():
                    answer = httpx.get(
                        f"{service.base_url}/api/v1/availability", headers=headers, timeout=10
                    )
                    reads.append(answer.status_code)

            def hold(rid: str, unit: str) -> int:
                answer = httpx.post(
                    f"{service.base_url}/api/v1/referrals/{rid}/hold",
                    json={"unit_id": unit},
                    headers=headers,
                    timeout=15,
                )
                return answer.status_code

            reader = threading.Thread(target=read_loop)
            reader.start()
            with ThreadPoolExecutor(max_workers=8) as pool:
                futures = [pool.submit(hold, rid, unit) for rid, unit in targets[: BURST // 2]]
                time.sleep(0.05)
                redis_server.stop()  # mid-burst: some holds before, some after
                futures += [pool.submit(hold, rid, unit) for rid, unit in targets[BURST // 2 :]]
                statuses = [f.result() for f in futures]
            time.sleep(0.5)
            stop_reads.set()
            reader.join()

            engine = service.engine()
            try:
                # Writes succeeded through the ledger or failed cleanly; none overbooked.
                assert set(statuses) <= {201, 409, 503}, statuses
                assert statuses.count(201) >= 1
                assert overbooked_units(engine) == []
                # Reads kept answering, and every worker follows the ledger while Redis is down.
                assert reads and set(reads) == {200}, set(reads)
                expected = ledger_free_total(engine)
                assert eventually(
                    lambda: answered_free_totals(service.base_url, headers) == {expected}
                )
                # Redis comes back empty: the view is rebuilt and equals the ledger.
                redis_server.start()
                view = RedisLiveView.from_url(redis_server.url, prefix=service.prefix)
                sync = CapacitySync(view)
                assert eventually(lambda: view.is_current() and not sync.mismatches(engine))
                assert httpx.get(f"{service.base_url}/ready", timeout=5).json()["status"] == "ok"
                view.client.close()
            finally:
                engine.dispose()
