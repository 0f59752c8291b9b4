"""The local gateway in front of stand-in upstream servers over real HTTP."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from setu.gateway import Gateway, create_app, route_for, route_label
from setu.gateway_paths import InvalidPath, forwarded_target, normalised_path
from setu_contract.http import (
    AUTHORIZE_PATH,
    ORGANISATION_HEADER,
    ORIGINAL_METHOD_HEADER,
    ORIGINAL_URI_HEADER,
    ROLE_HEADER,
    SIGNATURE_HEADER,
    Principal,
    sign_identity,
    verified_principal,
)
from tests.support.console_pages import assert_console_page
from tests.support.identity import INTERNAL_SECRET

PRINCIPAL = Principal("org-1", "secretariat", "k-1", "JP")
# The headers of each question the gateway asked programmes' authorize route.
ASKED: list[dict[str, str]] = []


def echo_upstream(name: str):
    @Request.application
    def app(request: Request) -> Response:
        if request.path == AUTHORIZE_PATH:
            ASKED.append(dict(request.headers))
            if request.headers.get("Authorization") != "Bearer good":
                return Response(json.dumps({"code": 401}), 401, mimetype="application/json")
            method = request.headers[ORIGINAL_METHOD_HEADER]
            target = request.headers[ORIGINAL_URI_HEADER]
            headers = sign_identity(PRINCIPAL, INTERNAL_SECRET, method, target)
            return Response(status=204, headers=headers)
        if request.path.endswith("/two-cookies"):
            # Two cookies and a compressed body, as an upstream may answer.
            answer = Response(gzip.compress(b'{"ok": true}'), mimetype="application/json")
            answer.headers["Content-Encoding"] = "gzip"
            answer.headers.add("Set-Cookie", "first=1; Path=/")
            answer.headers.add("Set-Cookie", "second=2; Path=/")
            return answer
        if request.path.endswith("/redirected"):
            # werkzeug's redirects name the server by the Host header it was sent.
            location = request.host_url + "v1/programmes"
            return Response(status=308, headers={"Location": location})
        body = {
            "service": name,
            "path": request.full_path,
            "target": request.environ["RAW_URI"],
            "method": request.method,
            "headers": dict(request.headers),
            "body": request.get_data(as_text=True),
        }
        return Response(json.dumps(body), 200, mimetype="application/json")

    return app


@pytest.fixture(scope="module")
def upstreams():
    servers, urls = [], {}
    for name in ("programmes", "notifications", "reports"):
        server = make_server("127.0.0.1", 0, echo_upstream(name), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.0.1:{server.server_port}"
    yield urls
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def gateway(upstreams):
    return Client(Gateway(upstreams))


@pytest.mark.parametrize(
    "path, service",
    [
        ("/v1/programmes/abc/transitions", "programmes"),
        ("/v1/api-keys/1", "programmes"),
        ("/v1/reports", "reports"),
        ("/v1/report-schedules/9", "reports"),
        ("/v1/notifications", "notifications"),
        ("/v1/people/abc/sessions", "programmes"),
        ("/v1/me", "programmes"),
        ("/v1/sign-in", "programmes"),
        ("/v1/sessions/current/totp", "programmes"),
        ("/console", "console"),
        ("/console/programmes/abc", "console"),
    ],
)
def test_routes_by_prefix(path, service):
    assert route_for(path)[0] == service


def test_unknown_path_is_json_404():
    assert route_for("/v1/programmesx") is None
    assert route_for("/admin") is None
    assert route_for("/consolex") is None


def test_programmes_requests_pass_through_without_identity(gateway):
    answer = gateway.post(
        "/v1/programmes?x=1",
        json={"a": 1},
        headers={"Authorization": "Bearer anything", ORGANISATION_HEADER: "forged"},
    )
    body = answer.json
    assert body["service"] == "programmes" and body["path"] == "/v1/programmes?x=1"
    assert ORGANISATION_HEADER not in body["headers"]
    assert json.loads(body["body"]) == {"a": 1}


def test_other_services_get_the_identity_programmes_vouched_for(gateway):
    answer = gateway.get(
        "/v1/reports/7", headers={"Authorization": "Bearer good", ROLE_HEADER: "forged"}
    )
    headers = answer.json["headers"]
    assert headers[ORGANISATION_HEADER] == "org-1"
    assert headers[ROLE_HEADER] == "secretariat"


def test_the_consoles_signed_client_address_reaches_programmes_on_both_paths(gateway):
    """programmes judges the signature itself; the gateway passes the two headers on."""
    vouched = {"X-Setu-Client-Address": "192.0.2.9", "X-Setu-Client-Address-Signature": "t=1,v1=x"}
    direct = gateway.post("/v1/sessions", json={"token": "t"}, headers=vouched).json["headers"]
    gateway.get("/v1/reports", headers={"Authorization": "Bearer good", **vouched})
    for received in (direct, ASKED[-1]):
        assert {k: received.get(k) for k in vouched} == vouched


def test_refused_authorisation_reaches_the_client(gateway):
    answer = gateway.get("/v1/notifications", headers={"Authorization": "Bearer bad"})
    assert answer.status_code == 401
    assert answer.json == {"code": 401}


def test_unknown_path_and_oversized_body(gateway):
    missing = gateway.get("/nowhere")
    assert missing.status_code == 404 and missing.json["status"] == "Not Found"
    big = gateway.post(
        "/v1/programmes",
        data=b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 413 and big.json["code"] == 413


def test_health_and_readiness(gateway):
    assert gateway.get("/healthz").json == {"status": "ok"}
    # The stand-ins answer 200 on every path, /readyz included.
    ready = gateway.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["services"] == {"programmes": True, "notifications": True, "reports": True}


class DroppingUpstream(BaseHTTPRequestHandler):
    """A keep-alive upstream that, the first time a path ending in ``/dropped`` comes on a
    connection it has answered before, closes that connection without a word: as gunicorn
    ends an idle keep-alive connection just as the gateway sends on it."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, int]] = []

    def setup(self) -> None:
        super().setup()
        self.answered = 0

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, self.path, self.client_address[1]))
        tried = sum(1 for _, path, _ in self.seen if path == self.path)
        if self.path.endswith("/dropped") and self.answered and tried == 1:
            self.close_connection = True
            return
        if self.path.endswith("/slow"):
            time.sleep(0.6)
        self.answered += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def dropping() -> Iterator[tuple[str, list[tuple[str, str, int]]]]:
    """A DroppingUpstream serving: its base URL and what it has seen."""
    handler = type("Handler", (DroppingUpstream,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", handler.seen
    server.shutdown()
    server.server_close()


def test_a_read_the_upstream_dropped_on_a_reused_connection_is_sent_again_a_write_not(dropping):
    url, seen = dropping
    client = Client(Gateway({"programmes": url, "notifications": url, "reports": url}))
    assert client.get("/v1/programmes/kept").status_code == 200
    assert client.get("/v1/programmes/a/dropped").status_code == 200
    [first, again] = [s for s in seen if s[1] == "/v1/programmes/a/dropped"]
    assert first[2] == seen[0][2] and again[2] != first[2]
    # On the connection kept from the read sent again: a write may have been done.
    answer = client.post("/v1/programmes/b/dropped")
    assert answer.status_code == 502
    assert [s[0] for s in seen if s[1] == "/v1/programmes/b/dropped"] == ["POST"]


def test_a_read_that_timed_out_is_sent_once_not_again(dropping):
    # A slow upstream is not a dropped connection: sending again would double the client's
    # wait and the load on an upstream already behind.
    url, seen = dropping
    gateway = Gateway({"programmes": url, "notifications": url, "reports": url}, timeout=0.2)
    assert Client(gateway).get("/v1/programmes/a/slow").status_code == 502
    time.sleep(0.7)
    assert [s[:2] for s in seen] == [("GET", "/v1/programmes/a/slow")]


def test_unreachable_upstream_is_502():
    client = Client(
        Gateway(
            {
                "programmes": "http://127.0.0.1:9",
                "notifications": "http://127.0.0.1:9",
                "reports": "http://127.0.0.1:9",
            }
        )
    )
    answer = client.get("/v1/programmes")
    assert answer.status_code == 502 and answer.json["code"] == 502
    assert client.get("/v1/reports").status_code == 503
    assert client.get("/readyz").status_code == 503


def test_on_the_consoles_paths_what_the_gateway_answers_itself_is_a_page_for_a_person():
    dead = "http://127.0.0.1:9"
    client = Client(
        Gateway({"programmes": dead, "notifications": dead, "reports": dead, "console": dead})
    )

    def page(answer, code: int) -> None:
        assert_console_page(answer.status_code, answer.headers.get, answer.data, code)

    # The console not answering, to a page and to a form.
    page(client.get("/console/programmes/p1"), 503)
    page(client.post("/console/programmes/p1", data={"comment": "ok"}), 503)
    form = {"summary": "x" * (1024 * 1024)}
    page(client.post("/console/programmes/p1", data=form), 413)
    for raw in ("/console/programmes/%zz", "/console/%00", "/console/../../x"):
        page(client.get("/", environ_overrides={"RAW_URI": raw}), 400)
    # The API's paths keep the API's JSON.
    assert client.get("/v1/programmes/p1").json["code"] == 502
    assert client.get("/", environ_overrides={"RAW_URI": "/v1/%zz"}).json["code"] == 400
    assert client.post("/v1/programmes", data=form).json["code"] == 413


def test_metrics_label_a_request_by_the_prefix_it_was_routed_by():
    def label(path: str) -> str | None:
        return route_label({"PATH_INFO": path})

    assert label("/v1/programmes/any-id/transitions") == "/v1/programmes"
    assert label("/v1/report-schedules/42") == "/v1/report-schedules"
    assert label("/docs/static/swagger-ui.css") == "/docs"
    assert label("/readyz") == "/readyz"
    assert label("/v1/programmesX") is None and label("/wp-admin/x") is None


@pytest.mark.parametrize(
    ("raw", "forwarded", "routed"),
    [
        ("/v1/programmes/..%2F..%2Fmetrics", "/v1/programmes/..%2F..%2Fmetrics", "/metrics"),
        (
            "/v1/reports/..%2f..%2finternal%2fauthorize",
            "/v1/reports/..%2F..%2Finternal%2Fauthorize",
            "/internal/authorize",
        ),
        ("/v1/programmes/%2e%2e/x", "/v1/programmes/%2E%2E/x", "/v1/x"),
        ("/v1/programmes/x%3Fy=1?page=2", None, "/v1/programmes/x?y=1"),
        ("/v1/programmes/%252F..%252Fmetrics", None, "/v1/programmes/%2F..%2Fmetrics"),
        ("//internal//authorize", None, "/internal/authorize"),
        ("/v1/programmes/./x/", None, "/v1/programmes/x/"),
        ("/v1/programmes/..;/metrics", None, "/v1/programmes/..;/metrics"),
        ("/v1/programmes/a\\..\\b", "/v1/programmes/a%5C..%5Cb", "/v1/programmes/a\\..\\b"),
        ("/v1/programmes/%e2%80%a5?q=a b", "/v1/programmes/%E2%80%A5?q=a%20b", None),
        ("http://evil.example/v1/programmes?x#frag", "/v1/programmes?x", "/v1/programmes"),
    ],
)
def test_the_gateway_routes_on_the_path_nginx_reads_and_forwards_the_target_as_sent(
    raw: str, forwarded: str | None, routed: str | None
):
    target = forwarded_target(raw)
    assert target == (forwarded or raw.split("#")[0])
    if routed is not None:
        assert normalised_path(target) == routed


@pytest.mark.parametrize(
    "raw", ["/../metrics", "/v1/%2e%2e/%2e%2e/metrics", "/v1/programmes/%00", "/v1/%zz", "*"]
)
def test_a_target_nginx_refuses_is_refused(raw: str):
    with pytest.raises(InvalidPath):
        normalised_path(forwarded_target(raw))


@pytest.mark.parametrize(
    "path",
    [
        "/v1/programmes/..%2F..%2Fmetrics",
        "/v1/reports/..%2F..%2Finternal%2Fauthorize",
        "/v1/programmes/%2e%2e/%2e%2e/internal/authorize",
        "//metrics",
        "/v1/notifications/x/..%2F..%2F..%2Fmetrics",
    ],
)
def test_internal_and_metrics_are_no_route_however_the_path_is_written(gateway, path):
    answer = gateway.get(path, headers={"Authorization": "Bearer good"})
    assert answer.status_code == 404 and answer.json["code"] == 404


def test_the_target_reaches_the_service_as_the_client_sent_it(gateway):
    answer = gateway.get("/v1/programmes/a%2Fb%3Fc=1/..;/x?q=%7e")
    assert answer.json["target"] == "/v1/programmes/a%2Fb%3Fc=1/..;/x?q=%7E"
    assert answer.json["path"] == "/v1/programmes/a/b?c=1/..;/x?q=%7E"


def test_the_identity_is_signed_for_the_request_the_service_receives(gateway):
    for method, target in (("GET", "/v1/reports/7?x=%2f"), ("DELETE", "/v1/webhooks/w%2F1")):
        answer = gateway.open(
            target, method=method, headers={"Authorization": "Bearer good", SIGNATURE_HEADER: "t"}
        )
        seen = answer.json
        vouched = verified_principal(seen["headers"], INTERNAL_SECRET, method, seen["target"])
        assert vouched == PRINCIPAL, seen


def test_original_request_headers_from_clients_are_dropped(gateway):
    forged = {ORIGINAL_METHOD_HEADER: "DELETE", ORIGINAL_URI_HEADER: "/v1/webhooks/1"}
    for path in ("/v1/programmes", "/v1/notifications"):
        seen = gateway.get(path, headers={"Authorization": "Bearer good", **forged}).json
        assert not {h.lower() for h in forged} & {h.lower() for h in seen["headers"]}, path


def test_an_upstream_redirect_is_passed_on_without_the_upstreams_address(gateway, upstreams):
    answer = gateway.get("/v1/programmes/redirected", headers={"Host": "setu.example:8000"})
    assert answer.status_code == 308
    assert answer.headers["Location"] == "http://setu.example:8000/v1/programmes"
    # An upstream that names itself (no Host passed on) is rewritten to a path.
    relayed = Gateway(upstreams).public_location(upstreams["programmes"] + "/v1/x?y=1")
    assert relayed == "/v1/x?y=1"


def test_metrics_answer_on_the_metrics_port_only(redis_url: str, upstreams):
    env = {"REDIS_URL": redis_url, "GATEWAY_METRICS_PORT": "9911", "LOG_LEVEL": "WARNING"}
    env.update({f"{name.upper()}_URL": url for name, url in upstreams.items()})
    client = Client(create_app(env))
    public, metrics = "http://127.0.0.1:8000/", "http://127.0.0.1:9911/"
    assert client.get("/metrics", base_url=public).status_code == 404
    assert client.get("/%6Detrics", base_url=public).status_code == 404
    scraped = client.get("/metrics", base_url=metrics)
    assert scraped.status_code == 200 and "setu_queue_depth" in scraped.get_data(as_text=True)
    assert client.get("/v1/programmes", base_url=metrics).status_code == 404
    assert client.get("/healthz", base_url=metrics).status_code == 404
    assert client.get("/docs/static/swagger-ui.css", base_url=metrics).status_code == 404
    assert client.get("/docs/static/swagger-ui.css", base_url=public).status_code == 200
    assert client.get("/healthz", base_url=public).status_code == 200


def test_an_answer_is_passed_on_header_by_header_and_decompressed(gateway):
    """Two cookies stay two headers, not one joined by a comma; a compressed body is passed
    on decompressed, without the Content-Encoding that no longer describes it."""
    answer = gateway.get("/v1/programmes/two-cookies")
    assert answer.status_code == 200
    assert answer.headers.getlist("Set-Cookie") == ["first=1; Path=/", "second=2; Path=/"]
    assert "Content-Encoding" not in answer.headers
    assert answer.get_json() == {"ok": True}
