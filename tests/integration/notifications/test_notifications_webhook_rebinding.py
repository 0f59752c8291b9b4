"""A webhook goes to the address its check passed, never to where the name resolves a
moment later (DNS rebinding), with the name in the Host header (issue 26, item 10).

The name is answered by the resolver of this process (``socket.getaddrinfo``, replaced for
one name only): first a public address, then loopback, where a listener of the test counts
who connects. Resolving the name again to connect, after checking it, reached the listener.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from notifications.webhooks.transport import post
from tests.integration.notifications.webhook_receiver import Receiver

NAME = "hooks.partner.test"
# A global address the test never reaches: without an IPv6 route the connection fails at once.
PUBLIC = "2001:4860:4860::8888"


class Listener:
    """A TCP listener on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.socket.close()


def _answers(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> list[str]:
    """Make ``NAME`` resolve to each of ``addresses`` in turn (the last one thereafter);
    every other host resolves as before. The list records each time NAME was asked."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        address = addresses[min(len(asked), len(addresses) - 1)]
        asked.append(address)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_that_resolves_elsewhere_after_the_check_reaches_nothing_inside(
    monkeypatch: pytest.MonkeyPatch, listener: Listener
) -> None:
    asked = _answers(monkeypatch, PUBLIC, "127.0.0.1")
    url = f"https://{NAME}:{listener.port}/hook"
    answer = post(url, "whsec_" + "A" * 32, "msg_1", {"type": "x"}, allow_private=False)
    assert not answer.ok
    assert listener.accepted == 0, "the webhook reached loopback after its check"
    assert asked == [PUBLIC]


def test_the_message_carries_the_endpoints_name_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Receiver() as receiver:
        _answers(monkeypatch, "127.0.0.1", "192.0.2.1")
        url = f"http://{NAME}:{receiver.port}/hooks/setu?tenant=7"
        answer = post(url, "whsec_" + "A" * 32, "msg_2", {"type": "x"}, allow_private=True)
        assert answer.ok, answer.error
        [(headers, body, _)] = receiver.received()
    assert headers["host"] == f"{NAME}:{receiver.port}"
    assert headers["content-type"] == "application/json"
    assert body == {"type": "x"}


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate and its key (for another name: no client trusts it)."""
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subject = ["-subj", "/CN=elsewhere.test", "-keyout", str(key), "-out", str(certificate)]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", *subject],
        check=True,
        capture_output=True,
    )
    return certificate, key


def test_over_https_the_endpoints_name_goes_in_sni_and_its_certificate_is_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    certificate, key = _certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: names.append(name)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        connection, _ = server.accept()
        with suppress(ssl.SSLError, OSError):
            context.wrap_socket(connection, server_side=True).close()
        connection.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        _answers(monkeypatch, "127.0.0.1")
        url = f"https://{NAME}:{port}/hook"
        answer = post(url, "whsec_" + "A" * 32, "msg_3", {"type": "x"}, allow_private=True)
    finally:
        server.close()
    assert names == [NAME]
    assert not answer.ok and "certificate" in (answer.error or "").lower(), answer.error
