"""The per-key rate limit: a fixed window in Redis shared by every API process.

When Redis does not answer, the limit is counted in this process instead and Redis is not
asked again for a few seconds: the API keeps answering with Redis down (PRODUCT.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import redis
from werkzeug.exceptions import TooManyRequests

from programmes.domain.rates import LocalWindows, Rate
from programmes.store.redis_guard import GuardedRedis, ThreadScript

# KEYS[1] the key's window, KEYS[2..] keys whose values are read with it; ARGV[1] the window's
# life in seconds. One command: cheaper for the API than a pipeline of four.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
local answer = {count}
for i = 2, #KEYS do
  answer[i] = redis.call('GET', KEYS[i]) or false
end
return answer
"""


class RateLimiter:
    def __init__(self, rate: Rate, guard: GuardedRedis):
        self.rate = rate
        self.redis = guard
        self.local = LocalWindows()
        self.script = ThreadScript(guard, _COUNT)

    def count(
        self, key_id: str, now: float, read: Sequence[str] = ()
    ) -> tuple[int, list[bytes | None]]:
        """This request counted in the key's window at ``now``; and the values of the Redis
        keys ``read``, from the same round trip (each None when Redis is away)."""
        window = self.rate.window(now)
        if self.redis.usable():
            name = f"setu:ratelimit:{key_id}:{window}"
            try:
                count, *values = self.script(keys=[name, *read], args=[self.rate.period + 1])
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
