"""A delivery as a MIME message: both parts, and the headers a mail client and we need."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from notifications.mail import labels
from notifications.mail.templates import language_for, local_time, render

EVENT_HEADER = "X-Setu-Event-Id"
NOTIFICATION_HEADER = "X-Setu-Notification-Id"
CORRELATION_HEADER = "X-Correlation-Id"

_UNSUBSCRIBE_LABELS = {
    "en": "Unsubscribe from these reports",
    "ja": "このレポートの配信を停止する",
    "hi": "इन रिपोर्टों की सदस्यता समाप्त करें",
}


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


@functools.lru_cache(maxsize=256)
def _repeated(name: str, value: str) -> BaseHeader:
    """A header whose value recurs from message to message (the sender, the language),
    parsed once: a message keeps a header given already parsed as it is."""
    return POLICY.header_factory(name, value)


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


@dataclass(frozen=True)
class Sender:
    mail_from: str
    reply_to: str | None = None


def message_id(delivery_id: str, mail_from: str) -> str:
    """Stable per delivery: a resend after a crash carries the same Message-ID."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "setu.local"
    return f"<{delivery_id}@{domain}>"


def _words(context: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "status_label": labels.word(labels.STATUS, language, context.get("to")),
        "from_label": labels.word(labels.STATUS, language, context.get("from")),
        "stage_label": labels.word(labels.CAREER_STAGE, language, context.get("career_stage")),
        "direction_label": labels.word(labels.DIRECTION, language, context.get("direction")),
        "report_label": labels.word(labels.REPORT_TYPE, language, context.get("report_type")),
        "start_text": labels.long_date(context.get("start_date"), language),
        "end_text": labels.long_date(context.get("end_date"), language),
        "period_start_text": labels.long_date(context.get("period_start"), language),
        "period_end_text": labels.long_date(context.get("period_end"), language),
    }


def _variables(outgoing: Outgoing) -> dict[str, Any]:
    return {
        "audience": "organisation",
        "comment": None,
        **outgoing.context,
        **_words(outgoing.context, outgoing.language),
        "times": [
            local_time(outgoing.occurred_at, z, outgoing.language) for z in outgoing.timezones
        ],
        "unsubscribe_url": outgoing.unsubscribe_url,
        "unsubscribe_label": _UNSUBSCRIBE_LABELS.get(outgoing.language, _UNSUBSCRIBE_LABELS["en"]),
    }


def compose(outgoing: Outgoing, sender: Sender) -> EmailMessage:
    language = language_for(outgoing.template, outgoing.language)
    outgoing = replace(outgoing, language=language)
    rendered = render(outgoing.template, language, _variables(outgoing))
    message = EmailMessage(policy=POLICY)
    message["Subject"] = rendered.subject
    message["From"] = _repeated("From", sender.mail_from)
    message["To"] = Address(addr_spec=outgoing.recipient)
    if sender.reply_to:
        message["Reply-To"] = _repeated("Reply-To", sender.reply_to)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id(outgoing.delivery_id, sender.mail_from)
    message["Content-Language"] = _repeated("Content-Language", outgoing.language)
    message[EVENT_HEADER] = outgoing.event_id
    message[NOTIFICATION_HEADER] = outgoing.delivery_id
    if outgoing.correlation_id:
        message[CORRELATION_HEADER] = outgoing.correlation_id
    if outgoing.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = _repeated(
            "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
        )
    else:
        # Decision emails cannot be unsubscribed from; say they are transactional.
        message["Auto-Submitted"] = _repeated("Auto-Submitted", "auto-generated")
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    # Chosen here, the boundary is not searched for in the parts by a regular expression
    # compiled for each message when the message is written out.
    boundary = f"==setu-{uuid.uuid4().hex}=="
    if boundary not in rendered.text and boundary not in rendered.html:
        message.set_boundary(boundary)
    return message
