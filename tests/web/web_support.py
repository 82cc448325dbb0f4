"""Helpers for the web tests: a seeded app, log-in through the form, a live server thread."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from capacity import db as capacity_db

# The API tests' seed helpers (same region, same users) live in tests/api.
# Found at run time through the path above; mypy checks tests/api on its own.
from tests.api.api_support import (
    T0,
    Clock,
    referral_payload,
    seed_region,
)

__all__ = ["T0", "LiveServer", "Site", "csrf_of", "login", "make_site", "referral_payload"]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    """A seeded app with the users' tokens, unit and provider ids, and the test clock."""

    app: FastAPI
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    providers: dict[str, str] = field(default_factory=dict)
    base_url: str = ""


def make_site(db_path: Path, *, background: bool = False) -> Site:
    """Migrate and seed a SQLite database and build the app on it (in-process capacity)."""
    settings = Settings(
        database_url=f"sqlite:///{db_path}",
        secret_key="web-test-secret",
        simulation_dir=db_path.parent / "simulaties",
        simulation_workers=1,
    )
    capacity_db.migrate(settings.database_url)
    engine = capacity_db.make_engine(settings.database_url)
    clock = Clock(T0)
    seeded = seed_region(engine)
    engine.dispose()
    app = create_app(settings, clock=clock, background=background)
    return Site(
        app=app,
        clock=clock,
        tokens=seeded.tokens,
        units=seeded.units,
        providers=seeded.providers,
    )


def csrf_of(html: str) -> str:
    """The first CSRF token in a page."""
    found = CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


def login(client: TestClient, site: Site, user: str) -> Any:
    """Sign in through the log-in form; returns the response after the redirect."""
    form = client.get("/inloggen")
    return client.post(
        "/inloggen",
        data={"csrf": csrf_of(form.text), "gebruikersnaam": user, "token": site.tokens[user]},
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The app served by uvicorn in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
