"""Issue #21 item 9: every role's pages offer every action the API gives that role.

Both lists come from the app's route table, never from a hand list that could drift:
- a role's API actions are the write routes under /api/ (POST, PUT, PATCH, DELETE) whose
  role rule (`api.deps.require`) lets the role in;
- a role's page actions are the API actions named by the page forms (web POST routes,
  `api.web.common.api_action`) whose page rule (`api.web.auth.page_for`) lets the role in.

An API action of a role with no page for that role fails the test, unless it is in the small
allow-list below of actions that are machine-to-machine by nature. A page form may not name
an API action that does not exist, nor offer it to a role the API refuses it to.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts

from api.app import create_app
from api.settings import Settings
from api.web.common import API_ACTION
from domain.vocabulary import Role

PARAM = re.compile(r"\{(\w+)\}")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Action = tuple[str, str]  # (method, API path)

# API actions no page needs to offer, each with its reason. Keep this list short.
API_ONLY: dict[Action, str] = {
    ("POST", "/api/v1/advice"): (
        "a calculator for a bare profile that stores nothing; the page's advice step "
        "(POST /api/v1/referrals/{referral_id}/advice) runs it on the referral"
    ),
    ("POST", "/api/v1/intake"): (
        "a calculator for a bare intake case that stores nothing; the referral form runs "
        "the same intake when it saves a referral"
    ),
}


def _roles_of_rule(route: RouteContext, rule: str) -> set[str] | None:
    """The roles a route's role rule (a `require(...)` or `page_for(...)` check among its
    dependencies, at any depth) lets in; None when it has none."""
    found: list[set[str]] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        call: Any = dependant.call
        if getattr(call, "__qualname__", "") == f"{rule}.<locals>.check":
            found.append(set(inspect.getclosurevars(call).nonlocals["allowed"]))
        stack.extend(dependant.dependencies)
    assert len({frozenset(f) for f in found}) <= 1, f"{route.path}: conflicting role rules"
    return found[0] if found else None


def _routes(app: FastAPI) -> Iterator[tuple[RouteContext, str, str]]:
    """Every write route of the app (included routers too): (route, method, path)."""
    for route in iter_route_contexts(app.routes):
        if getattr(route, "dependant", None) is not None and route.path is not None:
            for method in sorted((route.methods or set()) & WRITES):
                yield route, method, route.path


def api_actions(app: FastAPI) -> dict[Action, set[str]]:
    """Every API write action with the roles its role rule lets in."""
    out: dict[Action, set[str]] = {}
    for route, method, path in _routes(app):
        if path.startswith("/api/"):
            roles = _roles_of_rule(route, "require")
            assert roles is not None, f"{method} {path} has no role rule"
            out[(method, path)] = roles
    return out


def page_actions(app: FastAPI) -> dict[Action, set[str]]:
    """Every API action a page form performs, with the roles whose pages offer it."""
    out: dict[Action, set[str]] = {}
    for route, method, path in _routes(app):
        named = (route.openapi_extra or {}).get(API_ACTION)
        if path.startswith("/api/") or named is None:
            continue
        roles = _roles_of_rule(route, "page_for")
        assert roles is not None, f"page form {method} {path} has no page rule"
        api_method, _, api_path = str(named).partition(" ")
        # The form acts on what the API action does: the same referral, unit, stay, task.
        assert PARAM.findall(path) == PARAM.findall(api_path), f"{path} is not {api_path}"
        out.setdefault((api_method, api_path), set()).update(roles)
    return out


@pytest.fixture(scope="module")
def tables(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[Action, set[str]], dict[Action, set[str]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('roles') / Path('api.db')}"
    app = create_app(Settings(database_url=url, secret_key="t"), migrate=False, background=False)
    return api_actions(app), page_actions(app)


def test_every_role_has_a_page_for_each_of_its_api_actions(
    tables: tuple[dict[Action, set[str]], dict[Action, set[str]]],
) -> None:
    api, pages = tables
    missing = sorted(
        (role, method, path)
        for (method, path), roles in api.items()
        if (method, path) not in API_ONLY
        for role in roles - pages.get((method, path), set())
    )
    assert missing == []


def test_page_forms_name_real_api_actions_for_the_same_roles(
    tables: tuple[dict[Action, set[str]], dict[Action, set[str]]],
) -> None:
    api, pages = tables
    assert set(pages) - set(api) == set()  # a form names no action the API lacks
    wider = {action: roles - api[action] for action, roles in pages.items() if roles - api[action]}
    assert wider == {}  # no page offers an action to a role the API refuses it to
    assert set(API_ONLY) <= set(api)  # the allow-list names no stale action
    assert set(API_ONLY).isdisjoint(pages)  # nor one that has a page after all


def test_the_tables_see_every_role_and_the_known_actions(
    tables: tuple[dict[Action, set[str]], dict[Action, set[str]]],
) -> None:
    """The derivation itself: it finds the role rules it is meant to find."""
    api, pages = tables
    capacity = ("POST", "/api/v1/units/{unit_id}/capacity-changes")
    assert api[capacity] == {Role.SERVICEPUNT.value, Role.AANBIEDER.value}
    assert pages[capacity] == api[capacity]
    assert api[("POST", "/api/v1/simulations")] == {Role.PLANNER.value}
    writers = {role for roles in api.values() for role in roles}
    assert writers == {r.value for r in Role} - {Role.ADMIN.value}
