"""The per-key rate limit: a fixed window in Redis shared by every API process.

When Redis does not answer, the limit is counted in this process instead and Redis is not
asked again for a few seconds: the API keeps answering with Redis down (PRODUCT.md).
"""

from __future__ import annotations

import time

import redis
from flask import Flask, current_app
from werkzeug.exceptions import TooManyRequests

from programmes.domain.rates import LocalWindows, Rate, parse_rate
from programmes.store.redis_guard import GuardedRedis
from setu_contract.http import Principal


class RateLimiter:
    def __init__(self, rate: Rate, redis_url: str):
        self.rate = rate
        self.redis = GuardedRedis(redis_url, "the rate limit")
        self.local = LocalWindows()

    def _count(self, key: str, window: int) -> int:
        if self.redis.usable():
            name = f"setu:ratelimit:{key}:{window}"
            try:
                # One round trip, no MULTI/EXEC: EXPIRE only bounds the key's life.
                pipe = self.redis.client.pipeline(transaction=False)
                pipe.incr(name)
                pipe.expire(name, self.rate.period + 1)
                return int(pipe.execute()[0])
            except redis.RedisError as exc:
                self.redis.failed(exc)
        return self.local.hit(key, window)

    def check(self, principal: Principal) -> None:
        """Count this request against the key; 429 with Retry-After over the limit."""
        now = time.time()
        if self._count(principal.key_id, self.rate.window(now)) > self.rate.limit:
            error = TooManyRequests(
                f"rate limit of {self.rate.limit} requests per {self.rate.period} s exceeded"
            )
            error.retry_after = self.rate.retry_after(now)  # type: ignore[attr-defined]
            raise error


def install(app: Flask, rate_text: str, redis_url: str) -> None:
    app.extensions["programmes.ratelimit"] = RateLimiter(parse_rate(rate_text), redis_url)


def check(principal: Principal) -> None:
    current_app.extensions["programmes.ratelimit"].check(principal)
