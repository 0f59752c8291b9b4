"""Domain errors. The HTTP layer maps each class to a status code in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. ``errors`` holds field-level messages when there are any."""

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class Unauthenticated(DomainError):
    """No valid API key."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists."""


class Invalid(DomainError):
    """The request is well formed but breaks a field rule."""


class Conflict(DomainError):
    """The thing is not in a state that allows this."""


class PreconditionFailed(DomainError):
    """The client's If-Match does not name the current version."""


class Unavailable(DomainError):
    """The change cannot be made safely right now; nothing was changed: try again shortly."""


class Locked(DomainError):
    """Too many wrong attempts: refused until ``retry_after`` seconds have passed."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
