"""Turn validation failures into field-named messages without echoing the input."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.errors import DomainError

# Field names can come from the request (an unknown field): never longer than this.
MAX_FIELD_CHARS = 40

# Location parts FastAPI adds that mean nothing to the user.
_TRANSPORT_PARTS = frozenset({"body", "query", "path", "header"})


# Dutch wording for pydantic's own error types; ctx values are limits, never the input.
_DUTCH: dict[str, str] = {
    "missing": "is verplicht",
    "extra_forbidden": "is geen bekend veld",
    "enum": "kies een van: {expected}",
    "literal_error": "kies een van: {expected}",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "int_parsing_size": "is te groot voor een geheel getal",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "bool_parsing": "moet true of false zijn",
    "bool_type": "moet true of false zijn",
    "string_type": "moet tekst zijn",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "date_range": "moet een datum tussen {earliest} en {latest} zijn",
    "datetime_parsing": "moet een tijdstip zijn (ISO 8601)",
    "datetime_from_date_parsing": "moet een tijdstip zijn (ISO 8601)",
    "greater_than_equal": "moet minstens {ge} zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "less_than_equal": "mag hoogstens {le} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "string_too_short": "moet minstens {min_length} teken(s) hebben",
    "string_too_long": "mag hoogstens {max_length} tekens hebben",
    "too_short": "moet minstens {min_length} element(en) hebben",
    "too_long": "mag hoogstens {max_length} elementen hebben",
    "list_type": "moet een lijst zijn",
    "tuple_type": "moet een lijst zijn",
    "dict_type": "moet een object zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "json_invalid": "is geen geldige JSON",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
}


def _dutch(err: Mapping[str, Any]) -> str:
    template = _DUTCH.get(str(err.get("type")))
    if template is None:
        return str(err["msg"])
    ctx = {k: str(v).replace(" or ", " of ") for k, v in (err.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return str(err["msg"])


def short_field(name: str) -> str:
    """A field name fit to repeat: control characters replaced, at most MAX_FIELD_CHARS long."""
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return clean if len(clean) <= MAX_FIELD_CHARS else clean[: MAX_FIELD_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: the field (dotted path) and what is wrong with it, in Dutch."""

    field: str
    message: str


def errors_to_fields(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic error dicts to field-named messages; input values are never used."""
    out: list[FieldError] = []
    for err in errors:
        loc = short_field(".".join(str(p) for p in err["loc"] if p not in _TRANSPORT_PARTS))
        message = _dutch(err).removeprefix("Value error, ")
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, DomainError):
            loc, message = _at(loc, cause.field), cause.detail
        else:
            # Model-level checks say which field they concern as "field: message".
            head, sep, rest = message.partition(": ")
            if sep and " " not in head:
                loc, message = (f"{loc}.{head}" if loc else head), rest
        out.append(FieldError(loc or "-", message))
    return out


def _at(loc: str, field: str | None) -> str:
    """A domain error's field at its place in the input: a validator on `profile.capj`
    that names `capj[1]` means `profile.capj[1]`; any other field stands as it is."""
    if not field:
        return loc
    parts = loc.split(".") if loc else []
    if parts and parts[-1] == re.split(r"[.\[]", field, maxsplit=1)[0]:
        return ".".join([*parts[:-1], field])
    return field


def field_errors(exc: ValidationError | DomainError) -> list[FieldError]:
    """Field-named messages of a validation or domain error."""
    if isinstance(exc, DomainError):
        return [FieldError(exc.field or "-", exc.detail)]
    return errors_to_fields(exc.errors(include_input=False, include_url=False))


def describe(exc: ValidationError | DomainError) -> str:
    """All problems on one line each: 'field: message'."""
    return "\n".join(f"{e.field}: {e.message}" for e in field_errors(exc))
