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
