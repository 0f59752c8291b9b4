"""application.personal_data_erased: forget the applicant in everything this service kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.store.models import CLAIMABLE, FAILED, Delivery, WebhookDelivery, utcnow

ERASED = "personal data erased"


def _erase_delivery(delivery: Delivery) -> None:
    context = dict(delivery.context)
    context["applicant_name"] = None
    if context.get("audience") == "applicant":
        context["recipient_name"] = None
        # Keeps the row (and its unique key) without the address.
        delivery.recipient = f"erased-{delivery.id}@erased.invalid"
        if delivery.status in CLAIMABLE:
            delivery.status = FAILED
        delivery.last_error = ERASED if delivery.last_error else None
    delivery.context = context
    delivery.updated_at = utcnow()


def _erase_webhook(webhook: WebhookDelivery) -> None:
    payload: dict[str, Any] = dict(webhook.payload)
    data = dict(payload.get("data") or {})
    if data.get("applicant") is not None:
        data["applicant"] = None
        payload["data"] = data
        webhook.payload = payload


def erase_application(session: Session, application_id: str) -> int:
    """Inside the event's transaction; returns how many records were touched."""
    deliveries = session.scalars(select(Delivery).where(Delivery.subject_id == application_id))
    webhooks = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.subject_id == application_id)
    )
    count = 0
    for delivery in deliveries:
        _erase_delivery(delivery)
        count += 1
    for webhook in webhooks:
        _erase_webhook(webhook)
        count += 1
    return count
