"""A report email opens for the person who receives it: its signed link downloads the file
without a key, the file is attached (the same bytes), and a tampered, expired or revoked link
answers 404. No access log of the system holds the link's token or the unsubscribe token.

`setu up` runs the whole system; the report is asked for over the gateway, in Hindi, as PDF,
for an organisation's contact address (whoever reads that mailbox has no key), and read back
from the SMTP server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from reports.domain.links import LinkClaim, sign
from tests.e2e.topology import (
    RunningSetu,
    propose_and_submit,
    request_report,
    running_setu,
    setup_partners,
)
from tests.support.browser import Browser
from tests.support.infra import wait_until

pytestmark = pytest.mark.e2e

SECRET = "e2e-report-links-secret-0123456789abcdef"
OFFICE = "lab@in.example.org"  # the Indian organisation's contact address (setup_partners)
LINK = re.compile(r"https?://\S+/v1/report-links/([A-Za-z0-9_.\-]+)")
UNSUBSCRIBE = re.compile(r"https?://\S+/v1/unsubscribe/([A-Za-z0-9_.\-]+)")


def _request_report(system: RunningSetu, key: str) -> str:
    today = datetime.now(UTC).date()
    body = {
        "type": "programme_portfolio",
        "format": "pdf",
        "language": "hi",
        "period": {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()},
        "recipients": [OFFICE],
    }
    answer = request_report(system, key, body)
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def _email_to(smtp_server, address: str) -> EmailMessage:
    def arrived():
        return next((m for m in smtp_server.messages if m["To"] == address), None)

    return wait_until(arrived, timeout=120, interval=0.2, message=f"the email to {address}")


def _parts(message: EmailMessage) -> tuple[str, bytes, str]:
    """The plain text, the attachment's bytes and its file name."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    return text, attachment.get_content(), attachment.get_filename()


def _links_in_a_browser(system: RunningSetu, token: str, expired: str) -> None:
    """The email's unsubscribe link followed as its reader would: pages in the email's
    language (Hindi), with a button, then a page that says it is done; and an expired report
    link, a page that says what to do; axe-core on each."""
    browser = Browser(system.base_url).start()
    try:
        browser.open(f"/v1/unsubscribe/{token}")
        assert "Setu की रिपोर्ट ईमेल भेजना बंद करें?" in browser.text, browser.text
        browser.check("unsubscribe", "hi")
        browser.click_button("सदस्यता छोड़ें")
        assert "Setu अब lab@in.example.org पर रिपोर्ट ईमेल नहीं भेजेगा।" in browser.text
        browser.check("unsubscribed", "hi")
        # A report link that no longer works, in the browser's language (en-GB).
        browser.open(f"/v1/report-links/{expired}")
        assert "This link does not work" in browser.text and "secretariat" in browser.text
        browser.check("report-link-not-working", "en")
        browser.click_link("Open the reports in the Setu console")
        assert browser.path.startswith("/console/sign-in?next=/console/reports/"), browser.path
    finally:
        browser.quit()
    assert not browser.violations, browser.violations_report()


def test_the_report_email_link_opens_without_a_key_and_the_attachment_is_the_download(
    tmp_path, redis_url, smtp_server
):
    data = tmp_path / "data"
    with running_setu(data, redis_url, smtp_server.port, SETU_SECRET_KEY=SECRET) as system:
        propose_and_submit(system, setup_partners(system), 1)
        secretariat = system.bootstrap_key("JP")
        report_id = _request_report(system, secretariat)

        message = _email_to(smtp_server, OFFICE)
        assert message["Auto-Submitted"] == "auto-generated"
        text, attached, file_name = _parts(message)
        assert "API" not in text  # no key is asked of the reader, in any language
        token = LINK.search(text).group(1)

        opened = system.api("GET", f"/v1/report-links/{token}")
        assert opened.status_code == 200, opened.text
        assert opened.content == attached and attached.startswith(b"%PDF-")
        assert opened.headers["Content-Type"] == "application/pdf"
        disposition = opened.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and file_name in disposition
        assert re.fullmatch(r"setu-programme-portfolio-\S+-hi\.pdf", file_name), file_name
        download = system.api("GET", f"/v1/reports/{report_id}/download", secretariat)
        assert download.content == attached

        # A character inside the signature (the last one's low bits carry nothing).
        tampered = token[:-10] + ("A" if token[-10] != "A" else "g") + token[-9:]
        assert system.api("GET", f"/v1/report-links/{tampered}").status_code == 404
        past = datetime.now(UTC) - timedelta(minutes=1)
        expired = sign(SECRET, LinkClaim(report_id, 0, past))
        answer = system.api("GET", f"/v1/report-links/{expired}")
        assert answer.status_code == 404 and answer.json()["code"] == 404

        unsubscribe = UNSUBSCRIBE.search(text).group(1)
        assert system.api("GET", f"/v1/unsubscribe/{unsubscribe}").status_code == 200
        _links_in_a_browser(system, unsubscribe, expired)
        revoked = system.api("DELETE", f"/v1/reports/{report_id}/links", secretariat)
        assert revoked.status_code == 204, revoked.text
        assert system.api("GET", f"/v1/report-links/{token}").status_code == 404
        logs = system.process.output()

    for secret in (token, unsubscribe, expired):
        assert secret not in logs, "a link's token was written to a log"
    assert "/v1/report-links/{token}" in logs and "/v1/unsubscribe/{token}" in logs
