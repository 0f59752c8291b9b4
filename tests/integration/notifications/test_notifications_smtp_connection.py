"""The SMTP connection is not checked before each message (no NOOP): a connection the server
dropped is found at MAIL FROM, reopened, and the message sent once on the new one."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from notifications.mail.smtp import SmtpSettings, SmtpTransport, TransientSendError
from tests.support.smtp import SmtpServer


class DroppingServer(SmtpServer):
    """Records the commands it is sent; can drop the connection when MAIL FROM arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.commands: list[str] = []
        self.connections = 0
        self.drop_at_mail = 0  # how many of the next MAIL FROMs close the connection
        self.handler.handle_HELO = self._greeted
        self.handler.handle_EHLO = self._greeted_extended
        self.handler.handle_NOOP = self._noop
        self.handler.handle_MAIL = self._mail

    async def _greeted(self, server, session, envelope, hostname):
        self.connections += 1
        session.host_name = hostname
        return "250 hello"

    async def _greeted_extended(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def _noop(self, server, session, envelope, arg):
        self.commands.append("NOOP")
        return "250 OK"

    async def _mail(self, server, session, envelope, address, options):
        self.commands.append("MAIL")
        if self.drop_at_mail:
            self.drop_at_mail -= 1
            server.transport.close()
            return "421 4.3.2 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"


@pytest.fixture
def server() -> Iterator[DroppingServer]:
    running = DroppingServer().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def transport(server: DroppingServer) -> Iterator[SmtpTransport]:
    opened = SmtpTransport(SmtpSettings("127.0.0.1", server.port, timeout=3))
    yield opened
    opened.close()


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "no-reply@setu.test"
    message["To"] = "secretariat@setu.test"
    message["Subject"] = subject
    message.set_content("A programme was submitted.")
    return message


def test_messages_go_one_after_another_without_a_noop(
    server: DroppingServer, transport: SmtpTransport
) -> None:
    for number in range(3):
        transport.send(_message(f"message {number}"))
    assert [m["Subject"] for m in server.messages] == ["message 0", "message 1", "message 2"]
    assert server.commands == ["MAIL", "MAIL", "MAIL"]
    assert server.connections == 1


def test_a_connection_dropped_between_two_messages_is_reopened_and_the_message_sent_once(
    server: DroppingServer, transport: SmtpTransport
) -> None:
    transport.send(_message("before"))
    server.drop_at_mail = 1
    transport.send(_message("after"))
    assert [m["Subject"] for m in server.messages] == ["before", "after"]
    assert server.connections == 2


def test_a_server_restarted_between_two_messages_is_reconnected_to(
    server: DroppingServer, transport: SmtpTransport
) -> None:
    transport.send(_message("before"))
    server.stop()
    # The same server comes back on the same port (an aiosmtpd controller starts only once).
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port)
    server.start()
    transport.send(_message("after"))
    assert [m["Subject"] for m in server.messages] == ["before", "after"]


def test_a_new_connection_that_fails_is_a_transient_error_not_a_loop(
    server: DroppingServer, transport: SmtpTransport
) -> None:
    server.drop_at_mail = 1
    with pytest.raises(TransientSendError, match=r"closed|421"):
        transport.send(_message("refused"))
    assert server.commands == ["MAIL"]  # a new connection is not tried again at once
    transport.send(_message("later"))
    assert [m["Subject"] for m in server.messages] == ["later"]
