"""A new event written in one PostgreSQL statement: its record, its emails, its webhooks.

Recording an event, writing its emails (claimed) and planning its webhook deliveries took
five round trips (the endpoints' SELECT, BEGIN, two INSERTs, COMMIT) and a flush of ORM
objects. Here they are one statement, atomic on its own: data-modifying CTEs that insert
the emails and the webhook deliveries only if the event's row was inserted (a redelivered
event conflicts and writes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import String

from notifications.store.models import QUEUED, Delivery

# Columns of an email given by the caller; status, attempts and times are set here.
_EMAIL_COLUMNS = (
    ("id", "text"),
    ("event_id", "text"),
    ("event_type", "text"),
    ("subject_id", "text"),
    ("correlation_id", "text"),
    ("recipient", "text"),
    ("organisation_id", "text"),
    ("template", "text"),
    ("language", "text"),
    ("timezone", "text"),
    ("unsubscribable", "boolean"),
    ("context", "json"),
    ("status", "text"),
    ("attempts", "integer"),
)
_NAMES = ", ".join(name for name, _ in _EMAIL_COLUMNS)
_TYPES = ", ".join(f"{name} {kind}" for name, kind in _EMAIL_COLUMNS)

_WRITE = text(
    f"""
WITH first AS (
    INSERT INTO processed_events (event_id, type, correlation_id, processed_at)
    VALUES (:event_id, :type, :correlation_id, :now)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
), emails AS (
    INSERT INTO deliveries ({_NAMES}, created_at, updated_at)
    SELECT {", ".join(f"e.{name}" for name, _ in _EMAIL_COLUMNS)}, :now, :now
    FROM first, json_to_recordset(CAST(:emails AS json)) AS e({_TYPES})
), hooks AS (
    INSERT INTO webhook_deliveries
        (id, endpoint_id, event_id, event_type, subject_id, payload, status, attempts,
         created_at, updated_at)
    SELECT CAST(gen_random_uuid() AS text), w.id, first.event_id, :type, :subject_id,
           CAST(:payload AS json), :queued, 0, :now, :now
    FROM first JOIN webhook_endpoints AS w
      ON w.organisation_id = ANY(:owners)
     AND w.enabled
     AND CAST(w.event_types AS jsonb) @> jsonb_build_array(CAST(:type AS text))
    RETURNING id
)
SELECT (SELECT count(*) FROM first) AS new, (SELECT array_agg(id) FROM hooks) AS webhooks
"""
).bindparams(bindparam("owners", type_=ARRAY(String)))


@dataclass(frozen=True)
class Written:
    new: bool  # False: the event was recorded already, nothing was written
    webhooks: list[str]


def _email_row(delivery: Delivery) -> dict[str, Any]:
    return {name: getattr(delivery, name) for name, _ in _EMAIL_COLUMNS}


def write_new_event(
    connection: Connection,
    envelope: dict[str, Any],
    emails: list[Delivery],
    owners: Iterable[str],
    subject_id: str | None,
    now: datetime,
) -> Written:
    """Record ``envelope`` and write ``emails`` (ids, status and attempts set by the caller)
    and a webhook delivery for each enabled endpoint of ``owners`` that takes its type,
    unless the event is recorded already. One statement: run it in autocommit."""
    row = connection.execute(
        _WRITE,
        {
            "event_id": envelope["id"],
            "type": envelope["type"],
            "correlation_id": envelope.get("correlation_id"),
            "now": now,
            "emails": json.dumps([_email_row(d) for d in emails]),
            "subject_id": subject_id,
            "payload": json.dumps(envelope),
            "queued": QUEUED,
            "owners": sorted(owners),
        },
    ).one()
    return Written(bool(row.new), list(row.webhooks or []))
