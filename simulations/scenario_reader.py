"""Typed reading of scenario data: every failure is one ConfigError naming file and field.

Messages say what is wrong and what is allowed, never the value that was given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from enum import Enum, EnumMeta
from typing import Any, TypeVar

from domain.errors import ConfigError, DomainError

T = TypeVar("T")


class Reader:
    """Typed access to a mapping; every failure raises ConfigError naming the field."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, field: str, detail: str) -> ConfigError:
        """The error for this file and field."""
        return ConfigError(detail, file=self.file, field=field)

    def mapping(self, value: Any, field: str, allowed: set[str] | None = None) -> dict[str, Any]:
        """The value as a mapping, refusing keys outside `allowed`."""
        if not isinstance(value, dict):
            raise self.fail(field, "verwacht een mapping")
        if allowed is not None:
            unknown = sorted(set(value) - allowed, key=str)
            if unknown:
                name = unknown[0]
                raise self.fail(f"{field}.{name}" if field else str(name), "onbekend veld")
        return value

    def real(self, data: Mapping[str, Any], key: str, field: str, default: Any = ...) -> float:
        """A finite number, negative allowed (or the default); errors name the field."""
        value = data.get(key, default)
        where = f"{field}.{key}" if field else key
        if value is ...:
            raise self.fail(where, "ontbreekt")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, "moet een getal zijn")
        if not math.isfinite(value):
            raise self.fail(where, "moet een eindig getal zijn")
        return float(value)

    def number(self, data: Mapping[str, Any], key: str, field: str, default: Any = ...) -> float:
        """A finite number >= 0 (or the default); errors name the field."""
        value = self.real(data, key, field, default)
        if value < 0:
            raise self.fail(f"{field}.{key}" if field else key, "mag niet negatief zijn")
        return value

    def share(self, data: Mapping[str, Any], key: str, field: str, default: Any = ...) -> float:
        """A fraction in [0, 1]."""
        value = self.number(data, key, field, default)
        if value > 1:
            raise self.fail(f"{field}.{key}" if field else key, "moet tussen 0 en 1 liggen")
        return value

    def enum(self, kind: Callable[[str], T], value: Any, field: str) -> T:
        """The value as a member of `kind`."""
        try:
            return kind(str(value))
        except ValueError:
            choices = ""
            if isinstance(kind, EnumMeta):
                members: list[Enum] = list(kind)
                choices = "; kies uit " + ", ".join(str(m.value) for m in members)
            raise self.fail(field, f"onbekende waarde{choices}") from None

    def weights(self, value: Any, field: str, kind: Callable[[str], Any]) -> dict[str, float]:
        """{value: weight} with known values and a positive sum."""
        data = self.mapping(value, field)
        out = {str(self.enum(kind, k, f"{field}.{k}")): self.number(data, k, field) for k in data}
        if sum(out.values()) <= 0:
            raise self.fail(field, "de som van de gewichten moet groter dan 0 zijn")
        return out

    def guard(self, field: str, build: Callable[[], T]) -> T:
        """Run `build`, turning domain and value errors into a ConfigError under `field`."""
        try:
            return build()
        except ConfigError:
            raise
        except DomainError as exc:
            sub = (exc.field or "").lstrip(".")
            where = f"{field}.{sub}" if sub and field else (sub or field)
            raise self.fail(where, exc.detail) from None
        except (TypeError, ValueError):
            raise self.fail(field, "ongeldige waarde") from None
