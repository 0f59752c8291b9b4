"""The event log: the outbox table, paged for the secretariat and auditors (and replays),
with what each consumer has confirmed of it."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.store.models import outbox, outbox_deliveries
from setu_contract.deliveries import DeliveryLedger, now_utc
from setu_contract.errors import Forbidden
from setu_contract.http import Principal
from setu_contract.messaging import PROGRAMMES_PRODUCER, consumers_of, destinations

# An event's delivery to a consumer: not published yet, published and not confirmed,
# confirmed (applied by the consumer; also every event published before confirmations
# were kept), or given up on by the consumer.
WAITING, CONFIRMED = "waiting", "confirmed"

_ledger = DeliveryLedger(outbox_deliveries, outbox)


def _check(principal: Principal) -> None:
    if not principal.can_read_everything:
        raise Forbidden("the event log is for the secretariat and auditors")


def list_events(
    session: Session, principal: Principal, filters: dict[str, Any], page: int, size: int
) -> tuple[list[dict[str, Any]], int]:
    """Envelopes oldest first (the order they were written), with their log position and
    their delivery to each consumer."""
    _check(principal)
    query = select(outbox.c.position, outbox.c.payload, outbox.c.published_at)
    if filters.get("type"):
        query = query.where(outbox.c.type == filters["type"])
    if filters.get("aggregate_id"):
        query = query.where(outbox.c.aggregate_id == filters["aggregate_id"])
    if filters.get("since"):
        query = query.where(outbox.c.occurred_at >= filters["since"].astimezone(UTC))
    if filters.get("until"):
        query = query.where(outbox.c.occurred_at < filters["until"].astimezone(UTC))
    if filters.get("after_position") is not None:
        query = query.where(outbox.c.position > filters["after_position"])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(outbox.c.position).offset((page - 1) * size).limit(size)
    ).all()
    states = _ledger.states(session.connection(), [row.payload["id"] for row in rows])
    items = [
        {
            **row.payload,
            "position": row.position,
            "published": row.published_at is not None,
            "deliveries": {
                consumer: states.get(
                    (row.payload["id"], consumer),
                    CONFIRMED if row.published_at is not None else WAITING,
                )
                for consumer, _task in destinations(row.payload["type"])
            },
        }
        for row in rows
    ]
    return items, total


def consumers(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Per consumer of the log: how many events it has not confirmed, since when, and how
    many it gave up on."""
    _check(principal)
    now = now_utc()
    backlogs = _ledger.backlog(session.connection(), consumers_of(PROGRAMMES_PRODUCER))
    return [
        {
            "consumer": backlog.consumer,
            "unconfirmed": backlog.unconfirmed,
            "oldest_unconfirmed_sent_at": backlog.oldest_sent_at,
            "oldest_unconfirmed_age_seconds": round(backlog.oldest_age(now), 3),
            "dead_lettered": backlog.dead_lettered,
        }
        for backlog in backlogs
    ]
