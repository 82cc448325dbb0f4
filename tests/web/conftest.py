"""Fixtures of the web tests: a seeded app per test, a test client, a live server, Chromium.

The browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; no browser
is downloaded. Without Chromium they fail with a message that says how to install it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from tests.web.web_support import LiveServer, Site, make_site

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A freshly seeded app (SQLite + in-process capacity store)."""
    return make_site(tmp_path / "web.db")


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    """A test client on the app (no redirects followed automatically? yes, followed)."""
    with TestClient(site.app, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def live(site: Site) -> Iterator[Site]:
    """The app served over real HTTP on 127.0.0.1 and a free port."""
    with LiveServer(site.app) as server:
        site.base_url = server.url
        yield site


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (fails clearly when missing).

    One per test module: Playwright's sync API keeps an event loop running while it is
    open, so a later test in the same worker could not call asyncio.run (tests/ops)."""
    if not CHROMIUM.exists():
        pytest.fail(
            "/usr/bin/chromium ontbreekt: installeer Debian's chromium "
            "(apt-get install -y chromium); de browsertests downloaden geen browser."
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Iterator[list[object]]:
    """Pages registered here get a full-page screenshot at the end of the test."""
    pages: list[object] = []
    yield pages
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, pg in enumerate(pages):
        name = request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
        suffix = f"-{n}" if n else ""
        pg.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)  # type: ignore[attr-defined]
    for pg in pages:
        # Closing the context ends its live-board stream before the server stops.
        pg.context.close()  # type: ignore[attr-defined]
