"""Typed domain errors, mapped to HTTP and CLI messages in one place (api.errors).

Messages name the field and what is wrong; they never carry personal data.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the service reports to a user."""

    kind = "DomainError"

    def __init__(self, detail: str, *, field: str | None = None, label: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        # The field's Dutch name as its form shows it; the message names the field by it.
        self.label = label

    def __str__(self) -> str:
        name = self.label or self.field
        return f"{name}: {self.detail}" if name else self.detail


class InvalidInput(DomainError, ValueError):
    """Input that breaks a domain rule (a negative age, an unknown code)."""

    kind = "InvalidInput"


class NotFound(DomainError):
    """A referenced thing (unit, referral, hold) does not exist."""

    kind = "NotFound"


class Conflict(DomainError):
    """The request is valid but conflicts with the current state."""

    kind = "Conflict"


class NoCapacity(Conflict):
    """No free place where one was needed."""

    kind = "NoCapacity"


class ServiceFailure(DomainError):
    """A failure on the service's side, not the request's (a solver that found no plan)."""

    kind = "ServiceFailure"


class ConfigError(DomainError):
    """A data file (rule set, weights, scenario, code list) is malformed."""

    kind = "ConfigError"

    def __init__(self, detail: str, *, file: str, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.file = file

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.detail}"
