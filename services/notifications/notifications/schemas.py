"""Marshmallow schemas of the notifications API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from notifications.store.models import STATUSES


class NotificationQuerySchema(Schema):
    class Meta:
        # A misspelt filter must not silently list everything.
        unknown = RAISE

    status = fields.String(validate=validate.OneOf(STATUSES))
    event_id = fields.UUID()
    recipient = fields.Email()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    correlation_id = fields.String(allow_none=True)
    recipient = fields.String()
    organisation_id = fields.String(allow_none=True)
    template = fields.String()
    language = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class UnsubscribeSchema(Schema):
    email = fields.String()
    list = fields.String()
    unsubscribed = fields.Boolean()
