"""The envelope every event travels in, and building, parsing and reading one.

Every event is validated when it is produced (``build_event``) and when it is consumed
(``parse_event``); a breaking change to the envelope or to a type's data bumps
``EVENT_VERSION``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from setu_contract.events.types import AGGREGATE_OF, DATA_SCHEMAS, EventType

EVENT_VERSION = 1


class InvalidEvent(ValueError):
    """An envelope or its data does not match the contract."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(f"invalid event: {errors}")
        self.errors = errors


class Envelope(Schema):
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in EventType]))
    version = fields.Integer(required=True, validate=validate.Equal(EVENT_VERSION))
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True, validate=validate.Length(min=1))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(required=True)


# Built once: a schema's construction (deep copies of its fields) costs more than a
# validation, and every event is validated when produced and again when consumed.
_ENVELOPE = Envelope()
_DATA = {event_type: schema() for event_type, schema in DATA_SCHEMAS.items()}


def _check(envelope: dict[str, Any]) -> None:
    errors = _ENVELOPE.validate(envelope)
    if errors:
        raise InvalidEvent(errors)
    data_errors = _DATA[EventType(envelope["type"])].validate(envelope["data"])
    if data_errors:
        raise InvalidEvent({"data": data_errors})


def build_event(
    event_type: EventType | str,
    data: dict[str, Any],
    *,
    producer: str,
    correlation_id: str,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """A new, validated envelope ready to be written to the outbox (JSON-serialisable)."""
    envelope = {
        "id": event_id or str(uuid.uuid4()),
        "type": str(event_type),
        "version": EVENT_VERSION,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id,
        "data": data,
    }
    _check(envelope)
    return envelope


def parse_event(envelope: Any) -> dict[str, Any]:
    """Validate an envelope received from the broker; raise ``InvalidEvent`` if it is not one."""
    if not isinstance(envelope, dict):
        raise InvalidEvent({"_schema": ["an event is a JSON object"]})
    try:
        _check(envelope)
    except (ValidationError, KeyError, ValueError) as exc:
        if isinstance(exc, InvalidEvent):
            raise
        raise InvalidEvent({"_schema": [str(exc)]}) from exc
    return envelope


def aggregate_of(envelope: dict[str, Any]) -> tuple[str, str, int | None]:
    """(aggregate type, aggregate id, aggregate version) of an envelope."""
    event_type = EventType(envelope["type"])
    data = envelope["data"]
    if event_type is EventType.REPORT_GENERATED:
        return "report", data["report_id"], None
    return AGGREGATE_OF[event_type], data["id"], data.get("version")
