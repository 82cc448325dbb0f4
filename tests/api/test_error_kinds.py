"""Every error kind of every package has its HTTP status in api.errors (no fall-through)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from api import errors
from domain.errors import DomainError, ServiceFailure
from matcher.errors import SolverFailed

PACKAGES = ["domain", "afwegingskader", "capacity", "matcher", "simulations", "api"]


def _all_kinds() -> set[type[DomainError]]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(module.name)
    found: set[type[DomainError]] = set()
    todo = [DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_error_kind_maps_to_a_status_of_its_own() -> None:
    unmapped = sorted(
        kind.__name__
        for kind in _all_kinds()
        if not any(issubclass(kind, mapped) for mapped, _ in errors.STATUS)
    )
    assert unmapped == []


@pytest.mark.parametrize("failure", [SolverFailed("geen plan gevonden", field="solver")])
def test_a_failure_on_the_service_side_is_a_503_not_a_client_error(
    failure: ServiceFailure,
) -> None:
    assert errors.status_for(failure) == 503
