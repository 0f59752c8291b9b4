"""The API's gunicorn worker under real gunicorn: clients that open their keep-alive
connections at once (nginx's upstream pool, a load generator) are served by every worker,
and a new connection still gets in while every worker is busy."""

from __future__ import annotations

import http.client
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from tests.support.infra import free_port
from tests.support.processes import Process, gunicorn_workers_ready

WORKERS, THREADS, CONNECTIONS, REQUESTS = 2, 2, 8, 15


@pytest.fixture
def server(tmp_path):
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    argv = [gunicorn, "--config", "python:setu.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    env = {
        "WEB_CONCURRENCY": str(WORKERS),
        "WEB_THREADS": str(THREADS),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    process = Process("gunicorn", [*argv, "tests.support.pid_app:app"], env, tmp_path)
    try:
        # Both workers must have loaded the app: before that, one taking everything is expected.
        process.wait_for(gunicorn_workers_ready, "load the app in every worker")
        yield port
    finally:
        process.stop()


def _answer(port: int, ms: int) -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", f"/?ms={ms}")
        return connection.getresponse().read().decode()
    except OSError:
        return None
    finally:
        connection.close()


def _hammer(connection: http.client.HTTPConnection, pids: list[set[str]]) -> None:
    """REQUESTS requests of 20 ms each on one keep-alive connection."""
    seen = set()
    for _ in range(REQUESTS):
        connection.request("GET", "/?ms=20")
        seen.add(connection.getresponse().read().decode())
    connection.close()
    pids.append(seen)


def test_connections_opened_at_once_are_shared_between_the_workers(server):
    for _ in range(3):  # the stock gthread worker gave a burst to one worker more often than not
        connections = [
            http.client.HTTPConnection("127.0.0.1", server, timeout=5) for _ in range(CONNECTIONS)
        ]
        for connection in connections:  # all opened before the first request, as a pool does
            connection.connect()
        pids: list[set[str]] = []
        threads = [threading.Thread(target=_hammer, args=(c, pids)) for c in connections]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(pids) == CONNECTIONS
        assert all(len(seen) == 1 for seen in pids), "a keep-alive connection changed process"
        per_worker = Counter(pid for seen in pids for pid in seen)
        assert len(per_worker) == WORKERS, per_worker
        assert min(per_worker.values()) >= CONNECTIONS // 4, per_worker


def test_a_new_connection_is_answered_while_every_worker_is_busy(server):
    stop = threading.Event()

    def busy() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
        while not stop.is_set():
            connection.request("GET", "/?ms=50")
            connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=busy) for _ in range(2 * WORKERS * THREADS)]
    for thread in threads:
        thread.start()
    try:
        answers = [_answer(server, 0) for _ in range(5)]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert all(answer and answer.isdigit() for answer in answers), answers
