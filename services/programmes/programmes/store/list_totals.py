"""The ``total`` of a list, counted once and kept in Redis until a write changes what it counts.

The lists answer an exact ``total``. Counting every row a caller may see costs more
than the rest of the request once there are many: 100,000 programmes are a scan of 100,000
rows, 10-15 ms of PostgreSQL, for every page. So a total is counted once and kept in one Redis
hash per list and database (``setu:list-totals:<database>:<list>``), in a field per scope (who
is asking and the filters), beside the hash's ``generation``.

- A commit that wrote a row the list counts replaces the hash by an empty one with a new
  generation (``changed``, run after the commit and before the response is sent): a client
  that was answered a write is never then answered a total from before it.
- A total is stored only if the hash still has the generation read before counting (one Lua
  script): a count that ran while a write committed, and may have missed it, is not kept.
- When Redis does not answer, totals are counted in the database (exact, only slower) and Redis
  is left alone for a few seconds. The one case in which a total can lag: Redis fails (or the
  process dies) between a write's commit and its ``changed``. The hash expires TTL_SECONDS
  after it was made, which bounds that.

Writes are seen through the ORM (rows of the watched classes flushed in a session made by the
watched sessionmaker). A statement that changes those tables without the ORM must call
``changed`` itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import redis
from sqlalchemy.orm import Session, sessionmaker

from programmes.store.committed_writes import after_committed_writes
from programmes.store.redis_guard import GuardedRedis, database_scope

log = logging.getLogger(__name__)

TTL_SECONDS = 60
GENERATION = "generation"

# KEYS[1] the hash; ARGV: generation read before counting, field, total, ttl.
_STORE = """
if (redis.call('HGET', KEYS[1], 'generation') or '') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
if redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
return 1
"""


class ListTotals:
    def __init__(self, redis_url: str, database_url: str, ttl: int = TTL_SECONDS):
        self.redis = GuardedRedis(redis_url, "list totals")
        self.client = self.redis.client
        self.database = database_scope(database_url)
        self.ttl = ttl
        self.store = self.client.register_script(_STORE)

    def key(self, name: str) -> str:
        return f"setu:list-totals:{self.database}:{name}"

    def total(self, name: str, scope: Any, count: Callable[[], int]) -> int:
        """The kept total of ``name`` for ``scope`` (JSON-able), or ``count()``, then kept."""
        if not self.redis.usable():
            return count()
        key = self.key(name)
        field = hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()[:24]
        try:
            generation, kept = self.client.hmget(key, [GENERATION, field])
        except redis.RedisError as exc:
            self.redis.failed(exc)
            return count()
        if kept is not None:
            return int(kept)
        value = count()
        try:
            self.store(keys=[key], args=[generation or b"", field, value, self.ttl])
        except redis.RedisError as exc:
            self.redis.failed(exc)
        return value

    def changed(self, names: Iterable[str]) -> None:
        """Forget the totals of ``names``: call after a commit that changed their rows."""
        try:
            pipe = self.client.pipeline(transaction=True)
            for name in sorted(set(names)):
                key = self.key(name)
                pipe.delete(key)
                pipe.hset(key, GENERATION, uuid.uuid4().hex)
                pipe.expire(key, self.ttl)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning(
                "list totals not reset after a write; they may lag for up to %d s: %r",
                self.ttl,
                exc,
            )
            self.redis.failed(exc)

    def watch(self, sessions: sessionmaker[Session], lists: Mapping[str, tuple[type, ...]]) -> None:
        """Call ``changed`` after every commit of ``sessions`` that flushed a new, changed or
        deleted instance of one of a list's classes."""
        after_committed_writes(sessions, lists, self.changed)
