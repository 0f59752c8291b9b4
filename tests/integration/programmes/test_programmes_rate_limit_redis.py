"""The rate limit's count on each thread's own Redis connection (store.redis_guard.ThreadScript):
counted in Redis through a restart and a lost script, on a real Redis."""

from __future__ import annotations

import threading
import uuid

import redis

from programmes.api.ratelimit import RateLimiter
from programmes.domain.rates import Rate
from programmes.store.redis_guard import GuardedRedis
from tests.support.infra import RedisServer

NOW = 1_000_000.0  # one window throughout
RATE = Rate(100, 60)


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_counts_are_shared_by_every_thread_each_on_a_connection_of_its_own(redis_url: str):
    limiter = RateLimiter(RATE, GuardedRedis(redis_url, "test"))
    key = new_key()
    counts: list[int] = []
    connections: list[object] = []

    def count_twice() -> None:
        for _ in range(2):
            counts.append(limiter.count(key, NOW)[0])
        connections.append(limiter.script.local.connection)

    threads = [threading.Thread(target=count_twice) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [1, 2, 3, 4, 5, 6]
    assert len({id(connection) for connection in connections}) == 3


def test_keys_read_come_back_with_the_count(redis_url: str):
    limiter = RateLimiter(RATE, GuardedRedis(redis_url, "test"))
    generation, none = f"setu:test:{uuid.uuid4().hex}", f"setu:test:{uuid.uuid4().hex}"
    with redis.Redis.from_url(redis_url) as client:
        client.set(generation, b"g1")
    count, values = limiter.count(new_key(), NOW, read=(generation, none))
    assert (count, values) == (1, [b"g1", None])


def test_a_script_redis_has_lost_is_loaded_again(redis_url: str):
    guard = GuardedRedis(redis_url, "test")
    limiter = RateLimiter(RATE, guard)
    key = new_key()
    assert limiter.count(key, NOW)[0] == 1
    with redis.Redis.from_url(redis_url) as client:
        client.script_flush()
    assert limiter.count(key, NOW)[0] == 2
    assert guard.usable()


def test_after_a_redis_restart_the_count_is_taken_in_redis_again_at_once(
    private_redis: RedisServer,
):
    guard = GuardedRedis(private_redis.url, "test")
    limiter = RateLimiter(RATE, guard)
    assert limiter.count("key", NOW)[0] == 1
    private_redis.stop()
    private_redis.start()  # same port, its data back from the append-only file, no scripts
    # The thread's old connection finds its socket closed and is replaced: counted in Redis,
    # where the window's count survived (the process's fallback would start again from one).
    assert limiter.count("key", NOW)[0] == 2
    assert guard.usable()
    assert limiter.count("key", NOW)[0] == 3
    with redis.Redis.from_url(private_redis.url) as client:
        assert client.get(f"setu:ratelimit:key:{RATE.window(NOW)}") == b"3"


def test_with_redis_gone_the_count_falls_back_to_the_process(private_redis: RedisServer):
    guard = GuardedRedis(private_redis.url, "test")
    limiter = RateLimiter(RATE, guard)
    assert limiter.count("key", NOW)[0] == 1
    private_redis.stop()
    assert limiter.count("key", NOW) == (1, [])  # counted here, from one
    assert not guard.usable()
