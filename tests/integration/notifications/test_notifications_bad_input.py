"""No input, however odd, makes the notifications API answer 500 or write half a thing."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from notifications.app import create_app
from notifications.config import Config
from notifications.store.models import WebhookEndpoint
from tests.support.identity import CONFIG_SECRETS as SECRETS
from tests.support.identity import signing_client

PARTNER = {"X-Setu-Organisation-Id": "org-1", "X-Setu-Role": "partner", "X-Setu-Key-Id": "k"}
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)
BODIES = JSON_VALUES | st.fixed_dictionaries(
    {"url": JSON_VALUES | st.text(), "event_types": JSON_VALUES}
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, raw=st.binary(max_size=64), query=st.text(max_size=30))
def test_odd_input_gets_a_4xx_json_answer(
    notifications_db: Engine, database_url: str, body, raw: bytes, query: str
) -> None:
    client = signing_client(create_app(Config(database_url=database_url, **SECRETS)))
    answers = [
        client.post("/v1/webhooks", headers=PARTNER, json=body),
        client.post("/v1/webhooks", headers=PARTNER, data=raw, content_type="application/json"),
        client.get("/v1/notifications", headers=PARTNER, query_string={"status": query}),
        client.get(f"/v1/notifications/{query}", headers=PARTNER),
        client.post(f"/v1/unsubscribe/{query or 'x'}"),
    ]
    for response in answers:
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            error = json.loads(response.get_data(as_text=True))
            assert {"code", "status", "message"} <= set(error)
    with Session(notifications_db) as session:
        assert session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
