"""Webhooks end to end: registered over the API, signed, retried, logged, kept private."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from notifications.app import create_app
from notifications.config import Config
from tests.integration.notifications.webhook_receiver import Receiver, verify
from tests.support.identity import CONFIG_SECRETS as SECRETS
from tests.support.identity import signing_client
from tests.support.infra import wait_until
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import (
    application_status_changed,
    event,
    organisation_data,
    programme_status_changed,
)


@pytest.fixture
def worker_env(worker_env: dict[str, str]) -> dict[str, str]:
    return {
        **worker_env,
        "WEBHOOK_ALLOW_PRIVATE": "1",
        "WEBHOOK_MAX_ATTEMPTS": "3",
        "WEBHOOK_DISABLE_AFTER_SECONDS": "0",
    }


@pytest.fixture
def client(notifications_db, worker_env: dict[str, str]) -> FlaskClient:
    return signing_client(create_app(Config.from_env(worker_env)))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _partner(organisation_id: str) -> dict[str, str]:
    return {
        "X-Setu-Organisation-Id": organisation_id,
        "X-Setu-Role": "partner",
        "X-Setu-Key-Id": "k",
    }


def _register(
    client: FlaskClient,
    organisation_id: str,
    url: str,
    event_types: tuple[str, ...] = ("programme.status_changed",),
) -> dict:
    response = client.post(
        "/v1/webhooks",
        headers=_partner(organisation_id),
        json={"url": url, "event_types": list(event_types)},
    )
    assert response.status_code == 201, response.json
    assert response.json["secret"].startswith("whsec_")
    return response.json


def test_a_signed_message_is_retried_after_a_500_and_logged(
    notifications_worker: Process, client: FlaskClient, receiver: Receiver, publish
) -> None:
    ours, theirs, third = organisation_data("JP"), organisation_data("IN"), organisation_data("IN")
    for organisation in (ours, theirs, third):
        publish(event("organisation.registered", organisation))
    endpoint = _register(client, ours["id"], receiver.url)
    receiver.replies = [500]
    other = programme_status_changed(
        to="approved",
        source="under_review",
        action="approve",
        partners=[(theirs["id"], "lead"), (third["id"], "lead")],
    )
    publish(other)  # not about our organisation: nothing for our endpoint
    mine = programme_status_changed(
        to="approved",
        source="under_review",
        action="approve",
        partners=[(ours["id"], "lead"), (theirs["id"], "lead")],
    )
    publish(mine)

    wait_until(lambda: len(receiver.received()) >= 2, 30, message="a retried webhook")
    (first_headers, first, _), (headers, payload, body) = receiver.received()[:2]
    assert payload == mine and first == mine
    assert headers["webhook-id"] == first_headers["webhook-id"]  # same message, retried
    assert verify(endpoint["secret"], headers, body)
    assert not verify("whsec_" + "A" * 32, headers, body)

    def logged() -> dict | None:
        log = client.get(
            f"/v1/webhooks/{endpoint['id']}/deliveries", headers=_partner(ours["id"])
        ).json
        return log if log["total"] == 1 and log["items"][0]["status"] == "sent" else None

    log = wait_until(logged, message="the delivery log to say sent")
    assert log["items"][0]["attempts"] == 2 and log["items"][0]["event_id"] == mine["id"]
    assert all(p["id"] != other["id"] for _, p, _ in receiver.received())
    assert (
        client.get(f"/v1/webhooks/{endpoint['id']}", headers=_partner(theirs["id"])).status_code
        == 404
    )


def test_the_home_and_host_webhooks_are_told_of_an_erasure_signed(
    notifications_worker: Process, client: FlaskClient, receiver: Receiver, publish
) -> None:
    home, host = organisation_data("IN"), organisation_data("JP")
    for organisation in (home, host):
        publish(event("organisation.registered", organisation))
    types = ("application.status_changed", "application.personal_data_erased")
    endpoints = {o["id"]: _register(client, o["id"], receiver.url, types) for o in (home, host)}
    submitted = application_status_changed(home["id"], host["id"], "submitted", "draft", "submit")
    publish(submitted)
    wait_until(lambda: len(receiver.received()) == 2, 30, message="the submission's webhooks")
    erased = event(
        "application.personal_data_erased",
        {
            "id": submitted["data"]["id"],
            "version": 5,
            "home_organisation_id": home["id"],
            "host_organisation_id": host["id"],
        },
    )
    publish(erased)

    wait_until(lambda: len(receiver.received()) == 4, 30, message="the erasure's webhooks")
    told = [(h, p, b) for h, p, b in receiver.received() if p["id"] == erased["id"]]
    assert len(told) == 2 and all(payload == erased for _, payload, _ in told)
    secrets = [e["secret"] for e in endpoints.values()]
    assert all(any(verify(secret, h, b) for secret in secrets) for h, _, b in told)
    assert len({h["webhook-id"] for h, _, _ in told}) == 2  # one message to each endpoint


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(
    notifications_worker: Process,
    client: FlaskClient,
    receiver: Receiver,
    smtp_server: SmtpServer,
    publish,
) -> None:
    owner, partner = organisation_data("JP", preferred_language="ja"), organisation_data("IN")
    publish(event("organisation.registered", owner))
    publish(event("organisation.registered", partner))
    endpoint = _register(client, owner["id"], receiver.url)
    receiver.replies = [503, 503, 503]
    publish(
        programme_status_changed(
            to="submitted", partners=[(owner["id"], "lead"), (partner["id"], "lead")]
        )
    )

    messages = wait_until(
        lambda: [m for m in smtp_server.messages if m["To"] == owner["contact_email"]],
        40,
        message="the owner's email",
    )
    assert "Webhook エンドポイントを停止しました" in messages[0]["Subject"]
    state = client.get(f"/v1/webhooks/{endpoint['id']}", headers=_partner(owner["id"])).json
    assert state["enabled"] is False and "failing since" in state["disabled_reason"]
    assert len(receiver.received()) == 3


def test_private_addresses_are_refused_unless_allowed(notifications_db, database_url) -> None:
    strict = signing_client(create_app(Config(database_url=database_url, **SECRETS)))
    for url in (
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest",
        "http://example.com/hook",
    ):
        response = strict.post(
            "/v1/webhooks",
            headers=_partner("o1"),
            json={"url": url, "event_types": ["programme.created"]},
        )
        assert response.status_code == 422, url
        assert "url" in response.json["errors"]
