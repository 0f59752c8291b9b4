"""A delivery as a MIME message: both parts, and the headers a mail client and we need."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, AddressHeader, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, cast

from notifications.mail import actors, labels
from notifications.mail.mime import alternative, plain, simple_address, unstructured
from notifications.mail.smtp import Envelope
from notifications.mail.templates import CATALOGUES, Rendered, local_time, render
from setu_contract.translations import iso_long_date, supported

EVENT_HEADER = "X-Setu-Event-Id"
NOTIFICATION_HEADER = "X-Setu-Notification-Id"
CORRELATION_HEADER = "X-Correlation-Id"


class _HeaderClasses(HeaderRegistry):
    """The standard header classes, each made once: HeaderRegistry makes a new class every
    time a header is set or read, a fifth of the cost of writing a message."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


POLICY = policy.default.clone(header_factory=_HeaderClasses())
_CRLF_POLICY = POLICY.clone(linesep="\r\n")


@functools.lru_cache(maxsize=256)
def _repeated(name: str, value: str) -> BaseHeader:
    """A header whose value recurs from message to message (the sender, the language),
    parsed once: a message keeps a header given already parsed as it is."""
    return POLICY.header_factory(name, value)


@dataclass(frozen=True)
class Attachment:
    """A file sent with the email (a report of 5 MiB or less)."""

    file_name: str
    content_type: str  # e.g. "application/pdf", "text/csv; charset=utf-8"
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """What compose needs of a delivery (decoupled from the ORM row)."""

    delivery_id: str
    event_id: str
    recipient: str
    template: str
    language: str
    timezones: tuple[str, ...]
    context: dict[str, Any]
    occurred_at: datetime
    correlation_id: str | None = None
    unsubscribe_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Sender:
    mail_from: str
    reply_to: str | None = None
    # A sign-in link's URL from its id (setu_contract.sign_in): made as the email is written,
    # so that no delivery record, event or log holds a usable link.
    sign_in_url: Callable[[str], str] | None = None


@functools.lru_cache(maxsize=16)
def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "setu.local"


def message_id(delivery_id: str, mail_from: str) -> str:
    """Stable per delivery: a resend after a crash carries the same Message-ID."""
    return f"<{delivery_id}@{_domain(mail_from)}>"


def _words(context: dict[str, Any], language: str) -> dict[str, Any]:
    words = CATALOGUES.translations(language)
    return {
        "status_label": labels.word(words, labels.STATUS, context.get("to")),
        "from_label": labels.word(words, labels.STATUS, context.get("from")),
        "stage_label": labels.word(words, labels.CAREER_STAGE, context.get("career_stage")),
        "direction_label": labels.word(words, labels.DIRECTION, context.get("direction")),
        "role_label": labels.word(words, labels.PARTNER_ROLE, context.get("role")),
        "side_label": labels.word(words, labels.SIDE, context.get("jurisdiction")),
        "report_label": labels.word(words, labels.REPORT_TYPE, context.get("report_type")),
        "items_text": labels.words_for(words, labels.MOBILITY_ITEM, context.get("items")),
        "start_text": iso_long_date(context.get("start_date"), language),
        "end_text": iso_long_date(context.get("end_date"), language),
        "period_start_text": iso_long_date(context.get("period_start"), language),
        "period_end_text": iso_long_date(context.get("period_end"), language),
        "link_until_text": iso_long_date(context.get("link_expires_at"), language),
        "valid_until_text": iso_long_date(context.get("valid_until"), language),
        "actor_text": actors.actor_text(context.get("actor"), words),
        "approvals": actors.approvals(context.get("approved_by") or [], words),
    }


def _local(moment: str | None, outgoing: Outgoing) -> str:
    """An ISO time in the recipient's first time zone, or "" for none."""
    if not moment:
        return ""
    return local_time(datetime.fromisoformat(moment), outgoing.timezones[0], outgoing.language)


def _moments(outgoing: Outgoing, name: str) -> list[str]:
    """A time the context names (a review's due time, a call's closing), in each of the
    reader's zones."""
    value = outgoing.context.get(name)
    if not value:
        return []
    moment = datetime.fromisoformat(value)
    return [local_time(moment, zone, outgoing.language) for zone in outgoing.timezones]


def _variables(outgoing: Outgoing) -> dict[str, Any]:
    return {
        "audience": "organisation",
        "comment": None,
        "file_name": None,
        **outgoing.context,
        "attach": bool(outgoing.attachments),
        **_words(outgoing.context, outgoing.language),
        "times": [
            local_time(outgoing.occurred_at, z, outgoing.language) for z in outgoing.timezones
        ],
        "locked_until_text": _local(outgoing.context.get("locked_until"), outgoing),
        "unsubscribe_url": outgoing.unsubscribe_url,
        "due_times": _moments(outgoing, "due_at"),
        "closes_times": _moments(outgoing, "closes_at"),
    }


@dataclass(frozen=True)
class Composed:
    """A message ready for SMTP: written as bytes with its envelope, or (for an address or
    a value the byte writer does not handle) as the ``email`` package's message."""

    message_id: str
    smtp: Envelope | EmailMessage

    def as_bytes(self) -> bytes:
        if isinstance(self.smtp, Envelope):
            return self.smtp.data
        return self.smtp.as_bytes()


@functools.lru_cache(maxsize=64)
def _address_line(name: str, value: str) -> str:
    """An address header as the ``email`` package folds it (the sender: once per process)."""
    return _repeated(name, value).fold(policy=_CRLF_POLICY)


@functools.lru_cache(maxsize=64)
def _envelope_sender(mail_from: str) -> str | None:
    """The bare address SMTP is given for ``mail_from``; None if it needs the slow path."""
    addresses = cast(AddressHeader, _repeated("From", mail_from)).addresses
    if len(addresses) != 1 or not simple_address(addresses[0].addr_spec):
        return None
    return addresses[0].addr_spec


class _Whole(str):
    """A header value of one token that must reach the reader as it is (a URL in angle
    brackets, an id): written on its header's line whole, as the fast path writes it. The
    ``email`` package would fold a long one into encoded-words, and no mail client reads
    an unsubscribe URL out of those."""

    name: str

    def __new__(cls, name: str, value: str) -> _Whole:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:  # the email package's name for its argument
        return f"{self.name}: {self}{policy.linesep}"


def _custom_headers(outgoing: Outgoing) -> list[tuple[str, str]]:
    headers = [(EVENT_HEADER, outgoing.event_id), (NOTIFICATION_HEADER, outgoing.delivery_id)]
    if outgoing.correlation_id:
        headers.append((CORRELATION_HEADER, outgoing.correlation_id))
    if outgoing.unsubscribe_url:
        headers.append(("List-Unsubscribe", f"<{outgoing.unsubscribe_url}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    # Every email is sent by the system: out-of-office replies must not answer it.
    headers.append(("Auto-Submitted", "auto-generated"))
    return headers


def _written(outgoing: Outgoing, sender: Sender, rendered: Rendered) -> Composed | None:
    """The message as bytes, or None when a value needs the ``email`` package."""
    mail_from = _envelope_sender(sender.mail_from)
    custom = _custom_headers(outgoing)
    if (
        mail_from is None
        or outgoing.attachments
        or not simple_address(outgoing.recipient)
        or not all(plain(value) for _, value in custom)
        or not plain(outgoing.language)
    ):
        return None
    mid = message_id(outgoing.delivery_id, sender.mail_from)
    lines = [
        unstructured("Subject", rendered.subject),
        _address_line("From", sender.mail_from),
        f"To: {outgoing.recipient}\r\n",
    ]
    if sender.reply_to:
        lines.append(_address_line("Reply-To", sender.reply_to))
    lines.append(f"Date: {format_datetime(datetime.now(UTC))}\r\n")
    lines.append(f"Message-ID: {mid}\r\n")
    lines.append(f"Content-Language: {outgoing.language}\r\n")
    lines.extend(f"{name}: {value}\r\n" for name, value in custom)
    data = alternative("".join(lines), rendered.text, rendered.html)
    return Composed(mid, Envelope(mail_from, (outgoing.recipient,), data))


def compose(outgoing: Outgoing, sender: Sender) -> Composed:
    language = supported(outgoing.language)
    outgoing = replace(outgoing, language=language)
    link_id = outgoing.context.get("sign_in_link_id")
    if link_id and sender.sign_in_url is not None:
        link = sender.sign_in_url(link_id)
        outgoing = replace(outgoing, context={**outgoing.context, "sign_in_url": link})
    rendered = render(outgoing.template, language, _variables(outgoing))
    written = _written(outgoing, sender, rendered)
    if written is not None:
        return written
    message = with_email_package(outgoing, sender, rendered)
    return Composed(message["Message-ID"], message)


def with_email_package(outgoing: Outgoing, sender: Sender, rendered: Rendered) -> EmailMessage:
    """The same message made by the ``email`` package: for what ``mime`` does not write
    (international addresses, header values that must be encoded), and the tests' reference."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = rendered.subject
    message["From"] = _repeated("From", sender.mail_from)
    message["To"] = Address(addr_spec=outgoing.recipient)
    if sender.reply_to:
        message["Reply-To"] = _repeated("Reply-To", sender.reply_to)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id(outgoing.delivery_id, sender.mail_from)
    for name, value in _custom_headers(outgoing):
        message[name] = _Whole(name, value) if plain(value) else value
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    for attachment in outgoing.attachments:
        kind, _, parameters = attachment.content_type.partition(";")
        maintype, subtype = kind.strip().split("/")
        charset = parameters.strip().removeprefix("charset=") or None
        message.add_attachment(
            attachment.data,
            maintype,
            subtype,
            filename=attachment.file_name,
            params={"charset": charset} if charset else None,
        )
    # Set once the body is whole: making it multipart/mixed moves Content-* headers inward.
    message["Content-Language"] = _repeated("Content-Language", outgoing.language)
    # Chosen here, the boundary is not searched for in the parts by a regular expression
    # compiled for each message when the message is written out.
    boundary = f"==setu-{uuid.uuid4().hex}=="
    if boundary not in rendered.text and boundary not in rendered.html:
        message.set_boundary(boundary)
    return message
