"""One HTTP request whose target goes on the wire exactly as written.

HTTP client libraries tidy a URL before sending it (requests and urllib3 resolve dot segments,
re-encode a stray "%"): a test of what a gateway makes of odd targets writes the request line
itself.
"""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        """Status line, headers and body as one text: what a test searches for leaks."""
        lines = [str(self.status), *(f"{k}: {v}" for k, v in self.headers)]
        return "\n".join(lines) + "\n\n" + self.body.decode("utf-8", "replace")


def raw_request(
    port: int, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> RawAnswer:
    """Send ``method target HTTP/1.1`` to 127.0.0.1:``port`` and read the answer."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        answer = http.client.HTTPResponse(sock, method=method)
        answer.begin()
        body = answer.read()
        return RawAnswer(answer.status, answer.getheaders(), body)
