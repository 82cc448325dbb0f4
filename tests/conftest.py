"""Fixtures for tests in any folder."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

# The suite's cases are about the Flevoland region (its municipalities, teams and seeds), so
# the suite runs with that region whatever the environment selects. Every shipped region
# runs its own paths in tests/api/test_region_smoke.py.
os.environ["SERVICEPUNT_REGION"] = "flevoland"


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
