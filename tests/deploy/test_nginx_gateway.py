"""The nginx gateway of docker-compose.yml, run for real (Debian's nginx) in front of stand-ins.

Routing by path, auth_request to programmes for notifications and reports with the identity
headers forwarded, signed for the very request the service receives; client-sent identity
headers dropped, denials passed on as JSON, 400 and 413 JSON; on the console's paths, a page
for a person. (tests/security runs the encoded-path corpus through this rig.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from setu_contract.http import ORIGINAL_METHOD_HEADER, ORIGINAL_URI_HEADER, verified_principal
from tests.deploy.gateway_rig import (
    GOOD_KEY,
    IDENTITY,
    INTERNAL_SECRET,
    LIMITED_KEY,
    PRINCIPAL,
    StandIn,
    gateway,
    header,
)
from tests.deploy.tools import require_tool
from tests.support.console_pages import assert_console_page
from tests.support.infra import wait_until
from tests.support.raw_http import raw_request

FORGED = {
    "X-Setu-Organisation-Id": "forged-organisation",
    "X-Setu-Role": "secretariat",
    "X-Setu-Side": "JP",
    "X-Setu-Key-Id": "forged-key",
}


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    binary = require_tool("nginx")
    with gateway(binary, tmp_path_factory.mktemp("nginx")) as running:
        yield running


def get(rig: tuple, path: str, **kwargs) -> requests.Response:
    nginx, _ = rig
    return requests.request(kwargs.pop("method", "GET"), nginx.base + path, timeout=10, **kwargs)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_json_error(response: requests.Response, code: int) -> dict:
    assert response.status_code == code, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/organisations", "programmes"),
        ("/v1/organisations/abc/api-keys", "programmes"),
        ("/v1/api-keys/abc", "programmes"),
        ("/v1/programmes?page=2&q=chip", "programmes"),
        ("/v1/programmes/abc/transitions", "programmes"),
        ("/v1/applications/abc/personal-data", "programmes"),
        ("/v1/events", "programmes"),
        ("/v1/people/abc", "programmes"),
        ("/v1/me", "programmes"),
        ("/v1/sign-in", "programmes"),
        ("/v1/sessions/current", "programmes"),
        ("/v1/unsubscribe/some-token", "notifications"),
        ("/v1/report-links/some-token", "reports"),
        ("/v1/notifications/abc/retry", "notifications"),
        ("/v1/webhooks", "notifications"),
        ("/v1/reports/abc/download", "reports"),
        ("/v1/report-schedules", "reports"),
        ("/readyz", "gateway"),
        ("/openapi.json", "gateway"),
        ("/docs", "gateway"),
        ("/docs/static/swagger-ui.css", "gateway"),
        ("/console", "console"),
        ("/console/programmes/abc?next=/console/", "console"),
    ],
)
def test_gateway_routes_each_path_to_its_service(rig, path: str, service: str):
    answer = get(rig, path, headers=bearer(GOOD_KEY))
    assert answer.status_code == 200, answer.text
    echoed = answer.json()
    assert echoed["service"] == service
    assert echoed["path"] + ("?" + echoed["query"] if echoed["query"] else "") == path


@pytest.mark.parametrize(
    "path",
    [
        "/internal/authorize",
        "/internal",
        "/v1/programmesX",
        "/v1",
        "/",
        "/v2/reports",
        "/v1/reportsX/1",
        "/v1/../internal/authorize",
        "/consoleX",
        "/console/../internal/authorize",
        "/index.html",
        "/_setu_console_pages/console_unavailable",
    ],
)
def test_gateway_answers_404_json_for_paths_it_does_not_route(rig, path: str):
    _, apps = rig
    before = len(apps["programmes"].received)
    assert_json_error(get(rig, path, headers=bearer(GOOD_KEY)), 404)
    assert len(apps["programmes"].received) == before


def test_healthz_is_answered_by_nginx_itself(rig):
    answer = get(rig, "/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/v1/reports/r1", "/v1/notifications", "/v1/webhooks/w1"])
def test_authorised_requests_carry_the_identity_programmes_answered(rig, path: str):
    _, apps = rig
    calls = apps["programmes"].authorize_calls()
    answer = get(rig, path, headers={**bearer(GOOD_KEY), **FORGED})
    assert answer.status_code == 200, answer.text
    headers = answer.json()["headers"]
    for name, value in IDENTITY.items():
        if value:
            assert headers[name] == value
        else:
            assert headers.get(name, "") == ""
    assert apps["programmes"].authorize_calls() == calls + 1
    assert headers["Authorization"] == f"Bearer {GOOD_KEY}"


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("GET", "/v1/reports/r1"),
        ("GET", "/v1/notifications?status=failed&page=2"),
        ("POST", "/v1/reports?x=1"),
        ("DELETE", "/v1/webhooks/w1"),
        ("GET", "/v1/reports/a%2Fb%3Fc?q=%E2%80%A5%20x"),
        ("GET", "/v1/report-schedules//./s1/../s2"),
        ("GET", "/v1/webhooks/%7e%2fw?q=a%2fb"),
    ],
)
def test_the_identity_reaches_the_service_signed_for_the_request_it_received(
    rig, method: str, target: str
):
    nginx, _ = rig
    answer = raw_request(nginx.port, target, method, bearer(GOOD_KEY))
    assert answer.status == 200, answer.text
    seen = json.loads(answer.body)
    assert (seen["method"], seen["target"]) == (method, target)
    vouched = verified_principal(seen["headers"], INTERNAL_SECRET, method, seen["target"])
    assert vouched == PRINCIPAL
    # Made for this request only: another method or target is refused.
    assert verified_principal(seen["headers"], INTERNAL_SECRET, "PATCH", seen["target"]) is None
    assert verified_principal(seen["headers"], INTERNAL_SECRET, method, "/v1/reports") is None


def test_original_request_headers_sent_by_clients_never_reach_any_service(rig):
    forged = {ORIGINAL_METHOD_HEADER: "DELETE", ORIGINAL_URI_HEADER: "/v1/webhooks/other"}
    for path in ("/v1/programmes", "/v1/reports/r1", "/v1/unsubscribe/t", "/openapi.json"):
        seen = get(rig, path, headers={**bearer(GOOD_KEY), **forged}).json()
        assert header(seen, ORIGINAL_METHOD_HEADER) is None, path
        assert header(seen, ORIGINAL_URI_HEADER) is None, path
    _, apps = rig
    asked = [r for r in apps["programmes"].received if r["path"] == "/internal/authorize"][-1]
    assert header(asked, ORIGINAL_URI_HEADER) == "/v1/reports/r1"
    assert header(asked, ORIGINAL_METHOD_HEADER) == "GET"


def test_the_authorize_subrequest_carries_the_key_and_no_body(rig):
    _, apps = rig
    get(
        rig,
        "/v1/reports",
        method="POST",
        json={"type": "programme_portfolio"},
        headers={**bearer(GOOD_KEY), **FORGED, "X-Correlation-Id": "corr-sub"},
    )
    asked = [r for r in apps["programmes"].received if r["path"] == "/internal/authorize"][-1]
    assert asked["method"] == "GET"
    assert asked["body_length"] == 0
    assert asked["headers"]["Authorization"] == f"Bearer {GOOD_KEY}"
    assert asked["headers"]["X-Correlation-Id"] == "corr-sub"
    assert not set(FORGED) & set(asked["headers"])


def test_the_consoles_signed_client_address_reaches_programmes_on_both_paths(rig):
    """programmes judges the signature itself; nginx passes the two headers on, to a route
    of its own and to the authorize subrequest."""
    _, apps = rig
    vouched = {"X-Setu-Client-Address": "192.0.2.9", "X-Setu-Client-Address-Signature": "t=1,v1=x"}
    get(rig, "/v1/sessions", method="POST", json={"token": "t"}, headers=vouched)
    get(rig, "/v1/reports", headers={**bearer(GOOD_KEY), **vouched})
    direct = [r for r in apps["programmes"].received if r["path"] == "/v1/sessions"][-1]
    asked = [r for r in apps["programmes"].received if r["path"] == "/internal/authorize"][-1]
    for received in (direct, asked):
        assert {k: received["headers"].get(k) for k in vouched} == vouched


def test_identity_headers_sent_by_clients_never_reach_any_service(rig):
    for path in ("/v1/programmes", "/v1/unsubscribe/t", "/openapi.json"):
        headers = get(rig, path, headers={**bearer(GOOD_KEY), **FORGED}).json()["headers"]
        assert not set(FORGED) & set(headers), path


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_refused_key_gets_programmes_401_json_and_never_reaches_the_service(rig, key):
    _, apps = rig
    before = len(apps["reports"].received)
    answer = get(rig, "/v1/reports", headers=bearer(key) if key else {})
    body = assert_json_error(answer, 401)
    assert body["message"] == "a valid API key is required"
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert len(apps["reports"].received) == before


def test_a_rate_limited_key_gets_429_json_with_retry_after(rig):
    _, apps = rig
    before = len(apps["notifications"].received)
    answer = get(rig, "/v1/notifications", headers=bearer(LIMITED_KEY))
    assert assert_json_error(answer, 429)["message"] == "slow down"
    assert answer.headers["Retry-After"] == "7"
    assert len(apps["notifications"].received) == before


def test_unsubscribe_needs_no_key_and_asks_nobody(rig):
    _, apps = rig
    calls = apps["programmes"].authorize_calls()
    answer = get(rig, "/v1/unsubscribe/token-123", method="POST")
    assert answer.status_code == 200
    assert answer.json()["service"] == "notifications"
    assert apps["programmes"].authorize_calls() == calls


@pytest.mark.parametrize("path", ["/v1/programmes/%zz", "/v1/reports/%00", "/v1/../../internal"])
def test_a_path_nginx_cannot_read_answers_400_json(rig, path: str):
    nginx, _ = rig
    answer = raw_request(nginx.port, path, headers=bearer(GOOD_KEY))
    assert answer.status == 400
    assert answer.header("Content-Type").startswith("application/json")
    assert json.loads(answer.body)["code"] == 400


@pytest.mark.parametrize("path", ["/console/programmes/%zz", "/console/%00", "/console/../../x"])
def test_a_console_path_nginx_cannot_read_answers_a_page_for_a_person(rig, path: str):
    nginx, apps = rig
    before = len(apps["console"].received)
    answer = raw_request(nginx.port, path)
    assert_console_page(answer.status, answer.header, answer.body, 400)
    assert len(apps["console"].received) == before


def test_a_form_over_one_mebibyte_to_the_console_answers_a_page_for_a_person(rig):
    _, apps = rig
    before = len(apps["console"].received)
    form = b"summary=" + b"x" * (1024 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = get(rig, "/console/programmes/p1", method="POST", data=form, headers=headers)
    assert_console_page(answer.status_code, answer.headers.get, answer.content, 413)
    assert len(apps["console"].received) == before


def test_report_links_need_no_key_and_ask_nobody(rig):
    _, apps = rig
    calls = apps["programmes"].authorize_calls()
    answer = get(rig, "/v1/report-links/signed.token-456")
    assert answer.status_code == 200
    assert answer.json()["service"] == "reports"
    assert answer.json()["path"] == "/v1/report-links/signed.token-456"
    assert apps["programmes"].authorize_calls() == calls


def test_the_access_log_never_holds_a_links_token_or_a_query_string(rig):
    nginx, _ = rig
    get(rig, "/v1/unsubscribe/unsub-token-xyzzy", method="POST")
    get(rig, "/v1/report-links/report-token-xyzzy?x=1")
    get(rig, "/v1/programmes?q=query-secret-xyzzy", headers=bearer(GOOD_KEY))
    get(rig, "/console/sign-in/setul_link-xyzzy.mac-xyzzy")
    # nginx writes a request's line as it ends it (no buffer is configured), which may be
    # just after the client has read the answer.
    log = nginx.config.parent / "access.log"
    wait_until(
        lambda: '"GET /console/sign-in/{token} HTTP/1.1"' in log.read_text(),
        timeout=5,
        message="the last request's line in the access log",
    )
    text = log.read_text()
    # (A word no correlation id can hold: they are hex digits.)
    assert "xyzzy" not in text, text
    assert '"POST /v1/unsubscribe/{token} HTTP/1.1" 200' in text
    assert '"GET /v1/report-links/{token} HTTP/1.1" 200' in text
    assert '"GET /v1/programmes HTTP/1.1" 200' in text
    assert '"GET /console/sign-in/{token} HTTP/1.1" 200' in text


def test_a_body_over_one_mebibyte_answers_413_json(rig):
    _, apps = rig
    before = len(apps["programmes"].received)
    big = b"x" * (1024 * 1024 + 1)
    answer = get(
        rig,
        "/v1/programmes",
        method="POST",
        data=big,
        headers={**bearer(GOOD_KEY), "Content-Type": "application/json"},
    )
    assert_json_error(answer, 413)
    assert len(apps["programmes"].received) == before


def test_a_body_of_one_mebibyte_passes(rig):
    body = b"x" * (1024 * 1024)
    answer = get(
        rig,
        "/v1/reports",
        method="POST",
        data=body,
        headers={**bearer(GOOD_KEY), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200
    assert answer.json()["body_length"] == len(body)


def test_correlation_id_is_kept_or_made(rig):
    kept = get(rig, "/v1/programmes", headers={"X-Correlation-Id": "abc-123"}).json()
    assert kept["headers"]["X-Correlation-Id"] == "abc-123"
    made = get(rig, "/v1/programmes").json()["headers"]["X-Correlation-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_methods_and_bodies_pass_through(rig):
    for method in ("POST", "PATCH", "DELETE", "PUT"):
        echoed = get(
            rig,
            "/v1/programmes/p1",
            method=method,
            json={"title": "t"},
            headers={"If-Match": '"v1"'},
        ).json()
        assert echoed["method"] == method
        assert echoed["body_length"] == len(b'{"title": "t"}')
        assert echoed["headers"]["If-Match"] == '"v1"'


def test_a_service_that_does_not_answer_gives_503_json(tmp_path: Path):
    binary = require_tool("nginx")
    with gateway(binary, tmp_path, dead=("reports",)) as (nginx, apps):
        answer = requests.get(nginx.base + "/v1/reports", headers=bearer(GOOD_KEY), timeout=10)
        assert_json_error(answer, 503)
        assert answer.headers["Retry-After"] == "5"
        # programmes still answered the authorisation: only reports is down
        assert apps["programmes"].authorize_calls() == 1


def test_a_console_that_does_not_answer_gives_a_page_for_a_person(tmp_path: Path):
    binary = require_tool("nginx")
    with gateway(binary, tmp_path, dead=("console",)) as (nginx, _):
        for method in ("GET", "POST"):
            answer = requests.request(method, nginx.base + "/console/programmes/p1", timeout=10)
            assert_console_page(answer.status_code, answer.headers.get, answer.content, 503)
        # The API's paths keep the API's JSON.
        assert_json_error(requests.get(nginx.base + "/v1/nowhere", timeout=10), 404)


def test_authorisation_unavailable_gives_503_json(tmp_path: Path):
    binary = require_tool("nginx")
    with gateway(binary, tmp_path, dead=("programmes",)) as (nginx, apps):
        answer = requests.get(
            nginx.base + "/v1/notifications", headers=bearer(GOOD_KEY), timeout=10
        )
        assert_json_error(answer, 503)
        assert isinstance(apps["notifications"], StandIn)
        assert apps["notifications"].received == []
