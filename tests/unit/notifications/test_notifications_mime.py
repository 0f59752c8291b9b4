"""Messages written as bytes (notifications.mail.mime), read back with Python's email parser
and compared with the same message made by the email package."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from notifications.mail.compose import (
    Outgoing,
    Sender,
    _variables,
    compose,
    with_email_package,
)
from notifications.mail.mime import alternative, unstructured
from notifications.mail.smtp import Envelope
from notifications.mail.templates import render
from tests.unit.notifications.test_notifications_templates import EVERY_EMAIL

WHEN = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
SENDER = Sender("Setu Partnership Office <no-reply@setu.local>", "office@setu.test")
COMPARED = (
    "From",
    "To",
    "Reply-To",
    "Message-ID",
    "X-Setu-Event-Id",
    "X-Setu-Notification-Id",
    "X-Correlation-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Auto-Submitted",
    "MIME-Version",
)


def _parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def _text(message: EmailMessage, subtype: str) -> str:
    # Both CRLF (canonical form, in base64) and LF read back as the same text.
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def _assert_well_formed(raw: bytes) -> None:
    assert raw.isascii()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""  # ends with CRLF
    for line in lines:
        assert b"\n" not in line and b"\r" not in line  # no bare LF or CR
        assert len(line) <= 998
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n") if b"List-Unsubscribe:" not in line)


def _outgoing(email, envelope, language: str, **changes) -> Outgoing:
    values = {
        "delivery_id": "3f0c9a56-5d0e-4a57-9d43-52f1f0f7a1c2",
        "event_id": envelope["id"],
        "recipient": email.recipient.email,
        "template": email.template,
        "language": language,
        "timezones": email.recipient.timezones,
        "context": {**email.context, "recipient_name": email.recipient.name},
        "occurred_at": WHEN,
        "correlation_id": "req-7d2c",
        "unsubscribe_url": "https://setu.test/v1/unsubscribe/t" if email.unsubscribable else None,
    }
    return Outgoing(**{**values, **changes})


@pytest.mark.parametrize("language", ["en", "ja", "hi"])
@pytest.mark.parametrize(
    ("envelope", "email"),
    EVERY_EMAIL,
    ids=[f"{e.template}-{i}" for i, (_, e) in enumerate(EVERY_EMAIL)],
)
def test_written_bytes_read_back_as_the_email_package_message(envelope, email, language) -> None:
    outgoing = _outgoing(email, envelope, language)
    composed = compose(outgoing, SENDER)
    assert isinstance(composed.smtp, Envelope)
    assert composed.smtp.mail_from == "no-reply@setu.local"
    assert composed.smtp.recipients == (email.recipient.email,)
    raw = composed.as_bytes()
    _assert_well_formed(raw)
    ours = _parse(raw)
    # The reference: the email package given the same rendered parts.
    written_in = _outgoing(email, envelope, str(ours["Content-Language"]))
    rendered = render(written_in.template, written_in.language, _variables(written_in))
    reference = _parse(with_email_package(written_in, SENDER, rendered).as_bytes())
    for name in COMPARED:
        assert ours[name] == reference[name], name
    # Not compared with the email package's: its folding loses the space between an ASCII
    # word and an encoded-word ("JIP-2026-1990: संशोधन" reads back "JIP-2026-1990:संशोधन").
    assert ours["Subject"] == rendered.subject
    # The email package drops Content-* headers set before set_content (clear_content);
    # written by hand, the message says its language.
    assert ours["Content-Language"] in (language, "en")
    assert composed.message_id == ours["Message-ID"]
    assert ours.get_content_type() == "multipart/alternative"
    parts = list(ours.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert _text(ours, "plain") == _text(reference, "plain")
    assert _text(ours, "html") == _text(reference, "html")
    assert not ours.defects and not any(p.defects for p in parts)


@pytest.mark.parametrize(
    "subject",
    [
        "Programme JIP-2026-0042 submitted",
        "【審査依頼】プログラム JIP-2026-0042「チップレット実装」が提出されました",
        "कार्यक्रम JIP-2026-0042 प्रस्तुत किया गया — समीक्षा करें",
        "A long subject " + "word " * 40 + "end",
        "One unbreakable " + "x" * 120,
        "Looks like an =?utf-8?q?encoded_word?= but is not",
        "Café – naïve",  # noqa: RUF001
        "",
    ],
)
def test_subjects_read_back_exactly(subject: str) -> None:
    line = unstructured("Subject", subject)
    assert line.endswith("\r\n") and line.isascii()
    for folded in line[:-2].split("\r\n"):
        assert len(folded) <= 78 and (folded.startswith(" ") or folded.startswith("Subject:"))
        assert folded.strip()  # no whitespace-only line
    raw = alternative(line, "text\n", "<p>html</p>")
    assert _parse(raw)["Subject"] == subject


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Dear office,\n\nplain ASCII text.\n", "7bit"),
        ("Dear Ms Dürr,\n\nmostly ASCII, one name.\n", "quoted-printable"),
        ("共同事務局 ご担当者様\n\n審査をお願いいたします。\n", "base64"),
        ("a line of " + "x" * 1200 + "\nand another\n", "quoted-printable"),
        ("trailing spaces   \n.\n.leading dot\nFrom the start\n", "7bit"),
        ("=?utf-8?b?abc?= and --==setu- in the text\n", "7bit"),
    ],
)
def test_bodies_are_encoded_and_read_back(text: str, encoding: str) -> None:
    raw = alternative("Subject: x\r\n", text, f"<p>{text}</p>")
    _assert_well_formed(raw)
    parsed = _parse(raw)
    plain = parsed.get_body(("plain",))
    assert plain["Content-Transfer-Encoding"] == encoding
    assert _text(parsed, "plain") == text
    assert _text(parsed, "html") == f"<p>{text}</p>\n"


@pytest.mark.parametrize(
    "change",
    [
        {"recipient": "office@例え.jp"},  # an international address: SMTPUTF8
        {"recipient": '"odd person"@example.jp'},
        {"correlation_id": "相関"},
    ],
)
def test_what_the_writer_does_not_handle_goes_through_the_email_package(change) -> None:
    envelope, email = EVERY_EMAIL[0]
    composed = compose(_outgoing(email, envelope, "en", **change), SENDER)
    assert isinstance(composed.smtp, EmailMessage)
    assert composed.message_id == composed.smtp["Message-ID"]


@pytest.mark.parametrize(
    "change",
    [{"recipient": "dürr@example.jp"}, {"correlation_id": "req\r\nBcc: someone@example.com"}],
)
def test_what_cannot_be_written_at_all_is_refused_as_before(change) -> None:
    envelope, email = EVERY_EMAIL[0]
    with pytest.raises(ValueError):  # a permanent failure for send_claimed
        compose(_outgoing(email, envelope, "en", **change), SENDER)


def test_a_sender_with_a_non_ascii_name_is_encoded() -> None:
    envelope, email = EVERY_EMAIL[0]
    sender = Sender("セツ事務局 <no-reply@setu.local>", "Office <office@setu.test>")
    composed = compose(_outgoing(email, envelope, "ja"), sender)
    assert isinstance(composed.smtp, Envelope)
    raw = composed.as_bytes()
    _assert_well_formed(raw)
    parsed = _parse(raw)
    assert parsed["From"].addresses[0].display_name == "セツ事務局"
    assert parsed["From"].addresses[0].addr_spec == "no-reply@setu.local"
    assert parsed["Reply-To"] == "Office <office@setu.test>"
