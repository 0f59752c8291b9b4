"""Templates and MIME messages, read back with Python's email parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from notifications.mail.compose import Outgoing, Sender, compose
from notifications.mail.templates import local_time, render

CONTEXT = {
    "reference": "JIP-2026-0042",
    "title": "AI <script>alert(1)</script> & chips",
    "link": "https://setu.test/v1/programmes/p1",
}
WHEN = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


def _outgoing(language: str = "en") -> Outgoing:
    return Outgoing(
        "d-1",
        "e-1",
        "office@setu.test",
        "programme_submitted",
        language,
        ("Asia/Tokyo", "Asia/Kolkata"),
        CONTEXT,
        WHEN,
        correlation_id="c-1",
    )


def test_times_are_written_in_the_reader_zone_and_language() -> None:
    assert local_time(WHEN, "Asia/Tokyo", "en") == "25 November 2026, 00:30 (Japan time)"
    assert local_time(WHEN, "Asia/Kolkata", "en") == "24 November 2026, 21:00 (India time)"
    assert local_time(WHEN, "Asia/Tokyo", "ja") == "2026年11月25日 00:30（日本時間）"  # noqa: RUF001


def test_html_is_escaped_and_plain_text_is_not() -> None:
    rendered = render("programme_submitted", "en", {**CONTEXT, "times": ["now"]})
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "AI <script>alert(1)</script> & chips" in rendered.text
    assert "JIP-2026-0042" in rendered.subject and "\n" not in rendered.subject


def test_a_message_parses_with_both_parts_and_the_setu_headers() -> None:
    raw = compose(_outgoing("ja"), Sender("Setu <no-reply@setu.local>", "office@setu.test"))
    parsed = message_from_bytes(raw.as_bytes(), policy=policy.default)
    assert parsed["X-Setu-Event-Id"] == "e-1"
    assert parsed["X-Setu-Notification-Id"] == "d-1"
    assert parsed["Message-ID"] == "<d-1@setu.local>"
    assert parsed["Reply-To"] == "office@setu.test"
    assert "提出されました" in parsed["Subject"]
    assert "審査をお願いいたします" in parsed.get_body(("plain",)).get_content()
    assert "2026年11月25日 00:30（日本時間）" in parsed.get_body(("html",)).get_content()  # noqa: RUF001


def _every_email() -> list[tuple[str, object]]:
    from notifications.domain.planning import Settings, plan
    from notifications.domain.recipients import Contact, Recipient
    from tests.unit.notifications.factories import (
        application_status_changed,
        call_closing_reminder,
        mobility_reminder,
        participation_answered,
        programme_status_changed,
        report_generated,
        review_event,
        screening_event,
    )
    from tests.unit.notifications.fakes import FakeDirectory

    class Directory(FakeDirectory):
        def secretariat_people(self, side: str) -> list[Recipient]:
            return [Recipient(f"officer-{side.lower()}@setu.test", "en", ("Asia/Tokyo",))]

    jp = Contact("jp", "東京大学", "JP", "jp@u-tokyo.example", "ja")
    india = Contact("in", "IIT Madras", "IN", "in@iitm.example", "en")
    directory = Directory(jp, india)
    partners = [("jp", "lead"), ("in", "lead")]
    events = [programme_status_changed(to="submitted")]
    events += [
        programme_status_changed(
            to=to,
            source="under_review",
            action="x",
            partners=partners,
            comment="予算の内訳を見直してください & <re-check>",
        )
        for to in ("changes_requested", "approved", "rejected", "active", "completed", "cancelled")
    ]
    moves = [
        ("submitted", "draft"),
        ("endorsed", "submitted"),
        ("accepted", "endorsed"),
        ("rejected", "submitted"),
        ("waitlisted", "endorsed"),
        ("withdrawn", "accepted"),
        ("offered", "waitlisted"),
    ]
    events += [application_status_changed("in", "jp", to, source, "x") for to, source in moves]
    events.append(report_generated(["reader@setu.test"]))
    events.append(participation_answered("jp", "in", "declined", "member"))
    events += [review_event(kind) for kind in ("review.assigned", "review.reminder")]
    events.append(review_event("conflict.declared", reason="予算の内訳 & <re-check>"))
    events.append(call_closing_reminder([("JIP-2027-0001", ["jp", "in"])]))
    events.append(mobility_reminder("in", "jp", ["certificate_of_eligibility", "visa"]))
    events.append(mobility_reminder("jp", "in", ["research_visa"], direction="JP_TO_IN"))
    events += [
        screening_event(kind)
        for kind in (
            "screening.recorded",
            "screening.licence_expiring",
            "screening.licence_expired",
        )
    ]
    settings = Settings("office@setu.test", "https://setu.test")
    planned = []
    for envelope in events:
        for email in plan(envelope, directory, settings).emails:
            planned.append((envelope, email))
    return planned


EVERY_EMAIL = _every_email()


def _planned(envelope, email, language: str) -> Outgoing:
    """A planned email as the worker hands it to ``compose``."""
    return Outgoing(
        "d-9",
        envelope["id"],
        email.recipient.email,
        email.template,
        language,
        email.recipient.timezones,
        {**email.context, "recipient_name": email.recipient.name},
        WHEN,
        unsubscribe_url="https://setu.test/v1/unsubscribe/t" if email.unsubscribable else None,
    )


@pytest.mark.parametrize("language", ["en", "ja", "hi"])
@pytest.mark.parametrize(
    ("envelope", "email"),
    EVERY_EMAIL,
    ids=[f"{e.template}-{i}" for i, (_, e) in enumerate(EVERY_EMAIL)],
)
def test_every_email_renders_and_parses_in_every_language(envelope, email, language) -> None:
    outgoing = _planned(envelope, email, language)
    raw = compose(outgoing, Sender("Setu <no-reply@setu.local>")).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    reference = email.context["reference"]
    assert reference in text and reference in html
    if email.template != "report_ready":  # a report is named by its type and period
        assert reference in parsed["Subject"]
    assert parsed["X-Setu-Event-Id"] == envelope["id"]
    assert "{{" not in text and "{%" not in html
    assert ("List-Unsubscribe" in parsed) == email.unsubscribable
    if email.context.get("comment"):
        assert "& <re-check>" in text and "&amp; &lt;re-check&gt;" in html


SCRIPTS = {"ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"), "hi": re.compile(r"[\u0900-\u097f]")}
MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\b"
)


def _webhook_disabled(language: str) -> Outgoing:
    context = {
        "reference": "w-1",
        "url": "https://hooks.example/in",
        "recipient_name": "IIT Madras",
        "link": "https://setu.test/v1/webhooks/w-1",
    }
    return Outgoing(
        "d-1", "e-1", "in@iitm.example", "webhook_disabled", language, ("UTC",), context, WHEN
    )


@pytest.mark.parametrize("language", ["ja", "hi"])
def test_every_email_is_written_in_the_reader_language_dates_included(language) -> None:
    outgoings = [_webhook_disabled(language)]
    outgoings += [_planned(envelope, email, language) for envelope, email in EVERY_EMAIL]
    for outgoing in outgoings:
        parsed = message_from_bytes(
            compose(outgoing, Sender("s@setu.local")).as_bytes(), policy=policy.default
        )
        text = parsed.get_body(("plain",)).get_content()
        lines = [line for line in text.splitlines() if line.strip()]
        assert SCRIPTS[language].search(parsed["Subject"]), (outgoing.template, parsed["Subject"])
        assert parsed["Content-Language"] == language
        # Every line but a link's carries the language's own script (names aside: the
        # greeting, the closing and each labelled line are words of the catalogue).
        english = [
            line for line in lines if not SCRIPTS[language].search(line) and "://" not in line
        ]
        assert not english, (outgoing.template, english)
        assert not MONTHS.search(text), (outgoing.template, text)
