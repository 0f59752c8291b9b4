"""The local gateway in front of stand-in upstream servers over real HTTP."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from setu.gateway import Gateway, route_for, route_label
from setu_contract.http import AUTHORIZE_PATH, KEY_HEADER, ORGANISATION_HEADER, ROLE_HEADER


def echo_upstream(name: str):
    @Request.application
    def app(request: Request) -> Response:
        if request.path == AUTHORIZE_PATH:
            if request.headers.get("Authorization") != "Bearer good":
                return Response(json.dumps({"code": 401}), 401, mimetype="application/json")
            return Response(
                status=204,
                headers={
                    ORGANISATION_HEADER: "org-1",
                    ROLE_HEADER: "secretariat",
                    KEY_HEADER: "k-1",
                },
            )
        body = {
            "service": name,
            "path": request.full_path,
            "method": request.method,
            "headers": dict(request.headers),
            "body": request.get_data(as_text=True),
        }
        return Response(json.dumps(body), 200, mimetype="application/json")

    return app


@pytest.fixture(scope="module")
def gateway():
    servers, urls = [], {}
    for name in ("programmes", "notifications", "reports"):
        server = make_server("127.0.0.1", 0, echo_upstream(name), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.0.1:{server.server_port}"
    yield Client(Gateway(urls))
    for server in servers:
        server.shutdown()


@pytest.mark.parametrize(
    "path, service",
    [
        ("/v1/programmes/abc/transitions", "programmes"),
        ("/v1/api-keys/1", "programmes"),
        ("/v1/reports", "reports"),
        ("/v1/report-schedules/9", "reports"),
        ("/v1/notifications", "notifications"),
    ],
)
def test_routes_by_prefix(path, service):
    assert route_for(path)[0] == service


def test_unknown_path_is_json_404():
    assert route_for("/v1/programmesx") is None
    assert route_for("/admin") is None


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


def test_metrics_label_a_request_by_the_prefix_it_was_routed_by():
    def label(path: str) -> str | None:
        return route_label({"PATH_INFO": path})

    assert label("/v1/programmes/any-id/transitions") == "/v1/programmes"
    assert label("/v1/report-schedules/42") == "/v1/report-schedules"
    assert label("/docs/static/swagger-ui.css") == "/docs"
    assert label("/readyz") == "/readyz"
    assert label("/v1/programmesX") is None and label("/wp-admin/x") is None
