"""The simulator's own errors (the shared kinds are in domain.errors)."""

from __future__ import annotations

from domain.errors import InvalidInput


class PolicyError(InvalidInput):
    """An allocation policy returned an assignment that breaks a hard rule."""

    kind = "PolicyError"
