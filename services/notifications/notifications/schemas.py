"""Marshmallow schemas of the notifications API."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from notifications.domain.webhooks import WEBHOOK_EVENT_TYPES
from notifications.store.models import STATUSES
from setu_contract.input_fields import AwareDateTime, EmailAddress, Integer, Text
from setu_contract.paging import PageQuerySchema, page_schema


class NotificationQuerySchema(PageQuerySchema):
    status = Text(validate=validate.OneOf(STATUSES))
    event_id = fields.UUID()
    recipient = EmailAddress()


class NotificationSchema(Schema):
    id = Text()
    event_id = Text()
    event_type = Text()
    correlation_id = Text(allow_none=True)
    recipient = Text()
    organisation_id = Text(allow_none=True)
    template = Text()
    language = Text()
    status = Text(metadata={"enum": list(STATUSES)})
    attempts = Integer()
    last_error = Text(allow_none=True)
    message_id = Text(allow_none=True)
    next_attempt_at = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()
    updated_at = AwareDateTime()
    sent_at = AwareDateTime(allow_none=True)


NotificationPageSchema = page_schema(NotificationSchema)


class UnsubscribeSchema(Schema):
    email = Text()
    list = Text()
    unsubscribed = fields.Boolean()


class WebhookCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    url = fields.Url(required=True, schemes={"https", "http"}, validate=validate.Length(max=2000))
    event_types = fields.List(
        Text(validate=validate.OneOf(WEBHOOK_EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(WEBHOOK_EVENT_TYPES)),
    )
    organisation_id = Text(
        validate=validate.Length(min=1, max=36),
        metadata={"description": "secretariat only: the organisation that owns the endpoint"},
    )


class WebhookSchema(Schema):
    id = Text()
    organisation_id = Text()
    url = Text()
    event_types = fields.List(Text())
    enabled = fields.Boolean()
    disabled_reason = Text(allow_none=True)
    failing_since = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = Text(metadata={"description": "shown this once: whsec_<base64>"})


WebhookPageSchema = page_schema(WebhookSchema)


class WebhookDeliverySchema(Schema):
    id = Text()
    endpoint_id = Text()
    event_id = Text()
    event_type = Text()
    status = Text()
    attempts = Integer()
    response_status = Integer(allow_none=True)
    last_error = Text(allow_none=True)
    next_attempt_at = AwareDateTime(allow_none=True)
    created_at = AwareDateTime()
    sent_at = AwareDateTime(allow_none=True)


WebhookDeliveryPageSchema = page_schema(WebhookDeliverySchema)
