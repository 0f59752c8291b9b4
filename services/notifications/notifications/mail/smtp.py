"""SMTP delivery with one connection reused across messages, and errors sorted in two kinds.

4xx replies and connection problems are transient (retry later); 5xx replies are permanent.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage


class TransientSendError(Exception):
    """Try again later: 4xx reply, timeout, refused or dropped connection."""


class PermanentSendError(Exception):
    """Never try again: the server refused for good (5xx)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


def _classify(code: int, text: str) -> Exception:
    error = f"{code} {text}"
    if 400 <= code < 500:
        return TransientSendError(error)
    return PermanentSendError(error)


def _reply_text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Envelope:
    """A message already written as bytes (CRLF line endings), with its SMTP envelope."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes


Message = EmailMessage | Envelope


def _transfer(client: smtplib.SMTP, message: Message) -> dict[str, tuple[int, bytes]]:
    if isinstance(message, Envelope):
        return client.sendmail(message.mail_from, list(message.recipients), message.data)
    return client.send_message(message)


class _Stale(Exception):
    """The connection failed at MAIL FROM: the server was given nothing of the message."""


class _Client(smtplib.SMTP):
    def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        try:
            code, text = super().mail(sender, options)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise _Stale(f"{type(exc).__name__}: {exc}") from exc
        if code == 421:  # the server is closing the connection
            self.close()
            raise _Stale(f"{code} {_reply_text(text)}")
        return code, text


class SmtpTransport:
    """Sends messages over one SMTP connection, opened on first use and reopened if dropped.

    No command checks the connection before a message (a round trip each): a connection
    the server closed while idle fails at MAIL FROM, before any of the message was given,
    so it is reopened and the message sent once on the new one. A failure later in the
    transaction, or on a new connection, is a TransientSendError (the caller retries it
    later)."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._client: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client = _Client(s.host, s.port, timeout=s.timeout)
        try:
            client.ehlo()
            if s.starttls:
                # The system's CAs; OpenSSL's SSL_CERT_FILE adds a private relay's CA.
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if s.username:
                client.login(s.username, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _submit(self, message: Message) -> dict[str, tuple[int, bytes]]:
        if self._client is None:
            self._client = self._connect()
            return _transfer(self._client, message)
        try:
            return _transfer(self._client, message)
        except _Stale:
            self.close()
        self._client = self._connect()
        return _transfer(self._client, message)

    def send(self, message: Message) -> None:
        """Send one message or raise TransientSendError / PermanentSendError."""
        with self._lock:
            try:
                refused = self._submit(message)
            except _Stale as exc:
                self.close()
                raise TransientSendError(str(exc)) from exc
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                raise _classify(code, _reply_text(text)) from exc
            except smtplib.SMTPResponseException as exc:
                self._reset_after_error()
                raise _classify(exc.smtp_code, _reply_text(exc.smtp_error)) from exc
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _classify(code, _reply_text(text))

    def _reset_after_error(self) -> None:
        # After a refused transaction the connection may still serve the next message.
        try:
            if self._client is not None:
                self._client.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
