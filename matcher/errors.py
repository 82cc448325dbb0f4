"""The matcher's own errors (the shared kinds are in domain.errors)."""

from __future__ import annotations

from domain.errors import ServiceFailure


class SolverFailed(ServiceFailure):
    """The solver returned a status other than optimal or feasible: a failure on our side."""

    kind = "SolverFailed"
