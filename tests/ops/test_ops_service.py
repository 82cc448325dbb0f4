"""The multi-worker service: readiness, metrics, JSON logs without personal data, duplicate
POSTs (sequential and concurrent), settings and start-up migration on PostgreSQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings
from tests.ops.conftest import Template
from tests.ops.flows import held_referral, new_referral
from tests.ops.service import ROOT, Service, database, running

pytestmark = pytest.mark.integration
METRICS = "metrics-token-of-test"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, template: Template) -> Iterator[Service]:
    """Two workers on a fresh seeded database, metrics shared through a multiprocess dir."""
    tmp = tmp_path_factory.mktemp("ops-service")
    (tmp / "prom").mkdir()
    with database(template=template.name) as url:
        tokens = template.tokens
        env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp / "prom"), "SERVICEPUNT_METRICS_TOKEN": METRICS}
        with running(url, tokens, log_dir=tmp, env=env) as running_service:
            yield running_service


def _count(service: Service, sql: str, **params: object) -> int:
    engine = service.engine()
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    finally:
        engine.dispose()


def _metric(body: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in body.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_ready_reports_database_and_redis(service: Service) -> None:
    answer = httpx.get(f"{service.base_url}/ready", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_metrics_count_requests_by_route_and_read_the_ledger(service: Service) -> None:
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        rid = held_referral(client, service.headers(), "kind-metrics-1")
        for _ in range(10):
            assert client.get(f"/api/v1/referrals/{rid}", headers=service.headers()).is_success
        # /metrics answers only the scraper's token (issue #16).
        assert client.get("/metrics").status_code == 401
        body = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS}"}).text
    route = "/api/v1/referrals/{referral_id}"
    assert _metric(body, "servicepunt_http_requests_total", route=route, status="200") >= 10
    assert _metric(body, "servicepunt_http_request_duration_seconds_count", route=route) >= 10
    assert _metric(body, "servicepunt_solver_seconds_count", kind="proposals") >= 1
    assert rid not in body  # route templates only: no id in a label
    holds = _count(service, "SELECT count(*) FROM capacity_hold WHERE state = 'active'")
    waiting = _count(
        service,
        "SELECT count(*) FROM workflow_referral WHERE status IN "
        "('aangemeld', 'geadviseerd', 'voorgesteld', 'vastgehouden')",
    )
    assert holds >= 1
    assert _metric(body, "servicepunt_holds_active") == holds
    assert _metric(body, "servicepunt_waiting_list_size") == waiting
    assert _metric(body, "servicepunt_ledger_up") == 1


def test_logs_are_json_without_personal_data(service: Service) -> None:
    child = "kind-geheim-4711"
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        rid = held_referral(client, service.headers(), child)
        client.get(f"/api/v1/referrals/{rid}?q={child}", headers=service.headers())
        client.get("/api/v1/me", headers={"Authorization": "Bearer sp_not_a_real_token"})
    lines = [line for line in service.log_path.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON
    routes = {r.get("route") for r in records if r["logger"] == "servicepunt.access"}
    assert "/api/v1/referrals/{referral_id}/hold" in routes
    text_of_logs = "\n".join(lines)
    for secret in (child, rid, "sp_not_a_real_token", service.tokens["demo-servicepunt"]):
        assert secret not in text_of_logs


def _create(service: Service, key: str, child: str) -> httpx.Response:
    headers = service.headers() | {"Idempotency-Key": key}
    return httpx.post(
        f"{service.base_url}/api/v1/referrals",
        json=new_referral(child),
        headers=headers,
        timeout=10,
    )


def test_the_same_post_twice_creates_one_referral(service: Service) -> None:
    first = _create(service, "dup-seq-1", "kind-dup-seq")
    second = _create(service, "dup-seq-1", "kind-dup-seq")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    sql = "SELECT count(*) FROM workflow_referral WHERE child_ref = :c"
    assert _count(service, sql, c="kind-dup-seq") == 1


def test_concurrent_duplicates_never_create_two_or_fail(service: Service) -> None:
    pairs = 12
    with ThreadPoolExecutor(max_workers=2 * pairs) as pool:
        futures = [
            pool.submit(_create, service, f"dup-par-{i}", f"kind-dup-par-{i}")
            for i in range(pairs)
            for _ in range(2)
        ]
        answers = [f.result() for f in futures]
    for i in range(pairs):
        a, b = answers[2 * i], answers[2 * i + 1]
        assert {a.status_code, b.status_code} <= {201, 409}, (a.text, b.text)
        ids = {r.json()["id"] for r in (a, b) if r.status_code == 201}
        assert len(ids) == 1
        sql = "SELECT count(*) FROM workflow_referral WHERE child_ref = :c"
        assert _count(service, sql, c=f"kind-dup-par-{i}") == 1


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICEPUNT_ENVIRONMENT", "production")
    monkeypatch.delenv("SERVICEPUNT_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="SERVICEPUNT_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("SERVICEPUNT_SECRET_KEY", "a-real-secret-of-this-deployment")
    assert Settings().environment == "production"


def test_start_up_migrates_an_empty_postgres_database(tmp_path: Path) -> None:
    with database() as url:
        settings = Settings(database_url=url, secret_key="test-secret")
        with TestClient(create_app(settings, background=False)) as client:
            assert client.get("/ready").json()["checks"]["database"] == "ok"
        service_like = Service("", {}, url, "", "", None, tmp_path)  # type: ignore[arg-type]
        version = _count(service_like, "SELECT count(*) FROM alembic_version")
        tables = _count(
            service_like,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename IN ('workflow_referral', 'capacity_unit', 'idempotency_record')",
        )
    assert (version, tables) == (1, 3)
    assert re.match(r"^postgresql", url)


def test_workers_starting_together_migrate_once() -> None:
    with database() as url:
        # Separate processes, like uvicorn workers: each imports, then migrates at once.
        code = f"from capacity.db import migrate; migrate({url!r})"
        processes = [
            subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE)
            for _ in range(3)
        ]
        for process in processes:
            _, err = process.communicate(timeout=120)
            # No worker fails on tables another one just created.
            assert process.returncode == 0, err.decode()[-500:]
        service_like = Service("", {}, url, "", "", None, Path("."))  # type: ignore[arg-type]
        assert _count(service_like, "SELECT count(*) FROM alembic_version") == 1
