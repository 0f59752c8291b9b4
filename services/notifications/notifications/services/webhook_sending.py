"""Webhook deliveries: planned with the event, claimed, posted, retried, and endpoints that
keep failing disabled (their owner is told by email).

A delivery is sent in three steps, each in a transaction of the caller's
(notifications.handling), in this order: ``claim_webhook`` commits before the endpoint is
posted to (outside any transaction), then ``record_success`` or ``record_failure``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notifications.domain import retry
from notifications.domain.recipients import organisation as organisation_recipient
from notifications.domain.webhooks import organisations_concerned
from notifications.services.sending import Outcome
from notifications.store.directory import SqlDirectory
from notifications.store.models import (
    CLAIMABLE,
    FAILED,
    RETRYING,
    SENDING,
    SENT,
    DeadLetter,
    Delivery,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from notifications.webhooks.transport import Response
from setu_contract.database import changed_rows
from setu_contract.events import aggregate_of

log = logging.getLogger(__name__)

Poster = Callable[[str, str, str, dict[str, Any]], Response]  # url, secret, id, payload


@dataclass(frozen=True)
class WebhookPolicy:
    max_attempts: int
    disable_after: timedelta
    public_url: str


def plan_webhooks(session: Session, envelope: dict[str, Any]) -> list[WebhookDelivery]:
    """One delivery per interested, enabled endpoint (not added to the session: the caller
    writes them with the event)."""
    owners = organisations_concerned(envelope)
    if not owners:
        return []
    endpoints = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.organisation_id.in_(owners), WebhookEndpoint.enabled.is_(True)
        )
    ).all()
    planned = [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=envelope["id"],
            event_type=envelope["type"],
            subject_id=aggregate_of(envelope)[1],
            payload=envelope,
        )
        for endpoint in endpoints
        if envelope["type"] in endpoint.event_types
    ]
    return planned


def pending_webhooks(session: Session, event_id: str) -> list[str]:
    """Inside the caller's transaction: the event's webhook deliveries not sent yet."""
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.event_id == event_id, WebhookDelivery.status.in_(CLAIMABLE)
    )
    return list(session.scalars(query))


def claim_webhook(
    session: Session, delivery_id: str
) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """Mark the delivery `sending` if nobody else has, with its endpoint; None when it is not
    ours to send (an endpoint deleted or disabled fails it)."""
    claimed = changed_rows(
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status.in_(CLAIMABLE))
            .values(status=SENDING, attempts=WebhookDelivery.attempts + 1, updated_at=utcnow())
        )
    )
    if claimed != 1:
        return None
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # erased between the claim and the read: nothing to send
        return None
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not endpoint.enabled:
        delivery.status = FAILED
        delivery.last_error = "endpoint deleted or disabled"
        return None
    return delivery, endpoint


def post(delivery: WebhookDelivery, endpoint: WebhookEndpoint, poster: Poster) -> Response:
    """Post a claimed delivery to its endpoint, outside any transaction."""
    # The webhook-id is the delivery's id: the same on every retry, so receivers can dedupe.
    return poster(endpoint.url, endpoint.secret, delivery.id, delivery.payload)


def record_success(
    session: Session, delivery_id: str, endpoint_id: str, status: int | None
) -> Outcome:
    """The endpoint took the message. The caller records it however long the database takes
    to answer (``until_written``), since a delivery left `sending` is posted again by the
    sweeper."""
    now = utcnow()
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            status=SENT,
            response_status=status,
            last_error=None,
            sent_at=now,
            updated_at=now,
            next_attempt_at=None,
        )
    )
    session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(failing_since=None)
    )
    return Outcome(SENT)


def record_failure(
    session: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    response: Response,
    policy: WebhookPolicy,
) -> Outcome:
    """The endpoint refused or did not answer: retry later, or fail for good (a dead letter)
    and disable an endpoint failing for too long."""
    now = utcnow()
    values: dict[str, Any] = {
        "response_status": response.status,
        "last_error": response.error,
        "updated_at": now,
    }
    session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.failing_since.is_(None))
        .values(failing_since=now)
    )
    if delivery.attempts < policy.max_attempts:
        delay = retry.backoff(delivery.attempts)
        values.update(status=RETRYING, next_attempt_at=now + timedelta(seconds=delay))
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values)
        )
        return Outcome(RETRYING, delay)
    values.update(status=FAILED, next_attempt_at=None)
    session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values)
    )
    session.add(
        DeadLetter(
            source="webhook",
            task_name="notifications.send_webhook",
            event_id=delivery.event_id,
            delivery_id=None,
            subject_id=delivery.subject_id,
            payload={"args": [delivery.id]},
            error=response.error or "failed",
            attempts=delivery.attempts,
        )
    )
    disabled = _maybe_disable(session, endpoint.id, delivery.event_id, policy)
    log.warning("webhook failed", extra={"webhook_delivery_id": delivery.id})
    return Outcome(FAILED, event_id=delivery.event_id if disabled else None)


def _maybe_disable(session: Session, endpoint_id: str, event_id: str, policy) -> bool:
    endpoint = session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
    since = endpoint.failing_since if endpoint else None
    if endpoint is None or not endpoint.enabled or since is None:
        return False
    if since.tzinfo is None:  # SQLite returns naive UTC
        since = since.replace(tzinfo=utcnow().tzinfo)
    if utcnow() - since < policy.disable_after:
        return False
    endpoint.enabled = False
    endpoint.disabled_reason = f"failing since {since.isoformat()}"
    endpoint.updated_at = utcnow()
    owner = organisation_recipient(SqlDirectory(session), endpoint.organisation_id)
    if owner is not None:
        session.add(
            Delivery(
                event_id=event_id,
                event_type="webhook.disabled",
                recipient=owner.email,
                organisation_id=endpoint.organisation_id,
                template="webhook_disabled",
                language=owner.language,
                timezone=" ".join(owner.timezones),
                context={
                    "kind": "webhook",
                    "id": endpoint.id,
                    "reference": endpoint.id,
                    "url": endpoint.url,
                    "recipient_name": owner.name,
                    "occurred_at": utcnow().isoformat(),
                    "link": f"{policy.public_url}/v1/webhooks/{endpoint.id}",
                },
            )
        )
    log.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint.id})
    return True
