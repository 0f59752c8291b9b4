"""Marshmallow schemas of the event log (``programmes.schemas``' conventions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from setu_contract.events import EventType
from setu_contract.input_fields import AwareDateTime, Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema


class EventQuerySchema(PageQuerySchema):
    type = Text(validate=validate.OneOf([t.value for t in EventType]))
    aggregate_id = Text(validate=validate.Length(min=1, max=36))
    since = AwareDateTime(metadata={"description": "occurred at or after (ISO, with offset)"})
    until = AwareDateTime(metadata={"description": "occurred before (ISO, with offset)"})
    after_position = Integer(validate=validate.Range(min=0))


DELIVERY_STATES = ("waiting", "unconfirmed", "confirmed", "dead_lettered")


class EventSchema(Schema):
    id = fields.String()
    type = fields.String()
    version = Integer()
    occurred_at = fields.String()
    producer = fields.String()
    correlation_id = fields.String()
    data = fields.Dict()
    position = Integer(metadata={"description": "place in the event log"})
    published = fields.Boolean(metadata={"description": "already sent to the broker"})
    deliveries = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.OneOf(DELIVERY_STATES)),
        metadata={
            "description": "per consumer: waiting (not published yet), unconfirmed, "
            "confirmed (applied; also any event published before confirmations were kept) "
            "or dead_lettered"
        },
    )


class EventConsumerSchema(Schema):
    consumer = fields.String()
    unconfirmed = Integer(metadata={"description": "events published, not confirmed"})
    oldest_unconfirmed_sent_at = AwareDateTime(allow_none=True)
    oldest_unconfirmed_age_seconds = fields.Float()
    dead_lettered = Integer(metadata={"description": "events the consumer gave up on"})


class EventConsumersSchema(Schema):
    consumers = fields.List(fields.Nested(EventConsumerSchema))


EventPageSchema = page_schema(EventSchema)
