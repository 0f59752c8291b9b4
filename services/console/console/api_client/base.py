"""Calls to the public API through the gateway, with the signed-in person's token.

The console keeps no programme data of its own: each page asks the API, as a partner's own
system would, and the API decides what the person may see and do. Errors come back as
``ApiError`` with the API's status, message and field errors, for the views to show.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from urllib3 import Timeout, connection_from_url
from urllib3.exceptions import HTTPError

from setu_contract import jsonio
from setu_contract.http import (
    CORRELATION_HEADER,
    REUSED_CONNECTION_RETRY,
    sign_client_address,
)
from setu_contract.observability import get_correlation_id


@dataclass
class ApiError(Exception):
    status: int
    message: str
    errors: dict[str, Any] = field(default_factory=dict)
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"

    def field_errors(self) -> dict[str, list[str]]:
        """The API's 422 field messages by dotted field name (``applicant.email``,
        ``partners.0.role``), each a list of messages."""
        flat: dict[str, list[str]] = {}
        errors = self.errors or {}
        # webargs names where a field was read ({"json": {...}}) when the API does not
        # flatten it: the field is the same either way.
        if set(errors) <= LOCATIONS and all(isinstance(v, dict) for v in errors.values()):
            errors = {k: v for inner in errors.values() for k, v in inner.items()}
        _flatten(errors, "", flat)
        return flat


def _flatten(value: Any, name: str, into: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{name}.{key}" if name else str(key), into)
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        into.setdefault(name or "_schema", []).extend(value)
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            _flatten(inner, f"{name}.{index}" if name else str(index), into)
    else:
        into.setdefault(name or "_schema", []).append(str(value))


LOCATIONS = {"json", "query", "form", "headers", "querystring"}

USER_AGENT = "setu-console"

# The most reads one page makes at once (a programme's page: its history, applications,
# reviews and screenings).
PARALLEL_READS = 4


@dataclass
class Answer:
    """The API's answer to one call, read whole: its status, headers and body."""

    status_code: int
    reason: str
    # Case-insensitive (urllib3's HTTPHeaderDict, or requests' CaseInsensitiveDict).
    headers: Any
    content: bytes

    def json(self) -> Any:
        return jsonio.loads(self.content)


# Each gunicorn thread of the console, and the threads of a page's reads at once.
POOLED_CONNECTIONS = 8


class Transport:
    """HTTP to the API: one urllib3 pool of keep-alive connections to the gateway, shared by
    the process's threads.

    requests (with urllib3 under it) spent 0.9 ms of CPU a call preparing, merging and
    wrapping, most of a programme page's own work; urllib3's pool alone spends about 0.3 ms.
    Tests hand a ``session_factory`` (a ``requests.Session`` that reaches a fake API in
    process); calls then go through it instead.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float,
        session_factory: Any = None,
        internal_secret: str = "",
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.internal_secret = internal_secret
        self._injected = session_factory is not None
        self._session_factory = session_factory or requests.Session
        # Under a path prefix, if the API is reached through one.
        self.prefix = urlsplit(self.base_url).path.rstrip("/")
        self._connections = connection_from_url(
            self.base_url,
            maxsize=POOLED_CONNECTIONS,
            block=False,
            retries=REUSED_CONNECTION_RETRY,
            timeout=Timeout(total=timeout),
        )
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    @property
    def pool(self) -> ThreadPoolExecutor:
        """Threads of this process for reads a page makes at once, made on first use:
        nothing is started at import or create_app."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PARALLEL_READS, thread_name_prefix="console-api")
            return self._pool

    @property
    def http(self) -> requests.Session:
        """A ``requests.Session`` of this thread: for a report's download, streamed."""
        if not hasattr(self._local, "session"):
            session = self._session_factory()
            # Only the gateway is spoken to: no proxy or netrc from the environment.
            session.trust_env = False
            self._local.session = session
        return self._local.session

    def send(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> Answer:
        """``method`` on ``target`` (the path and query, already encoded)."""
        if self._injected:
            return self._send_with_requests(method, target, headers, body)
        try:
            answer = self._connections.urlopen(
                method, self.prefix + target, body=body, headers=headers, preload_content=True
            )
        except HTTPError:
            raise ApiError(503, "Setu's API did not answer") from None
        return Answer(answer.status, answer.reason or "", answer.headers, answer.data)

    def _send_with_requests(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> Answer:
        # Prepared and sent by the session's adapter alone: the session's own merging (its
        # default headers, environment, cookie jar, hooks) is never wanted, and a cookie an
        # answer set must never reach another person's call.
        prepared = requests.Request(
            method, self.base_url + target, headers=headers, data=body
        ).prepare()
        try:
            adapter = self.http.get_adapter(prepared.url or "")
            answer = adapter.send(prepared, timeout=self.timeout)
        except requests.RequestException:
            raise ApiError(503, "Setu's API did not answer") from None
        return Answer(answer.status_code, answer.reason or "", answer.headers, answer.content)


# What a path segment keeps as it is (RFC 3986's characters of a segment, but "%"): an id
# taken from the page's address is decoded, and any "?", "#", "%" or space in it is quoted, so
# that it stays one segment of the API's path instead of becoming a query or another path.
SEGMENT_SAFE = "!$&'()*+,;=:@-._~"
DOT_SEGMENTS = frozenset({".", ".."})


def api_path(path: str) -> str:
    """``path`` as sent to the API, each segment quoted whole. A segment "." or ".." (an id
    taken from the page's address, ``/console/reports/%2E%2E/download``) would climb out of
    the resource to another of the API's paths: it is no thing the API has, and answers 404
    without a call."""
    segments = path.split("/")
    if DOT_SEGMENTS.intersection(segments):
        raise ApiError(404, "no such thing")
    return "/".join(quote(segment, safe=SEGMENT_SAFE) for segment in segments)


class ApiClient:
    """The API, as one caller (a person's session token, or none before sign-in), from the
    person's own address (``client_address``, signed on every call when the transport has
    the internal secret)."""

    def __init__(
        self,
        transport: Transport,
        token: str | None,
        language: str = "en",
        client_address: str | None = None,
    ):
        self.transport = transport
        self.token = token
        self.language = language
        self.client_address = client_address

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Accept-Language": self.language,
            "User-Agent": USER_AGENT,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        correlation_id = get_correlation_id()
        if correlation_id:
            headers[CORRELATION_HEADER] = correlation_id
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        # The path's segments quoted, the query form-encoded; signed exactly as sent, as the
        # API reads its method and target.
        target = api_path(path)
        query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
        if query:
            target += "?" + query
        sent = self.headers(headers)
        body = None
        if json is not None:
            body = jsonio.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        secret = self.transport.internal_secret
        if secret and self.client_address:
            signed_target = self.transport.prefix + target
            sent.update(sign_client_address(self.client_address, secret, method, signed_target))
        answer = self.transport.send(method, target, sent, body)
        if answer.status_code >= 400:
            raise _error_of(answer)
        return answer

    def get(self, path: str, **params: Any) -> Any:
        # orjson: a list page holds up to 100 programmes.
        return jsonio.loads(self.request("GET", path, params=params).content)

    def at_once(self, reads: list[Callable[[], Any]]) -> list[Any]:
        """Each read (a call of a resource's client) at once, the answers in order: a page
        waits for its slowest read, not for their sum. The first refusal is raised, as the
        read alone would. The reads use this client only, never Flask's request."""
        if len(reads) <= 1:
            return [read() for read in reads]
        # Each read in a copy of this context: the correlation id goes with it.
        pool = self.transport.pool
        futures = [pool.submit(contextvars.copy_context().run, read) for read in reads]
        return [future.result() for future in futures]

    def get_with_etag(self, path: str) -> tuple[Any, str | None]:
        """A resource and its ETag, to send back as If-Match with an edit."""
        answer = self.request("GET", path)
        return answer.json(), answer.headers.get("ETag")

    def post(self, path: str, body: Any = None) -> Any:
        answer = self.request("POST", path, json=body if body is not None else {})
        return jsonio.loads(answer.content) if answer.content else None

    def patch(self, path: str, body: Any, etag: str | None = None) -> Any:
        headers = {"If-Match": etag} if etag else None
        return jsonio.loads(self.request("PATCH", path, json=body, headers=headers).content)

    def delete(self, path: str, etag: str | None = None) -> None:
        self.request("DELETE", path, headers={"If-Match": etag} if etag else None)


def _error_of(answer: Answer) -> ApiError:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
    return ApiError(
        answer.status_code,
        str(body.get("message") or answer.reason or ""),
        errors or {},
        answer.headers.get("Retry-After"),
    )
