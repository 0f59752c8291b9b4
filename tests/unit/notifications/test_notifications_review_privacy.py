"""Reviewers' names never reach a partner: no webhook may ask for review events, and none
is ever sent one."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from notifications.domain.webhooks import WEBHOOK_EVENT_TYPES, organisations_concerned
from notifications.schemas import WebhookCreateSchema
from setu_contract.events import REVIEW_EVENTS
from tests.unit.notifications.factories import review_event


@pytest.mark.parametrize("kind", sorted(REVIEW_EVENTS))
def test_review_events_are_for_no_webhook(kind):
    assert kind not in WEBHOOK_EVENT_TYPES
    assert organisations_concerned(review_event(kind, reason="r")) == set()
    schema, url = WebhookCreateSchema(), "https://hooks.example/in"
    assert schema.load({"url": url, "event_types": ["programme.created"]})
    with pytest.raises(ValidationError) as refused:
        schema.load({"url": url, "event_types": [kind]})
    assert "event_types" in refused.value.messages
