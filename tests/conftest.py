"""Fixtures for tests in any folder."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


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
