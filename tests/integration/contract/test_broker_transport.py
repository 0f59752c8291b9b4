"""A worker whose Redis dies while it waits on BRPOP, holding a message, closes its
connection the way Celery's consumer does and goes on: no error escapes but the lost
connection, and the message it held is still in Redis's unacked set.

This is the sequence that made `setu up`'s workers exit with ``AttributeError: 'NoneType'
object has no attribute 'hostname'`` (setu_contract.broker). The worker's connection has
two channels waiting (its task consumer's, the default one, and its remote control's,
made after it). Celery collects the connection: each channel's close fails on the dead
socket, the second one's before the default channel is closed, and the transport's client
is dropped. Then Celery closes the connection again.
"""

from __future__ import annotations

import contextlib
import signal

import pytest
import redis
from kombu import Connection, Consumer, Exchange, Producer, Queue
from kombu.transport import redis as kombu_redis

from setu_contract.broker import Transport
from setu_contract.messaging import celery_settings
from tests.support.infra import RedisServer

QUEUE = Queue("held", Exchange("held", type="direct"), routing_key="held")
CONTROL = Queue("control", Exchange("control", type="direct"), routing_key="control")


def _connection_lost_while_waiting(server: RedisServer, transport: type) -> Connection:
    """A connection holding one unacknowledged message, waiting on BRPOP when Redis dies;
    collected as Celery's consumer collects it."""
    options = celery_settings(server.url)["broker_transport_options"]
    connection = Connection(server.url, transport=transport, transport_options=options)
    channel = connection.default_channel
    Producer(channel).publish(
        {"n": 1}, exchange=QUEUE.exchange, routing_key="held", declare=[QUEUE]
    )
    held = []
    consumer = Consumer(channel, [QUEUE], callbacks=[lambda body, message: held.append(message)])
    consumer.consume()
    connection.drain_events(timeout=5)
    assert len(held) == 1  # delivered, not acknowledged
    control = connection.channel()
    Consumer(control, [CONTROL], callbacks=[lambda body, message: None]).consume()
    for waiting in (channel, control):
        connection.transport.cycle._register_BRPOP(waiting)  # what the event loop does
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    with contextlib.suppress(Exception):  # Celery's consumer ignores whatever collect raises
        connection.collect(socket_timeout=1)
    return connection


def test_closing_a_connection_lost_while_waiting_raises_nothing_but_a_connection_error(
    private_redis: RedisServer,
):
    connection = _connection_lost_while_waiting(private_redis, Transport)
    # What Celery's ignore_errors lets through; the worker reconnects after it.
    with contextlib.suppress(*connection.connection_errors):
        connection.close()
    private_redis.start()  # from its append-only file
    client = redis.Redis.from_url(private_redis.url, socket_timeout=5)
    with client:
        assert client.hlen("unacked") == 1


def test_kombus_own_transport_exits_on_that_sequence(private_redis: RedisServer):
    """The guard's reason to exist: kombu's transport raises AttributeError there."""
    connection = _connection_lost_while_waiting(private_redis, kombu_redis.Transport)
    with pytest.raises(AttributeError, match="hostname"):
        connection.close()
