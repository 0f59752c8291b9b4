"""The programmes service's own refusals, beside the ones every service gives
(``setu_contract.errors``: NotFound, Forbidden, Conflict, Invalid...); the one handler of
``setu_contract.edge`` answers them all."""

from __future__ import annotations

from setu_contract.errors import Invalid, ServiceError


class Locked(ServiceError):
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
