"""The local gateway: one base URL for the services and the console (nginx does this in compose).

It routes ``/v1/...`` by path prefix, on the path as nginx reads it (setu.gateway_paths),
and forwards the request's target as the client sent it. It asks the programmes service to
authorise requests bound for the other services (as nginx's ``auth_request`` does) and
forwards the signed identity it answers with, after removing any identity header the
client sent. It also serves ``/healthz``, ``/readyz``, the merged ``/openapi.json`` and
``/docs``; ``/internal`` and ``/metrics`` are no route of it. Its own metrics are on a port of
their own (``GATEWAY_METRICS_PORT``), which answers nothing else. An upstream's redirect is
passed on, never followed, with the upstream's address taken out of it.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import swagger_ui_bundle
from urllib3 import BaseHTTPResponse, HTTPConnectionPool, Timeout, connection_from_url
from urllib3.exceptions import HTTPError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.wrappers import Request, Response

from setu.gateway_paths import InvalidPath, forwarded_target, normalised_path
from setu.topology import port
from setu_contract.http import (
    AUTHORIZE_PATH,
    CLIENT_ADDRESS_HEADERS,
    CORRELATION_HEADER,
    IDENTITY_HEADERS,
    ORIGINAL_METHOD_HEADER,
    ORIGINAL_URI_HEADER,
    REUSED_CONNECTION_RETRY,
    request_target,
)
from setu_contract.messaging import QUEUES
from setu_contract.metrics import QueueDepthCollector, metrics_port
from setu_contract.observability import HttpInstrumentation, configure_logging, get_correlation_id

MAX_BODY = 1024 * 1024
CONSOLE_PREFIX = "/console"

# Path prefix -> the service that answers it; `authorise` is False where the service
# authenticates for itself (programmes owns the keys) or the path is public.
ROUTES: tuple[tuple[str, str, bool], ...] = (
    ("/v1/organisations", "programmes", False),
    ("/v1/api-keys", "programmes", False),
    ("/v1/programmes", "programmes", False),
    ("/v1/applications", "programmes", False),
    ("/v1/events", "programmes", False),
    ("/v1/people", "programmes", False),
    ("/v1/me", "programmes", False),
    ("/v1/sign-in", "programmes", False),
    ("/v1/sessions", "programmes", False),
    ("/v1/calls", "programmes", False),
    ("/v1/reviews", "programmes", False),
    ("/v1/mobility", "programmes", False),
    ("/v1/screenings", "programmes", False),
    ("/v1/unsubscribe", "notifications", False),
    ("/v1/report-links", "reports", False),
    ("/v1/notifications", "notifications", True),
    ("/v1/webhooks", "notifications", True),
    ("/v1/report-schedules", "reports", True),
    ("/v1/reports", "reports", True),
    # The console is a client of the API like any other: it signs people in through it.
    (CONSOLE_PREFIX, "console", False),
)

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",
}
# Set by the gateway alone: whatever a client sends under these names is dropped.
VOUCHED = (*IDENTITY_HEADERS, ORIGINAL_METHOD_HEADER, ORIGINAL_URI_HEADER)
STRIPPED = HOP_BY_HOP | {h.lower() for h in VOUCHED}

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Setu API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", deepLinking: true});</script>
</body></html>"""


OWN_PATHS = ("/healthz", "/readyz", "/openapi.json", "/docs")


def route_label(request_env: Mapping[str, Any]) -> str | None:
    """The label of a request in the gateway's metrics: its own path or the prefix it was
    routed by (never the raw path, which a client chooses)."""
    try:
        path = normalised_path(forwarded_target(request_target(request_env)))
    except InvalidPath:
        return None
    if path in OWN_PATHS or path.startswith("/docs/"):
        return "/docs" if path.startswith("/docs") else path
    return next((prefix for prefix, _, _ in ROUTES if _under(path, prefix)), None)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def route_for(path: str) -> tuple[str, bool] | None:
    for prefix, service, authorise in ROUTES:
        if _under(path, prefix):
            return service, authorise
    return None


def error(code: int, message: str, **extra: Any) -> Response:
    from http import HTTPStatus

    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message, **extra}
    return Response(json.dumps(body), status=code, mimetype="application/json")


# What either gateway answers a person itself on the console's paths, where the console
# cannot: a page in the three languages (the person's is not known here), never the API's
# JSON. The status the gateway refuses with -> the page's status and file; nginx serves the
# same files (deploy/nginx/nginx.conf, mounted in compose).
CONSOLE_PAGES = {
    400: (400, "console_bad_address.html"),
    413: (413, "console_too_large.html"),
    502: (503, "console_unavailable.html"),
}
CONSOLE_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@functools.cache
def _console_page(name: str) -> bytes:
    return resources.files("setu").joinpath("pages", name).read_bytes()


def refusal(service: str | None, code: int, message: str) -> Response:
    """What the gateway answers itself instead of ``service`` (None: no service could be
    told): the API's JSON error, or on the console's paths the page for a person."""
    if service != "console":
        return error(code, message)
    status, name = CONSOLE_PAGES[code]
    headers = dict(CONSOLE_PAGE_HEADERS)
    if status == 503:
        headers["Retry-After"] = "5"
    return Response(_console_page(name), status=status, mimetype="text/html", headers=headers)


def _service_of_unreadable(raw_target: str) -> str | None:
    """The console, for a target on its paths as sent (as nginx's map reads it), else None:
    the service a target the gateway cannot read was meant for, as far as it can tell."""
    path = raw_target.split("?", 1)[0]
    return "console" if _under(path, CONSOLE_PREFIX) else None


def load_openapi() -> dict[str, Any]:
    """The committed document for the whole API (regenerated by `make openapi`)."""
    return json.loads(resources.files("setu").joinpath("openapi.json").read_text())


def on_port(port_number: int | None) -> Any:
    """Whether a request came in on ``port_number``'s listener (gunicorn names the socket
    a request arrived on in SERVER_PORT); never, for None."""
    wanted = None if port_number is None else str(port_number)
    return lambda request_env: wanted is not None and request_env.get("SERVER_PORT") == wanted


def nothing_on(on_metrics_port: Any, app: Any) -> Any:
    """``app``, answering 404 to whatever reaches it on the metrics port (where the
    instrumentation in front of it answers /metrics alone)."""

    def guarded(request_env: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if on_metrics_port(request_env):
            return error(404, "this port serves /metrics only")(request_env, start_response)
        return app(request_env, start_response)

    return guarded


class Gateway:
    # Keep-alive connections kept to each upstream: one a gunicorn thread.
    POOLED_CONNECTIONS = 16

    def __init__(self, upstreams: Mapping[str, str], timeout: float = 30.0):
        self.upstreams = dict(upstreams)
        # Under a path prefix, if an upstream is reached through one.
        self.prefixes = {
            service: urlsplit(base).path.rstrip("/") for service, base in self.upstreams.items()
        }
        # urllib3's pools, not requests, whose preparing, merging and wrapping cost a sixth
        # of the gateway's CPU, twice for a request it authorises (docs/performance.md).
        # Only the upstreams are spoken to (no proxy or netrc from the environment); a read
        # on a connection an upstream closed as it was reused is sent once more.
        self.pools: dict[str, HTTPConnectionPool] = {
            service: connection_from_url(
                base,
                maxsize=self.POOLED_CONNECTIONS,
                block=False,
                retries=REUSED_CONNECTION_RETRY,
                timeout=Timeout(total=timeout),
            )
            for service, base in self.upstreams.items()
        }

    def send(
        self,
        service: str,
        method: str,
        target: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
    ) -> BaseHTTPResponse:
        """``method`` on ``target`` (as it came, not re-parsed: a parser would resolve its
        dot segments) of ``service``, its answer read whole, decompressed and never followed
        (``relay`` drops its Content-Encoding)."""
        pool = self.pools[service]
        return pool.urlopen(
            method,
            self.prefixes[service] + target,
            body=body,
            headers=dict(headers or {}),
            redirect=False,
            timeout=pool.timeout if timeout is None else Timeout(total=timeout),
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except HTTPException as exc:
            response = error(exc.code or 500, exc.description or "")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        raw = request_target(request.environ)
        try:
            target = forwarded_target(raw)
            path = normalised_path(target)
        except InvalidPath as exc:
            return refusal(_service_of_unreadable(raw), 400, str(exc))
        return self.own_answer(path) or self.proxy(request, path, target)

    def own_answer(self, path: str) -> Response | None:
        """What the gateway answers itself at ``path``, if anything."""
        if path == "/healthz":
            return Response(json.dumps({"status": "ok"}), mimetype="application/json")
        if path == "/readyz":
            return self.readiness()
        if path == "/openapi.json":
            return Response(json.dumps(load_openapi()), mimetype="application/json")
        if path in ("/docs", "/docs/"):
            return Response(DOCS_PAGE, mimetype="text/html")
        return None

    def proxy(self, request: Request, path: str, target: str) -> Response:
        """The answer of the service ``path`` routes to, to the request sent to ``target``."""
        route = route_for(path)
        if route is None:
            raise NotFound("no resource at this path")
        service, authorise = route
        if (request.content_length or 0) > MAX_BODY:
            return refusal(service, 413, "the request body is larger than 1 MiB")
        headers = self.forwarded_headers(request)
        if authorise:
            identity = self.authorise(headers, request.method, target)
            if isinstance(identity, Response):
                return identity
            headers.update(identity)
        return self.forward(service, request, target, headers)

    def forwarded_headers(self, request: Request) -> dict[str, str]:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in STRIPPED}
        headers["X-Forwarded-For"] = request.remote_addr or ""
        # One correlation id from the gateway to the services, their events and emails.
        headers[CORRELATION_HEADER] = get_correlation_id() or headers.get(CORRELATION_HEADER, "")
        return headers

    def authorise(self, headers: dict[str, str], method: str, target: str) -> Any:
        """The signed identity headers for this request, or the refusal to pass on."""
        # The client's address too: programmes limits failed authentications per address
        # (the console's signed one for the person it calls for, else the forwarded one).
        passed = ("Authorization", CORRELATION_HEADER, "X-Forwarded-For", *CLIENT_ADDRESS_HEADERS)
        asked = {k: v for k, v in headers.items() if k in passed}
        asked.update({ORIGINAL_METHOD_HEADER: method, ORIGINAL_URI_HEADER: target})
        try:
            answer = self.send("programmes", "GET", AUTHORIZE_PATH, asked, timeout=5)
        except HTTPError:
            return error(503, "authorisation is unavailable; try again shortly")
        if answer.status != 204:
            return self.relay(answer)
        return {h: answer.headers[h] for h in IDENTITY_HEADERS if h in answer.headers}

    def forward(
        self, service: str, request: Request, target: str, headers: dict[str, str]
    ) -> Response:
        body = request.get_data(cache=False) or None
        try:
            answer = self.send(service, request.method, target, headers, body)
        except HTTPError:
            return refusal(service, 502, f"the {service} service did not answer")
        return self.relay(answer)

    def relay(self, answer: BaseHTTPResponse) -> Response:
        # Each header as the upstream sent it: two Set-Cookie headers stay two.
        headers = [
            (k, self.public_location(v) if k.lower() == "location" else v)
            for k, v in answer.headers.items()
            if k.lower() not in HOP_BY_HOP
        ]
        return Response(answer.data, status=answer.status, headers=headers)

    def public_location(self, location: str) -> str:
        """A redirect's target without an upstream's address (as nginx's proxy_redirect)."""
        for base in self.upstreams.values():
            if location == base or location.startswith(base + "/"):
                return location[len(base) :] or "/"
        return location

    def readiness(self) -> Response:
        checks = {}
        for service in self.upstreams:
            try:
                checks[service] = self.send(service, "GET", "/readyz", timeout=3).status == 200
            except HTTPError:
                checks[service] = False
        ready = all(checks.values())
        body = {"status": "ready" if ready else "not ready", "services": checks}
        return Response(json.dumps(body), status=200 if ready else 503, mimetype="application/json")


def upstreams_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """Upstream base URLs: `<SERVICE>_URL`, else the local port of the topology."""
    result = {}
    for service in ("programmes", "notifications", "reports", "console"):
        variable = f"{service.upper()}_PORT"
        default = f"http://127.0.0.1:{port(env, variable)}"
        result[service] = (env.get(f"{service.upper()}_URL") or default).rstrip("/")
    return result


def create_app(env: Mapping[str, str] | None = None) -> Any:
    env = os.environ if env is None else env
    configure_logging("gateway", env.get("LOG_LEVEL", "INFO"))
    on_metrics_port = on_port(metrics_port("gateway", env))
    gateway = Gateway(upstreams_from_env(env))
    docs = SharedDataMiddleware(gateway, {"/docs/static": str(swagger_ui_bundle.swagger_ui_path)})
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return HttpInstrumentation(
        nothing_on(on_metrics_port, docs),
        "gateway",
        [QueueDepthCollector(redis_url, QUEUES)],
        route_of=route_label,
        metrics_on=on_metrics_port,
    )
