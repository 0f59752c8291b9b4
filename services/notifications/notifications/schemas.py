"""Marshmallow schemas of the notifications API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from notifications.domain.webhooks import WEBHOOK_EVENT_TYPES
from notifications.store.models import STATUSES
from setu_contract.input_fields import AwareDateTime, EmailAddress, Integer


class NotificationQuerySchema(Schema):
    class Meta:
        # A misspelt filter must not silently list everything.
        unknown = RAISE

    status = fields.String(validate=validate.OneOf(STATUSES))
    event_id = fields.UUID()
    recipient = EmailAddress()
    page = Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = Integer(load_default=20, validate=validate.Range(min=1, max=100))


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
    attempts = Integer()
    last_error = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    next_attempt_at = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()
    updated_at = AwareDateTime()
    sent_at = AwareDateTime(allow_none=True)


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    page = Integer()
    page_size = Integer()
    total = Integer()


class UnsubscribeSchema(Schema):
    email = fields.String()
    list = fields.String()
    unsubscribed = fields.Boolean()


class PageQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    page = Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = Integer(load_default=20, validate=validate.Range(min=1, max=100))


class WebhookCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    url = fields.Url(required=True, schemes={"https", "http"}, validate=validate.Length(max=2000))
    event_types = fields.List(
        fields.String(validate=validate.OneOf(WEBHOOK_EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(WEBHOOK_EVENT_TYPES)),
    )
    organisation_id = fields.String(
        validate=validate.Length(min=1, max=36),
        metadata={"description": "secretariat only: the organisation that owns the endpoint"},
    )


class WebhookSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    enabled = fields.Boolean()
    disabled_reason = fields.String(allow_none=True)
    failing_since = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "shown this once: whsec_<base64>"})


class WebhookPageSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema))
    page = Integer()
    page_size = Integer()
    total = Integer()


class WebhookDeliverySchema(Schema):
    id = fields.String()
    endpoint_id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String()
    attempts = Integer()
    response_status = Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()
    sent_at = AwareDateTime(allow_none=True)


class WebhookDeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(WebhookDeliverySchema))
    page = Integer()
    page_size = Integer()
    total = Integer()
