"""One seeded demo database per test process and region, cloned by every ops test (seeding
is slow)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from domain.places import region_name
from tests.ops.service import add_places, database, seed


@dataclass(frozen=True)
class Template:
    """A seeded database to copy, and the demo users' tokens that are valid in every copy."""

    name: str
    url: str
    tokens: dict[str, str]


class _Templates:
    """The seeded databases, one per region, each made when a module first asks for it."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.made: dict[str, Template] = {}

    def of(self, region: str) -> Template:
        if region not in self.made:
            url = self.stack.enter_context(database())
            tokens = seed(url)
            add_places(url, 2)
            self.made[region] = Template(url.rsplit("/", 1)[1], url, tokens)
        return self.made[region]


@pytest.fixture(scope="session")
def _templates() -> Iterator[_Templates]:
    with ExitStack() as stack:
        yield _Templates(stack)


@pytest.fixture(scope="module")
def template(_templates: _Templates) -> Template:
    """The demo of the module's region with two extra places per unit, so tests can place
    children (tests/conftest.py selects the region before the module's fixtures)."""
    return _templates.of(region_name())
