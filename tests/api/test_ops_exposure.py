"""/metrics only with its token, and HSTS in production (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from capacity import db as capacity_db

TOKEN = "metrics-token-of-test"


def _client(tmp_path: Path, **settings: object) -> TestClient:
    config = Settings(
        database_url=f"sqlite:///{tmp_path / 'ops.db'}",
        secret_key="een-echt-geheim",
        simulation_dir=tmp_path / "simulaties",
        **settings,  # type: ignore[arg-type]
    )
    capacity_db.migrate(config.database_url)
    return TestClient(create_app(config, background=False))


def test_metrics_answer_only_the_holder_of_the_metrics_token(tmp_path: Path) -> None:
    with _client(tmp_path, metrics_token=TOKEN) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer raden"})
        assert wrong.status_code == 401 and TOKEN not in wrong.text
        assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
        good = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200
        assert "servicepunt_ledger_up 1.0" in good.text
        settings = client.app.state.servicepunt.settings  # type: ignore[attr-defined]
        assert TOKEN not in repr(settings)  # a secret: never in a repr or a log line


@pytest.mark.parametrize("token", [None, ""])
def test_without_a_metrics_token_there_is_no_metrics_page(tmp_path: Path, token: str) -> None:
    with _client(tmp_path, metrics_token=token) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_production_answers_with_hsts_on_pages_and_api(tmp_path: Path) -> None:
    with _client(tmp_path, environment="production") as client:
        for url in ("/health", "/inloggen", "/api/v1/reports"):
            header = client.get(url).headers.get("strict-transport-security", "")
            assert header.startswith("max-age=31536000"), url


def test_development_sends_no_hsts(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        assert "strict-transport-security" not in client.get("/health").headers
