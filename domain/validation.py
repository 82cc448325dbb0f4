"""Turn validation failures into field-named messages without echoing the input."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: the field (dotted path) and what is wrong with it, in Dutch."""

    field: str
    message: str


def field_errors(exc: ValidationError | DomainError) -> list[FieldError]:
    """Field-named messages; the offending values are never repeated (privacy)."""
    if isinstance(exc, DomainError):
        return [FieldError(exc.field or "-", exc.detail)]
    out: list[FieldError] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(part) for part in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        # Model-level checks say which field they concern as "field: message".
        head, sep, rest = message.partition(": ")
        if sep and head.replace("_", "").replace(".", "").isalnum() and " " not in head:
            loc = f"{loc}.{head}" if loc else head
            message = rest
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, DomainError):
            loc = cause.field or loc
            message = cause.detail
        out.append(FieldError(loc or "-", message))
    return out


def describe(exc: ValidationError | DomainError) -> str:
    """All problems on one line each: 'field: message'."""
    return "\n".join(f"{e.field}: {e.message}" for e in field_errors(exc))
