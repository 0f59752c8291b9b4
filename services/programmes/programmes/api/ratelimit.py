"""The per-key rate limit and the limit on failed authentications per client address: fixed
windows in Redis shared by every API process.

When Redis does not answer, the limits are counted in this process instead and Redis is not
asked again for a few seconds: the API keeps answering with Redis down (PRODUCT.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import redis
from werkzeug.exceptions import TooManyRequests

from programmes.domain.rates import LocalWindows, Rate
from programmes.store.redis_guard import GuardedRedis, ThreadScript, database_scope

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


class FailedAuthentications:
    """Keys refused (unknown, revoked, expired) per client address, in a fixed window.

    Past the limit every request from the address answers 429 until the window ends, a
    right key's too: otherwise guessing would go on, each guess told apart by its answer.
    The count is read in the round trips a request makes anyway (api.identity) and written
    only when a key is refused. Windows are per database, as the keys are.
    """

    def __init__(self, rate: Rate, guard: GuardedRedis, database_url: str):
        self.rate = rate
        self.redis = guard
        self.local = LocalWindows()
        self.scope = database_scope(database_url)

    def key(self, address: str, now: float) -> str:
        """The Redis key of the address's window at ``now``."""
        return f"setu:auth-failures:{self.scope}:{address}:{self.rate.window(now)}"

    def check(self, address: str, counted: bytes | None, now: float) -> None:
        """429 with Retry-After when the address has used up its failures. ``counted``: the
        window's count as just read from Redis (None when absent, or when Redis was away:
        then this process's own count decides)."""
        if counted is not None:
            failures = int(counted)
        elif self.redis.usable():
            failures = 0
        else:
            failures = self.local.peek(address, self.rate.window(now))
        if failures >= self.rate.limit:
            error = TooManyRequests(
                f"too many failed authentications from this address ({self.rate.limit} per "
                f"{self.rate.period} s); try again later"
            )
            error.retry_after = self.rate.retry_after(now)  # type: ignore[attr-defined]
            raise error

    def check_now(self, address: str, now: float) -> None:
        """``check`` for a request that reads no other Redis key (one round trip)."""
        counted = None
        if self.redis.usable():
            try:
                counted = self.redis.client.get(self.key(address, now))
            except redis.RedisError as exc:
                self.redis.failed(exc)
        self.check(address, counted, now)

    def record(self, address: str, now: float) -> None:
        """Count a refused key against the address."""
        if self.redis.usable():
            try:
                pipe = self.redis.client.pipeline(transaction=False)
                pipe.incr(self.key(address, now))
                pipe.expire(self.key(address, now), self.rate.period + 1)
                pipe.execute()
                return
            except redis.RedisError as exc:
                self.redis.failed(exc)
        self.local.hit(address, self.rate.window(now))
