"""Domain errors; the API maps them to HTTP in one place (api.NotificationsApi)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400


class NotFound(DomainError, LookupError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Input that passed the schema but breaks a rule: 422 with field-level messages."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the request breaks a rule; see errors")
        self.errors = errors
