"""Tables of the notifications service (created only by its Alembic migrations)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from setu_contract.database import UtcDateTime
from setu_contract.dead_letters import dead_letters_table
from setu_contract.reclaims import reclaims_table

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
RETRYING = "retrying"
FAILED = "failed"
STATUSES = (QUEUED, SENDING, SENT, RETRYING, FAILED)
CLAIMABLE = (QUEUED, RETRYING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}


class ProcessedEvent(Base):
    """An event this service has applied: a redelivered event finds its id here."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    correlation_id: Mapped[str | None] = mapped_column(String(200))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Organisation(Base):
    """The read model of organisations, built from organisation.* events."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Person(Base):
    """The read model of people (person.* events): whom to write to, in which language and
    time zone. Erased when the person is deactivated (person.deactivated)."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    time_zone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer)


class Delivery(Base):
    """One email: an (event, recipient, template) that is sent at most once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "template", name="uq_deliveries_event_rcpt"),
        Index("ix_deliveries_status_updated", "status", "updated_at"),
        Index("ix_deliveries_recipient", "recipient"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    # The programme, application or report the email is about (for personal-data erasure).
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    correlation_id: Mapped[str | None] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(320))
    organisation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    template: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    unsubscribable: Mapped[bool] = mapped_column(default=False)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(320))
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


# Erasures whose freed space is still to be reclaimed.
reclaims_due = reclaims_table(Base.metadata)


class DeadLetter(Base):
    """Work that failed for good (setu_contract.dead_letters): a delivery refused permanently
    or out of retries (``delivery_id`` names it), a webhook, or an event whose handling kept
    failing. An operator lists and re-queues them (cli)."""

    __table__ = dead_letters_table(
        Base.metadata, Column("delivery_id", String(36), nullable=True, index=True)
    )

    id: Mapped[str]
    source: Mapped[str]  # delivery | webhook | event | task
    task_name: Mapped[str]
    event_id: Mapped[str | None]
    event_type: Mapped[str | None]
    delivery_id: Mapped[str | None]
    # The programme, application or report the failed work is about (for erasure).
    subject_id: Mapped[str | None]
    payload: Mapped[dict[str, Any]]
    error: Mapped[str]
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    requeued_at: Mapped[datetime | None]


class ErasedSubject(Base):
    """An application whose personal data is erased, from its erasure's aggregate version on:
    an event of it that arrives later but was written before is taken without it."""

    __tablename__ = "erased_subjects"

    subject_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unsubscription(Base):
    """An address that asked (one-click) to receive no more emails of a list."""

    __tablename__ = "unsubscriptions"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    list_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """An HTTPS endpoint of a partner organisation, sent the events about its own things."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(String(36), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Needed in clear to sign each message (Standard Webhooks); shown to the owner once.
    secret: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event to one endpoint: sent at most once, retried with backoff, logged."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        Index("ix_webhook_deliveries_status_updated", "status", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    endpoint_id: Mapped[str] = mapped_column(String(36), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
