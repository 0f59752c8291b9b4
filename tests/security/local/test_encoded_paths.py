"""Encoded and dot-segment paths never reach /internal or /metrics through either gateway, and
no answer names an address inside (docs/product.md, *Callers and roles*; issue 26's corpus).

Each gateway routes on the path as nginx reads it (decoded once, slashes merged, dot
segments resolved) and forwards the target as sent, so a service never decodes a path the
gateway did not route. The local gateway runs under `setu up` in front of the real services;
nginx runs deploy/nginx/nginx.conf in front of the stand-ins of tests/deploy/gateway_rig.py,
which record every request they receive.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from setu_contract.http import IDENTITY_HEADERS
from tests.deploy.gateway_rig import GOOD_KEY, METRICS_MARKER, gateway
from tests.deploy.tools import require_tool
from tests.security.local.conftest import LocalSetu
from tests.support.raw_http import RawAnswer, raw_request

# What a path climbs with: escaped slashes and dots in every case, doubly escaped, Tomcat's
# "..;", backslashes, dots that only look like dots (U+2025, U+FF0E), NUL, plain dots.
CLIMBS = (
    "..%2F..%2F",
    "..%2f..%2f",
    "%2E%2E%2F%2E%2E%2F",
    "%2e%2e/%2e%2e/",
    ".%2e/.%2e/",
    "..%252F..%252F",
    "..;/..;/",
    "..\\..\\",
    "..%5C..%5C",
    "%E2%80%A5/%E2%80%A5/",
    "%EF%BC%8E%EF%BC%8E/%EF%BC%8E%EF%BC%8E/",
    "..%00/..%00/",
    "../../",
    "x/../../../",
    "..//..//",
)
INSIDE = ("metrics", "internal/authorize", "internal%2Fauthorize", "internal%2fauthorize")
PREFIXES = ("/v1/programmes/", "/v1/reports/", "/v1/notifications/", "/v1/unsubscribe/", "/docs/")
OTHERS = (
    "//metrics",
    "///internal//authorize",
    "/%6Detrics",
    "/%2Fmetrics",
    "/metrics%3F",
    "/metrics%3Fx=1",
    "/metrics%23",
    "/./metrics",
    "/metrics/",
    "/internal%2Fauthorize",
    "/%2e/internal/authorize",
    "/v1/programmes%2F..%2F..%2Fmetrics",
    "/v1/programmes/x%3F/../../metrics",
    "/v1/reports/x%23/../../internal/authorize",
    "/v1/programmes?/../../metrics",
    "/v1/programmes#/../../metrics",
    "/v1/programmes/",
    "//v1/programmes",
    "/v1/programmes/%2F%2F",
    "/v1/reports/",
)
CORPUS = (
    tuple(
        prefix + climb + inside
        for prefix, climb, inside in itertools.product(PREFIXES, CLIMBS, INSIDE)
    )
    + OTHERS
)


def problems(answer: RawAnswer, internal_addresses: list[str], metrics_marker: str) -> list[str]:
    """What in ``answer`` shows a request got inside: a metrics page, an identity, an
    address of a service, a server error."""
    found = []
    text = answer.text
    if metrics_marker in text or "# TYPE " in text:
        found.append("metrics")
    if answer.status == 204 or any(answer.header(name) for name in IDENTITY_HEADERS):
        found.append("an identity from /internal/authorize")
    found += [f"the address {address}" for address in internal_addresses if address in text]
    if answer.status >= 500:
        found.append(f"status {answer.status}")
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("target", CORPUS)
def test_the_local_gateway_keeps_internal_and_metrics_inside(local_setu: LocalSetu, target):
    addresses = [
        f"{host}:{local_setu.port(service)}"
        for host in ("127.0.0.1", "localhost")
        for service in ("programmes", "notifications", "reports", "gateway_metrics")
    ]
    for key in (local_setu.secretariat, None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        answer = raw_request(local_setu.port("gateway"), target, headers=headers)
        assert not problems(answer, addresses, "setu_http_requests_total"), answer.text


@pytest.fixture(scope="module")
def nginx_rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    with gateway(require_tool("nginx"), Path(tmp_path_factory.mktemp("nginx"))) as running:
        yield running


@pytest.mark.parametrize("target", CORPUS)
def test_nginx_keeps_internal_and_metrics_inside(nginx_rig, target):
    nginx, apps = nginx_rig
    addresses = [f"127.0.0.1:{app.port}" for app in apps.values()]
    answer = raw_request(nginx.port, target, headers={"Authorization": f"Bearer {GOOD_KEY}"})
    assert not problems(answer, addresses, METRICS_MARKER), answer.text
    assert not [r for app in apps.values() for r in app.leaked()]
