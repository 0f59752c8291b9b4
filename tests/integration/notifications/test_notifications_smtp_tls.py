"""STARTTLS and authentication against a real aiosmtpd that requires both."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notifications.store.models import Delivery
from tests.support.infra import free_port, wait_until
from tests.support.smtp import RecordingHandler
from tests.unit.notifications.factories import programme_status_changed

USER, PASSWORD = b"setu-relay", b"correct horse battery staple"


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER,
        PASSWORD,
    )
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Controller, RecordingHandler, Path]]:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = RecordingHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticate,
    )
    controller.start()
    yield controller, handler, cert
    controller.stop()


def _tls_env(password: bytes, controller: Controller, cert: Path) -> dict[str, str]:
    return {
        "SMTP_PORT": str(controller.port),
        "SMTP_STARTTLS": "1",
        "SMTP_USERNAME": USER.decode(),
        "SMTP_PASSWORD": password.decode(),
        "SSL_CERT_FILE": str(cert),  # OpenSSL reads it: trust this CA
    }


def _status(engine: Engine, event_id: str) -> str | None:
    with Session(engine) as session:
        row = session.scalar(select(Delivery).where(Delivery.event_id == event_id))
        return row.status if row else None


@pytest.mark.parametrize(("password", "outcome"), [(PASSWORD, "sent"), (b"wrong", "failed")])
def test_starttls_and_login_when_configured(
    notifications_db: Engine, start_notifications_worker, tls_server, publish, password, outcome
) -> None:
    controller, handler, cert = tls_server
    worker = start_notifications_worker(**_tls_env(password, controller, cert))
    envelope = programme_status_changed()
    publish(envelope)
    wait_until(
        lambda: _status(notifications_db, envelope["id"]) == outcome,
        30,
        message=f"the delivery to be {outcome}",
    )
    worker.stop()  # nothing more can arrive
    assert [m["X-Setu-Event-Id"] for m in handler.messages] == (
        [envelope["id"]] if outcome == "sent" else []
    )
