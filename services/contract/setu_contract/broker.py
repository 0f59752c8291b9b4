"""Kombu's Redis transport, with one guard: a worker that loses Redis reconnects, never exits.

When Redis goes away while a worker's channel waits on BRPOP, Celery's consumer first
collects the connection: closing the channel fails on the dead socket (an error kombu
ignores) and leaves it open, and the connection drops its transport's client. Celery then
closes the connection again; the channel's second close puts back the messages the worker
held (``restore_unacked``), which asks the transport for a new Redis client, whose address
is read from the client that is gone: ``AttributeError: 'NoneType' object has no attribute
'hostname'``, which kombu's ``ignore_errors`` does not ignore, and the worker exits
(kombu issues #582 and #970 report the same path on other closes).

Here that client is refused with the connection error it stands for, so every caller
treats it as the lost connection it is: the worker reconnects, and the messages it held
stay in Redis's unacked set, which hands them out again after the visibility timeout
(events sooner: their producer sends again what is not confirmed, setu_contract.deliveries).

Celery uses this transport through ``broker_transport`` (``messaging.celery_settings``).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[no-untyped-call,no-any-return]  # kombu is untyped


class Transport(kombu_redis.Transport):
    Channel = Channel
