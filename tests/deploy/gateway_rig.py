"""Debian's nginx running deploy/nginx/nginx.conf in front of stand-in upstream services.

The stand-ins keep the contract of the real ones (docs/architecture.md, setu_contract.http):
programmes answers ``GET /internal/authorize`` with 204 and the identity headers, signed for
the request named in X-Original-Method and X-Original-URI, for a good key, and 401 or 429 with
a JSON error otherwise; every upstream answers ``/metrics`` as the real ones do, redirects a
path with a trailing slash to an absolute URL of its own (as werkzeug does), and echoes
anything else it received as JSON, so a test sees exactly what nginx forwarded.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from setu_contract.http import (
    AUTHORIZE_PATH,
    ORIGINAL_METHOD_HEADER,
    ORIGINAL_URI_HEADER,
    Principal,
    principal_from_headers,
    sign_identity,
)
from setu_contract.secret_settings import new_secret
from tests.deploy.tools import ROOT
from tests.support.infra import free_port, wait_until

NGINX_DIR = ROOT / "deploy" / "nginx"
PAGES_DIR = ROOT / "cli" / "setu" / "pages"

GOOD_KEY = "good-key"
LIMITED_KEY = "limited-key"
IDENTITY = {
    "X-Setu-Organisation-Id": "0b6c9a4e-2f4e-4a57-9c54-6f1f7a3b2d10",
    "X-Setu-Role": "partner",
    "X-Setu-Side": "",
    "X-Setu-Key-Id": "5d0e2c1a-8f7b-4c1e-b1a9-3f2d6e4c8a77",
}
PRINCIPAL = principal_from_headers(IDENTITY)
INTERNAL_SECRET = new_secret()
# What a stand-in answers /metrics with: seen in an answer, a metrics page leaked out.
METRICS_MARKER = "setu_standin_metrics_total"


def _json(status: int, body: dict, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, mimetype="application/json", headers=headers or {}
    )


@dataclass
class StandIn:
    """One upstream: records the requests it received and echoes each back as JSON."""

    name: str
    received: list[dict] = field(default_factory=list)
    port: int = 0  # where it listens, once served

    def __call__(self, environ, start_response):
        request = Request(environ)
        seen = {
            "service": self.name,
            "method": request.method,
            "path": request.path,
            "target": environ["RAW_URI"],
            "query": request.query_string.decode(),
            "headers": dict(request.headers),
            "body_length": len(request.get_data()),
        }
        self.received.append(seen)
        if self.name == "programmes" and request.path == AUTHORIZE_PATH:
            response = self.authorize(request)
        elif request.path == "/metrics":
            response = Response(f"{METRICS_MARKER} 1\n", mimetype="text/plain")
        elif request.path.endswith("/") and request.path != "/":
            # werkzeug's strict slashes: an absolute URL built from the Host header.
            location = request.host_url.rstrip("/") + request.path.rstrip("/")
            response = Response(status=308, headers={"Location": location})
        else:
            response = _json(200, seen)
        return response(environ, start_response)

    @staticmethod
    def authorize(request: Request) -> Response:
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if key == GOOD_KEY:
            return Response(status=204, headers=signed_identity(request))
        if key == LIMITED_KEY:
            body = {"code": 429, "status": "Too Many Requests", "message": "slow down"}
            return _json(429, body, {"Retry-After": "7"})
        body = {"code": 401, "status": "Unauthorized", "message": "a valid API key is required"}
        return _json(401, body, {"WWW-Authenticate": "Bearer"})

    def leaked(self) -> list[dict]:
        """Requests this upstream received for /metrics or /internal that no authorize
        subrequest made (only those carry X-Original-URI: nginx drops a client's)."""
        return [
            r
            for r in self.received
            if r["path"] == "/metrics"
            or (r["path"].startswith("/internal") and not header(r, ORIGINAL_URI_HEADER))
        ]

    def authorize_calls(self) -> int:
        return sum(1 for r in self.received if r["path"] == AUTHORIZE_PATH)


def header(seen: dict, name: str) -> str | None:
    """A header of a request a stand-in received, by its name in any case."""
    return next((v for k, v in seen["headers"].items() if k.lower() == name.lower()), None)


def signed_identity(request: Request) -> dict[str, str]:
    """The identity headers programmes answers a good key with: signed for the original
    request, or unsigned when the asker named none."""
    method = request.headers.get(ORIGINAL_METHOD_HEADER)
    target = request.headers.get(ORIGINAL_URI_HEADER)
    if not method or not target:
        return dict(IDENTITY)
    assert isinstance(PRINCIPAL, Principal)
    return sign_identity(PRINCIPAL, INTERNAL_SECRET, method, target)


@contextmanager
def serve(app: StandIn) -> Iterator[int]:
    port = app.port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        thread.join(5)


def render_config(directory: Path, listen: int, upstreams: dict[str, int]) -> Path:
    """deploy/nginx/* copied to ``directory`` with only addresses and /tmp paths changed."""
    for source in NGINX_DIR.glob("*.conf"):
        shutil.copy(source, directory / source.name)
    main = directory / "nginx.conf"
    text = main.read_text()
    replacements = {
        "listen 8080;": f"listen 127.0.0.1:{listen};",
        "server programmes-api:8001;": f"server 127.0.0.1:{upstreams['programmes']};",
        "server notifications-api:8002;": f"server 127.0.0.1:{upstreams['notifications']};",
        "server reports-api:8003;": f"server 127.0.0.1:{upstreams['reports']};",
        "server gateway:8000;": f"server 127.0.0.1:{upstreams['gateway']};",
        "server console:8004;": f"server 127.0.0.1:{upstreams['console']};",
        "access_log /dev/stdout setu;": f"access_log {directory}/access.log setu;",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"nginx.conf no longer has exactly one {old!r}"
        text = text.replace(old, new)
    text = re.sub(r"/tmp/nginx", f"{directory}/nginx", text)
    text = text.replace("/etc/nginx/setu-pages/", f"{PAGES_DIR}/")
    main.write_text(text)
    return main


class Nginx:
    def __init__(self, binary: str, config: Path, port: int):
        self.binary, self.config, self.port = binary, config, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = config.parent / "nginx.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        prefix = ["-p", str(self.config.parent), "-c", str(self.config)]
        checked = subprocess.run(
            [self.binary, "-t", "-q", *prefix], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, f"nginx -t failed:\n{checked.stderr}"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.binary, *prefix, "-g", "daemon off;"], stdout=log, stderr=log
            )
        wait_until(self._answers, timeout=15, message="nginx to answer /healthz")
        return self

    def _answers(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise AssertionError(f"nginx exited:\n{self.log.read_text()}")
        return requests.get(self.base + "/healthz", timeout=2).status_code == 200

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@contextmanager
def gateway(binary: str, directory: Path, dead: tuple[str, ...] = ()) -> Iterator[tuple]:
    """nginx in front of live stand-ins; services named in ``dead`` point at a closed port."""
    names = ("programmes", "notifications", "reports", "gateway", "console")
    apps = {name: StandIn(name) for name in names}
    with (
        serve(apps["programmes"]) as p,
        serve(apps["notifications"]) as n,
        serve(apps["reports"]) as r,
        serve(apps["gateway"]) as g,
        serve(apps["console"]) as c,
    ):
        ports = {"programmes": p, "notifications": n, "reports": r, "gateway": g, "console": c}
        ports.update({name: free_port() for name in dead})
        listen = free_port()
        nginx = Nginx(binary, render_config(directory, listen, ports), listen).start()
        try:
            yield nginx, apps
        finally:
            nginx.stop()
