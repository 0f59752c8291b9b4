"""Backoff, signatures, address checks and SMTP error sorting, without any network."""

from __future__ import annotations

import random
import smtplib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.domain import retry
from notifications.domain.webhooks import organisations_concerned
from notifications.mail.smtp import (
    PermanentSendError,
    SmtpSettings,
    SmtpTransport,
    TransientSendError,
)
from notifications.mail.unsubscribe import InvalidToken, make_token, read_token
from notifications.webhooks import signing
from notifications.webhooks.addresses import RefusedUrl, check_url
from setu_contract.messaging import MAX_COUNTDOWN
from tests.unit.notifications.factories import application_status_changed, programme_status_changed


@given(st.integers(min_value=1, max_value=50), st.integers(min_value=0, max_value=2**32))
def test_backoff_grows_has_jitter_and_stays_below_the_broker_countdown(attempt, seed) -> None:
    delay = retry.backoff(attempt, random.Random(seed))
    ceiling = min(retry.MAX_DELAY, retry.BASE_DELAY * 2 ** (attempt - 1))
    assert ceiling / 2 <= delay <= ceiling < MAX_COUNTDOWN


def test_retries_stop_after_the_last_attempt() -> None:
    assert retry.should_retry(retry.MAX_ATTEMPTS - 1)
    assert not retry.should_retry(retry.MAX_ATTEMPTS)


def test_signature_matches_the_standard_webhooks_test_vector() -> None:
    # The example published with the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected


def test_a_new_secret_is_random_and_prefixed() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_") and first != second


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://192.168.1.1/x",
        "https://[::1]/x",
        "https://169.254.169.254/",
        "https://[::ffff:127.0.0.1]/x",
        "https://0.0.0.0/x",
        "http://8.8.8.8/x",
        "ftp://8.8.8.8/x",
        "https://user:pw@8.8.8.8/x",
        "https://localhost/x",
        # IPv4 inside IPv6, which a translator on the way turns back into IPv4.
        "https://[64:ff9b::7f00:1]/x",  # NAT64: 127.0.0.1
        "https://[64:ff9b::808:808]/x",  # NAT64 of a public address: refused all the same
        "https://[64:ff9b:1::a00:1]/x",  # NAT64, local use: 10.0.0.1
        "https://[2002:7f00:1::]/x",  # 6to4: 127.0.0.1
        "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x",  # Teredo: client 127.0.0.1
        "https://[::ffff:0:7f00:1]/x",  # IPv4-translated: 127.0.0.1
        "https://[::127.0.0.1]/x",  # IPv4-compatible: 127.0.0.1
        "https://[::ffff:a9fe:a9fe]/x",  # IPv4-mapped: 169.254.169.254
    ],
)
def test_private_or_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(RefusedUrl):
        check_url(url, allow_private=False)


def test_public_literal_addresses_pass_and_private_ones_pass_when_allowed() -> None:
    check_url("https://8.8.8.8/hook", allow_private=False)
    check_url("https://[2001:4860:4860::8888]/hook", allow_private=False)
    check_url("http://127.0.0.1:9000/hook", allow_private=True)


def test_a_name_is_refused_if_any_of_its_addresses_embeds_a_private_ipv4() -> None:
    def resolve(host, port, **_):
        return [
            (10, 1, 6, "", ("2001:4860:4860::8888", port, 0, 0)),
            (10, 1, 6, "", ("64:ff9b::a9fe:a9fe", port, 0, 0)),
        ]

    with pytest.raises(RefusedUrl, match="embeds an IPv4"):
        check_url("https://hooks.example.org/x", allow_private=False, resolve=resolve)


def test_webhooks_reach_only_the_organisations_an_event_is_about() -> None:
    programme = programme_status_changed(partners=[("a", "lead"), ("b", "member")])
    application = application_status_changed("home", "host", "accepted", "endorsed", "accept")
    assert organisations_concerned(programme) == {"a", "b"}
    assert organisations_concerned(application) == {"home", "host"}


def test_unsubscribe_tokens_are_signed_and_bound_to_the_secret() -> None:
    token = make_token("secret-1", "Reader@Example.org")
    assert read_token("secret-1", token) == ("reader@example.org", "reports")
    with pytest.raises(InvalidToken):
        read_token("secret-2", token)
    with pytest.raises(InvalidToken):
        read_token("secret-1", token[:-2] + "xx")


class _RefusingClient:
    """Stands in for smtplib.SMTP: answers NOOP, then raises what it is given on send."""

    def __init__(self, error: Exception):
        self.error = error

    def noop(self):
        return (250, b"ok")

    def send_message(self, message):
        raise self.error

    def rset(self):
        return (250, b"ok")

    def quit(self):
        return (221, b"bye")

    def close(self):
        pass


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (smtplib.SMTPDataError(451, b"try later"), TransientSendError),
        (smtplib.SMTPSenderRefused(421, b"busy", "a@b"), TransientSendError),
        (smtplib.SMTPRecipientsRefused({"x@y": (450, b"greylisted")}), TransientSendError),
        (smtplib.SMTPRecipientsRefused({"x@y": (550, b"no such user")}), PermanentSendError),
        (smtplib.SMTPDataError(554, b"rejected"), PermanentSendError),
        (smtplib.SMTPServerDisconnected("gone"), TransientSendError),
        (ConnectionRefusedError(111, "refused"), TransientSendError),
        (TimeoutError("timed out"), TransientSendError),
    ],
)
def test_smtp_errors_are_sorted_into_transient_and_permanent(error, kind) -> None:
    transport = SmtpTransport(SmtpSettings("127.0.0.1", 1))
    transport._client = _RefusingClient(error)  # a connection already open
    with pytest.raises(kind):
        transport.send(None)
