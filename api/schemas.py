"""Shapes every list route shares: a page of items, its offset and limit (resources have their own
schemas module: placements.schemas, capacity.schemas)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")
# Bounded, so a huge offset is a 422 and never a database overflow.
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="aantal over te slaan")]
# How many records of children (or simulation runs) one page holds at most.
Limit = Annotated[int, Query(ge=1, le=200)]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int
