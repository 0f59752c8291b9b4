"""Reading deliveries, as each role may, and sending a failed one again.

Each use case works inside the caller's transaction: the route owns it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from notifications.services.dead_letters import Requeue, reopen_delivery
from notifications.store.models import FAILED, Delivery
from setu_contract.errors import Conflict, Forbidden, NotFound
from setu_contract.http import Principal


@dataclass(frozen=True)
class DeliveryFilter:
    status: str | None = None
    event_id: str | None = None
    recipient: str | None = None


def _visible(query: Select, principal: Principal) -> Select:
    if principal.can_read_everything:
        return query
    # A partner sees the emails sent on its behalf or to it, nothing else.
    return query.where(Delivery.organisation_id == principal.organisation_id)


def list_deliveries(
    session: Session, principal: Principal, filters: DeliveryFilter, page: int, page_size: int
) -> tuple[list[Delivery], int]:
    query = _visible(select(Delivery), principal)
    if filters.status:
        query = query.where(Delivery.status == filters.status)
    if filters.event_id:
        query = query.where(Delivery.event_id == filters.event_id)
    if filters.recipient:
        query = query.where(func.lower(Delivery.recipient) == filters.recipient.lower())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Delivery.created_at.desc(), Delivery.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def get_delivery(session: Session, principal: Principal, delivery_id: str) -> Delivery:
    row = session.scalar(_visible(select(Delivery), principal).where(Delivery.id == delivery_id))
    if row is None:
        raise NotFound(f"no notification {delivery_id}")
    return row


def retry_delivery(session: Session, principal: Principal, delivery_id: str) -> Requeue:
    """Secretariat only, failed deliveries only: make it `retrying`, due now."""
    if not principal.is_secretariat:
        raise Forbidden("only the secretariat may retry a notification")
    row = session.get(Delivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no notification {delivery_id}")
    if row.status != FAILED:
        raise Conflict(f"notification {delivery_id} is {row.status}; only failed ones retry")
    return reopen_delivery(session, delivery_id)
