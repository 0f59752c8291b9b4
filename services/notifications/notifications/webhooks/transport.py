"""POST one signed message to an endpoint; never follow redirects."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from notifications.webhooks import signing
from notifications.webhooks.addresses import RefusedUrl, check_url

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class Response:
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(
    url: str, secret: str, message_id: str, payload: dict[str, Any], allow_private: bool
) -> Response:
    try:
        # Checked again at send time: the name may resolve elsewhere than at registration.
        check_url(url, allow_private)
    except RefusedUrl as exc:
        return Response(None, f"refused: {exc}")
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signing.headers(secret, message_id, int(time.time()), body)
    headers["user-agent"] = "Setu-Webhooks/1"
    try:
        reply = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return Response(None, f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= reply.status_code < 300:
        return Response(reply.status_code, None)
    return Response(reply.status_code, f"HTTP {reply.status_code}: {reply.text[:300]}")
