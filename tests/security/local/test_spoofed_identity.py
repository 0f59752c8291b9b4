"""notifications and reports take the caller's identity only from what the gateway forwards,
signed by programmes for that very request; headers sent straight to their ports, by anyone
who reaches them, are refused with 401 (docs/architecture.md, *Auth*).

Run against `setu up`: the real services, on their own ports, with the secret `setu up` made.
"""

from __future__ import annotations

import time

import pytest
import requests

from setu_contract.http import (
    IDENTITY_HEADERS,
    ORIGINAL_METHOD_HEADER,
    ORIGINAL_URI_HEADER,
    SIGNATURE_MAX_AGE,
    Principal,
    principal_from_headers,
    sign_identity,
)
from setu_contract.secret_settings import new_secret
from tests.security.local.conftest import LocalSetu

pytestmark = pytest.mark.e2e

# What each service answers a secretariat for: (service, method, target).
READS = [
    ("notifications", "GET", "/v1/notifications"),
    ("notifications", "GET", "/v1/webhooks"),
    ("reports", "GET", "/v1/reports"),
    ("reports", "GET", "/v1/report-schedules"),
]
FORGED = Principal("forged-organisation", "secretariat", "forged-key", "JP")


def straight(setu: LocalSetu, service: str, method: str, target: str, headers: dict):
    return requests.request(method, setu.base(service) + target, headers=headers, timeout=10)


def assert_refused(answer: requests.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == 401


def vouched(setu: LocalSetu, method: str, target: str) -> dict[str, str]:
    """What programmes answers the gateway for the secretariat key and this request."""
    answer = requests.get(
        setu.base("programmes") + "/internal/authorize",
        headers={
            "Authorization": f"Bearer {setu.secretariat}",
            ORIGINAL_METHOD_HEADER: method,
            ORIGINAL_URI_HEADER: target,
        },
        timeout=10,
    )
    assert answer.status_code == 204, answer.text
    return {name: answer.headers[name] for name in IDENTITY_HEADERS if name in answer.headers}


def internal_secret(setu: LocalSetu) -> str:
    return (setu.data_dir / "secrets" / "setu_internal_secret").read_text().strip()


@pytest.mark.parametrize(("service", "method", "target"), READS)
def test_hand_made_identity_headers_sent_straight_to_a_service_answer_401(
    local_setu: LocalSetu, service: str, method: str, target: str
):
    assert_refused(straight(local_setu, service, method, target, FORGED.headers()))
    signed_by_guess = sign_identity(FORGED, "change-me-setu-development-secret", method, target)
    assert_refused(straight(local_setu, service, method, target, signed_by_guess))


@pytest.mark.parametrize(("service", "method", "target"), READS)
def test_what_the_gateway_forwards_is_accepted(
    local_setu: LocalSetu, service: str, method: str, target: str
):
    through = local_setu.system.api(method, target, local_setu.secretariat)
    assert through.status_code == 200, through.text
    assert straight(local_setu, service, method, target, vouched(local_setu, method, target)).ok


def test_a_signature_is_good_for_the_request_it_was_made_for_only(local_setu: LocalSetu):
    identity = vouched(local_setu, "GET", "/v1/reports")
    for service, method, target in (
        ("reports", "GET", "/v1/report-schedules"),
        ("reports", "GET", "/v1/reports?page=2"),
        ("reports", "GET", "/v1/reports?page_size=5"),
        ("reports", "POST", "/v1/reports"),
        ("notifications", "GET", "/v1/notifications"),
    ):
        assert_refused(straight(local_setu, service, method, target, identity))
    # The same headers, for the request they were made for, are accepted.
    assert straight(local_setu, "reports", "GET", "/v1/reports", identity).status_code == 200


def test_a_signature_that_went_stale_or_is_under_another_secret_is_refused(
    local_setu: LocalSetu,
):
    principal = principal_from_headers(vouched(local_setu, "GET", "/v1/notifications"))
    assert principal is not None and principal.is_secretariat
    secret = internal_secret(local_setu)

    def sent(secret: str, now: float) -> requests.Response:
        headers = sign_identity(principal, secret, "GET", "/v1/notifications", now)
        return straight(local_setu, "notifications", "GET", "/v1/notifications", headers)

    assert_refused(sent(secret, time.time() - SIGNATURE_MAX_AGE - 5))
    assert_refused(sent(secret, time.time() + SIGNATURE_MAX_AGE + 5))
    assert_refused(sent(new_secret(), time.time()))
    # The secret `setu up` keeps under var/ is the one the services check with.
    assert sent(secret, time.time()).status_code == 200


def test_identity_changed_after_signing_is_refused(local_setu: LocalSetu):
    identity = vouched(local_setu, "GET", "/v1/reports")
    for name, value in (("X-Setu-Side", "IN"), ("X-Setu-Role", "auditor")):
        changed = {**identity, name: value}
        assert_refused(straight(local_setu, "reports", "GET", "/v1/reports", changed))
