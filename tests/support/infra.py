"""Real infrastructure for tests: PostgreSQL databases, a Redis database, free ports.

A missing service is a failure, never a skip: CI must not pass by testing nothing.
"""

from __future__ import annotations

import atexit
import itertools
import os
import queue
import random
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

POSTGRES_ADMIN_URL = os.environ.get(
    "SETU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_SERVER_URL = os.environ.get("SETU_TEST_REDIS_URL", "redis://127.0.0.1:6379")


class MissingService(RuntimeError):
    pass


# Ports this test process hands out, from a block of its own (one per xdist worker) below
# the range the kernel takes outgoing connections' local ports from. A port the kernel chose
# (bind to 0) is one of that range: between the test choosing it and the server it starts
# binding it, any of the many connections the tests open could take it as its local port.
PORT_BLOCKS = 8
LOWEST_PORT = 10_000


def _port_block() -> range:
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    span = (int(ephemeral[0]) - LOWEST_PORT) // PORT_BLOCKS
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    start = LOWEST_PORT + int(worker or 0) % PORT_BLOCKS * span
    return range(start, start + span)


def _ports() -> Iterator[int]:
    block = _port_block()
    # From a place of its own in the block: another run of the suite at the same time.
    first = random.randrange(len(block))
    return itertools.cycle([*block[first:], *block[:first]])


_PORTS = _ports()


def free_port() -> int:
    """A port of this process's block that nothing listens on or holds now."""
    while True:
        port = next(_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def wait_until(
    predicate: Callable[[], object],
    timeout: float = 15.0,
    interval: float = 0.05,
    message: str = "condition",
) -> object:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except AssertionError:  # the predicate saw something that will never get better
            raise
        except Exception as exc:  # the thing polled may not be up yet
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}: {last_error!r}")


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database, empty or a copy of ``template``; yields its SQLAlchemy URL
    and drops it afterwards."""
    name = f"setu_t_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise MissingService(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}") from exc
    with admin:
        copied = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{copied}')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        DROPPER.drop(name)


class DatabaseDropper:
    """Drops test databases beside the tests instead of in their teardown.

    ``DROP DATABASE`` waits for a checkpoint, which flushes what every session on the server
    has written: one to four seconds a database on a shared, busy server. Threads of their
    own drop them, and PostgreSQL serves drops waiting at once with one checkpoint.
    ``wait`` (at the end of the session, or of the process) returns once every one is gone.
    """

    THREADS = 3

    def __init__(self) -> None:
        self.names: queue.Queue[str] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def drop(self, name: str) -> None:
        if not self.threads:
            atexit.register(self.wait)  # a process that is not pytest (bench) drops them too
            for _ in range(self.THREADS):
                thread = threading.Thread(target=self._run, daemon=True)
                thread.start()
                self.threads.append(thread)
        self.names.put(name)

    def _run(self) -> None:
        while True:
            name = self.names.get()
            try:
                with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except BaseException as exc:  # kept for wait(), which fails the session
                self.errors.append(exc)
            finally:
                self.names.task_done()

    def wait(self) -> None:
        self.names.join()
        if self.errors:
            raise RuntimeError(f"test databases not dropped: {self.errors!r}")


DROPPER = DatabaseDropper()


def terminate_connections(database_url: str) -> int:
    """End every connection to the PostgreSQL database of ``database_url`` (as a server
    restart does to its clients) and wait until their server processes are gone; how many
    there were. Only that database's connections: the server is shared."""
    from sqlalchemy import make_url

    database = make_url(database_url).database
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
        # The connections are chosen first (a materialised CTE), and only they are ended: in
        # a WHERE clause the planner may call pg_terminate_backend before filtering.
        ended = admin.execute(
            "WITH ours AS MATERIALIZED (SELECT pid FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid())"
            " SELECT pid, pg_terminate_backend(pid) FROM ours",
            [database],
        ).fetchall()
        pids = [pid for pid, _ in ended]

        def gone() -> bool:
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
            )
            return left.fetchone()[0] == 0

        wait_until(gone, 10, message="the database's connections to end")
    return len(pids)


def sqlite_database(directory: Path) -> str:
    return f"sqlite:///{directory / f'setu-{uuid.uuid4().hex[:8]}.db'}"


OWNER_KEY = b"setu-test-owner"


@contextmanager
def private_redis_db() -> Iterator[str]:
    """A Redis database number no other test session holds; flushed before and after.

    Several test sessions (and a running ``make up``, on db 0) share one Redis server, and
    Celery queues are plain keys: each session takes a database of its own so that no
    worker of one session steals the tasks of another.
    """
    owner = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS_SERVER_URL}/{number}", socket_timeout=5)
        try:
            taken = client.set(OWNER_KEY, owner, nx=True, ex=3600)
        except redis.ConnectionError as exc:
            raise MissingService(f"Redis is not reachable at {REDIS_SERVER_URL}: {exc}") from exc
        if not taken:
            continue
        url = f"{REDIS_SERVER_URL}/{number}"
        forget_queued_tasks(url)
        try:
            yield url
        finally:
            client.flushdb()
        return
    raise MissingService("every Redis database 1-15 is held by another test session")


def forget_queued_tasks(redis_url: str, keep_bindings: bool = False) -> None:
    """Empty this session's Redis database but for its owner key: what an earlier test's
    worker left there (queued, unacked, or put back when it stopped) belongs to another
    test's database and mailbox and must not reach the next test's worker. With
    ``keep_bindings``, kombu's queue bindings stay: a running worker declared them once and
    publishes its retries through them."""
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    with client:
        for key in client.scan_iter():
            if key != OWNER_KEY and not (keep_bindings and key.startswith(b"_kombu.binding.")):
                client.delete(key)


class RedisServer:
    """A private ``redis-server`` on a free port, for tests that stop and restart Redis.

    The shared Redis at 6379 serves other test sessions, so fault tests never touch it.
    """

    def __init__(self, directory: Path):
        import shutil

        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise MissingService("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.directory),
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        wait_until(client.ping, timeout=10, message="the private redis-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def crash(self) -> None:
        """SIGKILL: Redis keeps only what its append-only file already holds."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def forget_everything(self) -> None:
        """Remove its files (while it is down): the next start is a Redis that kept nothing."""
        import shutil

        assert self.process is None or self.process.poll() is not None
        shutil.rmtree(self.directory, ignore_errors=True)

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
