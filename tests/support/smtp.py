"""A real SMTP server (aiosmtpd) owned by the test, with a switchable reply."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.infra import free_port, wait_until


class RecordingHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reply: str | None = None  # e.g. "451 4.3.0 try later"; None accepts
        self.delay = 0.0  # seconds between a message's data and the reply: a slow relay
        self.receiving = 0  # messages whose data has arrived, answered or not
        # Recipients (lower case) refused at RCPT TO, each with its reply: a mailbox that
        # does not exist, say, with the address quoted as mail servers quote it.
        self.refusals: dict[str, str] = {}
        self.lock = threading.Lock()

    def reset(self) -> None:
        """As new: no message, the default replies, and no handle_* a test put on it."""
        self.__dict__.clear()
        self.__init__()  # type: ignore[misc]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.refusals.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.receiving += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply:
            return self.reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        wait_until(lambda: len(self.messages) >= count, timeout, message=f"{count} emails")
        return self.messages
