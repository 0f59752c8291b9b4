"""Health and readiness that tell the truth; one SMTP connection reused across emails."""

from __future__ import annotations

from notifications.app import create_app
from notifications.config import Config
from tests.support.identity import CONFIG_SECRETS as SECRETS
from tests.support.identity import signing_client
from tests.support.infra import free_port
from tests.support.processes import Process
from tests.support.smtp import SmtpServer
from tests.unit.notifications.factories import programme_status_changed


def test_ready_when_database_and_redis_answer(notifications_db, database_url, redis_url) -> None:
    client = signing_client(
        create_app(Config(database_url=database_url, redis_url=redis_url, **SECRETS))
    )
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok", "redis": "ok"}
    assert ready.headers["X-Correlation-Id"]
    document = client.get("/openapi.json").json
    assert {"/v1/notifications", "/v1/webhooks", "/v1/unsubscribe/{token}"} <= set(
        document["paths"]
    )


def test_not_ready_when_redis_does_not_answer(notifications_db, database_url) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    client = signing_client(
        create_app(Config(database_url=database_url, redis_url=dead, **SECRETS))
    )
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"] == "ok" and ready.json["checks"]["redis"] != "ok"


def test_a_worker_sends_many_emails_over_one_connection(
    notifications_worker: Process, smtp_server: SmtpServer, publish
) -> None:
    greetings: list[str] = []

    async def handle_EHLO(server, session, envelope, hostname, responses):
        greetings.append(hostname)
        session.host_name = hostname
        return responses

    smtp_server.handler.handle_EHLO = handle_EHLO
    for _ in range(5):
        publish(programme_status_changed())
    smtp_server.wait_for(5)
    assert len(greetings) == 1
