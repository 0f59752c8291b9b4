"""The API's own Redis uses (rate-limit windows, list totals): quick to give up, then left alone.

Neither may make a request wait on a Redis that does not answer: each call has a short
timeout, and after a failure the caller's fallback is used without asking Redis again for a
few seconds.
"""

from __future__ import annotations

import hashlib
import logging
import time

import redis

log = logging.getLogger(__name__)

REDIS_TIMEOUT = 0.25
BACKOFF_SECONDS = 5.0


class GuardedRedis:
    def __init__(self, redis_url: str, purpose: str):
        self.client = redis.Redis.from_url(
            redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        self.purpose = purpose
        self.down_until = 0.0

    def usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, exc: BaseException) -> None:
        """Redis did not answer: say so (once per back-off) and leave it alone for a while."""
        if self.usable():
            log.warning(
                "%s falls back from Redis for %.0f s: %r", self.purpose, BACKOFF_SECONDS, exc
            )
        self.down_until = time.monotonic() + BACKOFF_SECONDS


def database_scope(database_url: str) -> str:
    """The part of a Redis key that names the database its value was derived from: processes
    on different databases (test sessions, say) may share one Redis."""
    return hashlib.sha256(database_url.encode()).hexdigest()[:16]
