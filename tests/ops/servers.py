"""Private Redis and PostgreSQL servers that a fault test may stop, kill and restart.

The shared servers on 5432/6379 serve other tests in parallel and are never touched; each
fault test starts its own on a free port in a temporary directory and removes it after.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import redis

from benchmarks.harness import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivateRedis:
    """A throw-away redis-server without persistence: a restart comes back empty."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        """Kill the server (SIGKILL: no goodbye to clients)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A started private Redis, stopped on exit whatever happened."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; drop to the postgres user when we are root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A throw-away PostgreSQL 15 cluster with trust auth on loopback."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args]
        subprocess.run(_as_postgres(command), check=True, capture_output=True)

    def init(self) -> None:
        """initdb the cluster."""
        command = [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres"]
        command += ["--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]
        subprocess.run(_as_postgres(command), check=True, capture_output=True)

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.root / "log"), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster (fast: disconnect every client, roll back their transactions)."""
        self._pg_ctl("-m", mode, "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster, stopped and deleted on exit whatever happened."""
    root = Path(tempfile.mkdtemp(prefix="sp-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = PrivatePostgres(root)
    try:
        server.init()
        server.start()
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
