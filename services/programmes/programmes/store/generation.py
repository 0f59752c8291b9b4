"""A generation: a token in Redis, replaced after every commit that changes what a process keeps.

A process may keep something it read from the database (a key's principal, a programme) as
long as Redis still holds the generation it was read under. The generation is read *before*
the row, so that a write committing in between leaves the row kept under a generation that is
already old. With Redis away there is no generation (``None``), and nothing may be kept or
used. The one case left is Redis failing (or the process dying) between a write's commit and
its ``renew``: what is kept is used for at most ``bound_seconds`` (the keeper's maximum age),
and the failure is logged with that bound.

A write that must be seen by every process on its next request, whatever Redis does after
its commit (a revoked key), ``hold``s the generation before committing: the generation
becomes a hold, under which nothing is kept, until the renewal after the commit replaces it
or, if that renewal never reaches Redis, until the hold expires and a new generation is made.
If the hold itself cannot be set, the write must not be committed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeGuard

import redis

from programmes.store.redis_guard import GuardedRedis, database_scope

log = logging.getLogger(__name__)


class Generation:
    def __init__(
        self, guard: GuardedRedis, name: str, database_url: str, what: str, bound_seconds: float
    ):
        self.redis = guard
        self.key = f"setu:{name}:{database_scope(database_url)}:generation"
        self.what = what
        self.bound_seconds = bound_seconds

    def renew(self) -> None:
        """A new generation: whatever was kept under the old one is read again. Call after a
        commit that changed it."""
        try:
            self.redis.client.set(self.key, uuid.uuid4().hex)
        except redis.RedisError as exc:
            log.warning(
                "%s' generation not renewed after a write; what processes keep of them may be "
                "used for up to %.0f s: %r",
                self.what,
                self.bound_seconds,
                exc,
            )
            self.redis.failed(exc)

    def hold(self, seconds: float) -> bool:
        """Replace the generation by a hold for ``seconds`` (nothing is kept under it): what
        was kept is read again, and what is read meanwhile is not kept. False when Redis
        could not be told."""
        try:
            self.redis.client.set(
                self.key, HOLD_PREFIX + uuid.uuid4().hex.encode(), px=int(seconds * 1000)
            )
        except redis.RedisError as exc:
            log.warning("%s' generation not held: %r", self.what, exc)
            self.redis.failed(exc)
            return False
        return True


# The start of a generation under which nothing may be kept (Generation.hold).
HOLD_PREFIX = b"hold:"


def read_together(*generations: Generation, also: Sequence[str] = ()) -> list[bytes | None]:
    """Each generation (made if Redis has none), then the value of each key in ``also``, in
    one round trip on their one Redis client; each None when Redis is away."""
    guard = generations[0].redis
    assert all(generation.redis is guard for generation in generations)
    if not guard.usable():
        return [None] * (len(generations) + len(also))
    try:
        pipe = guard.client.pipeline(transaction=False)
        for generation in generations:
            pipe.set(generation.key, uuid.uuid4().hex, nx=True)
            pipe.get(generation.key)
        for key in also:
            pipe.get(key)
        values = pipe.execute()
        return [*values[1 : 2 * len(generations) : 2], *values[2 * len(generations) :]]
    except redis.RedisError as exc:
        guard.failed(exc)
        return [None] * (len(generations) + len(also))


# The bound on a renewal that never reached Redis.
MAX_AGE_SECONDS = 30.0


class Keeper:
    """What a process keeps under one generation (``NAME``, for ``WHAT``): the generation, and
    how long anything kept may be used at most. Subclasses keep their things in ``_kept``."""

    NAME: str
    WHAT: str

    def __init__(
        self,
        guard: GuardedRedis,
        database_url: str,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.token = Generation(guard, self.NAME, database_url, self.WHAT, max_age)
        self.generation_key = self.token.key
        self.max_age = max_age
        self.clock = clock
        self._kept: dict[Any, Any] = {}

    def changed(self, _names: Iterable[str] = ()) -> None:
        """A new generation: everything kept is read again. Call after a commit that changed
        what is kept."""
        self.token.renew()

    def may_keep(self, generation: bytes | None) -> TypeGuard[bytes]:
        """Whether something read under ``generation`` may be kept: not with Redis away, nor
        under a hold."""
        return generation is not None and not generation.startswith(HOLD_PREFIX)

    def fresh(self, kept_under: bytes, kept_at: float, generation: bytes | None) -> bool:
        """Whether something kept at ``kept_at`` (``clock()``) under the generation
        ``kept_under`` may be used by a request that read ``generation``. Nothing is kept
        under None, so a request that found Redis away (None) uses nothing kept."""
        return generation == kept_under and self.clock() - kept_at < self.max_age
