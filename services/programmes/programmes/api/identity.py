"""Who is calling, counted against the key's rate limit: before every /v1 request, and for the
gateway's ``/internal/authorize``.

A key this process has kept (store.kept_keys) costs one Redis round trip: the rate limit's
count and the keys' generation, together. Any other key, or a kept one whose generation has
moved on, is read from the database under the generation read first, then kept.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request

from programmes.api import request_session
from programmes.api.ratelimit import RateLimiter
from programmes.domain.rates import parse_rate
from programmes.services.access import authenticate, secret_hash
from programmes.store.kept_keys import KeptKeys
from programmes.store.redis_guard import GuardedRedis
from setu_contract.http import Principal

LIMITER = "programmes.ratelimit"
KEPT_KEYS = "programmes.kept_keys"


def install(app: Flask, rate_text: str, redis_url: str, database_url: str) -> KeptKeys:
    """The rate limit and the kept keys, on one guarded Redis client (one round trip each
    request); the kept keys are returned to be watched."""
    guard = GuardedRedis(redis_url, "the rate limit and kept API keys")
    app.extensions[LIMITER] = RateLimiter(parse_rate(rate_text), guard)
    kept = app.extensions[KEPT_KEYS] = KeptKeys(guard, database_url)
    return kept


def identify() -> Principal:
    """The principal of the request's Bearer key, after counting the request against the
    key's rate limit: 401 for no valid key, 429 over the limit."""
    limiter: RateLimiter = current_app.extensions[LIMITER]
    keys: KeptKeys = current_app.extensions[KEPT_KEYS]
    key_hash = secret_hash(request.headers.get("Authorization"))
    now = time.time()
    counted: int | None = None  # this request's count, if taken with a kept principal
    kept = keys.get(key_hash)
    if kept is not None:
        count, generation = limiter.count(kept.principal.key_id, now, read=keys.generation_key)
        if keys.valid(kept, generation, now):
            limiter.enforce(count, now)
            return kept.principal
        keys.forget(key_hash)
        counted = count
    generation = keys.generation()
    principal, expires = authenticate(request_session(), key_hash)
    if generation is not None:
        keys.keep(key_hash, principal, expires, generation)
    # One hash is one key: a kept principal's count was this key's.
    count = counted if counted is not None else limiter.count(principal.key_id, now)[0]
    limiter.enforce(count, now)
    return principal
