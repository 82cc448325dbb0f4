"""The API documentation works without the internet: Swagger UI and ReDoc come from the app,
under a content security policy that allows scripts from the app only."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from playwright.sync_api import expect

from afwegingskader.models import Profile
from domain.places import region
from tests.web.web_support import Site

EXTERNAL = re.compile(r"https?://(?!127\.0\.0\.1[:/])")


def _operations(schema: dict[str, Any], *, per_tag: bool = False) -> int:
    """How many operations the schema has (ReDoc lists one under each of its tags)."""
    return sum(
        max(1, len(operation.get("tags", []))) if per_tag else 1
        for operations in schema["paths"].values()
        for operation in operations.values()
    )


def _offline(context: Any) -> list[str]:
    """As on a network without the internet: every request that leaves the app fails.
    The list collects the addresses that were tried."""
    outside: list[str] = []

    def refuse(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(EXTERNAL, refuse)
    return outside


def _errors(page: Any) -> list[str]:
    """The console errors of a page, collected as they come."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    return found


def test_docs_pages_load_nothing_from_elsewhere(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert not re.search(r"(src|href)=\"https?://", answer.text), path
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "default-src 'self';" in policy
        for asset in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", answer.text):
            assert client.get(asset).status_code == 200, asset


def test_swagger_ui_renders_every_operation_offline(
    live: Site, chromium: Any, shot: list[object]
) -> None:
    context = chromium.new_context(base_url=live.base_url)
    outside = _offline(context)
    page = context.new_page()
    problems = _errors(page)
    shot.append(page)
    schema = context.request.get("/openapi.json").json()
    page.goto("/docs")
    expect(page.locator(".opblock")).to_have_count(_operations(schema), timeout=20_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert outside == []
    assert problems == []


def test_redoc_renders_every_operation_offline(
    live: Site, chromium: Any, shot: list[object]
) -> None:
    context = chromium.new_context(base_url=live.base_url)
    outside = _offline(context)
    page = context.new_page()
    problems = _errors(page)
    shot.append(page)
    schema = context.request.get("/openapi.json").json()
    page.goto("/redoc")
    operations = page.locator('[data-section-id^="operation/"]')
    expect(operations).to_have_count(_operations(schema, per_tag=True), timeout=20_000)
    # Only ReDoc's "powered by" logo lives elsewhere; nothing the page needs.
    assert all(url.endswith("logo-mini.svg") for url in outside), outside
    blocked = [p for p in problems if "Content Security Policy" in p and "logo-mini" not in p]
    assert blocked == []


def test_advice_example_is_a_child_of_the_served_region(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/advice"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["examples"]["kind"]
    home = example["value"]["home_municipality"]
    assert region().contains(home)
    assert Profile.model_validate(example["value"]).home_municipality == home
