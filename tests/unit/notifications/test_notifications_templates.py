"""Templates and MIME messages, read back with Python's email parser."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

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
