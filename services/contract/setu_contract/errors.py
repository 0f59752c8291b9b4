"""The shape every service's domain errors take, so that one handler (``edge.ServiceApi``)
answers them all: a message, the HTTP status it answers with, field-level messages when
there are any, and how long a client waits before trying again when it should.

Nothing here knows HTTP beyond the status number: the domain raises, the edge answers.
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
