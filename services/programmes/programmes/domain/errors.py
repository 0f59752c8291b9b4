"""Domain errors: each class names the HTTP status it answers with (``status``); the one
handler of ``setu_contract.edge`` answers them all."""

from __future__ import annotations

from setu_contract.errors import ServiceError


class DomainError(ServiceError):
    """A rule said no. ``errors`` holds field-level messages when there are any."""


class Unauthenticated(DomainError):
    """No valid API key."""

    status = 401


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists."""

    status = 404


class Invalid(DomainError):
    """The request is well formed but breaks a field rule."""

    status = 422


class Conflict(DomainError):
    """The thing is not in a state that allows this."""

    status = 409


class PreconditionFailed(DomainError):
    """The client's If-Match does not name the current version."""

    status = 412


class Unavailable(DomainError):
    """The change cannot be made safely right now; nothing was changed: try again shortly."""

    status = 503
    retry_after = 1


class Locked(DomainError):
    """Too many wrong attempts: refused until ``retry_after`` seconds have passed."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class WrongCode(Invalid):
    """A wrong sign-in code: refused, and counted. The count stands though the request fails,
    and the answer comes ``slow_down`` seconds late, longer with each wrong code."""

    keeps_writes = True

    def __init__(self, slow_down: float):
        super().__init__("the code is not right", {"code": ["not right"]})
        self.slow_down = slow_down


class LockedOut(Locked):
    """The wrong code that locks the person out: the lock stands though the request fails."""

    keeps_writes = True
