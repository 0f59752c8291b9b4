"""The identity the gateway forwards is vouched for by a signature made for one request."""

from __future__ import annotations

import pytest

from setu_contract.http import (
    ORGANISATION_HEADER,
    ROLE_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_MAX_AGE,
    Principal,
    request_target,
    sign_identity,
    verified_principal,
)
from setu_contract.secret_settings import new_secret

SECRET = new_secret()
PARTNER = Principal("org-p", "partner", "key-p")
NOW = 1_900_000_000.0


def signed(**changes) -> dict[str, str]:
    arguments = {"method": "GET", "target": "/v1/reports/r1?x=1", "now": NOW, **changes}
    return sign_identity(PARTNER, SECRET, **arguments)


def test_a_signature_vouches_for_its_own_request_only():
    headers = signed()
    assert verified_principal(headers, SECRET, "GET", "/v1/reports/r1?x=1", NOW) == PARTNER
    for method, target in (
        ("POST", "/v1/reports/r1?x=1"),
        ("GET", "/v1/reports/r2?x=1"),
        ("GET", "/v1/reports/r1?x=2"),
        ("GET", "/v1/reports/r1"),
    ):
        assert verified_principal(headers, SECRET, method, target, NOW) is None


@pytest.mark.parametrize("age", [SIGNATURE_MAX_AGE + 1, -SIGNATURE_MAX_AGE - 1, 3600])
def test_a_stale_or_future_signature_is_refused(age: float):
    headers = signed(now=NOW - age)
    assert verified_principal(headers, SECRET, "GET", "/v1/reports/r1?x=1", NOW) is None


def test_a_fresh_signature_is_accepted_within_its_age():
    headers = signed(now=NOW - SIGNATURE_MAX_AGE + 1)
    assert verified_principal(headers, SECRET, "GET", "/v1/reports/r1?x=1", NOW) == PARTNER


@pytest.mark.parametrize(
    "tampered",
    [
        {ROLE_HEADER: "secretariat"},
        {ORGANISATION_HEADER: "org-other"},
        {"X-Setu-Side": "JP"},
        {SIGNATURE_HEADER: ""},
        {SIGNATURE_HEADER: "t=1900000000,v1=" + "0" * 64},
        {SIGNATURE_HEADER: "v1=abc"},
    ],
)
def test_identity_headers_changed_after_signing_are_refused(tampered: dict[str, str]):
    headers = {**signed(), **tampered}
    assert verified_principal(headers, SECRET, "GET", "/v1/reports/r1?x=1", NOW) is None


def test_unsigned_headers_or_another_secret_are_refused():
    headers = signed()
    unsigned = PARTNER.headers()
    assert verified_principal(unsigned, SECRET, "GET", "/v1/reports/r1?x=1", NOW) is None
    assert verified_principal(headers, new_secret(), "GET", "/v1/reports/r1?x=1", NOW) is None
    assert verified_principal(headers, "", "GET", "/v1/reports/r1?x=1", NOW) is None


def test_the_request_target_is_the_raw_one_when_the_server_keeps_it():
    assert request_target({"RAW_URI": "/v1/a%2Fb?q=%7e", "PATH_INFO": "/v1/a/b"}) == (
        "/v1/a%2Fb?q=%7e"
    )
    rebuilt = request_target({"PATH_INFO": "/v1/a b", "QUERY_STRING": "q=1"})
    assert rebuilt == "/v1/a%20b?q=1"
