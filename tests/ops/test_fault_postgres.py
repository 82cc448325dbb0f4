"""PostgreSQL is restarted under a running multi-worker service: while it is down requests
get a clean 503 (never a 500) and the service reconnects by itself once it is back."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.ops.checks import eventually
from tests.ops.conftest import Template
from tests.ops.flows import new_referral
from tests.ops.servers import private_postgres
from tests.ops.service import copy_database, database, running

pytestmark = pytest.mark.integration


def test_postgres_restarted_service_reconnects(tmp_path: Path, template: Template) -> None:
    with private_postgres() as pg, database(pg.url) as url:
        copy_database(template.url, url)
        with (
            running(url, template.tokens, log_dir=tmp_path) as service,
            httpx.Client(base_url=service.base_url, timeout=10) as client,
        ):
            headers = service.headers()
            assert client.get("/ready").status_code == 200
            assert client.get("/api/v1/referrals", headers=headers).status_code == 200

            pg.stop("fast")  # every pooled connection is cut
            down = [client.get("/api/v1/referrals", headers=headers) for _ in range(6)]
            assert {r.status_code for r in down} == {503}, [r.text for r in down]
            assert all(r.headers.get("Retry-After") for r in down)
            assert client.get("/ready").status_code == 503
            assert client.get("/health").status_code == 200  # the process itself lives

            pg.start()
            assert eventually(
                lambda: client.get("/api/v1/referrals", headers=headers).status_code == 200
            )
            assert client.get("/ready").json()["checks"]["database"] == "ok"
            created = client.post(
                "/api/v1/referrals", json=new_referral("kind-na-herstart"), headers=headers
            )
            assert created.status_code == 201, created.text
            # Every worker reconnected, not just one: many fresh connections all succeed.
            for _ in range(8):
                answer = httpx.get(f"{service.base_url}/api/v1/me", headers=headers, timeout=10)
                assert answer.status_code == 200
