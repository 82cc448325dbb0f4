"""One seeded demo database per test process, cloned by every ops test (seeding is slow)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.ops.service import add_places, database, seed


@dataclass(frozen=True)
class Template:
    """A seeded database to copy, and the demo users' tokens that are valid in every copy."""

    name: str
    url: str
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def template() -> Iterator[Template]:
    """The demo region with two extra places per unit, so tests can place children."""
    with database() as url:
        tokens = seed(url)
        add_places(url, 2)
        yield Template(url.rsplit("/", 1)[1], url, tokens)
