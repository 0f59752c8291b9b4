"""POST one signed message to an endpoint; never follow redirects.

The endpoint's name is resolved once, by the address check, and the message goes to an
address that check passed (``addresses.Destination``), with the name in the Host header and,
over https, in SNI and the certificate check: resolving it again to connect would let the
name answer differently the second time (DNS rebinding).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3

from notifications.webhooks import signing
from notifications.webhooks.addresses import Destination, RefusedUrl, Resolver, check_url

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Response:
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(
    url: str,
    secret: str,
    message_id: str,
    payload: dict[str, Any],
    allow_private: bool,
    resolve: Resolver | None = None,
) -> Response:
    try:
        # Checked again at send time: the name may resolve elsewhere than at registration.
        destination = check_url(url, allow_private, resolve)
    except RefusedUrl as exc:
        return Response(None, f"refused: {exc}")
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signing.headers(secret, message_id, int(time.time()), body)
    headers["user-agent"] = "Setu-Webhooks/1"
    headers["content-type"] = "application/json"
    headers["host"] = _host_header(destination)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with _pool(destination) as pool:
            reply = pool.urlopen(
                "POST",
                target,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
            )
    except urllib3.exceptions.HTTPError as exc:
        return Response(None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= reply.status < 300:
        return Response(reply.status, None)
    text = reply.data[:300].decode("utf-8", "replace")
    return Response(reply.status, f"HTTP {reply.status}: {text}")


def _pool(destination: Destination) -> urllib3.HTTPConnectionPool:
    """A connection pool to the first checked address, speaking for the endpoint's name."""
    address = destination.addresses[0]
    if destination.scheme == "http":
        return urllib3.HTTPConnectionPool(address, destination.port, maxsize=1)
    return urllib3.HTTPSConnectionPool(
        address,
        destination.port,
        maxsize=1,
        server_hostname=destination.host,
        assert_hostname=destination.host,
        cert_reqs="CERT_REQUIRED",
        ca_certs=certifi.where(),
    )


def _host_header(destination: Destination) -> str:
    host = f"[{destination.host}]" if ":" in destination.host else destination.host
    if destination.port == DEFAULT_PORTS[destination.scheme]:
        return host
    return f"{host}:{destination.port}"
