"""The API's connection pool keeps open what its threads may hold at once: two connections
a thread (a create's own and its reference number's, on PostgreSQL). A pool that keeps
fewer closes what is given back past its size and opens it again for the next create: a
new PostgreSQL server process each time."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event

from programmes.app import CONNECTIONS_A_REQUEST
from programmes.config import Config


@pytest.mark.parametrize("engine_name", ["programmes.engine", "programmes.one_write_engine"])
def test_what_every_thread_may_hold_at_once_stays_open(app: Flask, engine_name: str):
    # The pool of creates of one statement (autocommit, PostgreSQL) holds a create's two.
    engine = app.extensions[engine_name]
    held_at_most = CONNECTIONS_A_REQUEST * app.extensions["programmes.config"].web_threads
    opened: list[object] = []
    event.listen(engine, "connect", lambda connection, _record: opened.append(connection))
    for _ in range(3):
        held = [engine.connect() for _ in range(held_at_most)]
        for connection in held:
            connection.close()
    assert len(opened) == held_at_most


def test_the_threads_are_read_as_gunicorn_reads_them():
    assert Config.from_env({"WEB_THREADS": "6"}).web_threads == 6
    assert Config.from_env({}).web_threads == 4
