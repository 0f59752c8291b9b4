"""The "your report is ready" email: in the report's language, its signed link (no key asked
for), the file attached when it is 5 MiB or less, Auto-Submitted like every email, and long
headers folded without breaking the URL a mail client reads."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from notifications.domain.planning import ATTACH_AT_MOST, Settings, plan
from notifications.mail.compose import Attachment, Outgoing, Sender, compose
from tests.unit.notifications.factories import report_generated
from tests.unit.notifications.fakes import FakeDirectory

SETTINGS = Settings(secretariat_email="office@setu.test", public_url="https://setu.test")
LINK = "https://setu.test/v1/report-links/WyJyLTEiLDAsMTc5OTk5OTk5OV0.c2lnbmF0dXJlLW9mLXRoZS1saW5r"
LONG_UNSUBSCRIBE = "https://setu.example.org/v1/unsubscribe/" + "eyJlIjoiZGlyZWN0b3IifQ" * 4
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4


def _report_event(size: int = 1000, language: str = "hi", link: str | None = LINK) -> dict:
    envelope = report_generated(["office@minister.example.gov.in"])
    envelope["data"].update(
        size=size,
        sha256="ab" * 32,
        language=language,
        file_name="setu-exchange-flows-2026-10-hi.pdf",
        content_type="application/pdf",
        link_expires_at="2026-11-08T09:00:00+00:00",
    )
    if link:
        envelope["data"]["link"] = link
    return envelope


def _outgoing(language: str, attachments=(), recipient="office@minister.example.gov.in"):
    [email] = plan(_report_event(language=language), FakeDirectory(), SETTINGS).emails
    return Outgoing(
        "d-1",
        "e-1",
        recipient,
        email.template,
        email.recipient.language,
        email.recipient.timezones,
        email.context,
        datetime(2026, 11, 1, 9, tzinfo=UTC),
        "schedule-" + "c0ffee" * 12,
        LONG_UNSUBSCRIBE,
        attachments=attachments,
    )


def test_the_email_is_in_the_reports_language_with_its_signed_link():
    [email] = plan(_report_event(language="ja"), FakeDirectory(), SETTINGS).emails
    assert email.recipient.language == "ja"
    assert email.context["link"] == LINK and email.context["attach"] is True


@pytest.mark.parametrize(
    ("size", "link", "attached"),
    [(ATTACH_AT_MOST, LINK, True), (ATTACH_AT_MOST + 1, LINK, False), (10, None, False)],
)
def test_the_file_is_attached_when_it_is_5_mib_or_less(size, link, attached):
    [email] = plan(_report_event(size=size, link=link), FakeDirectory(), SETTINGS).emails
    assert email.context["attach"] is attached
    # An event from before links (none in it): the API's download path, as before.
    assert email.context["link"].startswith(link or SETTINGS.public_url + "/v1/reports/")


@pytest.mark.parametrize("language", ["en", "ja", "hi"])
# A quoted local part is written by the email package (the other path).
@pytest.mark.parametrize(
    "recipient", ["office@minister.example.gov.in", '"office head"@example.org']
)
def test_every_language_sends_the_link_the_file_and_no_word_of_a_key(language, recipient):
    attachment = Attachment("setu-exchange-flows-2026-10-hi.pdf", "application/pdf", PDF)
    raw = compose(_outgoing(language, (attachment,), recipient), Sender("no-reply@setu.local"))
    message = message_from_bytes(raw.as_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert LINK in text and LINK in html
    assert "setu-exchange-flows-2026-10-hi.pdf" in text
    for word in ("API", "キー", "कुंजी"):
        assert word not in text and word not in html
    [part] = list(message.iter_attachments())
    assert part.get_content() == PDF
    assert part.get_filename() == "setu-exchange-flows-2026-10-hi.pdf"
    assert part.get_content_type() == "application/pdf"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == language
    assert message["List-Unsubscribe"] == f"<{LONG_UNSUBSCRIBE}>"


# A quoted local part is written by the email package (the other path).
@pytest.mark.parametrize(
    "recipient", ["office@minister.example.gov.in", '"office head"@example.org']
)
def test_long_headers_are_folded_and_a_url_is_never_broken(recipient):
    attachment = Attachment("setu-exchange-flows-2026-10-hi.pdf", "application/pdf", PDF)
    outgoing = _outgoing("hi", (attachment,), recipient)
    raw = compose(outgoing, Sender("no-reply@setu.local")).as_bytes()
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].split(b"\n")
    for line in head:
        # Past 78 columns only a header whose value is one token that cannot be folded.
        _, _, value = line.partition(b": ")
        assert len(line) <= 78 or (b" " not in value and len(line) <= 998), line
    assert f"List-Unsubscribe: <{LONG_UNSUBSCRIBE}>".encode() in head
    message = message_from_bytes(raw, policy=policy.default)
    assert message["X-Correlation-Id"] == "schedule-" + "c0ffee" * 12
    assert sum(line.startswith(b"Subject: ") or line.startswith(b" =?") for line in head) > 2


def test_an_email_without_attachments_carries_auto_submitted_too():
    raw = compose(_outgoing("hi"), Sender("no-reply@setu.local")).as_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert not list(message.iter_attachments())
    assert "संलग्न" not in message.get_body(("plain",)).get_content()  # "attached": not said
