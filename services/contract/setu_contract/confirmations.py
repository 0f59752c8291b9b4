"""How a consumer tells an event's producer that it is done with the event.

Done means applied (a copy it had applied already counts too) or given up on for good (a
dead letter, or an envelope that can never be valid). After its transaction commits, the
consumer pushes one line, ``<consumer> <outcome> <event id>``, to the producer's list in
Redis (``messaging.confirmations_key``); the producer's relay takes them in batches and
writes them down (``setu_contract.deliveries``). Nobody reads another service's database.

A confirmation that never arrives (Redis lost it, or was away when it was pushed) costs
one resend of the event after the deadline, which the consumer finds applied and confirms
again: the consumers are idempotent, so a lost confirmation is never a lost or second email.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis

from setu_contract.events import InvalidEvent, parse_event
from setu_contract.messaging import PRODUCERS, REDIS_SOCKET_TIMEOUT, confirmations_key

log = logging.getLogger(__name__)

APPLIED = "applied"
DEAD_LETTERED = "dead_lettered"
OUTCOMES = (APPLIED, DEAD_LETTERED)


@dataclass(frozen=True)
class Confirmation:
    consumer: str
    outcome: str
    event_id: str

    def line(self) -> str:
        return f"{self.consumer} {self.outcome} {self.event_id}"

    @classmethod
    def parse(cls, raw: bytes | str) -> Confirmation | None:
        """The confirmation a line holds, or None for a line that is not one."""
        text = raw.decode() if isinstance(raw, bytes) else raw
        parts = text.split(" ")
        if len(parts) != 3 or parts[1] not in OUTCOMES or not parts[0] or not parts[2]:
            return None
        return cls(*parts)


def broker_client(redis_url: str) -> redis.Redis:
    """A Redis client that gives up as the Celery settings do (``REDIS_SOCKET_TIMEOUT``)."""
    return redis.Redis.from_url(
        redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT,
    )


class Confirmer:
    """A consumer's way to confirm events: ``confirm(envelope, outcome)``.

    One per process; its Redis client is made on first use, in the process that uses it
    (a Celery pool child, after the fork)."""

    def __init__(self, redis_url: str, consumer: str):
        self.redis_url = redis_url
        self.consumer = consumer
        self._client: tuple[int, redis.Redis] | None = None

    def client(self) -> redis.Redis:
        if self._client is None or self._client[0] != os.getpid():
            self._client = (os.getpid(), broker_client(self.redis_url))
        return self._client[1]

    def confirm(self, envelope: Mapping[str, Any], outcome: str = APPLIED) -> bool:
        """Tell the envelope's producer this consumer is done with it; False when it could
        not be told (the event is then sent again after the deadline)."""
        producer, event_id = envelope.get("producer"), envelope.get("id")
        if producer not in PRODUCERS or not isinstance(event_id, str) or not event_id:
            return False
        line = Confirmation(self.consumer, outcome, event_id).line()
        try:
            self.client().rpush(confirmations_key(str(producer)), line)
        except redis.RedisError as exc:
            log.warning(
                "could not confirm an event; it will be sent again",
                extra={"event_id": event_id, "error": repr(exc)},
            )
            return False
        return True

    def parsed(self, envelope: Any) -> dict[str, Any] | None:
        """The event an envelope holds, or None for one that can never be valid: that one
        is logged and confirmed as dead-lettered, since retrying cannot make it valid."""
        try:
            return parse_event(envelope)
        except InvalidEvent as exc:
            log.error("invalid event dropped", extra={"errors": exc.errors})
            if isinstance(envelope, Mapping):
                self.confirm(envelope, DEAD_LETTERED)
            return None


def take_confirmations(
    client: redis.Redis, producer: str, count: int
) -> tuple[list[Confirmation], int]:
    """Up to ``count`` lines of ``producer``'s confirmation list, oldest first, removed from
    Redis (one round trip): the confirmations among them, and how many lines were taken
    (a line that is not a confirmation is dropped)."""
    raw = client.lpop(confirmations_key(producer), count) or []
    found = [Confirmation.parse(line) for line in raw if isinstance(line, bytes | str)]
    return [confirmation for confirmation in found if confirmation is not None], len(raw)
