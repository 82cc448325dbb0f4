"""Field types for everything a client submits: plausible dates and whole numbers that are numbers.

One rule for every request model (a test walks them all):
- a date lies in PLAUSIBLE_DATES: no 1970 from `0`, no year 1 or 9999;
- a number is never a boolean (`true` is not 1 place) and always has an upper bound;
- a list has a maximum length.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# Children in care now were born after this, and no plan reaches past the other end.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def check_plausible_date(value: date) -> date:
    """The date, if it lies in the plausible window; a field error otherwise."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError(
            "date_range",
            "Date should lie between {earliest} and {latest}",
            {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
    return value


def refuse_bool(value: Any) -> Any:
    """The value, unless it is a boolean (which pydantic would take as 0 or 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


PlausibleDate = Annotated[date, AfterValidator(check_plausible_date)]
"""A date between EARLIEST_DATE and LATEST_DATE."""

WholeNumber = Annotated[int, BeforeValidator(refuse_bool)]
"""An integer that refuses booleans; give it bounds with Field(ge=..., le=...)."""

Amount = Annotated[float, BeforeValidator(refuse_bool)]
"""A number that refuses booleans; give it bounds with Field(gt=..., le=...)."""


class ValidatedText(str):
    """A string type that checks (and may normalise) what it is given.

    A subclass sets JSON_DESCRIPTION and JSON_EXAMPLES and implements `parse`, which returns
    an instance or raises ValueError with a Dutch message; pydantic validates the field with
    it and writes the value as a plain string.
    """

    __slots__ = ()
    JSON_DESCRIPTION: ClassVar[str] = ""
    JSON_EXAMPLES: ClassVar[tuple[str, ...]] = ()
    MAX_LENGTH: ClassVar[int] = 64

    @classmethod
    def parse(cls, value: object) -> Self:
        """The value as this type; ValueError with a Dutch message otherwise."""
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "maxLength": cls.MAX_LENGTH,
            "description": cls.JSON_DESCRIPTION,
            "examples": list(cls.JSON_EXAMPLES),
        }
