"""docker-compose.yml is valid (Debian's docker-compose validates it against the Compose
schema; no Docker engine needed) and defines what a real deployment needs."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import yaml

from tests.ops.service import ROOT

ENV = {"POSTGRES_PASSWORD": "pw-of-test", "SERVICEPUNT_SECRET_KEY": "secret-of-test"}


def _config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose missing: apt-get install docker-compose"
    clean = {k: v for k, v in os.environ.items() if k not in ENV}
    return subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env=clean | env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid_and_complete() -> None:
    result = _config(ENV)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"postgres", "redis", "api", "worker"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], name
    assert {"pgdata", "redisdata", "simresults"} <= set(config["volumes"])
    api = services["api"]
    env = api["environment"]
    assert env["SERVICEPUNT_SECRET_KEY"] == "secret-of-test"
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://servicepunt:pw-of-test@postgres")
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["SERVICEPUNT_ENVIRONMENT"] == "production"
    command = " ".join(api["command"])
    assert "--workers 4" in command and "--timeout-graceful-shutdown" in command
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/ready" in " ".join(api["healthcheck"]["test"])
    assert env["SERVICEPUNT_SIMULATION_RUNNER"] == "external"
    # /metrics is not public: the scraper's token comes from the environment (issue #16).
    assert "SERVICEPUNT_METRICS_TOKEN" in env
    assert "simresults:/srv/results" in " ".join(_volumes(api))
    worker = services["worker"]
    assert worker["command"][:2] == ["sh", "-c"]
    script = worker["command"][2]
    assert script.startswith("ray start --head ")
    assert "&& exec servicepunt worker --executor ray --ray-address auto" in script
    assert "simresults:/srv/results" in " ".join(_volumes(worker))
    for service in (api, worker):
        assert service["environment"]["SERVICEPUNT_SIMULATION_DIR"] == "/srv/results"


def _volumes(service: dict[str, Any]) -> list[str]:
    """A service's volumes as 'source:target' (docker-compose config writes them long)."""
    out = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            out.append(volume)
        else:
            out.append(f"{volume['source']}:{volume['target']}")
    return out


def test_compose_refuses_to_run_without_the_secrets() -> None:
    result = _config({"POSTGRES_PASSWORD": "pw-of-test"})
    assert result.returncode != 0
    assert "SERVICEPUNT_SECRET_KEY" in result.stderr
