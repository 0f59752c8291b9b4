"""The API's own Redis uses (rate-limit windows, list totals): quick to give up, then left alone.

Neither may make a request wait on a Redis that does not answer: each call has a short
timeout, and after a failure the caller's fallback is used without asking Redis again for a
few seconds.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import hiredis
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


class ThreadScript:
    """A Lua script run on a Redis connection of the calling thread's own, not the pool's.

    For the one call every API request makes (the rate limit's count, api.ratelimit): through
    redis-py's client and pool, a call cost twice the CPU of its send and read on a connection
    (the pool's lock and checks, the retry wrapper, the client's hooks; docs/performance.md).
    A connection left from before a Redis restart finds its socket closed: it is tried once
    more on a new one, as the pool would. A timeout is not tried again (the caller falls back
    at once); a script Redis has lost (a restart, SCRIPT FLUSH) is loaded again.
    """

    def __init__(self, guard: GuardedRedis, text: str):
        self.pool = guard.client.connection_pool
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()
        self.local = threading.local()

    def __call__(self, keys: Sequence[str], args: Sequence[Any]) -> Any:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self.pool.connection_class(
                **self.pool.connection_kwargs
            )
        try:
            return self._run(connection, keys, args)
        except redis.ConnectionError:
            connection.disconnect()
            return self._run(connection, keys, args)  # connects again first

    def _run(self, connection: Any, keys: Sequence[str], args: Sequence[Any]) -> Any:
        # hiredis packs the command in C: redis-py's packer encodes each argument in Python.
        command = hiredis.pack_command(("EVALSHA", self.sha, len(keys), *keys, *args))
        try:
            connection.send_packed_command([command])
            return connection.read_response()
        except redis.exceptions.NoScriptError:
            connection.send_command("SCRIPT", "LOAD", self.text)
            connection.read_response()
            connection.send_packed_command([command])
            return connection.read_response()


def database_scope(database_url: str) -> str:
    """The part of a Redis key that names the database its value was derived from: processes
    on different databases (test sessions, say) may share one Redis."""
    return hashlib.sha256(database_url.encode()).hexdigest()[:16]
