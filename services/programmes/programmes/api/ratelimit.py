"""The per-key rate limit: a fixed window in Redis shared by every API process.

When Redis does not answer, the limit is counted in this process instead and Redis is not
asked again for a few seconds: the API keeps answering with Redis down (PRODUCT.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import redis
from werkzeug.exceptions import TooManyRequests

from programmes.domain.rates import LocalWindows, Rate
from programmes.store.redis_guard import GuardedRedis


class RateLimiter:
    def __init__(self, rate: Rate, guard: GuardedRedis):
        self.rate = rate
        self.redis = guard
        self.local = LocalWindows()

    def count(
        self, key_id: str, now: float, read: Sequence[str] = ()
    ) -> tuple[int, list[bytes | None]]:
        """This request counted in the key's window at ``now``; and the values of the Redis
        keys ``read``, from the same round trip (each None when Redis is away)."""
        window = self.rate.window(now)
        if self.redis.usable():
            name = f"setu:ratelimit:{key_id}:{window}"
            try:
                # One round trip, no MULTI/EXEC: EXPIRE only bounds the key's life.
                pipe = self.redis.client.pipeline(transaction=False)
                pipe.incr(name)
                pipe.expire(name, self.rate.period + 1)
                for key in read:
                    pipe.get(key)
                count, _, *values = pipe.execute()
                return int(count), values
            except redis.RedisError as exc:
                self.redis.failed(exc)
        return self.local.hit(key_id, window), [None] * len(read)

    def enforce(self, count: int, now: float) -> None:
        """429 with Retry-After when ``count`` (this request's, at ``now``) is over the limit."""
        if count > self.rate.limit:
            error = TooManyRequests(
                f"rate limit of {self.rate.limit} requests per {self.rate.period} s exceeded"
            )
            error.retry_after = self.rate.retry_after(now)  # type: ignore[attr-defined]
            raise error
