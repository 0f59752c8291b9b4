"""The event log: the outbox table, paged for the secretariat and auditors (and replays)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.domain.errors import Forbidden
from programmes.store.models import outbox
from setu_contract.http import Principal


def list_events(
    session: Session, principal: Principal, filters: dict[str, Any], page: int, size: int
) -> tuple[list[dict[str, Any]], int]:
    """Envelopes oldest first (the order they were written), with their log position."""
    if not principal.can_read_everything:
        raise Forbidden("the event log is for the secretariat and auditors")
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
    items = [
        {**row.payload, "position": row.position, "published": row.published_at is not None}
        for row in rows
    ]
    return items, total
