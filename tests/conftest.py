"""Fixtures for tests in any folder."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

from domain.places import DEFAULT_REGION, REGION_ENV, select_region

# The suite runs under the region the environment selects (SERVICEPUNT_REGION, default
# flevoland): `SERVICEPUNT_REGION=ijsselland make test` tests IJsselland. A test (or a whole
# module, with `pytestmark`) whose cases are about one region's data (its municipalities,
# teams, seeds or known report figures) says so with `@pytest.mark.region("flevoland")` and
# runs under that region whatever the environment selects.
RUN_REGION = os.environ.get(REGION_ENV, "").strip().lower() or DEFAULT_REGION


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "region(name): the test is about this region's data and runs under it"
    )


def _region_for(node: pytest.Item | pytest.Collector) -> str:
    marker = node.get_closest_marker("region")
    return str(marker.args[0]) if marker else RUN_REGION


@pytest.fixture(autouse=True, scope="module")
def _module_region(request: pytest.FixtureRequest) -> None:
    """The module's region, selected before its module-scoped fixtures are built."""
    select_region(_region_for(request.node))


@pytest.fixture(autouse=True)
def _test_region(request: pytest.FixtureRequest) -> None:
    """The test's region (its own mark, else its module's, else the run's), selected
    before its fixtures are built: a test never inherits the previous test's selection."""
    select_region(_region_for(request.node))


@pytest.fixture
def thawed_heap() -> Iterator[None]:
    """A heap with nothing frozen (start-up of an app in this process freezes it); frozen
    again afterwards only if it was before."""
    frozen = gc.get_freeze_count() > 0
    gc.unfreeze()
    yield
    gc.unfreeze()
    if frozen:
        gc.freeze()
