"""Turn validation failures into field-named messages without echoing the input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.errors import DomainError

# Location parts FastAPI adds that mean nothing to the user.
_TRANSPORT_PARTS = frozenset({"body", "query", "path", "header"})


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: the field (dotted path) and what is wrong with it, in Dutch."""

    field: str
    message: str


def errors_to_fields(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic error dicts to field-named messages; input values are never used."""
    out: list[FieldError] = []
    for err in errors:
        loc = ".".join(str(p) for p in err["loc"] if p not in _TRANSPORT_PARTS)
        message = str(err["msg"]).removeprefix("Value error, ")
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, DomainError):
            loc, message = cause.field or loc, cause.detail
        else:
            # Model-level checks say which field they concern as "field: message".
            head, sep, rest = message.partition(": ")
            if sep and " " not in head:
                loc, message = (f"{loc}.{head}" if loc else head), rest
        out.append(FieldError(loc or "-", message))
    return out


def field_errors(exc: ValidationError | DomainError) -> list[FieldError]:
    """Field-named messages of a validation or domain error."""
    if isinstance(exc, DomainError):
        return [FieldError(exc.field or "-", exc.detail)]
    return errors_to_fields(exc.errors(include_input=False, include_url=False))


def describe(exc: ValidationError | DomainError) -> str:
    """All problems on one line each: 'field: message'."""
    return "\n".join(f"{e.field}: {e.message}" for e in field_errors(exc))
