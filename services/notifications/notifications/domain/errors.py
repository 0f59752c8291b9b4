"""Domain errors: each class names the HTTP status it answers with (``status``); the one
handler of ``setu_contract.edge`` answers them all."""

from __future__ import annotations

from setu_contract.errors import ServiceError


class DomainError(ServiceError):
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
        super().__init__("the request breaks a rule; see errors", errors)
