"""One rule for every value a client can submit, checked over every route of the app:
a date lies in the plausible window, a whole number refuses booleans and has an upper
bound, and a list has a maximum length (domain/fields.py)."""

from __future__ import annotations

import types
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from pydantic import AfterValidator, BaseModel, BeforeValidator

from api.app import create_app
from api.settings import Settings
from domain.fields import check_plausible_date, refuse_bool

UPPER = (annotated_types.Le, annotated_types.Lt, annotated_types.Interval)


def _params(dependant: Any) -> Iterator[tuple[str, Any]]:
    for kind in ("path_params", "query_params", "body_params"):
        for field in getattr(dependant, kind):
            yield kind, field
    for sub in dependant.dependencies:
        yield from _params(sub)


def _problems(annotation: Any, metadata: list[Any], where: str, *, json: bool) -> Iterator[str]:
    """What breaks the rule in one annotation (with the constraints around it)."""
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        yield from _problems(base, [*metadata, *extra], where, json=json)
        return
    if get_origin(annotation) in (Union, types.UnionType):
        for arm in get_args(annotation):
            if arm is not type(None):
                yield from _problems(arm, metadata, where, json=json)
        return
    if get_origin(annotation) in (list, tuple, set, frozenset):
        if not any(isinstance(m, annotated_types.MaxLen) for m in metadata):
            yield f"{where}: list without a maximum length"
        for item in get_args(annotation):
            if item is not Ellipsis:
                yield from _problems(item, [], f"{where}[]", json=json)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _problems(field.annotation, field.metadata, f"{where}.{name}", json=json)
        return
    if annotation in (int, float):
        if not any(isinstance(m, UPPER) for m in metadata):
            yield f"{where}: number without an upper bound"
        refuses_bool = any(
            isinstance(m, BeforeValidator) and m.func is refuse_bool for m in metadata
        )
        if json and not refuses_bool:
            yield f"{where}: number that takes a boolean"
    if (annotation is date or annotation is datetime) and not any(
        isinstance(m, AfterValidator) and m.func is check_plausible_date for m in metadata
    ):
        yield f"{where}: date without the plausible window"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    url = f"sqlite:///{tmp_path_factory.mktemp('fields') / Path('api.db')}"
    return create_app(Settings(database_url=url, secret_key="t"), migrate=False, background=False)


def test_every_submitted_value_follows_the_rule(app: FastAPI) -> None:
    problems: list[str] = []
    checked = 0
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        for kind, field in _params(dependant):
            info = field.field_info
            where = f"{sorted(route.methods or [])} {route.path} {field.name}"
            # Only JSON bodies can carry a boolean where a number belongs.
            json = kind == "body_params"
            problems += _problems(info.annotation, list(info.metadata), where, json=json)
            checked += 1
    assert checked > 40
    assert problems == [], "\n".join(problems)


def test_the_rule_catches_what_it_should() -> None:
    class Loose(BaseModel):
        when: date
        count: int
        items: list[str]

    found = list(_problems(Loose, [], "Loose", json=True))
    assert found == [
        "Loose.when: date without the plausible window",
        "Loose.count: number without an upper bound",
        "Loose.count: number that takes a boolean",
        "Loose.items: list without a maximum length",
    ]
