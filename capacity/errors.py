"""Typed errors of the capacity package (subclasses of the shared domain errors).

They keep the parent's `kind` (NotFound, NoCapacity, Conflict, InvalidInput) so the API
reports the shared error names; the class says precisely what went wrong.

Messages are Dutch, name the field and never contain a child's pseudonym or other data.
"""

from __future__ import annotations

from domain.errors import Conflict, InvalidInput, NoCapacity, NotFound


class UnitNotFound(NotFound):
    """The unit does not exist."""

    def __init__(self, *, field: str = "unit_id") -> None:
        super().__init__("onbekende eenheid", field=field)


class UnitFull(NoCapacity):
    """The unit has no free place for an admission or a hold."""

    def __init__(self, *, field: str = "unit_id") -> None:
        super().__init__("de eenheid heeft geen vrije plaats", field=field)


class UnitClosed(Conflict):
    """The unit is closed (or closes before the requested date)."""

    def __init__(self, detail: str = "de eenheid is gesloten", *, field: str = "unit_id") -> None:
        super().__init__(detail, field=field)


class HoldExpired(Conflict):
    """The hold ran out before it was confirmed; its place is free again."""

    def __init__(self, *, field: str = "hold_id") -> None:
        super().__init__("de reservering is verlopen", field=field)


class HoldNotActive(Conflict):
    """The hold was already confirmed, released or expired."""

    def __init__(self, state: str, *, field: str = "hold_id") -> None:
        super().__init__(f"de reservering is niet meer actief (status: {state})", field=field)


class InvalidDates(InvalidInput):
    """An end date lies before the start date."""


__all__ = [
    "HoldExpired",
    "HoldNotActive",
    "InvalidDates",
    "UnitClosed",
    "UnitFull",
    "UnitNotFound",
]
