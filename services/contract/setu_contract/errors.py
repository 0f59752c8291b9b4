"""The shape every service's domain errors take, so that one handler (``edge.ServiceApi``)
answers them all: a message, the HTTP status it answers with, field-level messages when
there are any, and how long a client waits before trying again when it should.

The refusals below are the ones every service gives (a use case raises ``NotFound``, never
its own copy of it); a service adds a class only for a refusal of its own. Nothing here knows
HTTP beyond the status number: the domain raises, the edge answers.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A rule of a service said no. A service's own error classes set ``status`` (the answer's
    HTTP status) and, for a refusal that lifts with time, ``retry_after`` (seconds)."""

    status: int = 400
    retry_after: int | None = None
    # A refusal whose writes stand: the transaction it ends is committed, not rolled back
    # (a wrong sign-in code is counted, and a lock holds, though the request fails).
    keeps_writes: bool = False

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class Unauthenticated(ServiceError):
    """No valid credential."""

    status = 401


class Forbidden(ServiceError):
    """The caller is known but may not do this."""

    status = 403


class NotFound(ServiceError, LookupError):
    """No such thing, or the caller may not know it exists."""

    status = 404


class Conflict(ServiceError):
    """The thing is not in a state that allows this."""

    status = 409


class PreconditionFailed(ServiceError):
    """The client's If-Match does not name the current version."""

    status = 412


class Invalid(ServiceError):
    """The request is well formed but breaks a field rule: ``errors`` says which."""

    status = 422


class Unavailable(ServiceError):
    """The change cannot be made safely right now; nothing was changed: try again shortly."""

    status = 503
    retry_after = 1
