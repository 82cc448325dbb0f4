"""The embedded default (SQLite, in-process capacity store) refuses a second process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.embedded import SecondProcess, SingleProcess, lock_path
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _settings(db: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{db}", secret_key="test-secret")


_HOLDER = """
import sys, time
from api.embedded import SingleProcess
SingleProcess(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(120)
"""


def test_an_app_refuses_to_start_while_another_process_serves_its_database(
    tmp_path: Path,
) -> None:
    db = tmp_path / "servicepunt.db"
    url = f"sqlite:///{db}"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(SecondProcess, match="één proces"),
            TestClient(create_app(_settings(db), background=False)),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    # Once the other process has stopped, the lock is free again.
    with TestClient(create_app(_settings(db), background=False)) as again:
        assert again.get("/health").status_code == 200


def test_apps_within_one_process_share_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "servicepunt.db"
    with (
        TestClient(create_app(_settings(db), background=False)) as first,
        TestClient(create_app(_settings(db), background=False)) as second,
    ):
        assert first.get("/health").status_code == second.get("/health").status_code == 200
    # Released when the last one stopped: another process may take it now.
    done = subprocess.run(
        [sys.executable, "-c", _HOLDER.replace("time.sleep(120)", ""), f"sqlite:///{db}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "held", done.stderr


def test_apps_on_different_databases_run_side_by_side(tmp_path: Path) -> None:
    with (
        TestClient(create_app(_settings(tmp_path / "a.db"), background=False)) as a,
        TestClient(create_app(_settings(tmp_path / "b.db"), background=False)) as b,
    ):
        assert a.get("/health").status_code == b.get("/health").status_code == 200


def test_a_shared_live_view_or_a_memory_database_locks_nothing(tmp_path: Path) -> None:
    assert lock_path("sqlite://") is None
    assert lock_path(f"sqlite:///{tmp_path}/x.db") == tmp_path / "x.db.lock"
    pg = lock_path("postgresql+psycopg://u:geheim@db/servicepunt")
    assert pg is not None and "geheim" not in str(pg)
    for _ in range(2):  # None: Redis shares the view, any number of processes may run
        SingleProcess(None).acquire()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_uvicorn_with_two_workers_on_the_embedded_default_stops_with_a_clear_message(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'servicepunt.db'}",
        "REDIS_URL": "",
        "SERVICEPUNT_SIMULATION_DIR": str(tmp_path / "sim"),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    command += ["--workers", "2", "--port", str(_free_port()), "--log-level", "warning"]
    # The worker that comes second fails its start-up; uvicorn then stops the whole server
    # (subprocess.run returns: it does not go on serving with one stale worker).
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert "draait in één proces" in done.stderr
    assert "Application startup failed" in done.stderr
